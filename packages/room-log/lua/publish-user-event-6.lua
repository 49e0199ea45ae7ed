--[[
  Publishes one event to a user's room (`user:<id>`): like publish-event-4.lua it assigns the
  room's next sequence number and appends to its history (includes/append-event.lua), then
  routes it by the connection registry instead of a room channel, so gateways need no channel
  per connected user:
  - the user has live connections: PUBLISH on the direct channel of every instance holding one;
  - the user has none: append to the user's offline queue (max length, oldest dropped, TTL).
  Registration of a connection (gateway) and this routing are serialised by Redis, so a message
  is either routed live or queued, never lost in between.

  KEYS[1] room sequence     (string) ws:seq:{roomKey}
  KEYS[2] room history      (stream) ws:history:{roomKey}
  KEYS[3] room epoch        (string) ws:epoch:{roomKey}
  KEYS[4] user connections  (zset)   member "<instanceId> <clientId>", score = last refresh (ms)
  KEYS[5] offline queue     (list)   oldest first
  KEYS[6] room ids          (zset)   ws:ids:{roomKey}
  ARGV[1] direct channel prefix (the instance id is appended)
  ARGV[2] history max length (approximate trimming)
  ARGV[3] history TTL in seconds
  ARGV[4] new epoch to use if the room has none (or its history was lost)
  ARGV[5] the event as JSON without seq and epoch: '{"id":...}'
  ARGV[6] now (ms)
  ARGV[7] registry entries older than this many ms belong to dead instances
  ARGV[8] offline queue max length
  ARGV[9] offline queue TTL in seconds
  ARGV[10] the room's own channel (admins watching another user's room listen there)
  ARGV[11] space-separated ids of instances whose heartbeat is stale (crashed): never routed to
  ARGV[12] the event's id

  Returns { seq, epoch, message, route ('direct'|'queued'), count (instances, or dropped),
  dropped messages (the queue entries trimmed, oldest first) }.
]]
local connectionsKey, queueKey = KEYS[4], KEYS[5]
local idsKey, messageId = KEYS[6], ARGV[12]
--- @include "includes/append-event.lua"
-- An id the room already had was routed then: nothing is routed again.
if duplicateOf then return { seq, epoch, '', 'direct', 0, {} } end

redis.call('ZREMRANGEBYSCORE', connectionsKey, '-inf', tonumber(ARGV[6]) - tonumber(ARGV[7]))
redis.call('PUBLISH', ARGV[10], message)
local members = redis.call('ZRANGE', connectionsKey, 0, -1)
-- A crashed instance keeps fresh-looking entries until they age out: skipping it sends the
-- message to the queue (no live connection left), and the history has it for a resume.
local instances = {}
for dead in string.gmatch(ARGV[11] or '', '%S+') do
  instances[dead] = true
end
local count = 0
for _, member in ipairs(members) do
  local instance = string.match(member, '^(%S+) ')
  if instance and not instances[instance] then
    instances[instance] = true
    count = count + 1
    redis.call('PUBLISH', ARGV[1] .. instance, message)
  end
end
if count > 0 then
  return { seq, epoch, message, 'direct', count }
end

local maxLength = tonumber(ARGV[8])
local length = redis.call('RPUSH', queueKey, message)
local dropped = {}
if length > maxLength then
  dropped = redis.call('LRANGE', queueKey, 0, length - maxLength - 1)
  redis.call('LTRIM', queueKey, length - maxLength, -1)
end
redis.call('EXPIRE', queueKey, tonumber(ARGV[9]))
return { seq, epoch, message, 'queued', #dropped, dropped }
