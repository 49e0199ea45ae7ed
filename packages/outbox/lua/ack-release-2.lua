--[[
  Drops the last published entry of a round and ends the round, in one step: what ack-entry
  and release-lock did in two round trips (see includes/release-if-empty.lua).

  KEYS[1] relay lock (string)
  KEYS[2] outbox (stream)
  ARGV[1] lock token
  ARGV[2] entry id
  ARGV[3] lock time to live (ms)
  Returns 'released' | 'more' | 'lost'.
]]
--- @include "includes/release-if-empty.lua"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost' end
redis.call('XDEL', KEYS[2], ARGV[2])
return releaseIfEmpty(KEYS[1], KEYS[2], ARGV[3])
