--[[
  Drops one published entry from the outbox, if the caller still holds the relay lock, and
  extends the lock for the next entry.

  KEYS[1] relay lock (string)
  KEYS[2] outbox (stream)
  ARGV[1] lock token
  ARGV[2] entry id
  ARGV[3] lock time to live (ms)
  Returns 1, or 0 when the lock was lost (another relay owns the outbox now).
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('XDEL', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
