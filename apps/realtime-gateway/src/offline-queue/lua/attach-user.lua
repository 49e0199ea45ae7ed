--[[
  Registers a live connection of a user and takes the user's offline queue in one step, so a
  message published for the user is either queued before (and returned here) or routed live
  after (publish-user-event.lua sees this registration): never lost in between. The user room's
  position is read in the same step: every message at or below it was queued (returned here) or
  sent to an earlier connection; every message above it is routed live to this one.

  KEYS[1] user connections (zset)   member "<instanceId> <clientId>", score = last refresh (ms)
  KEYS[2] offline queue    (list)   oldest first
  KEYS[3] room sequence    (string) ws:seq:{roomKey} of the user's room
  KEYS[4] room epoch       (string) ws:epoch:{roomKey} of the user's room
  ARGV[1] member
  ARGV[2] now (ms)
  ARGV[3] TTL of the connection set (ms): the heartbeats refresh it while the user is connected

  Returns { seq, epoch, queued }: the room's position ('0' and '' for a room never published
  to) and the queued messages, oldest first (the queue is emptied).
]]
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[1])
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
return { seq, epoch, queued }
