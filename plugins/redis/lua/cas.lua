-- cas.lua: the one-trip write of a change computed from a copy the caller
-- already holds (its plugin's decoded state, by revision). It writes only
-- when nobody holds the tournament's lock and the stored revision is still
-- the copy's, so it is linearizable with locked changes and other
-- one-trip writes; otherwise the caller takes the locked path.
-- KEYS[1..5] and ARGV[1..11] as in lib.lua, and:
-- KEYS[6] tournament_lock:{id}
-- ARGV[12] the call's token (also stored as `last_token` by ARGV[1])
-- ARGV[13] the revision the change was computed from
-- ARGV[14..] the record's tail (lib.lua), with delta active games
-- Returns 1 written; 2 already written by this very call (a retry after a
-- lost reply); 0 the lock is held or the copy is not current, nothing
-- written.
if redis.call('HGET', KEYS[1], 'last_token') == ARGV[12] then
  return 2
end
if redis.call('EXISTS', KEYS[6]) == 1 or redis.call('HGET', KEYS[1], 'rev') ~= ARGV[13] then
  return 0
end
write_record(false, 14, true)
return 1
