-- Writes fields of one hash and (re)sets its expiry in one command: what a MULTI of HSET and
-- PEXPIRE did, at a quarter of the commands a client has to build, send and parse.
-- KEYS[1]: the hash; ARGV[1]: expiry in ms; ARGV[2..]: field, value, field, value, ...
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
