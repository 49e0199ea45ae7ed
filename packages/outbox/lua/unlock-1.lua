--[[
  Gives up a relay lock after a failed round, only if the caller still holds it.

  KEYS[1] relay lock (string)
  ARGV[1] lock token
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
