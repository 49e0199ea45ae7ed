--[[
  Drops the last published entry of a round and ends the round, in one step: what ack-entry
  and release-lock did in two round trips. The lock is given up only when the outbox is empty,
  checked in the same step, for the reason release-lock-2.lua gives.

  KEYS[1] relay lock (string)
  KEYS[2] outbox (stream)
  ARGV[1] lock token
  ARGV[2] entry id
  ARGV[3] lock time to live (ms)
  Returns 'released' | 'more' | 'lost'.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost' end
redis.call('XDEL', KEYS[2], ARGV[2])
if redis.call('XLEN', KEYS[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 'more'
end
redis.call('DEL', KEYS[1], KEYS[2])
return 'released'
