-- put.lua: replaces a tournament's stored state (import, reconciliation).
-- KEYS and ARGV[1..11] as in lib.lua, and:
-- ARGV[12] "" to write unconditionally, or a version: write only when the
--          stored version is that one or nothing is stored
-- Returns 1 when written, 0 (with the stored version) when the guard failed.
if ARGV[12] ~= '' then
  local current = redis.call('HGET', KEYS[1], 'version')
  if current and current ~= ARGV[12] then
    return {0, current}
  end
end
redis.call('HDEL', KEYS[1], 'last_token')
write_record(true)
return {1, ''}
