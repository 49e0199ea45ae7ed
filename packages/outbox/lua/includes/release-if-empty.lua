--[[
  The end of a relay round, for a caller that holds the lock: the lock is given up only when
  the outbox is empty, in one step with that check. An entry committed by another process while
  the relay ran is therefore either seen here ('more': the lock is kept and the relay goes on)
  or appended after the release, when its own committer finds the lock free and relays it.
]]
local function releaseIfEmpty(lockKey, outboxKey, lockTtlMs)
  if redis.call('XLEN', outboxKey) > 0 then
    redis.call('PEXPIRE', lockKey, tonumber(lockTtlMs))
    return 'more'
  end
  redis.call('DEL', lockKey, outboxKey)
  return 'released'
end
