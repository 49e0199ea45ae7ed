--[[
  Removes a member of a marks zset only if its mark is still the one the caller read, so a
  change that marked it again meanwhile keeps its mark.

  KEYS[1]  zset of marks
  ARGV[1]  member
  ARGV[2]  the score read before the work the mark asked for
]]
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
