-- touch.lua: housekeeping for one tournament. Extends every key's TTL while
-- the tournament is pending or active, so a live tournament never expires.
-- KEYS[1..5] as in lib.lua; ARGV[1..4] TTLs in ms: tournament, active games,
-- round data, bracket.
-- Returns 1 extended, 0 finished (left to expire), -1 gone (expired).
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return -1
end
if status == 'completed' then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('PEXPIRE', KEYS[5], ARGV[1])
return 1
