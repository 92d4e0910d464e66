-- reconcile.lua: writes back one tournament changed while a host could not
-- reach Redis, never overwriting a change it did not know of.
-- KEYS[1..5] and ARGV[1..11] as in lib.lua (ARGV[1..5] unused for "remove"), and:
-- KEYS[6] tournament:{id}:tombstone  string: the removed version  TTL TOURNAMENT_TTL
-- KEYS[7] tournament:{id}:conflicts  list: losing snapshots, newest first, at most 100
-- ARGV[12] mode: "write", "remove" or "restore"
-- ARGV[13] the stored version the outage's changes started from ("0": none)
-- ARGV[14] the snapshot's version ("0" for "remove")
-- ARGV[15] the snapshot JSON ("null" for "remove")
-- ARGV[16] the origin as a JSON string; ARGV[17] the time (RFC 3339)
-- ARGV[18] the tournament id
-- Returns {outcome, stored version}: outcome is written, removed, unchanged
-- or conflict (Redis moved on: it wins, and the loser is pushed on KEYS[7]).
local stored = redis.call('HGET', KEYS[1], 'version')
local tomb = redis.call('GET', KEYS[6])
local mode, base = ARGV[12], ARGV[13]

if mode == 'restore' then
  if stored or tomb then
    return {'unchanged', stored or '0'}
  end
  write_record(true)
  return {'written', ARGV[14]}
end
if mode == 'write' and stored == ARGV[14] and redis.call('HGET', KEYS[1], 'state') == ARGV[15] then
  return {'unchanged', stored}  -- this very state is stored (a retried reconciliation)
end
if mode == 'remove' and not stored and tomb == base then
  return {'unchanged', '0'}
end

if not ((not stored and not tomb) or stored == base) then
  local record = '{"at":"' .. ARGV[17] .. '","origin":' .. ARGV[16] .. ',"base_version":' .. base ..
    ',"stored_version":' .. (stored or '0') .. ',"removed":' .. (stored and 'false' or 'true') ..
    ',"snapshot":' .. ARGV[15] .. '}'
  redis.call('LPUSH', KEYS[7], record)
  redis.call('LTRIM', KEYS[7], 0, 99)
  redis.call('PEXPIRE', KEYS[7], ARGV[6])
  return {'conflict', stored or '0'}
end

if mode == 'remove' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  redis.call('SET', KEYS[6], base, 'PX', ARGV[6])
  local ev = '{"type":"tournament_removed","tournament_id":' .. ARGV[18] ..
    ',"version":' .. (tonumber(base) + 1) .. ',"at":"' .. ARGV[17] .. '"}'
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[10], '*', 'event', ev)
  redis.call('PEXPIRE', KEYS[5], ARGV[6])
  return {'removed', '0'}
end
redis.call('HDEL', KEYS[1], 'last_token')
write_record(true)
return {'written', ARGV[14]}
