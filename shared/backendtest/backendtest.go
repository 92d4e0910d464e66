// Package backendtest is the conformance suite every tourney Backend runs
// against itself: the memory and Redis plugins in this repository, and any
// third-party plugin. Call Run from a test with a factory that returns a
// fresh, empty backend configured with the given Settings.
package backendtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tourney/tourney/shared"
	T "github.com/tourney/tourney/tournament"
)

// Settings are the backend options a test needs to control.
type Settings struct {
	RateLimit   int            // per actor per second; 0 = off
	RateBurst   int            // 0 = same as RateLimit
	RateLimits  map[string]int // per operation, per actor per second (TOURNEY_RATE_LIMITS)
	GameTimeout time.Duration  // 0 = the backend's default
}

// Factory returns a new, empty backend. It registers its own cleanup.
type Factory func(t *testing.T, s Settings) shared.Backend

// Run runs every conformance test against backends made by factory: the
// core contract, and each optional part the backend serves (what a
// plugin announces; a part it does not serve is skipped, saying so).
func Run(t *testing.T, factory Factory) {
	tests := []struct {
		name string
		part shared.Capability // "" = the core contract
		fn   func(t *testing.T, f Factory)
	}{
		{"CreateGetList", "", testCreateGetList},
		{"CreateTwiceIsAlreadyExists", "", testCreateTwice},
		{"MissingIsNotFound", "", testMissing},
		{"FullTournamentOddPlayers", "", testFullTournament},
		{"DomainErrorsKeepTheirCodes", "", testDomainErrors},
		{"ResultIsIdempotent", "", testIdempotentResult},
		{"RemoveThenNotFoundAndReusable", "", testRemove},
		{"ExportImportRoundTrip", "", testExportImport},
		{"ImportRejectsInvalidSnapshotAtomically", "", testImportInvalid},
		{"ConcurrentJoinsFillExactlyTheSeats", "", testConcurrentJoins},
		{"ConcurrentDuplicateResults", "", testConcurrentResults},
		{"TimeoutsResolveOverdueGames", "", testTimeouts},
		{"RateLimitPerActor", "", testRateLimit},
		{"RateLimitPerOperation", "", testRateLimitPerOperation},
		{"MaintainAndHealth", "", testMaintainHealth},
		{"SubscribeIsOrderedAndResumable", "", testSubscribe},
		{"ReconcileGuardsByVersionAndRecordsConflicts", shared.CapReconcile, testReconcile},
		{"RemovedTournamentsAreNeverResurrected", shared.CapReconcile, testTombstones},
		{"CompareAndSetRecordsNothingAndKnowsItsOwnWrite", shared.CapReconcile, testCAS},
		{"ConflictRecordsKeepTheRejectedChanges", shared.CapReconcile, testConflictRecord},
		{"DiscardForgetsWithoutEventsOrTombstones", shared.CapReconcile, testDiscard},
		{"HealthReportsAStableEpoch", "", testEpoch},
		{"ProjectionsMatchTheStateAfterEveryCommand", "", testProjections},
		{"EveryFormatPlaysToTheEnd", "", testFormats},
		{"CorrectionsAndEndKeepProjections", "", testCorrections},
		{"SidesAndSeedsFollowTheRules", "", testSidesAndSeeds},
		{"MishapsKeepResultsAndIDs", "", testMishaps},
		{"PlayerIndexListsLiveTournaments", shared.CapPlayerIndex, testPlayerIndex},
		{"WebhookRegistry", shared.CapWebhooks, testWebhookRegistry},
		{"DeliveriesAreLeasedAndRecorded", shared.CapWebhooks, testDeliveries},
		{"ConcurrentClaimsNeverShareADelivery", shared.CapWebhooks, testConcurrentClaims},
		{"DeliveryLogIsBounded", shared.CapWebhooks, testDeliveryLogIsBounded},
	}
	probe := factory(t, Settings{})
	serves := shared.CapabilitiesOf(probe)
	t.Logf("the backend serves %v beyond the core contract", serves)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.part != "" && !slices.Contains(serves, tc.part) {
				t.Skipf("the backend does not serve %s", tc.part)
			}
			tc.fn(t, factory)
		})
	}
}

// reconciler returns b as a Reconciler (Run runs the tests that need one
// only for a backend that serves that part).
func reconciler(t *testing.T, b shared.Backend) shared.Reconciler {
	t.Helper()
	r, ok := shared.ReconcilerOf(b)
	if !ok {
		t.Fatal("the backend announces write-backs but is no Reconciler")
	}
	return r
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func create(t *testing.T, b shared.Backend, id int64, max int) *T.Tournament {
	t.Helper()
	c, err := b.Create(ctx(t),
		shared.CreateRequest{Params: T.CreateParams{ID: id, Name: fmt.Sprintf("Cup %d", id), MaxPlayers: max, CreatorID: 1}})
	if err != nil {
		t.Fatalf("create %d: %v", id, err)
	}
	return c.Tournament
}

func apply(t *testing.T, b shared.Backend, id int64, cmd T.Command) shared.Change {
	t.Helper()
	c, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: id, Command: cmd})
	if err != nil {
		t.Fatalf("%s on %d: %v", cmd.Name(), id, err)
	}
	return c
}

