--[[
  Applies one sandbox state transition, appends its history entry and puts its event in the
  sandbox's outbox, in one atomic step, so the current state always equals the `to` of the
  newest history entry and the events leave in the order of the transitions, whatever the
  concurrency (the outbox package publishes them). The outbox shares the sandbox's hash tag,
  so this stays one slot on Redis Cluster; the room keys the event goes to cannot, which is why
  the event is not published from here. Which transitions are legal is decided by src/domain/sandbox-state.ts; this
  script only checks the current state against the list it is given.

  KEYS[1]  sandbox:metadata:{id}  hash
  KEYS[2]  sandbox:history:{id}   list of JSON entries, newest first
  KEYS[3]  sandbox:outbox:{id}    stream of events to publish
  ARGV[1]  action                 pause | resume | fail | terminate
  ARGV[2]  target state
  ARGV[3]  legal origin states, comma separated
  ARGV[4]  now, ms since epoch
  ARGV[5]  actor (JWT sub, or `system`)
  ARGV[6]  source                 api | bulk | auto:idle | auto:max-execution | auto:memory | worker
  ARGV[7]  reason ('' = none)
  ARGV[8]  history length kept
  ARGV[9]  only if stateChangedAt still equals this ('' = no condition)
  ARGV[10] only if lastActivityAt is at most this ('' = no condition)

  ARGV[9] and ARGV[10] let a decision taken on an earlier read (auto-pause) apply only if the
  sandbox is still as it was read: no transition since, no activity since.

  Returns  {'missing'} | {'denied', from} | {'stale', from} | {'ok', from, entryJson, fields}
  where fields is the sandbox's hash as this transition left it (HGETALL), so the caller answers
  with the state its own transition produced, not with a later read.
]]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end

if ARGV[9] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'stateChangedAt') or '0') ~= tonumber(ARGV[9]) then
  return {'stale', state}
end
if ARGV[10] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'lastActivityAt') or '0') > tonumber(ARGV[10]) then
  return {'stale', state}
end

local legal = false
for origin in string.gmatch(ARGV[3], '[^,]+') do
  if origin == state then legal = true end
end
if not legal then return {'denied', state} end

local to, now, reason = ARGV[2], tonumber(ARGV[4]), ARGV[7]
redis.call('HSET', KEYS[1], 'state', to, 'stateChangedAt', now, 'updatedAt', now)

if state == 'paused' then
  -- Leaving a pause: bank its length so execution time limits can leave paused time out.
  local pausedAt = tonumber(redis.call('HGET', KEYS[1], 'pausedAt') or now)
  redis.call('HINCRBY', KEYS[1], 'pausedMsTotal', math.max(0, now - pausedAt))
  redis.call('HDEL', KEYS[1], 'pausedAt', 'pauseReason', 'pausedBy', 'pauseSource')
end
if to == 'paused' then
  redis.call('HSET', KEYS[1], 'pausedAt', now, 'pausedBy', ARGV[5], 'pauseSource', ARGV[6])
  if reason ~= '' then redis.call('HSET', KEYS[1], 'pauseReason', reason) end
end
if to == 'active' then redis.call('HSET', KEYS[1], 'lastActivityAt', now) end
if to == 'error' and reason ~= '' then redis.call('HSET', KEYS[1], 'error', reason) end

local seq = redis.call('HINCRBY', KEYS[1], 'historySeq', 1)
local entryTable = {
  seq = seq, action = ARGV[1], from = state, to = to, actor = ARGV[5], source = ARGV[6],
  reason = (reason ~= '' and reason or cjson.null), at = now,
}
local entry = cjson.encode(entryTable)
redis.call('LPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[8]) - 1)
local id, dealershipId = unpack(redis.call('HMGET', KEYS[1], 'id', 'dealershipId'))
redis.call('XADD', KEYS[3], '*', 'm', cjson.encode({
  kind = 'transition', sandboxId = id, dealershipId = dealershipId, entry = entryTable,
}))
return {'ok', state, entry, redis.call('HGETALL', KEYS[1])}
