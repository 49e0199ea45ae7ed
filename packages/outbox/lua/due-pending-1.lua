--[[
  The marks older than a grace period: outboxes whose own relay should long have finished.

  KEYS[1] pending marks (zset)
  ARGV[1] grace period (ms)
  ARGV[2] at most this many
  Returns {member, score, member, score, ...}.
]]
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ms - tonumber(ARGV[1]), 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
