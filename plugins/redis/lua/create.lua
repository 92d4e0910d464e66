-- create.lua: stores a new tournament unless one with the id exists.
-- KEYS and ARGV[1..11] as in lib.lua.
-- Returns 1 when created, 0 when the id is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
write_record(true)
return 1
