package host

import (
	"container/list"
	"sync"

	"github.com/tourney/tourney/tournament"
)

// snapshotCache keeps the latest snapshot of every tournament this host has
// seen (created, changed or read), so that on failover a known tournament
// can be imported into the fallback backend, and on failback written back
// or restored. It holds at most max entries, evicting the least recently
// used. What changed during an outage does not depend on it: that is in
// the outage log.
// Snapshots stored here are never modified.
type snapshotCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cacheEntry, most recent first
	byID  map[int64]*list.Element
}

type cacheEntry struct {
	id      int64
	snap    *tournament.Tournament // nil: removed (a tombstone)
	removed int64                  // for a tombstone, the version that was removed
}

func newSnapshotCache(max int) *snapshotCache {
	return &snapshotCache{max: max, order: list.New(), byID: map[int64]*list.Element{}}
}

// put records t unless the cache already holds a newer state of the same
// tournament (a concurrent read that returned earlier).
func (c *snapshotCache) put(t *tournament.Tournament) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[t.ID]; ok {
		e := el.Value.(*cacheEntry)
		if e.snap != nil && e.snap.CreatedAt.Equal(t.CreatedAt) && e.snap.Version > t.Version {
			return
		}
		e.snap, e.removed = t, 0
		c.order.MoveToFront(el)
		return
	}
	c.byID[t.ID] = c.order.PushFront(&cacheEntry{id: t.ID, snap: t})
	c.evict()
}

// replace records t whatever the cache holds (the store won a conflict).
func (c *snapshotCache) replace(t *tournament.Tournament) {
	c.mu.Lock()
	if el, ok := c.byID[t.ID]; ok {
		el.Value.(*cacheEntry).snap = nil
	}
	c.mu.Unlock()
	c.put(t)
}

// remove records that tournament id was removed at version.
func (c *snapshotCache) remove(id, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok {
		e := el.Value.(*cacheEntry)
		e.snap, e.removed = nil, version
		c.order.MoveToFront(el)
		return
	}
	c.byID[id] = c.order.PushFront(&cacheEntry{id: id, removed: version})
	c.evict()
}

// get returns the cached snapshot, and whether the id is known at all (a
// known id with a nil snapshot was removed).
func (c *snapshotCache) get(id int64) (snap *tournament.Tournament, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).snap, true
}

// snapshots returns every cached snapshot (tombstones excluded), by id.
func (c *snapshotCache) snapshots() []*tournament.Tournament {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*tournament.Tournament, 0, len(c.byID))
	for el := c.order.Front(); el != nil; el = el.Next() {
		if e := el.Value.(*cacheEntry); e.snap != nil {
			out = append(out, e.snap)
		}
	}
	return out
}

func (c *snapshotCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byID)
}

func (c *snapshotCache) evict() {
	for len(c.byID) > c.max {
		el := c.order.Back()
		c.order.Remove(el)
		delete(c.byID, el.Value.(*cacheEntry).id)
	}
}
