--[[
  Publishes one event to one room: assigns the room's next sequence number, appends the event
  to the room's bounded history (includes/append-event.lua), and PUBLISHes it, all atomically,
  so history and live traffic never disagree about order.

  KEYS[1] room sequence   (string)  ws:seq:{roomKey}
  KEYS[2] room history    (stream)  ws:history:{roomKey}
  KEYS[3] room epoch      (string)  ws:epoch:{roomKey}
  KEYS[4] room ids        (zset)    ws:ids:{roomKey}
  ARGV[1] channel to PUBLISH on
  ARGV[2] history max length (approximate trimming)
  ARGV[3] history TTL in seconds
  ARGV[4] new epoch to use if the room has none (or its history was lost)
  ARGV[5] the event as JSON without seq and epoch: '{"id":...}'
  ARGV[6] the event's id

  Returns { seq, epoch, message } (message '' for an id the room already had: nothing published).
]]
local idsKey, messageId = KEYS[4], ARGV[6]
--- @include "includes/append-event.lua"
if duplicateOf then return { seq, epoch, '' } end
redis.call('PUBLISH', ARGV[1], message)
return { seq, epoch, message }
