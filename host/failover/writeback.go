package failover

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// store is a primary as failback needs it: a Backend that takes
// write-backs.
type store interface {
	shared.Backend
	shared.Reconciler
}

// primaryStore is the primary as a store.
func (r *Router) primaryStore(ctx context.Context) (store, error) {
	b, err := r.src.primary(ctx)
	if err != nil {
		return nil, err
	}
	return asStore(b, r.src.primaryName)
}

// asStore is b as a store, or an internal error: a host fails over only
// from a backend that takes write-backs (New refuses any other).
func asStore(b shared.Backend, name string) (store, error) {
	rc, ok := shared.ReconcilerOf(b)
	if !ok {
		return nil, tournament.Errorf(tournament.CodeInternal, "the %s backend takes no write-back (it serves no %s)", name, shared.CapReconcile)
	}
	return struct {
		shared.Backend
		shared.Reconciler
	}{b, rc}, nil
}

// casAttempts bounds the retries of a write-back that raced another
// writer on the primary.
const casAttempts = 4

// runFailback is the failback worker: it writes back every tournament of the
// outage log one by one (calls keep flowing meanwhile), checks what the
// host knows against a primary that may have lost data, empties the
// fallback, and only then switches to primary. A primary that fails again
// sends the host back to the fallback; a tournament that cannot be written
// back for another reason is set aside as a conflict and failback goes on.
func (r *Router) runFailback(ctx context.Context) {
	written := 0
	for r.State() == StateFailingBack && ctx.Err() == nil {
		ids, err := r.pendingIDs()
		if err != nil {
			r.logger.Error("reading the outage log failed", "error", err)
		}
		progress := false
		for _, id := range ids {
			if r.State() != StateFailingBack || ctx.Err() != nil {
				return
			}
			pending, err := r.writeBackOne(ctx, id)
			if isBackendFailure(err) {
				r.toFallback(err)
				return
			}
			if !pending {
				progress = true
				written++
			}
		}
		if r.needsRestore() {
			if err := r.restoreAll(ctx); err != nil {
				if isBackendFailure(err) {
					r.toFallback(err)
					return
				}
				r.logger.Warn("checking known tournaments against the primary failed", "error", err)
			}
		}
		if r.finishFailback(ctx, written) {
			return
		}
		if !progress {
			select {
			case <-ctx.Done():
				return
			case <-time.After(passRetry):
			}
		}
	}
}

func (r *Router) pendingIDs() ([]int64, error) {
	if r.log == nil {
		return nil, nil
	}
	return r.log.pending()
}

func (r *Router) needsRestore() bool {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	return r.m.restoreNeeded
}

// finishFailback switches to primary when nothing is pending, with every
// fallback call finished (r.fb.calls held alone), after emptying the fallback
// without events, so that subscribers see no removals and the next outage
// starts from what the host knows.
func (r *Router) finishFailback(ctx context.Context, written int) bool {
	r.fb.calls.Lock()
	defer r.fb.calls.Unlock()
	if ids, err := r.pendingIDs(); err != nil || len(ids) > 0 {
		return false
	}
	if r.src.fallback != nil {
		if b, err := r.src.fallback(ctx); err == nil {
			if fb, err := asStore(b, r.src.fallbackName); err != nil {
				r.logger.Warn("emptying the fallback failed", "error", err)
			} else if _, err := fb.Reconcile(ctx, shared.ReconcileRequest{Mode: shared.ReconcileDiscard}); err != nil {
				r.logger.Warn("emptying the fallback failed", "error", err)
			}
		}
		r.fb.mu.Lock()
		r.fb.empty(r.src.fallbackGen())
		r.fb.mu.Unlock()
	}
	r.toPrimary(written)
	return true
}

// writeBackBefore writes tournament id back (and restores it, when the
// primary may have lost it) before a call about it goes to the primary
// during failing_back. pending says it stays on the fallback.
func (r *Router) writeBackBefore(ctx context.Context, id int64) (pending bool, err error) {
	if r.log != nil && r.log.has(id) {
		if pending, err := r.writeBackOne(ctx, id); pending || err != nil {
			return pending, err
		}
	}
	if r.needsRestore() {
		b, err := r.primaryStore(ctx)
		if err != nil {
			return false, err
		}
		return false, r.restoreOne(ctx, b, id)
	}
	return false, nil
}

