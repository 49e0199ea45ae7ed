--[[
  Registers a live connection of a user and takes the user's offline queue in one step, so a
  message published for the user is either queued before (and returned here) or routed live
  after (publish-user-event.lua sees this registration): never lost in between.

  KEYS[1] user connections (zset) member "<instanceId> <clientId>", score = last refresh (ms)
  KEYS[2] offline queue    (list) oldest first
  ARGV[1] member
  ARGV[2] now (ms)

  Returns the queued messages, oldest first (the queue is emptied).
]]
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[1])
local queued = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return queued
