-- create.lua: stores a new tournament unless one with the id exists. An
-- explicit create clears a tombstone left by an earlier removal.
-- KEYS and ARGV[1..11] as in lib.lua, the record's tail from ARGV[12];
-- KEYS[6] tournament:{id}:tombstone
-- Returns 1 when created, 0 when the id is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('DEL', KEYS[6])
write_record(true, 12, false)
return 1
