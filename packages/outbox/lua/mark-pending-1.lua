--[[
  Marks an outbox as possibly holding entries, before the commit that appends to it, so a
  sweeper finds it even if the committing process dies before it relays. The score is the
  Redis server's clock: every process that marks or sweeps reads the same clock.

  KEYS[1] pending marks (zset)
  ARGV[1] member (the outbox's owner, e.g. a sandbox id)
  Returns the mark's score (ms).
]]
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[1], ms, ARGV[1])
return ms
