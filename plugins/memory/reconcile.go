package memory

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
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
	switch req.Mode {
	case shared.ReconcileWrite, shared.ReconcileCAS, shared.ReconcileRestore, shared.ReconcileConflict:
		if err := tournament.Validate(req.Snapshot); err != nil {
			return shared.ReconcileResult{}, err
		}
		if req.Snapshot.ID != req.TournamentID {
			return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInvalidArgument,
				"snapshot %d given for tournament %d", req.Snapshot.ID, req.TournamentID)
		}
	case shared.ReconcileRemove:
	case shared.ReconcileDiscard:
		b.discard(req.TournamentID)
		return shared.ReconcileResult{Outcome: shared.OutcomeDiscarded}, nil
	default:
		return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInvalidArgument, "unknown reconcile mode %q", req.Mode)
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
		b.records[req.TournamentID] = &record{t: t.Clone(), expires: now.Add(b.ttl(t)), writeID: req.WriteID, lastOp: req.WriteID}
		delete(b.tombstones, req.TournamentID)
	}
	record := func() {
		c := shared.Conflict{At: now.UTC(), Origin: req.Origin, BaseVersion: req.BaseVersion, StoredVersion: stored,
			Removed: stored == 0, Snapshot: req.Snapshot, Rejected: req.Rejected}
		list := append([]shared.Conflict{c}, b.conflicts[req.TournamentID]...)
		b.conflicts[req.TournamentID] = list[:min(len(list), maxConflicts)]
	}
	switch req.Mode {
	case shared.ReconcileRestore:
		if stored != 0 || hasTomb {
			return shared.ReconcileResult{Outcome: shared.OutcomeUnchanged, StoredVersion: stored}, nil
		}
		store(req.Snapshot)
		return shared.ReconcileResult{Outcome: shared.OutcomeWritten, StoredVersion: req.Snapshot.Version}, nil
	case shared.ReconcileConflict:
		record()
		return shared.ReconcileResult{Outcome: shared.OutcomeRecorded, StoredVersion: stored}, nil
	case shared.ReconcileWrite, shared.ReconcileCAS:
		if stored != 0 && req.WriteID != "" && r.writeID == req.WriteID {
			return shared.ReconcileResult{Outcome: shared.OutcomeUnchanged, StoredVersion: stored}, nil
		}
		if stored != 0 && stored == req.Snapshot.Version && sameJSON(r.t, req.Snapshot) {
			return shared.ReconcileResult{Outcome: shared.OutcomeUnchanged, StoredVersion: stored}, nil
		}
	case shared.ReconcileRemove:
		if stored == 0 && hasTomb && tomb.version == req.BaseVersion {
			return shared.ReconcileResult{Outcome: shared.OutcomeUnchanged}, nil
		}
	}
	if !((stored == 0 && !hasTomb) || (stored != 0 && stored == req.BaseVersion)) {
		if req.Mode != shared.ReconcileCAS {
			record()
		}
		res := shared.ReconcileResult{Outcome: shared.OutcomeConflict, StoredVersion: stored}
		if stored != 0 {
			res.StoredOp = r.lastOp
		}
		return res, nil
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

// discard forgets one tournament (id 0: all) without events or tombstones.
func (b *Backend) discard(id int64) {
	b.mu.Lock()
	for rid, r := range b.records {
		if id == 0 || rid == id {
			r.mu.Lock()
			r.gone = true
			r.mu.Unlock()
			delete(b.records, rid)
		}
	}
	b.mu.Unlock()
	b.evMu.Lock()
	for lid := range b.logs {
		if id == 0 || lid == id {
			delete(b.logs, lid)
		}
	}
	b.evMu.Unlock()
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
