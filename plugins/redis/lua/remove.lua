-- remove.lua: deletes a tournament and its lock, leaves a tombstone (so no
-- host's reconciliation resurrects it), and appends the removal to its
-- events stream (which is kept, with its TTL, for subscribers).
-- KEYS[1..5] as in lib.lua, KEYS[6] tournament_lock:{id}
-- KEYS[7] tournament:{id}:tombstone
-- ARGV[1] the tournament id, ARGV[2] the time (RFC 3339)
-- ARGV[3] MAXLEN of the events stream, ARGV[4] pub/sub channel
-- ARGV[5] TTL of the tombstone and the events stream in ms (TOURNAMENT_TTL;
--         the tournament's own, from its TTL profile, when that is longer)
-- Returns the removed version, or false when nothing was stored.
local version = redis.call('HGET', KEYS[1], 'version')
if not version then
  return false
end
local ttl = tonumber(ARGV[5])
local own = tonumber(string.match(redis.call('HGET', KEYS[1], 'ttl_ms') or '', '^(%d+)'))
if own and own > ttl then
  ttl = own
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6])
redis.call('SET', KEYS[7], version, 'PX', ttl)
local ev = '{"type":"tournament_removed","tournament_id":' .. ARGV[1] ..
  ',"version":' .. (tonumber(version) + 1) .. ',"at":"' .. ARGV[2] .. '"}'
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[3], '*', 'event', ev)
redis.call('PEXPIRE', KEYS[5], ttl)
redis.call('PUBLISH', ARGV[4], '[' .. cjson.encode(ev) .. ']')
return version
