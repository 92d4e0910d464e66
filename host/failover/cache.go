package failover

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/tourney/tourney/tournament"
)

// snapshotCache keeps the latest snapshot of every tournament this host has
// seen (created, changed or read), so that on failover a known tournament
// can be imported into the fallback backend, and on failback written back
// or restored. It saves nothing on the data path: it is what the host knows
// when the store does not answer. It holds at most TOURNEY_CACHE_SIZE
// tournaments, evicting the least recently used; what changed during an
// outage does not depend on it (that is in the outage log). Snapshots
// stored here are never modified.
type snapshotCache struct {
	mu  sync.Mutex
	lru *simplelru.LRU[int64, cacheEntry]
}

type cacheEntry struct {
	snap    *tournament.Tournament // nil: removed (a tombstone)
	removed int64                  // for a tombstone, the version that was removed
}

func newSnapshotCache(max int) *snapshotCache {
	l, err := simplelru.NewLRU[int64, cacheEntry](max, nil)
	if err != nil {
		panic(err) // max <= 0: New always gives a positive size
	}
	return &snapshotCache{lru: l}
}

// put records t unless the cache already holds a newer state of the same
// tournament (a concurrent read that returned earlier).
func (c *snapshotCache) put(t *tournament.Tournament) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.lru.Get(t.ID); ok && e.snap != nil && e.snap.CreatedAt.Equal(t.CreatedAt) && e.snap.Version > t.Version {
		return
	}
	c.lru.Add(t.ID, cacheEntry{snap: t})
}

// replace records t whatever the cache holds (the store won a conflict).
func (c *snapshotCache) replace(t *tournament.Tournament) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Add(t.ID, cacheEntry{snap: t})
}

// remove records that tournament id was removed at version.
func (c *snapshotCache) remove(id, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Add(id, cacheEntry{removed: version})
}

// get returns the cached snapshot, and whether the id is known at all (a
// known id with a nil snapshot was removed).
func (c *snapshotCache) get(id int64) (snap *tournament.Tournament, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(id)
	return e.snap, ok
}

// snapshots returns every cached snapshot (tombstones excluded), least
// recently used first.
func (c *snapshotCache) snapshots() []*tournament.Tournament {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*tournament.Tournament, 0, c.lru.Len())
	for _, e := range c.lru.Values() {
		if e.snap != nil {
			out = append(out, e.snap)
		}
	}
	return out
}

func (c *snapshotCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
