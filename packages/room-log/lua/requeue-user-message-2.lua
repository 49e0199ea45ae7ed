--[[
  A user-room message reached an instance (ws:direct) after the user's last connection there
  closed. If the user has no live connection anywhere, put it back in the offline queue so it
  is delivered at the next connect instead of being lost; otherwise another instance got it.

  KEYS[1] user connections (zset) member "<instanceId> <clientId>", score = last refresh (ms)
  KEYS[2] offline queue    (list) oldest first
  ARGV[1] the message (as published)
  ARGV[2] now (ms)
  ARGV[3] registry entries older than this many ms belong to dead instances
  ARGV[4] offline queue max length
  ARGV[5] offline queue TTL in seconds
  ARGV[6] space-separated ids of instances with a stale heartbeat (crashed): their entries do not count

  Returns { 1, dropped } when queued (dropped: the entries trimmed for the max length, oldest
  first), { 0, {} } when the user is connected elsewhere.
]]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
local dead = {}
for instance in string.gmatch(ARGV[6] or '', '%S+') do
  dead[instance] = true
end
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if not dead[string.match(member, '^(%S+) ')] then
    return { 0, {} }
  end
end
local length = redis.call('RPUSH', KEYS[2], ARGV[1])
local maxLength = tonumber(ARGV[4])
local dropped = {}
if length > maxLength then
  dropped = redis.call('LRANGE', KEYS[2], 0, length - maxLength - 1)
  redis.call('LTRIM', KEYS[2], length - maxLength, -1)
end
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
return { 1, dropped }
