--[[
  Publishes one event to one room: assigns the room's next sequence number, appends the event
  to the room's bounded history, and PUBLISHes it, all atomically, so history and live traffic
  never disagree about order.

  KEYS[1] room sequence   (string)  ws:seq:{roomKey}
  KEYS[2] room history    (stream)  ws:history:{roomKey}
  KEYS[3] room epoch      (string)  ws:epoch:{roomKey}
  ARGV[1] channel to PUBLISH on
  ARGV[2] history max length (approximate trimming)
  ARGV[3] history TTL in seconds
  ARGV[4] new epoch to use if the room has none (or its history was lost)
  ARGV[5] the event as JSON without seq and epoch: '{"id":...}'

  Returns { seq, epoch, message }.
  The epoch changes whenever the sequence key is missing (first event, expiry, flush, failover
  without persistence): clients holding positions from the old epoch cannot be recovered from
  history and are told so.
]]
local seqKey, historyKey, epochKey = KEYS[1], KEYS[2], KEYS[3]
local ttl = tonumber(ARGV[3])

local epoch = redis.call('GET', epochKey)
if (not epoch) or redis.call('EXISTS', seqKey) == 0 then
  epoch = ARGV[4]
  redis.call('SET', epochKey, epoch)
  redis.call('DEL', historyKey)
end

local seq = redis.call('INCR', seqKey)
local message = '{"seq":' .. seq .. ',"epoch":"' .. epoch .. '",' .. string.sub(ARGV[5], 2)

redis.call('XADD', historyKey, 'MAXLEN', '~', ARGV[2], seq .. '-0', 'm', message)
redis.call('EXPIRE', seqKey, ttl)
redis.call('EXPIRE', historyKey, ttl)
redis.call('EXPIRE', epochKey, ttl)
redis.call('PUBLISH', ARGV[1], message)
return { seq, epoch, message }
