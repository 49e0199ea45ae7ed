--[[
  Drops a capability from a dealership's set of capabilities with waiting tasks once its pending
  zset is empty, atomically with respect to the index updates that add to both (same slot), so
  the periodic sweep stops visiting it without ever missing a task that just started waiting.

  KEYS[1]  task:pending:{d:..}:<capability>    zset
  KEYS[2]  task:pending-capabilities:{d:..}     set
  ARGV[1]  capability
]]
if redis.call('ZCARD', KEYS[1]) == 0 then
  return redis.call('SREM', KEYS[2], ARGV[1])
end
return 0