// writeBackOne writes back tournament id's outage changes, holding its
// stripe alone so that no fallback call changes it meanwhile, and then
// drops them from the outage log. pending says it could not be written yet
// and is still in the log (a full store); a backend failure is returned;
// any other failure sets the record aside.
func (r *Router) writeBackOne(ctx context.Context, id int64) (pending bool, err error) {
	l := r.fb.idLock(id)
	l.Lock()
	defer l.Unlock()
	rec, err := r.log.load(id)
	if err != nil {
		return true, err
	}
	if rec == nil {
		return false, nil // written back by another caller
	}
	b, err := r.primaryStore(ctx)
	if err != nil {
		return true, err
	}
	err = r.writeBack(ctx, b, rec)
	var de *tournament.Error
	switch {
	case err == nil:
	case isBackendFailure(err):
		return true, err
	case errors.As(err, &de) && de.Reason == shared.ReasonStoreFull:
		r.logger.Warn("the primary is full; the tournament stays on the fallback until it takes the write-back",
			"tournament", id, "error", err)
		return true, nil
	default:
		// Never block failback on one tournament: keep its record aside
		// on disk, record a conflict where the primary takes it, go on.
		r.count.setAside.Add(1)
		r.count.conflicts.Add(1)
		r.logger.Error("a tournament could not be written back; its outage changes are set aside", "tournament", id, "error", err)
		if rec.latest != nil {
			_, _ = b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: id, Mode: shared.ReconcileConflict, Snapshot: rec.latest,
				BaseVersion: rec.baseVersion, Origin: r.src.origin, Rejected: []string{"not written back: " + err.Error()}})
		}
		if err := r.log.setAside(rec, err.Error()); err != nil {
			return true, err
		}
		r.forgetImported(id)
		return false, nil
	}
	if err := r.log.drop(id); err != nil {
		return true, err
	}
	r.forgetImported(id)
	return false, nil
}

