-- Test fixture: sets both keys to the argument and answers what it wrote, or refuses a blank.
if ARGV[1] == '' then return {'refused'} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
return {'ok', redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}
