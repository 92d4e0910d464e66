// Package redis is the Redis tournament backend: the primary backend, the
// one that lets many game-server processes share tournaments.
//
// Layout (the README's Keys section), under KEY_PREFIX in REDIS_CACHE_DB; `{id}` is a
// Redis Cluster hash tag, so one tournament's keys share a slot and one Lua
// script can touch them all:
//
//	tournament:{id}               hash   metadata fields + `state` (canonical JSON)   TOURNAMENT_TTL
//	tournament:{id}:active_games  hash   game_id -> game JSON                         ACTIVE_GAMES_TTL
//	tournament:{id}:next_round    list   advancing player ids                         ROUND_DATA_TTL
//	tournament:{id}:brackets      hash   round -> round JSON                          BRACKET_TTL
//	tournament:{id}:events        stream one entry per event (also a pub/sub channel) TOURNAMENT_TTL
//	tournament_lock:{id}          string lock token                                   LOCK_TIMEOUT
//	active_tournaments            set    ids of pending and active tournaments        none
//
// `state` is the source of truth, with the hash's `participants` field (the
// participants' records, kept apart so that only a change to them writes
// them); the other fields and keys are projections for operators and
// seed-compatible readers, written by the same script.
//
// A change takes the tournament's lock and reads the state in one script
// (acquire.lua), applies the engine in Go, and writes with commit.lua, which
// checks the lock token first (fencing) and releases the lock: two round
// trips. Scripts are idempotent under go-redis's retries.
package redis
