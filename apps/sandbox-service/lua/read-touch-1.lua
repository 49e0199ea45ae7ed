--[[
  Reads a sandbox and records activity on it in one round trip (it was HGETALL, then touch-1.lua:
  two in a row on every request that addresses a sandbox). Activity is recorded only on a
  sandbox that exists, is not terminated and belongs to the given dealership, so a request for
  another tenant's id (answered 404 by the caller) changes nothing of that tenant's sandbox.

  KEYS[1]  sandbox:metadata:{<id>}   hash
  ARGV[1]  now, epoch ms
  ARGV[2]  the dealership whose sandbox may be touched

  Returns  {touched, fields}: touched is 1 when lastActivityAt was set to ARGV[1] (fields then
           carry it), fields the hash as HGETALL returns it ({} when the sandbox does not exist)
]]
local fields = redis.call('HGETALL', KEYS[1])
local state, dealershipId, activityAt
for i = 1, #fields, 2 do
  local name = fields[i]
  if name == 'state' then state = fields[i + 1]
  elseif name == 'dealershipId' then dealershipId = fields[i + 1]
  elseif name == 'lastActivityAt' then activityAt = i + 1 end
end
if state == nil or state == 'terminated' or dealershipId ~= ARGV[2] then return {0, fields} end
redis.call('HSET', KEYS[1], 'lastActivityAt', ARGV[1])
if activityAt then
  fields[activityAt] = ARGV[1]
else
  fields[#fields + 1] = 'lastActivityAt'
  fields[#fields + 1] = ARGV[1]
end
return {1, fields}
