--[[
  Registers a live connection of a user and takes the user's offline queue in one step, so a
  message published for the user is either queued before (and returned here) or routed live
  after (publish-user-event-6.lua sees this registration): never lost in between. The user room's
  position is read in the same step: every message at or below it was queued (returned here) or
  sent to an earlier connection; every message above it is routed live to this one.
  The user's connection limit is checked in the same step, so concurrent connects on several
  instances cannot all pass it.

  KEYS[1] user connections (zset)   member "<instanceId> <clientId>", score = last refresh (ms)
  KEYS[2] offline queue    (list)   oldest first
  KEYS[3] room sequence    (string) ws:seq:{roomKey} of the user's room
  KEYS[4] room epoch       (string) ws:epoch:{roomKey} of the user's room
  ARGV[1] member
  ARGV[2] now (ms)
  ARGV[3] TTL of the connection set (ms): the heartbeats refresh it while the user is connected
  ARGV[4] entries older than this many ms belong to dead instances (not counted)
  ARGV[5] most connections the user may have
  ARGV[6] space-separated ids of instances with a stale heartbeat (crashed; not counted)

  Returns { seq, epoch, queued, 'ok' }: the room's position ('0' and '' for a room never
  published to) and the queued messages, oldest first (the queue is emptied); or
  { '0', '', {}, 'limit' } when the user is at the limit: nothing is changed.
]]
local now = tonumber(ARGV[2])
local dead = {}
for instance in string.gmatch(ARGV[6] or '', '%S+') do
  dead[instance] = true
end
local live = 0
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[4]), '+inf')) do
  local instance = string.match(member, '^(%S+) ')
  if member ~= ARGV[1] and not dead[instance] then
    live = live + 1
  end
end
if live >= tonumber(ARGV[5]) then
  return { '0', '', {}, 'limit' }
end

redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local queued = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
local seq = redis.call('GET', KEYS[3])
local epoch = ''
if seq then
  epoch = redis.call('GET', KEYS[4]) or ''
else
  seq = '0'
end
return { seq, epoch, queued, 'ok' }
