package backendtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tourney/tourney/shared"
	T "github.com/tourney/tourney/tournament"
)

// branch replays cmds on a copy of t with the engine, as a host on the
// fallback backend would have during an outage.
func branch(t *testing.T, tr *T.Tournament, cmds ...T.Command) *T.Tournament {
	t.Helper()
	for _, c := range cmds {
		next, _, err := T.Apply(tr, c, T.Env{Now: time.Now().UTC(), GameTimeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		tr = next
	}
	return tr
}

func reconcile(t *testing.T, b shared.Backend, req shared.ReconcileRequest, want string) shared.ReconcileResult {
	t.Helper()
	r, err := reconciler(t, b).Reconcile(ctx(t), req)
	if err != nil || r.Outcome != want {
		t.Fatalf("reconcile %s of %d (base %d): %+v %v, want %s", req.Mode, req.TournamentID, req.BaseVersion, r, err, want)
	}
	return r
}

func testReconcile(t *testing.T, f Factory) {
	b := f(t, Settings{})
	create(t, b, 1, 4)
	base := apply(t, b, 1, T.AddPlayer{UserID: 1}).Tournament // version 2
	ours := branch(t, base, T.AddPlayer{UserID: 2}, T.AddPlayer{UserID: 3})
	w := shared.ReconcileRequest{TournamentID: 1, Snapshot: ours, BaseVersion: 2, Mode: shared.ReconcileWrite, Origin: "host-a"}
	reconcile(t, b, w, shared.OutcomeWritten)
	reconcile(t, b, w, shared.OutcomeUnchanged) // a retry writes nothing twice
	got, _ := b.Get(ctx(t), 1)
	if got.Version != 4 || len(got.Players) != 3 {
		t.Fatalf("after write-back: version %d players %v", got.Version, got.Players)
	}
	// Apply keeps working on the written state.
	apply(t, b, 1, T.AddPlayer{UserID: 4})

	// A branch that reached the same version number by other changes is
	// still a conflict: versions count changes, they do not name states.
	same := branch(t, base, T.AddPlayer{UserID: 7}, T.AddPlayer{UserID: 8}, T.AddPlayer{UserID: 6})
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: same, BaseVersion: 2,
		Mode: shared.ReconcileWrite, Origin: "host-c"}, shared.OutcomeConflict)
	if cs, _ := reconciler(t, b).Conflicts(ctx(t), 1); len(cs) != 1 {
		t.Fatalf("%d conflicts recorded, want 1", len(cs))
	}

	// Another host's branch from version 2 lost: the stored state wins.
	theirs := branch(t, base, T.AddPlayer{UserID: 9})
	r := reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: theirs, BaseVersion: 2,
		Mode: shared.ReconcileWrite, Origin: "host-b"}, shared.OutcomeConflict)
	if r.StoredVersion != 5 {
		t.Fatalf("conflict reports stored version %d, want 5", r.StoredVersion)
	}
	cs, err := reconciler(t, b).Conflicts(ctx(t), 1)
	if err != nil || len(cs) != 2 || cs[0].Origin != "host-b" || cs[0].BaseVersion != 2 || cs[0].StoredVersion != 5 ||
		cs[0].Snapshot == nil || cs[0].Snapshot.Version != 3 || cs[0].Snapshot.Players[1] != 9 {
		t.Fatalf("conflicts: %+v %v", cs, err)
	}
	if got, _ := b.Get(ctx(t), 1); got.Version != 5 {
		t.Fatalf("a conflict changed the stored state to version %d", got.Version)
	}

	// A tournament created during the outage (base 0) is written when absent.
	fresh, _, _ := T.New(T.CreateParams{ID: 2, Name: "made offline", MaxPlayers: 2, CreatorID: 1}, T.Env{Now: time.Now().UTC()})
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 2, Snapshot: fresh, Mode: shared.ReconcileWrite}, shared.OutcomeWritten)
	list, _ := b.List(ctx(t))
	if len(list) != 2 {
		t.Fatalf("a written-back tournament is not listed: %+v", list)
	}
	// Restore only fills what is missing.
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: ours, Mode: shared.ReconcileRestore}, shared.OutcomeUnchanged)
	lost := branch(t, fresh)
	lost.ID = 3
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 3, Snapshot: lost, Mode: shared.ReconcileRestore}, shared.OutcomeWritten)
	if _, err := b.Get(ctx(t), 3); err != nil {
		t.Fatalf("restored tournament: %v", err)
	}
}