// writeBack puts one tournament's outage changes on the primary:
//   - the primary still holds the base (or lacks the tournament, and no
//     removal of it is recorded): the outage's final state is written;
//   - the primary holds an older copy of the base (it came back from an old
//     snapshot): the final state is written over it;
//   - the primary moved on (another host wrote): each logged change is
//     replayed on the primary's state, every one that still applies is
//     kept, and only those that do not are recorded as a conflict.
//
// Every write is a compare-and-set carrying this write-back's id, so a
// write-back retried after its first attempt landed is recognised.
func (r *Router) writeBack(ctx context.Context, b store, rec *pendingRecord) error {
	id := rec.id
	if rec.removed {
		return r.writeBackRemoval(ctx, b, rec)
	}
	if rec.latest == nil {
		return nil
	}
	if err := tournament.Validate(rec.latest); err != nil {
		return err
	}
	base := rec.baseVersion
	// Each write-back attempt is named for what it carries: a later attempt
	// after more outage changes is not taken for a retry of one that landed
	// unanswered (which would drop those changes); such an earlier attempt
	// is recognised as this record's own instead (below).
	direct := fmt.Sprintf("%s.v%d", rec.writeID, rec.latest.Version)
	for range casAttempts {
		res, err := b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: id, Snapshot: rec.latest, BaseVersion: base,
			Mode: shared.ReconcileCAS, Origin: r.src.origin, WriteID: direct})
		if err != nil {
			return err
		}
		if res.Outcome != shared.OutcomeConflict {
			r.cache.replace(rec.latest)
			return nil
		}
		if strings.HasPrefix(res.StoredOp, rec.writeID+".v") && res.StoredVersion != base {
			// An earlier attempt of this write-back landed unanswered (the
			// primary failed first) and the outage went on: what it wrote
			// is this record's, so the rest goes on top of it.
			r.logger.Info("an earlier write-back of this outage landed unanswered; writing the changes since over it",
				"tournament", id, "stored_version", res.StoredVersion, "version", rec.latest.Version)
			base = res.StoredVersion
			continue
		}
		if n, ok := mergedEntries(res.StoredOp, rec); ok {
			// An earlier merge of this write-back landed unanswered (the
			// primary, or this host, failed first): the stored state holds
			// the first n outage changes; only those after it are merged.
			r.logger.Info("an earlier merge of this outage's changes landed unanswered; merging the changes since onto it",
				"tournament", id, "stored_version", res.StoredVersion, "merged", n, "since", len(rec.entries)-n)
			stored, err := b.Get(ctx, id)
			if err != nil {
				return err
			}
			return r.mergeOnto(ctx, b, rec, stored, n)
		}
		if base == rec.baseVersion && res.StoredVersion == base+1 && slices.Contains(rec.uncertain, res.StoredOp) {
			// The primary moved on by one change, and it is this host's
			// own that it never saw answered (the primary failed first)
			// and that its caller then retried on the fallback: the
			// outage's acknowledged changes take its place.
			r.logger.Warn("the primary holds a change this host made but never saw answered; the changes it acknowledged since replace it",
				"tournament", id, "base_version", base, "stored_version", res.StoredVersion)
			base = res.StoredVersion
			continue
		}
		stored, err := b.Get(ctx, id)
		if errors.Is(err, tournament.ErrNotFound) {
			// Removed by another host (its tombstone stands): it wins.
			return r.recordConflict(ctx, b, rec, 0, []string{"the tournament was removed on the primary during the outage"})
		}
		if err != nil {
			return err
		}
		if rec.base != nil && tournament.Descends(rec.base, stored) && stored.Version < rec.baseVersion {
			// The primary came back with an older copy of what the outage
			// started from: bring it forward.
			r.logger.Warn("the primary holds an older copy than this host saw; writing this host's state over it",
				"tournament", id, "stored_version", stored.Version, "base_version", rec.baseVersion)
			base = stored.Version
			continue
		}
		if err := r.mergeOnto(ctx, b, rec, stored, 0); !errors.Is(err, errMergeRaced) {
			return err
		}
		base = rec.baseVersion // another writer raced the merge: read again
	}
	return tournament.Errorf(tournament.CodeAborted, "tournament %d: the primary kept changing during the write-back", id)
}

// errMergeRaced: another writer changed the tournament between the read
// and the merge's compare-and-set.
var errMergeRaced = errors.New("the primary changed during the merge")

// mergeOnto replays the outage changes after the first skip onto the
// primary's stored state and writes the result, compare-and-set on the
// stored version. The write is named for how many changes it carries, so
// that a retry after it landed unanswered merges only the rest.
func (r *Router) mergeOnto(ctx context.Context, b store, rec *pendingRecord, stored *tournament.Tournament, skip int) error {
	id := rec.id
	merged, rejected, changed := r.merge(stored, rec.entries[skip:])
	if !changed {
		r.cache.replace(stored)
		if len(rejected) > 0 {
			return r.recordConflict(ctx, b, rec, stored.Version, rejected)
		}
		return nil
	}
	res, err := b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: id, Snapshot: merged, BaseVersion: stored.Version,
		Mode: shared.ReconcileCAS, Origin: r.src.origin, WriteID: fmt.Sprintf("%s.m%d", rec.writeID, len(rec.entries))})
	if err != nil {
		return err
	}
	if res.Outcome == shared.OutcomeConflict {
		return errMergeRaced
	}
	r.logger.Info("failback merged this host's changes onto the primary's newer state", "tournament", id,
		"base_version", rec.baseVersion, "primary_version", stored.Version, "merged_version", merged.Version, "rejected", len(rejected))
	r.cache.replace(merged)
	if len(rejected) > 0 {
		return r.recordConflict(ctx, b, rec, merged.Version, rejected)
	}
	return nil
}

// mergedEntries reports whether op names a merge of this record's
// write-back, and how many of its changes that merge carried.
func mergedEntries(op string, rec *pendingRecord) (int, bool) {
	rest, ok := strings.CutPrefix(op, rec.writeID+".m")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n > len(rec.entries) {
		return 0, false
	}
	return n, true
}

