--[[
  Writes a new version of one flag: checks the expected current version, stores the flag,
  indexes its key, appends the immutable version, appends the audit entry (global and per-flag
  stream), puts the change's event in the flag outbox (and marks it for the sweeper: every key
  here shares the {flags} tag) and PUBLISHes the change for the in-process SDKs. All or nothing,
  so the order of flag events equals the order of versions (the outbox package publishes them).

  KEYS[1] current flag        (string)  {flags}:flag:<key>
  KEYS[2] flag index          (set)     {flags}:index
  KEYS[3] versions            (list)    {flags}:versions:<key>, oldest first
  KEYS[4] audit               (stream)  {flags}:audit
  KEYS[5] audit of the flag   (stream)  {flags}:audit:<key>
  KEYS[6] outbox              (stream)  {flags}:outbox
  KEYS[7] outbox marks        (zset)    {flags}:outbox-pending
  ARGV[1] expected current version ('0': the flag must not exist yet)
  ARGV[2] the flag as JSON without version: '{"key":...}'
  ARGV[3] version metadata as JSON: '{"action":...,"actor":...,"at":...}'
  ARGV[4] audit entry as JSON without key/version: '{"action":...,"diff":...}'
  ARGV[5] changes channel
  ARGV[6] approximate maximum length of the audit streams
  ARGV[7] publish time in ms (lets SDKs measure their update lag)
  ARGV[8] the flag key
  ARGV[9] the change's event as JSON without version: '{"kind":"flag",...}'

  Returns { 'ok', newVersion } or { 'conflict', currentVersion }.
]]
local current = redis.call('GET', KEYS[1])
local currentVersion = 0
if current then currentVersion = tonumber(cjson.decode(current).version) end
if currentVersion ~= tonumber(ARGV[1]) then return { 'conflict', currentVersion } end

local version = currentVersion + 1
local flag = '{"version":' .. version .. ',' .. string.sub(ARGV[2], 2)
redis.call('SET', KEYS[1], flag)
redis.call('SADD', KEYS[2], ARGV[8])
redis.call('RPUSH', KEYS[3], '{"version":' .. version .. ',"flag":' .. flag .. ',' .. string.sub(ARGV[3], 2))
local entry = '{"key":' .. cjson.encode(ARGV[8]) .. ',"version":' .. version .. ',' .. string.sub(ARGV[4], 2)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'e', entry)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*', 'e', entry)
redis.call('XADD', KEYS[6], '*', 'm', '{"version":' .. version .. ',' .. string.sub(ARGV[9], 2))
local now = redis.call('TIME')
redis.call('ZADD', KEYS[7], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), 'flags')
redis.call('PUBLISH', ARGV[5], '{"type":"upsert","publishedAt":' .. ARGV[7] .. ',"flag":' .. flag .. '}')
return { 'ok', version }
