-- reconcile.lua: writes back one tournament changed while a host could not
-- reach Redis, never overwriting a change it did not know of.
-- KEYS[1..5] and ARGV[1..11] as in lib.lua (ARGV[1..5] unused for "remove",
-- "conflict" and "discard"), and:
-- KEYS[6] tournament:{id}:tombstone  string: the removed version  TTL TOURNAMENT_TTL
-- KEYS[7] tournament:{id}:conflicts  list: losing snapshots, newest first, at most 100
-- ARGV[12] mode: "write", "cas", "remove", "restore", "conflict" or "discard"
-- ARGV[13] the stored version the outage's changes started from ("0": none)
-- ARGV[14] the snapshot's version ("0" for "remove")
-- ARGV[15] the snapshot JSON ("null" for "remove")
-- ARGV[16] the origin as a JSON string; ARGV[17] the time (RFC 3339)
-- ARGV[18] the tournament id
-- ARGV[19] the write-back id ("" = none), stored in the hash as `reconciled`
--          and as `last_op`
-- ARGV[20] the rejected changes, a JSON array of strings (for "conflict")
-- ARGV[21..] the record's tail (lib.lua) for "write", "cas" and "restore"
-- Returns {outcome, stored version, stored status[, stored last_op]}
-- (last_op: the op id of the stored state's last change, on a conflict):
-- outcome is written,
-- removed, unchanged, conflict (Redis moved on: it wins; except for "cas",
-- the loser is pushed on KEYS[7]), recorded or discarded.
local stored = redis.call('HGET', KEYS[1], 'version')
local tomb = redis.call('GET', KEYS[6])
local mode, base, write_id = ARGV[12], ARGV[13], ARGV[19]

local function status()
  return redis.call('HGET', KEYS[1], 'status') or ''
end

local function record_conflict()
  local record = '{"at":"' .. ARGV[17] .. '","origin":' .. ARGV[16] .. ',"base_version":' .. base ..
    ',"stored_version":' .. (stored or '0') .. ',"removed":' .. (stored and 'false' or 'true') ..
    ',"snapshot":' .. ARGV[15] .. ',"rejected":' .. ARGV[20] .. '}'
  redis.call('LPUSH', KEYS[7], record)
  redis.call('LTRIM', KEYS[7], 0, 99)
  redis.call('PEXPIRE', KEYS[7], ARGV[6])
end

if mode == 'discard' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  redis.call('PUBLISH', ARGV[11], '[]')
  return {'discarded', '0', ''}
end
if mode == 'conflict' then
  record_conflict()
  return {'recorded', stored or '0', status()}
end
if mode == 'restore' then
  if stored or tomb then
    return {'unchanged', stored or '0', status()}
  end
  write_record(true, 21, false)
  return {'written', ARGV[14], status()}
end
if (mode == 'write' or mode == 'cas') and stored then
  if write_id ~= '' and redis.call('HGET', KEYS[1], 'reconciled') == write_id then
    return {'unchanged', stored, status()}  -- this host's write-back landed before (a retry)
  end
  if stored == ARGV[14] and redis.call('HGET', KEYS[1], 'state') == ARGV[21] then
    return {'unchanged', stored, status()}  -- this very state is stored
  end
end
if mode == 'remove' and not stored and tomb == base then
  return {'unchanged', '0', ''}
end

if not ((not stored and not tomb) or stored == base) then
  if mode ~= 'cas' then
    record_conflict()
  end
  return {'conflict', stored or '0', stored and status() or '', stored and (redis.call('HGET', KEYS[1], 'last_op') or '') or ''}
end

if mode == 'remove' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  redis.call('SET', KEYS[6], base, 'PX', ARGV[6])
  local ev = '{"type":"tournament_removed","tournament_id":' .. ARGV[18] ..
    ',"version":' .. (tonumber(base) + 1) .. ',"at":"' .. ARGV[17] .. '"}'
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[10], '*', 'event', ev)
  redis.call('PEXPIRE', KEYS[5], ARGV[6])
  redis.call('PUBLISH', ARGV[11], '[' .. cjson.encode(ev) .. ']')
  return {'removed', '0', ''}
end
redis.call('HDEL', KEYS[1], 'last_token', 'last_op')
write_record(true, 21, false)
if write_id ~= '' then
  -- last_op too: a later write-back of the same host knows this state for
  -- its own (an attempt that landed unanswered), until another change.
  redis.call('HSET', KEYS[1], 'reconciled', write_id, 'last_op', write_id)
end
redis.call('DEL', KEYS[6])
return {'written', ARGV[14], status()}
