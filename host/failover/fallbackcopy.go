package failover

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/tourney/tourney/host/internal/notapplied"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// stripes is how many locks the tournaments' ids are spread over.
const stripes = 64

// fallbackCopy is what the fallback holds, and the locks that keep it
// apart from write-back.
type fallbackCopy struct {
	mu       sync.Mutex
	contents fallbackContents
	// holds: contents names a tournament (read without mu on the
	// primary's path).
	holds atomic.Bool

	// Calls served by the fallback hold calls shared; the switch to primary
	// holds it alone, so that no fallback write lands after the last
	// write-back. ids: calls on the fallback hold their tournament's stripe
	// shared; writing a tournament back holds it alone.
	calls sync.RWMutex
	ids   [stripes]sync.RWMutex
	// imports serialise imports of one tournament into the fallback.
	imports [stripes]sync.Mutex
}

// fallbackContents says what the fallback plugin holds (for its current
// launch): the version of each tournament imported from the cache or the
// outage log, or written there since.
type fallbackContents struct {
	gen      uint64
	imported map[int64]int64
	all      bool
}

func (f *fallbackCopy) init() { f.contents = fallbackContents{imported: map[int64]int64{}} }

func stripe(id int64) int { return int(uint64(id) % stripes) }

func (f *fallbackCopy) idLock(id int64) *sync.RWMutex { return &f.ids[stripe(id)] }

// sync forgets what was imported when the fallback plugin was relaunched
// (it starts empty). The caller holds f.mu.
func (f *fallbackCopy) sync(gen func() uint64) {
	if g := gen(); g != f.contents.gen {
		f.empty(g)
	}
}

// empty records that the fallback (launch gen) holds nothing. The caller
// holds f.mu.
func (f *fallbackCopy) empty(gen uint64) {
	f.contents = fallbackContents{gen: gen, imported: map[int64]int64{}}
	f.holds.Store(false)
}

// generation is the fallback's current launch.
func (f *fallbackCopy) generation(gen func() uint64) uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sync(gen)
	return f.contents.gen
}

// importFor makes sure the fallback holds what call c needs: a tournament
// this host knows (from its outage log, else its snapshot cache) is
// imported before its first call there, and again after the fallback
// plugin restarted empty.
func (r *Router) importFor(ctx context.Context, b shared.Backend, c Call) error {
	if c.Kind == List {
		return r.importAll(ctx, b)
	}
	id := c.tournament()
	if id == 0 {
		return nil
	}
	l := &r.fb.imports[stripe(id)]
	l.Lock()
	defer l.Unlock()
	snap, known, err := r.knownState(id)
	if err != nil {
		return err
	}
	if v, ok := r.importedVersion(id); ok && (snap == nil || v == snap.Version) {
		// The fallback holds what this host knows. A copy imported before
		// the primary moved on (the host wrote there since, while failing
		// back) is not: it is imported again.
		return nil
	}
	var version int64
	switch {
	case snap != nil:
		if _, err := b.Import(ctx, []*tournament.Tournament{snap}); err != nil {
			return err
		}
		version = snap.Version
	case known && c.Kind != Create:
		return tournament.Errorf(tournament.CodeNotFound, "tournament %d not found", id)
	case !known && c.Kind != Create:
		return notapplied.Errorf(
			"tournament %d is not known to this host and the %s backend is unavailable; retry when it is back", id, r.src.primaryName)
	}
	r.markImported(id, version)
	return nil
}

// knownState is this host's latest state of id: the outage log's when it
// holds changes of id, else the snapshot cache's. known is false when the
// host has never seen id; a known id with a nil snapshot was removed.
func (r *Router) knownState(id int64) (snap *tournament.Tournament, known bool, err error) {
	if r.log != nil {
		rec, err := r.log.load(id)
		if err != nil {
			return nil, false, err
		}
		if rec != nil {
			return rec.latest, true, nil
		}
	}
	snap, known = r.cache.get(id)
	return snap, known, nil
}

// importAll imports every tournament the host knows and the fallback does
// not hold yet. It holds every import stripe, so that no single import
// races it.
func (r *Router) importAll(ctx context.Context, b shared.Backend) error {
	r.fb.mu.Lock()
	r.fb.sync(r.src.fallbackGen)
	done := r.fb.contents.all
	r.fb.mu.Unlock()
	if done {
		return nil
	}
	for i := range r.fb.imports {
		r.fb.imports[i].Lock()
		defer r.fb.imports[i].Unlock()
	}
	var load []*tournament.Tournament
	seen := map[int64]bool{}
	if r.log != nil {
		ids, err := r.log.pending()
		if err != nil {
			return err
		}
		for _, id := range ids {
			seen[id] = true
			rec, err := r.log.load(id)
			if err != nil {
				return err
			}
			if rec != nil && rec.latest != nil && !r.holds(rec.latest) {
				load = append(load, rec.latest)
			}
		}
	}
	for _, s := range r.cache.snapshots() {
		if !seen[s.ID] && !r.holds(s) {
			load = append(load, s)
		}
	}
	if len(load) > 0 {
		if _, err := b.Import(ctx, load); err != nil {
			return err
		}
	}
	r.fb.mu.Lock()
	for _, s := range load {
		r.fb.setImported(s.ID, s.Version)
	}
	r.fb.contents.all = true
	r.fb.mu.Unlock()
	return nil
}

// holds reports whether the fallback holds snapshot s's version of it.
func (r *Router) holds(s *tournament.Tournament) bool {
	v, ok := r.importedVersion(s.ID)
	return ok && v == s.Version
}

// importedVersion is the version of id the fallback holds, if any.
func (r *Router) importedVersion(id int64) (int64, bool) {
	r.fb.mu.Lock()
	defer r.fb.mu.Unlock()
	r.fb.sync(r.src.fallbackGen)
	v, ok := r.fb.contents.imported[id]
	return v, ok
}

func (r *Router) markImported(id, version int64) {
	r.fb.mu.Lock()
	r.fb.setImported(id, version)
	r.fb.mu.Unlock()
}

// setImported records that the fallback holds version of id. The caller
// holds f.mu.
func (f *fallbackCopy) setImported(id, version int64) {
	f.contents.imported[id] = version
	f.holds.Store(true)
}

// forgetImported makes the next fallback call about id import it again
// (it was written back, and the primary may move on from there).
func (r *Router) forgetImported(id int64) {
	r.fb.mu.Lock()
	delete(r.fb.contents.imported, id)
	r.fb.contents.all = false
	r.fb.mu.Unlock()
}

// outdateImport forgets the fallback's copy of s's tournament when the
// primary gave this host a newer state of it: the next fallback call
// imports what the host knows then. Nearly free while the fallback holds
// nothing (no outage since the last failback).
func (r *Router) outdateImport(s *tournament.Tournament) {
	if !r.fb.holds.Load() {
		return
	}
	r.fb.mu.Lock()
	if v, ok := r.fb.contents.imported[s.ID]; ok && v != s.Version {
		delete(r.fb.contents.imported, s.ID)
		r.fb.contents.all = false
	}
	r.fb.mu.Unlock()
}