// startedWith creates tournament id with n players (1001...) and starts it.
func startedWith(t *testing.T, b shared.Backend, id int64, n int) *T.Tournament {
	t.Helper()
	create(t, b, id, n)
	for i := range n {
		apply(t, b, id, T.AddPlayer{UserID: int64(1001 + i)})
	}
	return apply(t, b, id, T.Start{}).Tournament
}

func wantCode(t *testing.T, err error, want *T.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v (%T), want %s", err, err, want.Code)
	}
}

func testCreateGetList(t *testing.T, f Factory) {
	b := f(t, Settings{})
	c, err := b.Create(ctx(t), shared.CreateRequest{Params: T.CreateParams{ID: 5, Name: "  Spring Cup ", MaxPlayers: 8, CreatorID: 77}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Tournament.Name != "Spring Cup" || c.Tournament.Version != 1 || c.Tournament.Status != T.StatusPending {
		t.Fatalf("created %+v", c.Tournament)
	}
	if len(c.Events) != 1 || c.Events[0].Type != T.EventTournamentCreated {
		t.Fatalf("events %+v", c.Events)
	}
	create(t, b, 3, 4)
	got, err := b.Get(ctx(t), 5)
	if err != nil || got.Name != "Spring Cup" || got.MaxPlayers != 8 || got.CreatorID != 77 || got.Version != 1 {
		t.Fatalf("get: %+v %v", got, err)
	}
	list, err := b.List(ctx(t))
	if err != nil || len(list) != 2 || list[0].ID != 3 || list[1].ID != 5 {
		t.Fatalf("list: %+v %v", list, err)
	}
}

func testCreateTwice(t *testing.T, f Factory) {
	b := f(t, Settings{})
	create(t, b, 1, 4)
	_, err := b.Create(ctx(t), shared.CreateRequest{Params: T.CreateParams{ID: 1, Name: "again", MaxPlayers: 4, CreatorID: 1}})
	wantCode(t, err, T.ErrAlreadyExists)
	_, err = b.Create(ctx(t), shared.CreateRequest{Params: T.CreateParams{ID: 2, Name: "", MaxPlayers: 4, CreatorID: 1}})
	wantCode(t, err, T.ErrInvalidArgument)
}

func testMissing(t *testing.T, f Factory) {
	b := f(t, Settings{})
	_, err := b.Get(ctx(t), 404)
	wantCode(t, err, T.ErrNotFound)
	_, err = b.Apply(ctx(t), shared.ApplyRequest{TournamentID: 404, Command: T.AddPlayer{UserID: 1}})
	wantCode(t, err, T.ErrNotFound)
	_, err = b.Remove(ctx(t), shared.RemoveRequest{ID: 404})
	wantCode(t, err, T.ErrNotFound)
}

func testFullTournament(t *testing.T, f Factory) {
	b := f(t, Settings{})
	tr := startedWith(t, b, 9, 7)
	games := 0
	for tr.Status == T.StatusActive {
		g := tr.ActiveGames()[0]
		c := apply(t, b, 9, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player2, LoserID: g.Player1})
		if c.Tournament.Version != tr.Version+1 {
			t.Fatalf("version %d -> %d", tr.Version, c.Tournament.Version)
		}
		tr = c.Tournament
		games++
	}
	if games != 6 || tr.Status != T.StatusCompleted || tr.WinnerID == nil {
		t.Fatalf("%d games, status %s", games, tr.Status)
	}
	stored, err := b.Get(ctx(t), 9)
	if err != nil || stored.Version != tr.Version || *stored.WinnerID != *tr.WinnerID {
		t.Fatalf("stored %+v %v", stored, err)
	}
	list, _ := b.List(ctx(t))
	for _, s := range list {
		if s.ID == 9 {
			t.Fatal("a completed tournament is still listed")
		}
	}
}

func testDomainErrors(t *testing.T, f Factory) {
	b := f(t, Settings{})
	create(t, b, 1, 2)
	apply(t, b, 1, T.AddPlayer{UserID: 1})
	apply(t, b, 1, T.AddPlayer{UserID: 2})
	for _, tc := range []struct {
		cmd  T.Command
		want *T.Error
	}{
		{T.AddPlayer{UserID: 3}, T.ErrFailedPrecondition},
		{T.AddPlayer{UserID: 2}, T.ErrAlreadyExists},
		{T.AddPlayer{UserID: -3}, T.ErrInvalidArgument},
		{T.RemovePlayer{UserID: 9}, T.ErrNotFound},
		{T.RegisterResult{GameID: 1, WinnerID: 1}, T.ErrNotFound},
	} {
		_, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: 1, Command: tc.cmd})
		wantCode(t, err, tc.want)
		var de *T.Error
		if !errors.As(err, &de) || de.Message == "" {
			t.Fatalf("%s: error lost its message: %v", tc.cmd.Name(), err)
		}
	}
	apply(t, b, 1, T.Start{})
	_, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: 1, Command: T.RegisterResult{GameID: 1, WinnerID: 3}})
	wantCode(t, err, T.ErrInvalidArgument)
	if got, _ := b.Get(ctx(t), 1); got.Version != 4 {
		t.Fatalf("failed commands changed the version to %d", got.Version)
	}
}

func testIdempotentResult(t *testing.T, f Factory) {
	b := f(t, Settings{})
	tr := startedWith(t, b, 2, 4)
	g := tr.ActiveGames()[0]
	first := apply(t, b, 2, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
	again := apply(t, b, 2, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
	if again.Tournament.Version != first.Tournament.Version || len(again.Events) != 0 {
		t.Fatalf("a retried result changed the version %d -> %d", first.Tournament.Version, again.Tournament.Version)
	}
	_, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: 2, Command: T.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}})
	wantCode(t, err, T.ErrFailedPrecondition)
}

