package redis

import (
	"strconv"
	"strings"
)

// keyspace names the documented keys (README, Keys) under a prefix.
type keyspace struct{ prefix string }

func (k keyspace) tournament(id int64) string {
	return k.prefix + "tournament:{" + strconv.FormatInt(id, 10) + "}"
}

// record returns the five keys a record script writes, in lib.lua's order.
func (k keyspace) record(id int64) []string {
	t := k.tournament(id)
	return []string{t, t + ":active_games", t + ":next_round", t + ":brackets", t + ":events"}
}

func (k keyspace) events(id int64) string { return k.tournament(id) + ":events" }

func (k keyspace) tombstone(id int64) string { return k.tournament(id) + ":tombstone" }

func (k keyspace) conflicts(id int64) string { return k.tournament(id) + ":conflicts" }

func (k keyspace) lock(id int64) string {
	return k.prefix + "tournament_lock:{" + strconv.FormatInt(id, 10) + "}"
}

func (k keyspace) active() string { return k.prefix + "active_tournaments" }

// epoch names the key whose random value marks this Redis's data set: when
// Redis loses its data, the key is made anew with a new value.
func (k keyspace) epoch() string { return k.prefix + "epoch" }

// tournamentPattern matches tournament hashes (and, when SCAN finds them,
// their sub-keys, which isTournamentKey filters out).
func (k keyspace) tournamentPattern() string { return k.prefix + "tournament:{*}" }

// ownerOf returns the tournament whose record key is key (its hash or any
// key beside it under the same {id} tag), or false for any other key.
func (k keyspace) ownerOf(key string) (int64, bool) {
	s, ok := strings.CutPrefix(key, k.prefix+"tournament:{")
	if !ok {
		return 0, false
	}
	s, _, ok = strings.Cut(s, "}")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && strconv.FormatInt(id, 10) == s
}

// idOf returns the id of a tournament hash key, or false for any other key.
func (k keyspace) idOf(key string) (int64, bool) {
	s, ok := strings.CutPrefix(key, k.prefix+"tournament:{")
	if !ok {
		return 0, false
	}
	if s, ok = strings.CutSuffix(s, "}"); !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && k.tournament(id) == key
}
