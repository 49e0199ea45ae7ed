--[[
  Takes the relay lock of an outbox and reads its oldest entries in one step: what SET NX and
  XRANGE did in two round trips.

  KEYS[1] relay lock (string)
  KEYS[2] outbox (stream)
  ARGV[1] lock token
  ARGV[2] lock time to live (ms)
  ARGV[3] entries to read at most
  Returns false when another relay holds the lock, else the entries (possibly none).
]]
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]), 'NX') then return false end
return redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', tonumber(ARGV[3]))
