--[[
  Removes a mark only if nobody marked the same outbox again since it was read: a newer mark
  belongs to a commit that the sweep just done may not have seen.

  KEYS[1] pending marks (zset)
  ARGV[1] member
  ARGV[2] the score that was read
  Returns 1 if removed.
]]
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
