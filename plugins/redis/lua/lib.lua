-- lib.lua: prepended to create.lua, commit.lua, put.lua and reconcile.lua.
-- Writes one tournament's record and its projections, refreshing every TTL.
-- Big values (the state, games, rounds) are passed as plain arguments, so
-- no script decodes them.
--
-- KEYS[1] tournament:{id}               hash: metadata fields and `state`
-- KEYS[2] tournament:{id}:active_games  hash: game_id -> game JSON
-- KEYS[3] tournament:{id}:next_round    list: advancing player ids
-- KEYS[4] tournament:{id}:brackets      hash: round -> round JSON
-- KEYS[5] tournament:{id}:events        stream: one entry per event
-- ARGV[1] hash fields, a JSON array [field, value, field, value, ...]
--         (the small ones; `state` is in the tail)
-- ARGV[2] A: how many active games the tail holds
-- ARGV[3] next round, a JSON array of ids (as strings), or, for a change
--         that only added ids to the stored list, "~N~[id, pivot, ...]~"
--         and that array: each id goes before its pivot ("" = at the end)
--         when the stored list has N entries; otherwise the array is
--         written whole
-- ARGV[4] R: how many rounds the tail holds
-- ARGV[5] events of the change, a JSON array of event JSON strings
-- ARGV[6..9] TTLs in ms: tournament, active games, round data, bracket
-- ARGV[10] MAXLEN of the events stream (approximate trimming)
-- ARGV[11] pub/sub channel that receives the change's events (every write
--         publishes, "[]" when it has none: hosts' read caches learn of it)
-- The tail, from index T (each script says where it starts):
--   ARGV[T]                     the state (the tournament's JSON)
--   ARGV[T+1 .. T+2A]           active games: game id, game JSON, ...
--   ARGV[T+2A+1 .. T+2A+2R]     rounds: round number, round JSON, ...
--   ARGV[T+2A+2R+1 ..]          with delta: game ids to drop from active_games

-- write_record writes the record. reset: the rounds given are all the
-- rounds (others are dropped). delta: the active games given are the ones
-- that changed, and the ids after the rounds left the active set;
-- otherwise the active games given are all of them.
local function write_record(reset, tail, delta)
  local fields = cjson.decode(ARGV[1])
  -- A change that adds or removes players may carry the pseudo-field
  -- __player_index = "id,first,adds": KEYS[first..] are those players'
  -- index sets (one Redis only), the first `adds` of them joined.
  local idx_id, idx_first, idx_adds
  for i = 1, #fields, 2 do
    if fields[i] == '__player_index' then
      idx_id, idx_first, idx_adds = string.match(fields[i + 1], '^(%d+),(%d+),(%d+)$')
      table.remove(fields, i)
      table.remove(fields, i)
      break
    end
  end
  fields[#fields + 1] = 'state'
  fields[#fields + 1] = ARGV[tail]
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('PEXPIRE', KEYS[1], ARGV[6])

  local a, r = tonumber(ARGV[2]), tonumber(ARGV[4])
  if not delta then
    redis.call('DEL', KEYS[2])
  else
    local from = tail + 2 * a + 2 * r + 1
    if from <= #ARGV then
      redis.call('HDEL', KEYS[2], unpack(ARGV, from, #ARGV))
    end
  end
  if a > 0 then
    redis.call('HSET', KEYS[2], unpack(ARGV, tail + 1, tail + 2 * a))
  end
  redis.call('PEXPIRE', KEYS[2], ARGV[7])

  local was, inserts, whole = string.match(ARGV[3], '^~(%d+)~(.-)~(.*)$')
  if was and redis.call('LLEN', KEYS[3]) == tonumber(was) then
    local ins = cjson.decode(inserts)
    for i = 1, #ins, 2 do
      if ins[i + 1] == '' then
        redis.call('RPUSH', KEYS[3], ins[i])
      else
        redis.call('LINSERT', KEYS[3], 'BEFORE', ins[i + 1], ins[i])
      end
    end
    redis.call('PEXPIRE', KEYS[3], ARGV[8])
  else
    redis.call('DEL', KEYS[3])
    local next_round = cjson.decode(whole or ARGV[3])
    if #next_round > 0 then
      redis.call('RPUSH', KEYS[3], unpack(next_round))
      redis.call('PEXPIRE', KEYS[3], ARGV[8])
    end
  end

  if reset then
    redis.call('DEL', KEYS[4])
  end
  if r > 0 then
    redis.call('HSET', KEYS[4], unpack(ARGV, tail + 2 * a + 1, tail + 2 * a + 2 * r))
    if not reset then
      -- Rounds are numbered 1..n; a correction may leave fewer than the
      -- hash holds: drop those after the last one given.
      local last, n = tonumber(ARGV[tail + 2 * a + 2 * r - 1]), redis.call('HLEN', KEYS[4])
      for k = last + 1, n do
        redis.call('HDEL', KEYS[4], k)
      end
    end
  end
  redis.call('PEXPIRE', KEYS[4], ARGV[9])

  local events = cjson.decode(ARGV[5])
  for _, ev in ipairs(events) do
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[10], '*', 'event', ev)
  end
  if #events > 0 then
    redis.call('PEXPIRE', KEYS[5], ARGV[6])
  end
  redis.call('PUBLISH', ARGV[11], ARGV[5])
  if idx_id then
    local first, adds = tonumber(idx_first), tonumber(idx_adds)
    for i = first, #KEYS do
      if i < first + adds then
        redis.call('SADD', KEYS[i], idx_id)
        redis.call('PEXPIRE', KEYS[i], ARGV[6])
      else
        redis.call('SREM', KEYS[i], idx_id)
      end
    end
  end
end
