--[[
  Moves one sandbox from one state's count to another's in the gauge's hash (it was a MULTI of
  two HINCRBYs: one command instead of four, and no pipeline object built per transition).

  KEYS[1]  sandbox:stats:states   hash state -> count
  ARGV[1]  the state left
  ARGV[2]  the state entered
]]
redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
return 1
