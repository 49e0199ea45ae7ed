-- Test fixture (included): writes the tagged argument to KEYS[1] and keeps it in `value`.
local value = 'tagged:' .. ARGV[1]
redis.call('SET', KEYS[1], value)
