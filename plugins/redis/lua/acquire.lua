-- acquire.lua: takes a tournament's lock and reads its state in one trip.
-- KEYS[1] tournament_lock:{id}
-- KEYS[2] tournament:{id}
-- ARGV[1] the caller's lock token (128 random bits, hex)
-- ARGV[2] the lock's lifetime in ms (LOCK_TIMEOUT)
-- Returns {1, state} when the caller holds the lock (also when a retried
-- call finds its own token), {0, pttl} when another holder has it, {2} when
-- the tournament does not exist (no lock is taken).
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0, redis.call('PTTL', KEYS[1])}
end
local state = redis.call('HGET', KEYS[2], 'state')
if not state then
  if holder then
    redis.call('DEL', KEYS[1])
  end
  return {2}
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return {1, state}