func testRemove(t *testing.T, f Factory) {
	b := f(t, Settings{})
	startedWith(t, b, 4, 3)
	c, err := b.Remove(ctx(t), shared.RemoveRequest{ID: 4})
	if err != nil || len(c.Events) != 1 || c.Events[0].Type != T.EventTournamentRemoved {
		t.Fatalf("remove: %+v %v", c, err)
	}
	_, err = b.Get(ctx(t), 4)
	wantCode(t, err, T.ErrNotFound)
	if list, _ := b.List(ctx(t)); len(list) != 0 {
		t.Fatalf("removed tournament listed: %+v", list)
	}
	if got := create(t, b, 4, 2); got.Version != 1 || len(got.Players) != 0 {
		t.Fatalf("re-created %+v", got)
	}
}

func exportAll(t *testing.T, b shared.Backend) []*T.Tournament {
	t.Helper()
	var out []*T.Tournament
	if err := b.Export(ctx(t), func(tr *T.Tournament) error { out = append(out, tr); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b *T.Tournament) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func testExportImport(t *testing.T, f Factory) {
	src := f(t, Settings{})
	create(t, src, 1, 4)
	tr := startedWith(t, src, 2, 5)
	apply(t, src, 2, T.RegisterResult{GameID: tr.ActiveGames()[0].GameID, WinnerID: tr.ActiveGames()[0].Player1})
	done := startedWith(t, src, 3, 2)
	apply(t, src, 3, T.RegisterResult{GameID: 1, WinnerID: done.Players[0]})
	exported := exportAll(t, src)
	if len(exported) != 3 {
		t.Fatalf("exported %d tournaments, want 3 (completed ones included)", len(exported))
	}
	dst := f(t, Settings{})
	n, err := dst.Import(ctx(t), exported)
	if err != nil || n != 3 {
		t.Fatalf("import: %d %v", n, err)
	}
	back := exportAll(t, dst)
	for i := range exported {
		a, _ := exported[i].MarshalJSON()
		b, _ := back[i].MarshalJSON()
		if string(a) != string(b) {
			t.Fatalf("tournament %d changed in export/import:\n%s\n%s", exported[i].ID, a, b)
		}
	}
	// The imported state keeps working.
	g := back[1].ActiveGames()[0]
	apply(t, dst, 2, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
}

func testImportInvalid(t *testing.T, f Factory) {
	b := f(t, Settings{})
	good := startedWith(t, f(t, Settings{}), 1, 3)
	bad := good.Clone()
	bad.ID = 2
	bad.Players = append(bad.Players, bad.Players[0])
	_, err := b.Import(ctx(t), []*T.Tournament{good, bad})
	wantCode(t, err, T.ErrInvalidArgument)
	if _, err := b.Get(ctx(t), 1); !errors.Is(err, T.ErrNotFound) {
		t.Fatalf("a rejected import stored part of its snapshots: %v", err)
	}
}

func testConcurrentJoins(t *testing.T, f Factory) {
	b := f(t, Settings{})
	create(t, b, 1, 64)
	var ok, full atomic.Int64
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: 1, Command: T.AddPlayer{UserID: int64(i + 1)}})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, T.ErrFailedPrecondition):
				full.Add(1)
			default:
				t.Errorf("join %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	tr, _ := b.Get(ctx(t), 1)
	if ok.Load() != 64 || full.Load() != 36 || len(tr.Players) != 64 || tr.Version != 65 {
		t.Fatalf("%d joined, %d refused, %d seated, version %d", ok.Load(), full.Load(), len(tr.Players), tr.Version)
	}
}

func testConcurrentResults(t *testing.T, f Factory) {
	b := f(t, Settings{})
	tr := startedWith(t, b, 1, 16)
	games := 0
	for tr.Status == T.StatusActive {
		var wg sync.WaitGroup
		for _, g := range tr.ActiveGames() {
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := b.Apply(ctx(t),
						shared.ApplyRequest{TournamentID: 1, Command: T.RegisterResult{GameID: g.GameID, WinnerID: g.Player1}})
					if err != nil {
						t.Errorf("result for game %d: %v", g.GameID, err)
					}
				}()
			}
		}
		wg.Wait()
		games += len(tr.ActiveGames())
		next, err := b.Get(ctx(t), 1)
		if err != nil {
			t.Fatal(err)
		}
		tr = next
	}
	if games != 15 || tr.GameCount() != 15 || tr.WinnerID == nil || *tr.WinnerID != 1001 {
		t.Fatalf("%d games played, %d stored, winner %v", games, tr.GameCount(), tr.WinnerID)
	}
}

func testTimeouts(t *testing.T, f Factory) {
	b := f(t, Settings{GameTimeout: time.Millisecond})
	startedWith(t, b, 1, 4)
	time.Sleep(5 * time.Millisecond)
	list, _ := b.List(ctx(t))
	if len(list) != 1 || list[0].NextDeadline == nil || list[0].NextDeadline.After(time.Now()) {
		t.Fatalf("list does not show the passed deadline: %+v", list)
	}
	c := apply(t, b, 1, T.ResolveTimeouts{Policy: T.TimeoutHigherSeed})
	g := c.Tournament.Game(1)
	if g.Status != T.GameTimedOut || *g.WinnerID != g.Player1 || c.Tournament.CurrentRound != 2 {
		t.Fatalf("after timeouts: game 1 %+v, round %d", g, c.Tournament.CurrentRound)
	}
}

