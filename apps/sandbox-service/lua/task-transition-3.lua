--[[
  Applies one task state transition with optimistic locking, appends its history entry and puts
  its event in the task's outbox, in one atomic step (like transition-3.lua for sandboxes): the
  state always equals the `to` of the newest history entry, the version grows by one per
  transition, and events leave in transition order. Which transitions are legal is decided by
  src/tasks/task-state.ts; this script checks the current state against the list it is given.

  KEYS[1]  task:record:{id}    hash
  KEYS[2]  task:history:{id}   list of JSON entries, oldest first
  KEYS[3]  task:outbox:{id}    stream of events to publish
  ARGV[1]  action
  ARGV[2]  target state
  ARGV[3]  legal origin states, comma separated
  ARGV[4]  now, ms since epoch
  ARGV[5]  actor
  ARGV[6]  reason ('' = none)
  ARGV[7]  expected version ('' = any)
  ARGV[8]  required assignee ('' = anyone): only the assignee may accept, reject, complete, ...
  ARGV[9]  JSON object of fields to set; a field set to '' is removed
  ARGV[10] JSON object of extra history fields (agentId, delegatedFrom)
  ARGV[11] history length kept

  Returns {'missing'} | {'denied', from, version} | {'stale', from, version}
        | {'not-assignee', from, version} | {'ok', from, entryJson, fields}
]]
local record = redis.call('HMGET', KEYS[1], 'state', 'version', 'assignee')
local state, version, assignee = record[1], record[2], record[3]
if not state then return {'missing'} end

if ARGV[8] ~= '' and assignee ~= ARGV[8] then return {'not-assignee', state, version} end
if ARGV[7] ~= '' and version ~= ARGV[7] then return {'stale', state, version} end

local legal = false
for origin in string.gmatch(ARGV[3], '[^,]+') do
  if origin == state then legal = true end
end
if not legal then return {'denied', state, version} end

local now = ARGV[4]
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', now)
redis.call('HINCRBY', KEYS[1], 'version', 1)
for field, value in pairs(cjson.decode(ARGV[9])) do
  if value == '' then redis.call('HDEL', KEYS[1], field) else redis.call('HSET', KEYS[1], field, value) end
end

local seq = redis.call('HINCRBY', KEYS[1], 'historySeq', 1)
local entry = cjson.decode(ARGV[10])
entry.seq = seq
entry.action = ARGV[1]
entry.from = state
entry.to = ARGV[2]
entry.actor = ARGV[5]
entry.reason = (ARGV[6] ~= '' and ARGV[6] or cjson.null)
entry.at = tonumber(now)
local entryJson = cjson.encode(entry)
redis.call('RPUSH', KEYS[2], entryJson)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[11]), -1)
local fields = redis.call('HGETALL', KEYS[1])
redis.call('XADD', KEYS[3], '*', 'm', cjson.encode({ entry = entry, fields = fields }))
return {'ok', state, entryJson, fields}
