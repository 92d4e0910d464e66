package redis

import (
	"sync"

	"github.com/tourney/tourney/shared/tournament"
)

// stateCacheSize bounds the decoded states a plugin keeps.
const stateCacheSize = 4096

// stateCache keeps decoded tournament states by the revision stored with
// them (`rev`, a random token every write sets), so that a call whose copy
// is current skips reading and decoding the state: the cost of a call no
// longer grows with the tournament. Any write, by any process, changes the
// revision, so a stale copy is never used. States are never modified.
type stateCache struct {
	mu      sync.Mutex
	entries map[int64]cachedState
}

type cachedState struct {
	rev string
	t   *tournament.Tournament
}

func newStateCache() *stateCache { return &stateCache{entries: map[int64]cachedState{}} }

// lookup returns id's cached state and its revision ("" = none).
func (c *stateCache) lookup(id int64) cachedState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[id]
}

func (c *stateCache) put(id int64, rev string, t *tournament.Tournament) {
	if rev == "" || t == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[id]; !ok && len(c.entries) >= stateCacheSize {
		for victim := range c.entries { // any one: map order is random
			delete(c.entries, victim)
			break
		}
	}
	c.entries[id] = cachedState{rev: rev, t: t}
}

func (c *stateCache) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}

// decode reads a state script reply for id: {1} means the copy the call
// started with (cached) is current; {1, state, rev} is decoded and cached.
func (c *stateCache) decode(id int64, cached cachedState, res []any) (*tournament.Tournament, error) {
	if len(res) < 3 {
		if cached.t == nil {
			return nil, tournament.Errorf(tournament.CodeInternal, "tournament %d: the store says a copy is current that this plugin does not hold", id)
		}
		return cached.t, nil
	}
	str := func(v any) string { s, _ := v.(string); return s }
	var brackets []string
	if len(res) > 4 {
		brackets = make([]string, 0, len(res)-4)
		for _, v := range res[4:] {
			brackets = append(brackets, str(v))
		}
	}
	roundsIn := ""
	if len(res) > 3 {
		roundsIn = str(res[3])
	}
	t, err := decodeRecord(id, str(res[1]), roundsIn, brackets)
	if err != nil {
		return nil, err
	}
	c.put(id, str(res[2]), t)
	return t, nil
}