func testRateLimit(t *testing.T, f Factory) {
	b := f(t, Settings{RateLimit: 1, RateBurst: 2})
	for i := range 2 {
		if _, err := b.Create(ctx(t),
			shared.CreateRequest{Actor: "alice",
				Params: T.CreateParams{ID: int64(i + 1), Name: "x", MaxPlayers: 2, CreatorID: 1}}); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	_, err := b.Apply(ctx(t), shared.ApplyRequest{Actor: "alice", TournamentID: 1, Command: T.AddPlayer{UserID: 1}})
	var de *T.Error
	if !errors.As(err, &de) || de.Code != T.CodeRateLimited || de.RetryAfter <= 0 || de.RetryAfter > time.Second {
		t.Fatalf("over the limit: %v (retry after %v)", err, de)
	}
	if _, err := b.Apply(ctx(t), shared.ApplyRequest{Actor: "bob", TournamentID: 1, Command: T.AddPlayer{UserID: 1}}); err != nil {
		t.Fatalf("another actor was limited: %v", err)
	}
	if _, err := b.Get(ctx(t), 1); err != nil {
		t.Fatalf("reads are not limited: %v", err)
	}
}

func testMaintainHealth(t *testing.T, f Factory) {
	b := f(t, Settings{})
	create(t, b, 1, 2)
	rep, err := b.Maintain(ctx(t))
	if err != nil || rep.Extended < 1 {
		t.Fatalf("maintain: %+v %v", rep, err)
	}
	h, err := b.Health(ctx(t))
	if err != nil || h.Backend == "" {
		t.Fatalf("health: %+v %v", h, err)
	}
}

// collect subscribes and returns the first n events (or fails after 10 s).
func collect(t *testing.T, b shared.Backend, id int64, after string, n int) []shared.StreamEvent {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []shared.StreamEvent
	stop := errors.New("enough")
	err := b.Subscribe(c, shared.SubscribeRequest{TournamentID: id, After: after}, func(e shared.StreamEvent) error {
		got = append(got, e)
		if len(got) == n {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) && !(err == nil && len(got) == n) {
		t.Fatalf("subscribe after %q: %v after %d of %d events", after, err, len(got), n)
	}
	return got
}

func testSubscribe(t *testing.T, f Factory) {
	b := f(t, Settings{})
	err := b.Subscribe(ctx(t), shared.SubscribeRequest{TournamentID: 404, After: "0"}, func(shared.StreamEvent) error { return nil })
	wantCode(t, err, T.ErrNotFound)

	create(t, b, 1, 2)
	// A live subscriber sees changes made after it started, in order.
	live := make(chan []shared.StreamEvent, 1)
	go func() { live <- collect(t, b, 1, "0", 9) }()
	apply(t, b, 1, T.AddPlayer{UserID: 1})
	apply(t, b, 1, T.AddPlayer{UserID: 2})
	apply(t, b, 1, T.Start{})
	apply(t, b, 1, T.RegisterResult{GameID: 1, WinnerID: 2})
	var got []shared.StreamEvent
	select {
	case got = <-live:
	case <-time.After(10 * time.Second):
		t.Fatal("live subscriber got nothing")
	}
	want := []T.EventType{T.EventTournamentCreated, T.EventPlayerJoined, T.EventPlayerJoined, T.EventTournamentStarted,
		T.EventRoundStarted, T.EventGameCreated, T.EventGameFinished, T.EventRoundEnded, T.EventTournamentCompleted}
	for i, e := range got {
		if e.Event.Type != want[i] || e.Event.TournamentID != 1 || e.ID == "" {
			t.Fatalf("event %d = %+v, want %s", i, e, want[i])
		}
	}
	// Resuming after the 4th event replays exactly the rest.
	rest := collect(t, b, 1, got[3].ID, 5)
	for i, e := range rest {
		if e.ID != got[4+i].ID || e.Event.Type != got[4+i].Event.Type {
			t.Fatalf("resumed event %d = %+v, want %+v", i, e, got[4+i])
		}
	}
	// Removal is the last event.
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = b.Remove(context.Background(), shared.RemoveRequest{ID: 1})
	}()
	last := collect(t, b, 1, got[8].ID, 1)
	if last[0].Event.Type != T.EventTournamentRemoved {
		t.Fatalf("after removal: %+v", last)
	}
}

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

func testRateLimitPerOperation(t *testing.T, f Factory) {
	b := f(t, Settings{RateLimits: map[string]int{"add_player": 1}})
	create(t, b, 1, 8)
	create(t, b, 2, 8) // creates are not limited
	if _, err := b.Apply(ctx(t), shared.ApplyRequest{Actor: "alice", TournamentID: 1, Command: T.AddPlayer{UserID: 1}}); err != nil {
		t.Fatal(err)
	}
	_, err := b.Apply(ctx(t), shared.ApplyRequest{Actor: "alice", TournamentID: 2, Command: T.AddPlayer{UserID: 1}})
	if !errors.Is(err, T.ErrRateLimited) || !strings.Contains(err.Error(), "add_player") {
		t.Fatalf("a second join within the second: %v, want rate_limited naming add_player", err)
	}
	if _, err := b.Apply(ctx(t),
		shared.ApplyRequest{Actor: "alice", TournamentID: 1, Command: T.Start{}}); errors.Is(err, T.ErrRateLimited) {
		t.Fatalf("another operation was limited: %v", err)
	}
	if _, err := b.Apply(ctx(t), shared.ApplyRequest{Actor: "bob", TournamentID: 2, Command: T.AddPlayer{UserID: 2}}); err != nil {
		t.Fatalf("another actor was limited: %v", err)
	}
}

// ProjectionChecker is implemented by backends that keep projections of a
// tournament beside its state (the Redis backend's seed-compatible keys):
// CheckProjections reports how they differ from the stored state.
type ProjectionChecker interface {
	CheckProjections(ctx context.Context, id int64) error
}

// testProjections plays tournaments of several sizes, command by command
// (joins, leaves, starts, results, retries, timeouts), and after every one
// checks the backend's projections against its state: writes that send
// only what changed must not drift.
func testProjections(t *testing.T, f Factory) {
	b := f(t, Settings{GameTimeout: 50 * time.Millisecond})
	pc, ok := b.(ProjectionChecker)
	if !ok {
		t.Skip("the backend keeps no projections")
	}
	check := func(id int64, what string) {
		t.Helper()
		if err := pc.CheckProjections(ctx(t), id); err != nil {
			t.Fatalf("tournament %d after %s: %v", id, what, err)
		}
	}
	for i, n := range []int{2, 3, 5, 8, 13, 16} {
		id := int64(100 + i)
		create(t, b, id, 32)
		check(id, "create")
		for u := int64(1); u <= int64(n)+1; u++ {
			apply(t, b, id, T.AddPlayer{UserID: u})
			check(id, "a join")
		}
		apply(t, b, id, T.RemovePlayer{UserID: int64(n) + 1})
		check(id, "a leave")
		tr := apply(t, b, id, T.Start{}).Tournament
		check(id, "start")
		for step := 0; tr.Status == T.StatusActive; step++ {
			g := tr.ActiveGames()[0]
			switch step % 4 {
			case 3:
				time.Sleep(60 * time.Millisecond)
				c, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: id, Command: T.ResolveTimeouts{Policy: T.TimeoutNone}})
				if err != nil {
					t.Fatal(err)
				}
				check(id, "an overdue sweep")
				if c, err = b.Apply(ctx(t),
					shared.ApplyRequest{TournamentID: id, Command: T.ResolveTimeouts{Policy: T.TimeoutHigherSeed}}); err != nil {
					t.Fatal(err)
				}
				tr = c.Tournament
				check(id, "a timeout")
			default:
				tr = apply(t, b, id, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}).Tournament
				check(id, "a result")
				apply(t, b, id, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player2})
				check(id, "a repeated result")
			}
		}
	}
}

