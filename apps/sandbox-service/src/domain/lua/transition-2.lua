--[[
  Applies one sandbox state transition and appends its history entry in one atomic step, so
  the current state always equals the `to` of the newest history entry, whatever the
  concurrency. Which transitions are legal is decided by src/domain/sandbox-state.ts; this
  script only checks the current state against the list it is given.

  KEYS[1]  sandbox:metadata:{id}  hash
  KEYS[2]  sandbox:history:{id}   list of JSON entries, newest first
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

  Returns  {'missing'} | {'denied', from} | {'stale', from} | {'ok', from, entryJson}
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
local entry = cjson.encode({
  seq = seq, action = ARGV[1], from = state, to = to, actor = ARGV[5], source = ARGV[6],
  reason = (reason ~= '' and reason or cjson.null), at = now,
})
redis.call('LPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[8]) - 1)
return {'ok', state, entry}
