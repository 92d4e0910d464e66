-- put.lua: replaces a tournament's stored state unconditionally (an
-- operator's import), clearing any tombstone.
-- KEYS and ARGV[1..11] as in lib.lua, the record's tail from ARGV[12];
-- KEYS[6] tournament:{id}:tombstone
redis.call('HDEL', KEYS[1], 'last_token')
redis.call('DEL', KEYS[6])
write_record(true, 12, false)
return 1