// testFormats plays a tournament of every format to the end (7 players, so
// that there are byes), with the stored projections checked after every
// change, the same results also applied to the pure engine (the backend
// must reach the same rounds, games and standings), and the completed
// tournament exported and imported into a fresh backend.
func testFormats(t *testing.T, f Factory) {
	b := f(t, Settings{})
	pc, _ := b.(ProjectionChecker)
	for i, c := range []struct {
		name   string
		format T.Format
		opts   T.Options
	}{
		{"SingleEliminationThirdPlace", T.SingleElimination, T.Options{ThirdPlaceMatch: true}},
		{"DoubleEliminationReset", T.DoubleElimination, T.Options{GrandFinal: T.GrandFinalReset}},
		{"DoubleEliminationNoGrandFinal", T.DoubleElimination, T.Options{GrandFinal: T.GrandFinalNone}},
		{"DoubleRoundRobin", T.RoundRobin, T.Options{Rounds: 2}},
		{"Swiss", T.Swiss, T.Options{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := int64(300 + i)
			params := T.CreateParams{ID: id, Name: "Formats", MaxPlayers: 8, CreatorID: 1, Format: c.format, Options: c.opts}
			cr, err := b.Create(ctx(t), shared.CreateRequest{Params: params})
			if err != nil {
				t.Fatal(err)
			}
			e := T.Env{Now: time.Now().UTC(), GameTimeout: time.Hour}
			local, _, _ := T.New(params, e)
			if cr.Tournament.Format != c.format {
				t.Fatalf("created as %q", cr.Tournament.Format)
			}
			step := func(cmd T.Command) *T.Tournament {
				t.Helper()
				got := apply(t, b, id, cmd).Tournament
				var err error
				if local, _, err = T.Apply(local, cmd, e); err != nil {
					t.Fatal(err)
				}
				if pc != nil {
					if err := pc.CheckProjections(ctx(t), id); err != nil {
						t.Fatalf("after %s: %v", cmd.Name(), err)
					}
				}
				return got
			}
			for u := int64(1); u <= 7; u++ {
				step(T.AddPlayer{UserID: u})
			}
			tr := step(T.Start{})
			for n := 0; tr.Status == T.StatusActive; n++ {
				act := tr.ActiveGames()
				g := act[n%len(act)]
				tr = step(T.RegisterResult{GameID: g.GameID, WinnerID: []int64{g.Player1, g.Player2}[n%3%2]})
			}
			if tr.Status != T.StatusCompleted || tr.WinnerID == nil {
				t.Fatalf("ended %s", tr.Status)
			}
			if err := T.Validate(tr); err != nil {
				t.Fatal(err)
			}
			got, want := tr.Standings(), local.Standings()
			if fmt.Sprint(got.Standings) != fmt.Sprint(want.Standings) || len(tr.Rounds) != len(local.Rounds) || tr.GameCount() != local.GameCount() {
				t.Fatalf("the backend and the engine disagree:\n%v\n%v", got.Standings, want.Standings)
			}
			if got.Standings[0].PlayerID != *tr.WinnerID {
				t.Fatalf("winner %d is not first in the standings %v", *tr.WinnerID, got.Standings)
			}
			dst := f(t, Settings{})
			if _, err := dst.Import(ctx(t), []*T.Tournament{tr}); err != nil {
				t.Fatalf("import: %v", err)
			}
			back, err := dst.Get(ctx(t), id)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := tr.AppendJSON(nil), back.AppendJSON(nil); string(a) != string(b) {
				t.Fatalf("export/import changed the tournament:\n%s\n%s", a, b)
			}
		})
	}
}