func (r *Router) writeBackRemoval(ctx context.Context, b store, rec *pendingRecord) error {
	if rec.base == nil && rec.baseVersion == 0 {
		// Created and removed during the outage; a live copy on the
		// primary would be another host's.
		return nil
	}
	res, err := b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: rec.id, BaseVersion: rec.baseVersion,
		Mode: shared.ReconcileRemove, Origin: r.src.origin, WriteID: rec.writeID})
	if err != nil {
		return err
	}
	if res.Outcome == shared.OutcomeConflict {
		r.count.conflicts.Add(1)
		r.logger.Warn("conflict on failback: the primary changed a tournament this host removed during the outage; the primary wins",
			"tournament", rec.id, "base_version", rec.baseVersion, "stored_version", res.StoredVersion)
		if t, err := b.Get(ctx, rec.id); err == nil {
			r.cache.replace(t)
		}
	}
	return nil
}

// recordConflict stores the host's losing state and the changes that could
// not be applied as a conflict on the primary; the primary's state stands.
func (r *Router) recordConflict(ctx context.Context, b store, rec *pendingRecord, stored int64, rejected []string) error {
	r.count.conflicts.Add(1)
	r.logger.Warn("conflict on failback: some outage changes no longer apply on the primary's state and are recorded",
		"tournament", rec.id, "base_version", rec.baseVersion, "stored_version", stored, "rejected", rejected)
	_, err := b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: rec.id, Mode: shared.ReconcileConflict, Snapshot: rec.latest,
		BaseVersion: rec.baseVersion, Origin: r.src.origin, Rejected: rejected})
	if err == nil {
		if t, gerr := b.Get(ctx, rec.id); gerr == nil {
			r.cache.replace(t)
		}
	}
	return err
}

// merge replays a tournament's logged changes on the primary's state.
// Changes whose effect is already there (the same create, a join of a
// player who is in, a start of a started tournament, a repeated result)
// are skipped; the others that no longer apply are returned as rejected.
func (r *Router) merge(t *tournament.Tournament, entries []logEntry) (merged *tournament.Tournament, rejected []string, changed bool) {
	env := tournament.Env{Now: time.Now().UTC(), Rand: tournament.SystemRand, GameTimeout: r.cfg.GameTimeout}
	for _, e := range entries {
		if e.Create != nil {
			p, err := e.Create.Validate()
			if err != nil || t.Name != p.Name || t.MaxPlayers != p.MaxPlayers || t.CreatorID != p.CreatorID {
				rejected = append(rejected, e.describe()+": the primary holds another tournament with this id")
				return t, rejected, changed
			}
			continue
		}
		cmd, err := e.command()
		if err != nil || cmd == nil {
			rejected = append(rejected, fmt.Sprintf("%s: unreadable log entry: %v", e.describe(), err))
			continue
		}
		next, _, err := tournament.Apply(t, cmd, env)
		switch {
		case err == nil:
			changed = changed || next != t
			t = next
		case errors.Is(err, tournament.ErrAlreadyExists) && isCmd[tournament.AddPlayer](cmd),
			errors.Is(err, tournament.ErrNotFound) && isCmd[tournament.RemovePlayer](cmd),
			errors.Is(err, tournament.ErrFailedPrecondition) && isCmd[tournament.Start](cmd) && t.Status != tournament.StatusPending,
			errors.Is(err, tournament.ErrFailedPrecondition) && leftAlready(t, cmd):
			// Its effect is there already (the same departure on both
			// sides of a split agrees).
		default:
			rejected = append(rejected, e.describe()+": "+err.Error())
		}
	}
	return t, rejected, changed
}

func isCmd[C tournament.Command](c tournament.Command) bool {
	_, ok := c.(C)
	return ok
}

// leftAlready reports whether cmd is a departure (a disqualification, or a
// withdrawal from an active tournament) of a player who has left t.
func leftAlready(t *tournament.Tournament, cmd tournament.Command) bool {
	var user int64
	switch c := cmd.(type) {
	case tournament.Disqualify:
		user = c.UserID
	case tournament.RemovePlayer:
		user = c.UserID
	default:
		return false
	}
	return slices.ContainsFunc(t.Dropped, func(d tournament.Drop) bool { return d.PlayerID == user })
}
