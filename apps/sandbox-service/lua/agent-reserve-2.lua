--[[
  Reserves one unit of an agent's capacity for a task: the task joins the agent's load set only
  while the set holds fewer than maxConcurrent tasks, so no number of concurrent assigners can
  put an agent over its capacity.

  KEYS[1]  agent:record:{d:..}:<agentId>  hash (maxConcurrent)
  KEYS[2]  agent:load:{d:..}:<agentId>    set of task ids
  ARGV[1]  task id

  Returns 'ok' | 'held' (the agent holds it already) | 'full' | 'missing'
]]
local max = tonumber(redis.call('HGET', KEYS[1], 'maxConcurrent') or '')
if not max then return 'missing' end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'held' end
if redis.call('SCARD', KEYS[2]) >= max then return 'full' end
redis.call('SADD', KEYS[2], ARGV[1])
return 'ok'
