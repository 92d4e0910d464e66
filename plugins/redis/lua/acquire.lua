-- acquire.lua: takes a tournament's lock and reads its state in one trip.
-- KEYS[1] tournament_lock:{id}
-- KEYS[2] tournament:{id}
-- KEYS[3] tournament:{id}:brackets
-- ARGV[1] the caller's lock token (128 random bits, hex)
-- ARGV[2] the lock's lifetime in ms (LOCK_TIMEOUT)
-- ARGV[3] the revision of the state the caller holds decoded ("" = none)
-- Returns {1} when the caller holds the lock and its copy is current (the
-- stored `rev` is ARGV[3]), {1, state, rev, rounds_in, round, round JSON,
-- ...} when it holds the lock and needs the state (also when a retried call
-- finds its own token; rounds_in "brackets": the rounds are in KEYS[3], the
-- state has none), {0, pttl}
-- when another holder has it, {2} when the tournament does not exist (no
-- lock is taken).
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0, redis.call('PTTL', KEYS[1])}
end
local rev = redis.call('HGET', KEYS[2], 'rev')
local state
if not rev or rev ~= ARGV[3] then
  state = redis.call('HGET', KEYS[2], 'state')
  if not state then
    if holder then
      redis.call('DEL', KEYS[1])
    end
    return {2}
  end
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if state then
  local out = {1, state, rev or '', redis.call('HGET', KEYS[2], 'rounds_in') or '',
    redis.call('HGET', KEYS[2], 'participants') or ''}
  if out[4] == 'brackets' then
    for _, v in ipairs(redis.call('HGETALL', KEYS[3])) do
      out[#out + 1] = v
    end
  end
  return out
end
return {1}
