package failover

import (
	"context"
	"fmt"
	"slices"

	"github.com/tourney/tourney/host/internal/notapplied"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// snapshotReader is the TOURNEY_FALLBACK=readonly backend: it answers reads
// from the host's snapshot cache and refuses every write. It stores
// nothing of its own, so there is nothing to write back or to empty.
type snapshotReader struct{ cache *snapshotCache }

var _ shared.Backend = snapshotReader{}

func (snapshotReader) refuse() error {
	return notapplied.Errorf("the primary backend is unavailable; this host serves reads only (TOURNEY_FALLBACK=readonly)")
}

func (s snapshotReader) Create(context.Context, shared.CreateRequest) (shared.Change, error) {
	return shared.Change{}, s.refuse()
}

func (s snapshotReader) Apply(context.Context, shared.ApplyRequest) (shared.Change, error) {
	return shared.Change{}, s.refuse()
}

func (s snapshotReader) Remove(context.Context, shared.RemoveRequest) (shared.Change, error) {
	return shared.Change{}, s.refuse()
}

func (s snapshotReader) Get(_ context.Context, id int64) (*tournament.Tournament, error) {
	if t, _ := s.cache.get(id); t != nil {
		return t, nil
	}
	return nil, tournament.Errorf(tournament.CodeNotFound, "tournament %d not found", id)
}

func (s snapshotReader) List(context.Context) ([]tournament.Summary, error) {
	var out []tournament.Summary
	for _, t := range s.cache.snapshots() {
		if t.Live() {
			out = append(out, t.Summary())
		}
	}
	slices.SortFunc(out, func(a, b tournament.Summary) int { return int(a.ID - b.ID) })
	return out, nil
}

func (s snapshotReader) Export(_ context.Context, yield func(*tournament.Tournament) error) error {
	for _, t := range s.cache.snapshots() {
		if err := yield(t); err != nil {
			return err
		}
	}
	return nil
}

// Import accepts what the router imports before a read: the cache holds it.
func (s snapshotReader) Import(_ context.Context, snaps []*tournament.Tournament) (int, error) {
	return len(snaps), nil
}

func (snapshotReader) Maintain(context.Context) (shared.MaintainReport, error) {
	return shared.MaintainReport{}, nil
}

func (s snapshotReader) Health(context.Context) (shared.HealthReport, error) {
	return shared.HealthReport{Backend: "readonly", Detail: fmt.Sprintf("%d cached snapshots", s.cache.len())}, nil
}

func (s snapshotReader) Subscribe(context.Context, shared.SubscribeRequest, func(shared.StreamEvent) error) error {
	return tournament.Errorf(tournament.CodeUnavailable,
		"events are not available while the primary backend is down (TOURNEY_FALLBACK=readonly)")
}

func (s snapshotReader) Reconcile(_ context.Context, req shared.ReconcileRequest) (shared.ReconcileResult, error) {
	if req.Mode == shared.ReconcileDiscard {
		return shared.ReconcileResult{Outcome: shared.OutcomeDiscarded}, nil
	}
	return shared.ReconcileResult{}, s.refuse()
}

func (snapshotReader) Conflicts(context.Context, int64) ([]shared.Conflict, error) {
	return []shared.Conflict{}, nil
}
