-- commit.lua: the fenced write of a locked change. The state is written
-- only while the caller still holds the lock, so a holder whose lock expired
-- (a GC pause, a slow network) cannot write. It then releases the lock.
-- KEYS[1..5] and ARGV[1..11] as in lib.lua, and:
-- KEYS[6] tournament_lock:{id}
-- ARGV[12] the caller's lock token (also stored as `last_token` by ARGV[1])
-- ARGV[13] the version the change was computed from
-- ARGV[14..] the record's tail (lib.lua), with delta active games
-- Returns 1 written; 2 already written by this very call (a retry after a
-- lost reply); 0 the lock was lost, nothing written; -1 the version moved
-- (an import replaced the state), nothing written.
local holder = redis.call('GET', KEYS[6])
if holder ~= ARGV[12] then
  if redis.call('HGET', KEYS[1], 'last_token') == ARGV[12] then
    return 2
  end
  return 0
end
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[13] then
  redis.call('DEL', KEYS[6])
  return -1
end
write_record(false, 14, true)
redis.call('DEL', KEYS[6])
return 1
