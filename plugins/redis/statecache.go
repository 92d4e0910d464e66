package redis

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/tourney/tourney/tournament"
)

// stateCacheSize bounds the decoded states a plugin keeps.
const stateCacheSize = 4096

// stateCache keeps decoded tournament states by the revision stored with
// them (`rev`, a random token every write sets), so that a call whose copy
// is current skips reading and decoding the state: the cost of a call no
// longer grows with the tournament. Any write, by any process, changes the
// revision, so a stale copy is never used. States are never modified.
//
// With the read cache on (TOURNEY_READ_CACHE), a Get may also be answered
// from the cache with no Redis round trip at all, while the entry is
// fresh: read or written under the current change subscription (see
// watchChanges) with no change announced for the tournament since. A host's
// own writes are fresh at once; another host's make the entry stale within
// the publish delay.
type stateCache struct {
	mu      sync.Mutex
	entries *simplelru.LRU[int64, cachedState] // least recently used go first
	// life is how long a state's keys live after its last change (its
	// TOURNAMENT_TTL): an entry is never served fresh past it, so that a
	// tournament whose keys expired on Redis stops being served even when
	// nothing announced the expiry.
	life func(t *tournament.Tournament) time.Duration

	live  bool           // the change subscription is up: fresh entries may be served
	epoch uint64         // bumped whenever the subscription is lost or regained
	seq   uint64         // bumped at every announced change
	inval map[int64]mark // each tournament's last announced change
	floor uint64         // changes before it are no longer tracked one by one
}

// mark is what a host knows of a tournament's announced changes.
type mark struct {
	seq     uint64 // the seq of the last announced change
	version int64  // the version it announced (0: unknown)
	taint   uint64 // the seq of the last announcement that could start a new life of the id (a removal, or a version unknown)
}

type cachedState struct {
	rev     string
	t       *tournament.Tournament
	fresh   bool      // no change announced since it was read or written
	epoch   uint64    // the subscription it was read under
	expires time.Time // when the state's keys expire on Redis at the latest (zero: never)
}

// invalTracked bounds the tournaments whose last change is remembered.
const invalTracked = 1 << 16

func newStateCache(life func(t *tournament.Tournament) time.Duration) *stateCache {
	l, _ := simplelru.NewLRU[int64, cachedState](stateCacheSize, nil)
	return &stateCache{entries: l, inval: map[int64]mark{}, life: life}
}

// token marks the start of a read: an entry stored with it is fresh only if
// no change of its tournament was announced since.
func (c *stateCache) token() (seq, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seq, c.epoch
}

// fresh returns id's state when it may be served without asking Redis.
func (c *stateCache) fresh(id int64) *tournament.Tournament {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries.Get(id); ok && c.live && e.fresh && e.epoch == c.epoch && (e.expires.IsZero() || time.Now().Before(e.expires)) {
		return e.t
	}
	return nil
}

// putRead stores what a read (or a write) that began at (seq, epoch) found
// (or wrote). It is fresh when no change was announced since the read
// began, or when every change announced since is one the state already
// holds: announcements arrive in the order Redis ran the writes, so when
// the last one names a version no later than the state's, with no removal
// among them, nothing newer was announced (a host's own write is often
// announced before its reply is handled).
func (c *stateCache) putRead(id int64, rev string, t *tournament.Tournament, seq, epoch uint64) {
	c.put(id, rev, t)
	c.mu.Lock()
	defer c.mu.Unlock()
	last, tracked := c.inval[id]
	unchanged := (tracked && (last.seq <= seq || (last.taint <= seq && last.version > 0 && last.version <= t.Version))) ||
		(!tracked && seq >= c.floor)
	if e, ok := c.entries.Peek(id); ok && e.t == t {
		e.fresh, e.epoch = unchanged && epoch == c.epoch, epoch
		c.entries.Add(id, e)
	}
}

// announced records a change of id announced by Redis (its events carry up
// to version; 0: unknown, or a removal). A fresh cached state at that
// version or later already holds the change (this host's own write) and
// stays fresh.
func (c *stateCache) announced(id, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	m := c.inval[id]
	m.seq, m.version = c.seq, version
	if version == 0 {
		m.taint = c.seq
	}
	c.inval[id] = m
	if len(c.inval) > invalTracked {
		for victim, old := range c.inval { // forget one; reads older than it are not trusted
			if victim != id {
				c.floor = max(c.floor, old.seq+1)
				delete(c.inval, victim)
				break
			}
		}
	}
	e, ok := c.entries.Peek(id)
	if !ok || e.fresh && version > 0 && e.t.Version >= version {
		return
	}
	e.fresh = false
	c.entries.Add(id, e)
}

// setLive records that the change subscription is up (true) or lost:
// either way nothing read before may be served without asking Redis.
func (c *stateCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	c.epoch++
	c.seq++
	c.floor = c.seq
	clear(c.inval)
}

// lookup returns id's cached state and its revision ("" = none).
func (c *stateCache) lookup(id int64) cachedState {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, _ := c.entries.Get(id)
	return e
}

func (c *stateCache) put(id int64, rev string, t *tournament.Tournament) {
	if rev == "" || t == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries.Peek(id); ok && old.t != nil && old.t.CreatedAt.Equal(t.CreatedAt) && old.t.Version > t.Version {
		return // a slower read of an older state: keep the newer one
	}
	e := cachedState{rev: rev, t: t}
	if c.life != nil {
		// Every write sets the keys' TTL: they expire at the latest this
		// long after the state's last change (the sweeper extends a live
		// tournament's, which only makes this earlier than needed).
		if d := c.life(t); d > 0 {
			e.expires = t.UpdatedAt.Add(d)
		}
	}
	c.entries.Add(id, e)
}

func (c *stateCache) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries.Remove(id)
}

// decode reads a state script reply for id: {1} means the copy the call
// started with (cached) is current; {1, state, rev, rounds_in,
// participants, round, round JSON, ...} is decoded and cached.
func (c *stateCache) decode(id int64, cached cachedState, res []any) (*tournament.Tournament, string, error) {
	if len(res) < 3 {
		if cached.t == nil {
			return nil, "", tournament.Errorf(tournament.CodeInternal,
				"tournament %d: the store says a copy is current that this plugin does not hold", id)
		}
		return cached.t, cached.rev, nil
	}
	str := func(v any) string { s, _ := v.(string); return s }
	at := func(i int) string {
		if i < len(res) {
			return str(res[i])
		}
		return ""
	}
	var brackets []string
	if len(res) > 5 {
		brackets = make([]string, 0, len(res)-5)
		for _, v := range res[5:] {
			brackets = append(brackets, str(v))
		}
	}
	t, err := decodeRecord(id, str(res[1]), at(3), at(4), brackets)
	if err != nil {
		return nil, "", err
	}
	c.put(id, str(res[2]), t)
	return t, str(res[2]), nil
}