// testCorrections corrects results that reset, re-pair, add and remove
// games (a double elimination's grand final), and ends a tournament, with
// the stored projections checked after each change.
func testCorrections(t *testing.T, f Factory) {
	b := f(t, Settings{})
	pc, _ := b.(ProjectionChecker)
	check := func(id int64, what string) {
		t.Helper()
		if pc != nil {
			if err := pc.CheckProjections(ctx(t), id); err != nil {
				t.Fatalf("after %s: %v", what, err)
			}
		}
	}
	if _, err := b.Create(ctx(t),
		shared.CreateRequest{Params: T.CreateParams{ID: 40, Name: "c", MaxPlayers: 4, CreatorID: 1, Format: T.DoubleElimination,
			BestOf: 3, BestOfByRound: map[string]int{"winners:1": 1}}}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 4; u++ {
		apply(t, b, 40, T.AddPlayer{UserID: u})
	}
	tr := apply(t, b, 40, T.Start{}).Tournament
	for tr.Status == T.StatusActive {
		g := tr.ActiveGames()[0]
		var scores [][2]int
		if g.BestOf == 3 {
			scores = [][2]int{{11, 3}, {4, 11}, {11, 9}}
		}
		tr = apply(t, b, 40, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player1, Scores: scores}).Tournament
		check(40, "a result with scores")
	}
	if tr.Game(1).BestOf != 1 || tr.Game(3).BestOf != 3 || len(tr.Game(3).Scores) != 3 {
		t.Fatalf("series: game 1 %+v, game 3 %+v", tr.Game(1), tr.Game(3))
	}
	gf := tr.Rounds[len(tr.Rounds)-1].Games[0]
	// The losers' champion won the grand final: a second final appears.
	c := apply(t, b, 40, T.CorrectResult{GameID: gf.GameID, WinnerID: gf.Player2, ExpectedVersion: tr.Version})
	check(40, "a correction adding the second final")
	if c.Tournament.Status != T.StatusActive || len(c.Tournament.Rounds) != len(tr.Rounds)+1 {
		t.Fatalf("after the correction: %s with %d rounds", c.Tournament.Status, len(c.Tournament.Rounds))
	}
	// Back again: the second final is removed, from :brackets too.
	c = apply(t, b, 40, T.CorrectResult{GameID: gf.GameID, WinnerID: gf.Player1})
	check(40, "a correction removing the second final")
	if c.Tournament.Status != T.StatusCompleted || len(c.Tournament.Rounds) != len(tr.Rounds) {
		t.Fatalf("after correcting back: %s with %d rounds", c.Tournament.Status, len(c.Tournament.Rounds))
	}
	// A first-round correction resets what followed.
	c = apply(t, b, 40, T.CorrectResult{GameID: 1, WinnerID: c.Tournament.Game(1).Player2})
	check(40, "a first-round correction")
	if c.Tournament.Status != T.StatusActive {
		t.Fatalf("a first-round correction left it %s", c.Tournament.Status)
	}
	_, err := b.Apply(ctx(t),
		shared.ApplyRequest{TournamentID: 40,
			Command: T.CorrectResult{GameID: 1, WinnerID: c.Tournament.Game(1).Player1, ExpectedVersion: 2}})
	wantCode(t, err, T.ErrFailedPrecondition)
	// Match states: called, then in progress.
	act := c.Tournament.ActiveGames()
	if g := apply(t, b, 40, T.CallGame{GameID: act[0].GameID}).Tournament.Game(act[0].GameID); g.State != T.StateCalled {
		t.Fatalf("called game %+v", g)
	}
	check(40, "a call")
	if g := apply(t, b, 40, T.StartGame{GameID: act[0].GameID}).Tournament.Game(act[0].GameID); g.State != T.StateInProgress {
		t.Fatalf("started game %+v", g)
	}
	check(40, "a game start")
	// A forfeit, a double forfeit, a disqualification and a withdrawal.
	apply(t, b, 40, T.RegisterResult{GameID: act[0].GameID, WinnerID: act[0].Player1, Forfeit: true})
	check(40, "a forfeit")
	if len(act) > 1 {
		apply(t, b, 40, T.RegisterResult{GameID: act[1].GameID, Forfeit: true})
		check(40, "a double forfeit")
	}
	if _, err := b.Create(ctx(t),
		shared.CreateRequest{Params: T.CreateParams{ID: 41, Name: "dq", MaxPlayers: 8, CreatorID: 1, Format: T.Swiss,
			CheckIn: "10m"}}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 7; u++ {
		apply(t, b, 41, T.AddPlayer{UserID: u})
		if u != 7 {
			apply(t, b, 41, T.CheckIn{UserID: u})
		}
	}
	check(41, "check-ins")
	sw := apply(t, b, 41, T.Start{}).Tournament
	check(41, "a start that removed a player who did not check in")
	if len(sw.Players) != 6 || slices.Contains(sw.Players, 7) {
		t.Fatalf("started with %v", sw.Players)
	}
	dq := apply(t, b, 41, T.Disqualify{UserID: sw.ActiveGames()[0].Player1}).Tournament
	check(41, "a disqualification")
	wd := apply(t, b, 41, T.RemovePlayer{UserID: dq.ActiveGames()[0].Player2}).Tournament
	check(41, "a withdrawal")
	if len(wd.Dropped) != 2 || wd.Dropped[0].Reason != T.DropDisqualified || wd.Dropped[1].Reason != T.DropWithdrew {
		t.Fatalf("dropped %+v", wd.Dropped)
	}
	if err := T.Validate(wd); err != nil {
		t.Fatal(err)
	}
	ended := apply(t, b, 40, T.EndTournament{}).Tournament
	check(40, "the end")
	if !ended.Ended || ended.Status != T.StatusCompleted || len(ended.ActiveGames()) != 0 {
		t.Fatalf("ended: %+v", ended)
	}
	if err := T.Validate(ended); err != nil {
		t.Fatal(err)
	}
}

// testPlayerIndex checks the player index: a player's live tournaments,
// in id order, following joins, leaves, a start that removed players who
// did not check in, completion, removal and import.
func testPlayerIndex(t *testing.T, f Factory) {
	b := f(t, Settings{})
	idx, ok := shared.PlayerIndexOf(b)
	if !ok {
		t.Fatal("the backend announces a player index but is no PlayerIndex")
	}
	if _, err := idx.PlayerTournaments(ctx(t), 1); errors.Is(err, shared.ErrNoPlayerIndex) {
		t.Fatal("the backend announces a player index but answers that it keeps none")
	}
	ids := func(uid int64) []int64 {
		t.Helper()
		l, err := idx.PlayerTournaments(ctx(t), uid)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, s := range l {
			out = append(out, s.ID)
		}
		return out
	}
	for _, id := range []int64{7, 5, 6} {
		if _, err := b.Create(ctx(t),
			shared.CreateRequest{Params: T.CreateParams{ID: id, Name: "p", MaxPlayers: 4, CreatorID: 1,
				CheckIn: map[bool]string{true: "5m"}[id == 6]}}); err != nil {
			t.Fatal(err)
		}
		apply(t, b, id, T.AddPlayer{UserID: 1})
		apply(t, b, id, T.AddPlayer{UserID: 2})
	}
	if got := ids(1); !slices.Equal(got, []int64{5, 6, 7}) {
		t.Fatalf("player 1 in %v, want [5 6 7]", got)
	}
	apply(t, b, 7, T.RemovePlayer{UserID: 1})
	apply(t, b, 6, T.AddPlayer{UserID: 3})
	apply(t, b, 6, T.CheckIn{UserID: 2})
	apply(t, b, 6, T.CheckIn{UserID: 3})
	apply(t, b, 6, T.Start{}) // player 1 did not check in
	if got := ids(1); !slices.Equal(got, []int64{5}) {
		t.Fatalf("player 1 in %v after leaving 7 and missing 6's check-in, want [5]", got)
	}
	st := apply(t, b, 5, T.Start{}).Tournament
	apply(t, b, 5, T.RegisterResult{GameID: 1, WinnerID: st.Game(1).Player1}) // completes it
	if got := ids(2); !slices.Equal(got, []int64{6, 7}) {
		t.Fatalf("player 2 in %v, want [6 7] (5 is completed)", got)
	}
	if _, err := b.Remove(ctx(t), shared.RemoveRequest{ID: 7}); err != nil {
		t.Fatal(err)
	}
	if got := ids(2); !slices.Equal(got, []int64{6}) {
		t.Fatalf("player 2 in %v after 7 was removed, want [6]", got)
	}
	snap, _, _ := T.New(T.CreateParams{ID: 9, Name: "imported", MaxPlayers: 4, CreatorID: 1}, T.Env{Now: time.Now().UTC()})
	snap, _, _ = T.Apply(snap, T.AddPlayer{UserID: 2}, T.Env{Now: time.Now().UTC()})
	if _, err := b.Import(ctx(t), []*T.Tournament{snap}); err != nil {
		t.Fatal(err)
	}
	if got := ids(2); !slices.Equal(got, []int64{6, 9}) {
		t.Fatalf("player 2 in %v after an import, want [6 9]", got)
	}
	if got := ids(99); len(got) != 0 {
		t.Fatalf("a stranger is in %v", got)
	}
	_, err := idx.PlayerTournaments(ctx(t), 0)
	wantCode(t, err, T.ErrInvalidArgument)
}

// testSidesAndSeeds: a round robin's rounds are FIDE's Berger table's, in
// order (6 players: round 2 is 6-4, 5-3, 1-2), through export and import;
// a higher_seed timeout advances the better seed by number whatever its
// side, in the losers' bracket and after upsets.
func testSidesAndSeeds(t *testing.T, f Factory) {
	b := f(t, Settings{GameTimeout: time.Millisecond})
	if _, err := b.Create(ctx(t),
		shared.CreateRequest{Params: T.CreateParams{ID: 70, Name: "berger", MaxPlayers: 6, CreatorID: 1,
			Format: T.RoundRobin}}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 6; u++ {
		apply(t, b, 70, T.AddPlayer{UserID: u})
	}
	tr := apply(t, b, 70, T.Start{}).Tournament
	want := [][]int64{{1, 6, 2, 5, 3, 4}, {6, 4, 5, 3, 1, 2}, {2, 6, 3, 1, 4, 5}}
	for k := range want {
		if got := tr.Rounds[k].Slots; fmt.Sprint(got) != fmt.Sprint(want[k]) {
			t.Fatalf("round %d pairs %v, FIDE's table %v", k+1, got, want[k])
		}
		for _, g := range tr.ActiveGames() {
			tr = apply(t, b, 70, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player1}).Tournament
		}
	}
	dst := f(t, Settings{})
	if _, err := dst.Import(ctx(t), []*T.Tournament{tr}); err != nil {
		t.Fatalf("import: %v", err)
	}
	back, err := dst.Get(ctx(t), 70)
	if err != nil || string(back.AppendJSON(nil)) != string(tr.AppendJSON(nil)) {
		t.Fatalf("export/import changed the tournament: %v", err)
	}

	if _, err := b.Create(ctx(t),
		shared.CreateRequest{Params: T.CreateParams{ID: 72, Name: "de", MaxPlayers: 8, CreatorID: 1,
			Format: T.DoubleElimination}}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1001); u <= 1008; u++ {
		apply(t, b, 72, T.AddPlayer{UserID: u})
	}
	tr = apply(t, b, 72, T.Start{}).Tournament
	swapped := 0
	for step := 0; tr.Status == T.StatusActive; step++ {
		if step%3 != 2 { // upsets: player_2 wins
			g := tr.ActiveGames()[0]
			tr = apply(t, b, 72, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}).Tournament
			continue
		}
		before := tr
		time.Sleep(3 * time.Millisecond)
		tr = apply(t, b, 72, T.ResolveTimeouts{Policy: T.TimeoutHigherSeed}).Tournament
		for _, o := range before.ActiveGames() {
			better := o.Player1
			if before.SeedOf(o.Player2) < before.SeedOf(o.Player1) {
				better = o.Player2
				swapped++
			}
			if g := tr.Game(o.GameID); g.Status != T.GameTimedOut || *g.WinnerID != better {
				t.Fatalf("game %d (seeds %d v %d) timed out for %v, want the better seed %d", o.GameID,
					before.SeedOf(o.Player1), before.SeedOf(o.Player2), g.WinnerID, better)
			}
		}
	}
	if swapped == 0 {
		t.Fatal("no timed-out game had the better seed as player_2")
	}
}

