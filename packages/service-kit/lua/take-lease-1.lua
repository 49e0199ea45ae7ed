-- Takes a lease on one rate-limit bucket for the current fixed window: up to ARGV[2] requests of
-- the window's budget (ARGV[1]), never past it, so what every instance leases together never
-- exceeds the limit. The grant shrinks as the budget runs out (at most 1/16 of what is left),
-- so budget other instances hold unspent near the limit stays small.
-- KEYS[1] the bucket (requests leased in this window; expires with the window)
-- ARGV[1] limit per window, ARGV[2] largest lease, ARGV[3] window in ms
-- Returns {granted, leased so far in the window, ms until the window ends}.
local limit = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
local granted = 0
if used < limit then
  granted = math.min(tonumber(ARGV[2]), math.max(1, math.floor((limit - used) / 16)))
  used = redis.call('INCRBY', KEYS[1], granted)
end
-- A new bucket (-2), or one a client left without expiry (-1): its window starts now.
if ttl < 0 then
  ttl = tonumber(ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {granted, used, ttl}
