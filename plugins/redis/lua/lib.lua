-- lib.lua: prepended to create.lua, commit.lua and put.lua. Writes one
-- tournament's record and its projections, refreshing every TTL.
--
-- KEYS[1] tournament:{id}               hash: metadata fields and `state`
-- KEYS[2] tournament:{id}:active_games  hash: game_id -> game JSON
-- KEYS[3] tournament:{id}:next_round    list: advancing player ids
-- KEYS[4] tournament:{id}:brackets      hash: round -> round JSON
-- KEYS[5] tournament:{id}:events        stream: one entry per event
-- ARGV[1] hash fields, a JSON array [field, value, field, value, ...]
-- ARGV[2] active games, a JSON object {game_id: game JSON}
-- ARGV[3] next round, a JSON array of ids (as strings)
-- ARGV[4] rounds to write, a JSON object {round: round JSON}
-- ARGV[5] events of the change, a JSON array of event JSON strings
-- ARGV[6..9] TTLs in ms: tournament, active games, round data, bracket
-- ARGV[10] MAXLEN of the events stream (approximate trimming)
-- ARGV[11] pub/sub channel that receives the change's events

-- flatten turns a JSON object into HSET's field, value, field, value ...
local function flatten(json)
  local out = {}
  for k, v in pairs(cjson.decode(json)) do
    out[#out + 1] = k
    out[#out + 1] = v
  end
  return out
end

local function write_record(reset)
  local fields = cjson.decode(ARGV[1])
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('PEXPIRE', KEYS[1], ARGV[6])

  redis.call('DEL', KEYS[2])
  local games = flatten(ARGV[2])
  if #games > 0 then
    redis.call('HSET', KEYS[2], unpack(games))
    redis.call('PEXPIRE', KEYS[2], ARGV[7])
  end

  redis.call('DEL', KEYS[3])
  local next_round = cjson.decode(ARGV[3])
  if #next_round > 0 then
    redis.call('RPUSH', KEYS[3], unpack(next_round))
    redis.call('PEXPIRE', KEYS[3], ARGV[8])
  end

  if reset then
    redis.call('DEL', KEYS[4])
  end
  local rounds = flatten(ARGV[4])
  if #rounds > 0 then
    redis.call('HSET', KEYS[4], unpack(rounds))
  end
  redis.call('PEXPIRE', KEYS[4], ARGV[9])

  local events = cjson.decode(ARGV[5])
  for _, ev in ipairs(events) do
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[10], '*', 'event', ev)
  end
  if #events > 0 then
    redis.call('PEXPIRE', KEYS[5], ARGV[6])
    redis.call('PUBLISH', ARGV[11], ARGV[5])
  end
end
