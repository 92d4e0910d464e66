-- list.lua: the summaries of every live tournament, in one round trip.
-- Reads each member's hash by name from inside the script, so that an ACL
-- user limited to the key prefix may list (SORT ... GET needs access to
-- every key); a cluster forbids undeclared keys, so there List pipelines
-- HMGET instead.
-- KEYS[1] active_tournaments   set of pending and active tournament ids
-- ARGV[1] the key prefix; ARGV[2..] the summary fields to read
-- Returns {id, field values..., id, field values..., ...}; false for a missing field.
local fields = {}
for i = 2, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = id
  local vals = redis.call('HMGET', ARGV[1] .. 'tournament:{' .. id .. '}', unpack(fields))
  for i = 1, #fields do
    out[#out + 1] = vals[i]
  end
end
return out