func testTombstones(t *testing.T, f Factory) {
	b := f(t, Settings{})
	known := create(t, b, 1, 4)
	if _, err := b.Remove(ctx(t), shared.RemoveRequest{ID: 1}); err != nil {
		t.Fatal(err)
	}
	// A host that still knows the tournament cannot restore or write it back.
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: known, Mode: shared.ReconcileRestore}, shared.OutcomeUnchanged)
	changed := branch(t, known, T.AddPlayer{UserID: 5})
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: changed, BaseVersion: 1,
		Mode: shared.ReconcileWrite}, shared.OutcomeConflict)
	if _, err := b.Get(ctx(t), 1); !errors.Is(err, T.ErrNotFound) {
		t.Fatalf("a removed tournament came back: %v", err)
	}
	// A removal made during an outage is written back as a removal.
	kept := startedWith(t, b, 2, 2)
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 2, BaseVersion: kept.Version, Mode: shared.ReconcileRemove},
		shared.OutcomeRemoved)
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 2, BaseVersion: kept.Version, Mode: shared.ReconcileRemove},
		shared.OutcomeUnchanged)
	if _, err := b.Get(ctx(t), 2); !errors.Is(err, T.ErrNotFound) {
		t.Fatalf("reconciled removal left the tournament: %v", err)
	}
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 2, Snapshot: kept, Mode: shared.ReconcileRestore}, shared.OutcomeUnchanged)
	// A removal that lost to a newer stored change is a conflict.
	c := startedWith(t, b, 3, 2)
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 3, BaseVersion: c.Version - 1, Mode: shared.ReconcileRemove},
		shared.OutcomeConflict)
	if _, err := b.Get(ctx(t), 3); err != nil {
		t.Fatalf("a losing removal deleted the tournament: %v", err)
	}
	// An explicit create after a removal is allowed.
	create(t, b, 1, 2)
}

func testCAS(t *testing.T, f Factory) {
	b := f(t, Settings{})
	create(t, b, 1, 4)
	base := apply(t, b, 1, T.AddPlayer{UserID: 1}).Tournament // version 2
	ours := branch(t, base, T.AddPlayer{UserID: 2})
	// The store moves on, by a change named "op-3" (its caller never saw
	// the answer, say): a failed cas says whose change is stored.
	moved, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: 1, Command: T.AddPlayer{UserID: 3}, OpID: "op-3"})
	if err != nil {
		t.Fatal(err)
	}
	theirs := moved.Tournament
	r := reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: ours, BaseVersion: 2,
		Mode: shared.ReconcileCAS, WriteID: "w1"}, shared.OutcomeConflict)
	if r.StoredVersion != theirs.Version || r.StoredOp != "op-3" {
		t.Fatalf("cas conflict reports version %d, op %q; want %d, op-3", r.StoredVersion, r.StoredOp, theirs.Version)
	}
	if cs, _ := reconciler(t, b).Conflicts(ctx(t), 1); len(cs) != 0 {
		t.Fatalf("a failed cas recorded %d conflicts", len(cs))
	}
	merged := branch(t, theirs, T.AddPlayer{UserID: 2})
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: merged, BaseVersion: theirs.Version,
		Mode: shared.ReconcileCAS, WriteID: "w1"}, shared.OutcomeWritten)
	// The write-back's id is the stored state's op until another change.
	if r := reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: ours, BaseVersion: 2, Mode: shared.ReconcileCAS},
		shared.OutcomeConflict); r.StoredOp != "w1" {
		t.Fatalf("after a write-back, a failed cas reports op %q, want w1", r.StoredOp)
	}
	// Another host writes on top, without an op; the retried write-back is
	// still known.
	after := apply(t, b, 1, T.AddPlayer{UserID: 4}).Tournament
	if r := reconcile(t, b,
		shared.ReconcileRequest{TournamentID: 1, Snapshot: merged, BaseVersion: 2,
			Mode: shared.ReconcileCAS}, shared.OutcomeConflict); r.StoredOp != "" {
		t.Fatalf("a change without an op id is stored as op %q", r.StoredOp)
	}
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: merged, BaseVersion: theirs.Version,
		Mode: shared.ReconcileCAS, WriteID: "w1"}, shared.OutcomeUnchanged)
	if got, _ := b.Get(ctx(t), 1); got.Version != after.Version {
		t.Fatalf("a recognised retry changed the store: version %d, want %d", got.Version, after.Version)
	}
	if l, _ := b.List(ctx(t)); len(l) != 1 || l[0].Version != after.Version || !l[0].UpdatedAt.Equal(after.UpdatedAt) {
		t.Fatalf("list after write-backs: %+v", l)
	}
	// Created during an outage: written when the store holds nothing.
	fresh, _, _ := T.New(T.CreateParams{ID: 2, Name: "offline", MaxPlayers: 2, CreatorID: 1}, T.Env{Now: time.Now().UTC()})
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 2, Snapshot: fresh, Mode: shared.ReconcileCAS, WriteID: "w2"},
		shared.OutcomeWritten)
	if l, _ := b.List(ctx(t)); len(l) != 2 {
		t.Fatalf("a tournament written back by cas is not listed: %+v", l)
	}
}

