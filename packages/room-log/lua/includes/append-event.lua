--[[
  The core both publish scripts share: assigns the room's next sequence number and appends the
  event to the room's bounded history, so history and live traffic never disagree about order.
  Inlined where a script says `--- @include "includes/append-event.lua"`; defines the locals
  `seq`, `epoch` and `message` for the rest of that script. The including script sets the
  locals `idsKey` (the room's recent ids, same slot) and `messageId` first.

  An id the room already holds is not appended again: `duplicateOf` is then the seq it was
  given, and the script answers without publishing. A publisher that retries (an outbox relay
  that lost its lock mid-publish, one room of two that failed) cannot put the same event in a
  room's history twice.

  KEYS[1] room sequence   (string)  ws:seq:{roomKey}
  KEYS[2] room history    (stream)  ws:history:{roomKey}
  KEYS[3] room epoch      (string)  ws:epoch:{roomKey}
  ARGV[2] history max length (approximate trimming)
  ARGV[3] history TTL in seconds
  ARGV[4] new epoch to use if the room has none (or its history was lost)
  ARGV[5] the event as JSON without seq and epoch: '{"id":...}'

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
  redis.call('DEL', historyKey, idsKey)
end

local duplicateOf = redis.call('ZSCORE', idsKey, messageId)

local seq = duplicateOf and tonumber(duplicateOf) or redis.call('INCR', seqKey)
local message = '{"seq":' .. seq .. ',"epoch":"' .. epoch .. '",' .. string.sub(ARGV[5], 2)
if not duplicateOf then
  redis.call('XADD', historyKey, 'MAXLEN', '~', ARGV[2], seq .. '-0', 'm', message)
  redis.call('ZADD', idsKey, seq, messageId)
  -- As many ids as the history keeps events: an id older than that cannot be resumed anyway.
  redis.call('ZREMRANGEBYRANK', idsKey, 0, -(tonumber(ARGV[2]) + 1))
end
redis.call('EXPIRE', seqKey, ttl)
redis.call('EXPIRE', historyKey, ttl)
redis.call('EXPIRE', epochKey, ttl)
redis.call('EXPIRE', idsKey, ttl)
