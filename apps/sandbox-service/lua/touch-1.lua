--[[
  Records activity on a sandbox that still exists, in one round trip (it was EXISTS then HSET,
  two in a row on every read of a sandbox), without recreating the hash of a deleted one.

  KEYS[1]  sandbox:metadata:{<id>}   hash
  ARGV[1]  now, epoch ms

  Returns  1 when the sandbox was touched, 0 when it does not exist
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lastActivityAt', ARGV[1])
return 1
