--[[
  Admits one member into a quota set unless the set is full, in one atomic step, so any number
  of API instances creating at once can never take a tenant past its quota.

  KEYS[1]  sandbox:live:{d:<dealershipId>} or sandbox:auto-pause:{d:<dealershipId>}   set
  ARGV[1]  member (sandbox id)
  ARGV[2]  limit: the most members the set may hold

  Returns  {1, size}  admitted (or already a member); size after the call
           {0, size}  refused: the set already holds `limit` members
]]
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  return {1, redis.call('SCARD', KEYS[1])}
end
local size = redis.call('SCARD', KEYS[1])
if size >= tonumber(ARGV[2]) then return {0, size} end
redis.call('SADD', KEYS[1], ARGV[1])
return {1, size + 1}
