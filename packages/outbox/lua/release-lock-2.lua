--[[
  Ends a relay round: the lock is given up only when the outbox is empty, in one step with
  that check. An entry committed by another process while this relay ran is therefore either
  seen here ('more': the lock is kept and the relay goes on) or appended after the release,
  when its own committer finds the lock free and relays it itself.

  KEYS[1] relay lock (string)
  KEYS[2] outbox (stream)
  ARGV[1] lock token
  ARGV[2] lock time to live (ms)
  Returns 'released' | 'more' | 'lost'.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost' end
if redis.call('XLEN', KEYS[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 'more'
end
redis.call('DEL', KEYS[1], KEYS[2])
return 'released'