func testConflictRecord(t *testing.T, f Factory) {
	b := f(t, Settings{})
	created := create(t, b, 1, 4)
	ours := branch(t, created, T.AddPlayer{UserID: 2})
	r := reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: ours, BaseVersion: 1, Mode: shared.ReconcileConflict,
		Origin: "host-a", Rejected: []string{"add_player 2: tournament is full"}}, shared.OutcomeRecorded)
	if r.StoredVersion != created.Version {
		t.Fatalf("recorded against version %d, want %d", r.StoredVersion, created.Version)
	}
	cs, err := reconciler(t, b).Conflicts(ctx(t), 1)
	if err != nil || len(cs) != 1 || len(cs[0].Rejected) != 1 || cs[0].Origin != "host-a" || cs[0].Snapshot.Version != ours.Version {
		t.Fatalf("conflicts %+v %v", cs, err)
	}
	if got, _ := b.Get(ctx(t), 1); got.Version != created.Version {
		t.Fatal("recording a conflict changed the stored state")
	}
}

func testDiscard(t *testing.T, f Factory) {
	b := f(t, Settings{})
	create(t, b, 1, 4)
	cctx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	got := make(chan shared.StreamEvent, 8)
	go func() {
		_ = b.Subscribe(cctx, shared.SubscribeRequest{TournamentID: 1}, func(e shared.StreamEvent) error { got <- e; return nil })
	}()
	time.Sleep(100 * time.Millisecond)
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Mode: shared.ReconcileDiscard}, shared.OutcomeDiscarded)
	select {
	case e := <-got:
		t.Fatalf("discard emitted %s", e.Event.Type)
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := b.Get(ctx(t), 1); !errors.Is(err, T.ErrNotFound) {
		t.Fatalf("after discard: %v", err)
	}
	if l, _ := b.List(ctx(t)); len(l) != 0 {
		t.Fatalf("a discarded tournament is listed: %+v", l)
	}
	// No tombstone: a restore puts it back.
	lost, _, _ := T.New(T.CreateParams{ID: 1, Name: "back", MaxPlayers: 2, CreatorID: 1}, T.Env{Now: time.Now().UTC()})
	reconcile(t, b, shared.ReconcileRequest{TournamentID: 1, Snapshot: lost, Mode: shared.ReconcileRestore}, shared.OutcomeWritten)
}

func testEpoch(t *testing.T, f Factory) {
	b := f(t, Settings{})
	a, err := b.Health(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	create(t, b, 1, 4)
	c, err := b.Health(ctx(t))
	if err != nil || a.Epoch != c.Epoch || a.Epoch == "" {
		t.Fatalf("epochs %q then %q (%v): want one stable, non-empty epoch", a.Epoch, c.Epoch, err)
	}
}
