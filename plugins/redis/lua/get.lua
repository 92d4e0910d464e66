-- get.lua: a tournament's state, unless the caller's decoded copy is current.
-- KEYS[1] tournament:{id}
-- KEYS[2] tournament:{id}:brackets
-- ARGV[1] the revision of the state the caller holds ("" = none)
-- Returns {1} when the stored `rev` is ARGV[1], {1, state, rev, rounds_in,
-- round, round JSON, ...} otherwise (see acquire.lua), {2} when the
-- tournament does not exist.
local rev = redis.call('HGET', KEYS[1], 'rev')
if rev and rev == ARGV[1] then
  return {1}
end
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {2}
end
local out = {1, state, rev or '', redis.call('HGET', KEYS[1], 'rounds_in') or '',
  redis.call('HGET', KEYS[1], 'participants') or ''}
if out[4] == 'brackets' then
  for _, v in ipairs(redis.call('HGETALL', KEYS[2])) do
    out[#out + 1] = v
  end
end
return out
