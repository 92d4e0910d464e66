-- get.lua: a tournament's state, unless the caller's decoded copy is current.
-- KEYS[1] tournament:{id}
-- ARGV[1] the revision of the state the caller holds ("" = none)
-- Returns {1} when the stored `rev` is ARGV[1], {1, state, rev} otherwise,
-- {2} when the tournament does not exist.
local rev = redis.call('HGET', KEYS[1], 'rev')
if rev and rev == ARGV[1] then
  return {1}
end
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {2}
end
return {1, state, rev or ''}
