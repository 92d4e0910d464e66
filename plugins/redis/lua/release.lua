-- release.lua: releases a lock if the caller still holds it.
-- KEYS[1] tournament_lock:{id}
-- ARGV[1] the caller's lock token
-- Returns 1 when released, 0 when the lock was not the caller's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
