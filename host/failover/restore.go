package failover

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// restoreAll checks every tournament this host knows against a primary
// that may have lost data (its epoch changed: Redis restarted, empty or
// from an older snapshot). It costs one List, then one call per known
// tournament the primary does not list at the version the host saw,
// eight at a time.
func (r *Router) restoreAll(ctx context.Context) error {
	b, err := r.primaryStore(ctx)
	if err != nil {
		return err
	}
	list, err := b.List(ctx)
	if err != nil {
		return err
	}
	stored := make(map[int64]tournament.Summary, len(list))
	for _, s := range list {
		stored[s.ID] = s
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, restoreParallel)
	)
	for _, t := range r.cache.snapshots() {
		if s, ok := stored[t.ID]; ok && (s.Version > t.Version || (s.Version == t.Version && s.UpdatedAt.Equal(t.UpdatedAt))) {
			r.markChecked(t.ID)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := r.restoreOne(ctx, b, t.ID); err != nil {
				mu.Lock()
				if firstErr == nil || isBackendFailure(err) {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func (r *Router) markChecked(id int64) {
	r.m.mu.Lock()
	r.m.checked[id] = true
	r.m.mu.Unlock()
}

// restoreOne gives the primary back what this host knows of tournament id
// and the primary lost, once per restore pass:
//   - absent from the primary: restored when it is younger than
//     TOURNAMENT_TTL and not removed (by this host, or with a tombstone on
//     the primary);
//   - present at an older version than the host saw: brought forward when
//     the stored copy is an ancestor of the host's (nobody wrote another
//     history on top of it), else recorded as a conflict. Never kept
//     silently.
func (r *Router) restoreOne(ctx context.Context, b store, id int64) error {
	r.m.mu.Lock()
	done := r.m.checked[id]
	r.m.mu.Unlock()
	if done {
		return nil
	}
	if r.log != nil && r.log.has(id) {
		return nil // the write-back covers it
	}
	known, _ := r.cache.get(id)
	if known == nil || (r.log != nil && r.log.removed(id, time.Now())) {
		r.markChecked(id)
		return nil
	}
	if time.Since(known.UpdatedAt) > r.cfg.TournamentTTL {
		// Expired on the primary by now whatever happened: restoring it
		// would bring back what its TTL removed.
		r.markChecked(id)
		return nil
	}
	res, err := b.Reconcile(ctx,
		shared.ReconcileRequest{TournamentID: id, Snapshot: known, Mode: shared.ReconcileRestore, Origin: r.src.origin})
	if err != nil {
		return err
	}
	if res.Outcome == shared.OutcomeWritten {
		r.count.restored.Add(1)
		r.logger.Info("restored a tournament the primary lost", "tournament", id, "version", known.Version)
		r.markChecked(id)
		return nil
	}
	if res.StoredVersion == 0 || res.StoredVersion > known.Version {
		r.markChecked(id) // removed on the primary (tombstone), or newer there
		return nil
	}
	stored, err := b.Get(ctx, id)
	if errors.Is(err, tournament.ErrNotFound) {
		r.markChecked(id)
		return nil
	}
	if err != nil {
		return err
	}
	if stored.Version > known.Version || (stored.Version == known.Version && stored.UpdatedAt.Equal(known.UpdatedAt)) {
		r.markChecked(id)
		return nil
	}
	if stored.Version < known.Version && tournament.Descends(known, stored) {
		res, err := b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: id, Snapshot: known, BaseVersion: stored.Version,
			Mode: shared.ReconcileCAS, Origin: r.src.origin, WriteID: newWriteID()})
		if err != nil {
			return err
		}
		if res.Outcome != shared.OutcomeConflict {
			r.count.restored.Add(1)
			r.logger.Warn("the primary came back with an older copy; brought it forward to the version this host saw",
				"tournament", id, "stored_version", stored.Version, "version", known.Version)
			r.markChecked(id)
			return nil
		}
	}
	r.count.conflicts.Add(1)
	r.logger.Warn("the primary came back with an older copy that another history grew on; the primary's state stands, this host's is recorded as a conflict",
		"tournament", id, "stored_version", stored.Version, "version", known.Version)
	_, err = b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: id, Mode: shared.ReconcileConflict, Snapshot: known,
		BaseVersion: known.Version, Origin: r.src.origin,
		Rejected: []string{fmt.Sprintf("the primary came back at version %d from another history than version %d this host saw", stored.Version, known.Version)}})
	if err == nil {
		r.cache.replace(stored)
		r.markChecked(id)
	}
	return err
}