// testMishaps: a correction next to a disqualified player keeps the game
// ids and results its players keep, and the same correction undone gives
// every game back, as stored by the backend.
func testMishaps(t *testing.T, f Factory) {
	b := f(t, Settings{})
	startedWith(t, b, 80, 8) // 1001 v 1008, 1004 v 1005, 1002 v 1007, 1003 v 1006
	for g, w := range map[int64]int64{1: 1001, 2: 1004, 3: 1002, 4: 1003} {
		apply(t, b, 80, T.RegisterResult{GameID: g, WinnerID: w})
	}
	apply(t, b, 80, T.Disqualify{UserID: 1005})
	apply(t, b, 80, T.RegisterResult{GameID: 6, WinnerID: 1002})
	apply(t, b, 80, T.RegisterResult{GameID: 5, WinnerID: 1001})
	final := apply(t, b, 80, T.RegisterResult{GameID: 7, WinnerID: 1001}).Tournament
	if final.Status != T.StatusCompleted {
		t.Fatalf("not completed: %s", final.Status)
	}
	corrected := apply(t, b, 80, T.CorrectResult{GameID: 2, WinnerID: 1005}).Tournament
	if corrected.Status != T.StatusCompleted || *corrected.WinnerID != 1001 || *corrected.Game(7).WinnerID != 1001 {
		t.Fatalf("the final lost its result: %s", corrected.AppendJSON(nil))
	}
	if g := corrected.Game(5); g.Player2 != 1005 || !g.Forfeit || !g.ByDeparture {
		t.Fatalf("game 5 should be a walkover over the disqualified 1005: %+v", g)
	}
	back := apply(t, b, 80, T.CorrectResult{GameID: 2, WinnerID: 1004}).Tournament
	for ri := range final.Rounds {
		for gi, g := range final.Rounds[ri].Games {
			n := back.Rounds[ri].Games[gi]
			if n.GameID != g.GameID || n.Player1 != g.Player1 || n.Player2 != g.Player2 || *n.WinnerID != *g.WinnerID {
				t.Fatalf("corrected and back: game %+v, was %+v", n, g)
			}
		}
	}
	stored, err := b.Get(ctx(t), 80)
	if err != nil || string(stored.AppendJSON(nil)) != string(back.AppendJSON(nil)) {
		t.Fatalf("the stored state is not the answer: %v", err)
	}
}
