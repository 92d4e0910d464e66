package memory

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/tournament"
)

// maxConflicts bounds the conflicts kept per tournament.
const maxConflicts = 100

// tombstone remembers a removal so that no reconciliation resurrects it.
type tombstone struct {
	version int64 // the version that was removed
	expires time.Time
}

// Reconcile implements shared.Backend.
func (b *Backend) Reconcile(ctx context.Context, req shared.ReconcileRequest) (shared.ReconcileResult, error) {
	if req.Mode != shared.ReconcileRemove {
		if err := tournament.Validate(req.Snapshot); err != nil {
			return shared.ReconcileResult{}, err
		}
		if req.Snapshot.ID != req.TournamentID {
			return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInvalidArgument, "snapshot %d given for tournament %d", req.Snapshot.ID, req.TournamentID)
		}
	}
	now := b.opts.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var stored int64
	r := b.records[req.TournamentID]
	if r != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		if now.Before(r.expires) {
			stored = r.t.Version
		}
	}
	tomb, hasTomb := b.tombstones[req.TournamentID]
	hasTomb = hasTomb && now.Before(tomb.expires)
	store := func(t *tournament.Tournament) {
		if r != nil {
			r.gone = true
		}
		b.records[req.TournamentID] = &record{t: t.Clone(), expires: now.Add(b.opts.TournamentTTL)}
		delete(b.tombstones, req.TournamentID)
	}
	switch req.Mode {
	case shared.ReconcileRestore:
		if stored != 0 || hasTomb {
			return shared.ReconcileResult{Outcome: shared.OutcomeUnchanged, StoredVersion: stored}, nil
		}
		store(req.Snapshot)
		return shared.ReconcileResult{Outcome: shared.OutcomeWritten, StoredVersion: req.Snapshot.Version}, nil
	case shared.ReconcileWrite:
		if stored != 0 && stored == req.Snapshot.Version && sameJSON(r.t, req.Snapshot) {
			return shared.ReconcileResult{Outcome: shared.OutcomeUnchanged, StoredVersion: stored}, nil
		}
	case shared.ReconcileRemove:
		if stored == 0 && hasTomb && tomb.version == req.BaseVersion {
			return shared.ReconcileResult{Outcome: shared.OutcomeUnchanged}, nil
		}
	default:
		return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInvalidArgument, "unknown reconcile mode %q", req.Mode)
	}
	if !((stored == 0 && !hasTomb) || (stored != 0 && stored == req.BaseVersion)) {
		c := shared.Conflict{At: now.UTC(), Origin: req.Origin, BaseVersion: req.BaseVersion, StoredVersion: stored,
			Removed: stored == 0, Snapshot: req.Snapshot}
		list := append([]shared.Conflict{c}, b.conflicts[req.TournamentID]...)
		b.conflicts[req.TournamentID] = list[:min(len(list), maxConflicts)]
		return shared.ReconcileResult{Outcome: shared.OutcomeConflict, StoredVersion: stored}, nil
	}
	if req.Mode == shared.ReconcileRemove {
		if r != nil {
			r.gone = true
			delete(b.records, req.TournamentID)
		}
		b.tombstones[req.TournamentID] = tombstone{version: req.BaseVersion, expires: now.Add(b.opts.TournamentTTL)}
		return shared.ReconcileResult{Outcome: shared.OutcomeRemoved}, nil
	}
	store(req.Snapshot)
	return shared.ReconcileResult{Outcome: shared.OutcomeWritten, StoredVersion: req.Snapshot.Version}, nil
}

// Conflicts implements shared.Backend.
func (b *Backend) Conflicts(ctx context.Context, id int64) ([]shared.Conflict, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]shared.Conflict{}, b.conflicts[id]...), nil
}

func sameJSON(a, b *tournament.Tournament) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
