-- touch.lua: housekeeping for one tournament. Extends every key's TTL while
-- the tournament is pending or active, so a live tournament never expires.
-- KEYS[1..5] as in lib.lua; ARGV[1..4] TTLs in ms: tournament, active games,
-- round data, bracket; a tournament created with a TTL profile carries its
-- own in the `ttl_ms` field ("tournament,active,round,bracket"), which wins.
-- Returns 1 extended, 0 finished (left to expire), -1 gone (expired).
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return -1
end
if status == 'completed' then
  return 0
end
local ttl = {ARGV[1], ARGV[2], ARGV[3], ARGV[4]}
local own = redis.call('HGET', KEYS[1], 'ttl_ms')
if own then
  local i = 1
  for v in string.gmatch(own, '[^,]+') do
    ttl[i] = v
    i = i + 1
  end
end
redis.call('PEXPIRE', KEYS[1], ttl[1])
redis.call('PEXPIRE', KEYS[2], ttl[2])
redis.call('PEXPIRE', KEYS[3], ttl[3])
redis.call('PEXPIRE', KEYS[4], ttl[4])
redis.call('PEXPIRE', KEYS[5], ttl[1])
return 1
