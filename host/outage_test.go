package host

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

func memoryConfig(t *testing.T) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Log.Level, cfg.Host.Fallback, cfg.Host.SweepInterval, cfg.Host.DataDir = "error", config.FallbackMemory, time.Hour, t.TempDir()
	return cfg
}

// A host that dies on the fallback loses nothing it acknowledged: the next
// host started on the same data directory serves the outage's state from
// its log while the primary is down, and writes it back when it returns.
func TestHostRestartedOnTheFallbackWritesBackItsOutageLog(t *testing.T) {
	cfg := memoryConfig(t)
	p := memory.New(memory.Options{})
	f := &flaky{Backend: p}
	r := startRig(t, cfg, f, p)
	r.pending(t, 1, 10, 11)
	f.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	rating := 1820.0
	if _, err := r.h.AddParticipant(bg, 1, tournament.Entrant{UserID: 12, Name: "Ann", Rating: &rating,
		Meta: []byte(`{"club":"x"}`), Members: []int64{121}}); err != nil {
		t.Fatal(err)
	}
	name := "Ten"
	if _, err := r.h.UpdateParticipant(bg, 1, tournament.UpdateParticipant{UserID: 10, PlayerName: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.h.SwapSeeds(bg, 1, 12, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := r.h.Start(bg, 1, tournament.Start{Seeding: tournament.SeedingManual}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.h.CreateTournament(bg, tournament.CreateParams{ID: 2, Name: "offline", MaxPlayers: 4, CreatorID: 1,
		Participants: []tournament.Entrant{{UserID: 5, Name: "Five"}}}); err != nil {
		t.Fatal(err)
	}
	acked, err := r.h.GetTournament(bg, 1)
	if err != nil {
		t.Fatal(err)
	}
	_ = r.h.Close() // the host is gone, and its in-memory fallback with it

	r2 := startRig(t, cfg, f, p)
	if s := r2.h.router.State(); s != failover.StateFallback {
		t.Fatalf("a host restarted with an unfinished outage is %s, want fallback", s)
	}
	got, err := r2.h.GetTournament(bg, 1)
	if err != nil || got.Version != acked.Version || !slices.Equal(got.Seeds, acked.Seeds) {
		t.Fatalf("served after the restart: %+v %v, want version %d", got, err, acked.Version)
	}
	f.down.Store(false)
	r2.waitMode(t, failover.StatePrimary)
	stored, err := p.Get(bg, 1)
	if err != nil || stored.Version != acked.Version || !slices.Equal(stored.Seeds, acked.Seeds) {
		t.Fatalf("written back: %+v %v", stored, err)
	}
	if !slices.Equal(stored.Seeds, []int64{12, 11, 10}) || !reflect.DeepEqual(stored.Participants, acked.Participants) ||
		stored.DisplayName(10) != "Ten" {
		t.Fatalf("written back: seeds %v, records %+v; acknowledged %+v", stored.Seeds, stored.Participants, acked.Participants)
	}
	if t2, err := p.Get(bg, 2); err != nil || t2.DisplayName(5) != "Five" {
		t.Fatalf("the tournament created on the fallback: %v", err)
	}
	if st := r2.h.Status(bg); st.Failover.PendingWriteBack != 0 || st.Failover.Conflicts != 0 {
		t.Fatalf("status after the write-back: %+v", st.Failover)
	}
}

// Emptying the fallback after failback is not a removal: a subscriber sees
// no tournament_removed and goes on receiving the tournament's events.
func TestFailbackEmitsNoRemovalToSubscribers(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	events := r.h.Events(ctx, 1, "")
	time.Sleep(50 * time.Millisecond)
	if _, err := r.h.AddPlayer(bg, 1, 11); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	time.Sleep(100 * time.Millisecond) // the subscription moves to the primary
	if _, err := r.h.AddPlayer(bg, 1, 12); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the event channel closed at failback")
			}
			if e.Event.Type == tournament.EventTournamentRemoved {
				t.Fatal("failback emitted tournament_removed")
			}
			if e.Event.Type == tournament.EventPlayerJoined && e.Event.PlayerID == 12 {
				return
			}
		case <-deadline:
			t.Fatal("no event after failback")
		}
	}
}

// Import is a write the primary alone takes: never acknowledged on the
// fallback (where failback would lose it) nor on the read-only one.
func TestImportIsRefusedOnTheFallback(t *testing.T) {
	for _, mode := range []string{config.FallbackMemory, config.FallbackReadonly} {
		r := newRig(t, mode)
		snap := r.pending(t, 1, 10)
		r.flaky.down.Store(true)
		r.waitMode(t, failover.StateFallback)
		changed := snap.Clone()
		changed.Name = "imported"
		if _, err := r.h.Import(bg, []*tournament.Tournament{changed}); !errors.Is(err, tournament.ErrUnavailable) {
			t.Fatalf("%s: import on the fallback: %v, want unavailable", mode, err)
		}
		if got, _ := r.h.GetTournament(bg, 1); got == nil || got.Name != "x" {
			t.Fatalf("%s: the refused import changed what is served: %+v", mode, got)
		}
	}
}

// A tournament another host removed (its tombstone since expired) is not
// brought back by failback from a primary that lost nothing.
func TestFailbackDoesNotResurrectWhatThePrimaryDidNotLose(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	r.pending(t, 2, 10)
	// Another host removes 1; its tombstone expires (discard: no tombstone).
	if _, err := r.primary.Reconcile(bg, shared.ReconcileRequest{TournamentID: 1, Mode: shared.ReconcileDiscard}); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.AddPlayer(bg, 2, 11); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	if _, err := r.primary.Get(bg, 1); !errors.Is(err, tournament.ErrNotFound) {
		t.Fatalf("a tournament removed elsewhere came back: %v", err)
	}
}

// A primary that restarted empty gets back what the host knows, except
// what the host saw removed and what is older than TOURNAMENT_TTL.
func TestRestoreSkipsRemovedAndExpiredTournaments(t *testing.T) {
	cfg := memoryConfig(t)
	cfg.Store.TournamentTTL = 2500 * time.Millisecond
	p := memory.New(memory.Options{TournamentTTL: time.Hour})
	f := &flaky{Backend: p}
	r := startRig(t, cfg, f, p)
	r.pending(t, 1, 10) // will be older than the TTL
	time.Sleep(2600 * time.Millisecond)
	r.pending(t, 2, 10)
	r.pending(t, 3, 10)
	if err := r.h.RemoveTournament(bg, 3); err != nil {
		t.Fatal(err)
	}
	// Redis restarts empty: a new epoch and no data.
	f.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	_, _ = p.Reconcile(bg, shared.ReconcileRequest{Mode: shared.ReconcileDiscard})
	f.epoch.Store("after-restart")
	f.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	if _, err := p.Get(bg, 2); err != nil {
		t.Fatalf("a live tournament the primary lost was not restored: %v", err)
	}
	if _, err := p.Get(bg, 1); !errors.Is(err, tournament.ErrNotFound) {
		t.Fatalf("a tournament older than TOURNAMENT_TTL was restored: %v", err)
	}
	if _, err := p.Get(bg, 3); !errors.Is(err, tournament.ErrNotFound) {
		t.Fatalf("a removed tournament was restored: %v", err)
	}
}

// A primary that comes back with an older copy (an old RDB snapshot) is
// brought forward to what the host saw; one that another host wrote on
// since is recorded as a conflict. Neither is kept silently.
func TestAnOlderCopyIsBroughtForwardOrRecorded(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	old := r.pending(t, 1, 101)
	r.pending(t, 2, 101)
	if _, err := r.h.AddPlayer(bg, 1, 102); err != nil {
		t.Fatal(err)
	}
	seen, err := r.h.AddPlayer(bg, 1, 103)
	if err != nil {
		t.Fatal(err)
	}
	old2, _ := r.primary.Get(bg, 2)
	if _, err := r.h.AddPlayer(bg, 2, 102); err != nil {
		t.Fatal(err)
	}
	// Redis restarts from the snapshot taken after the first join.
	if _, err := r.primary.Import(bg, []*tournament.Tournament{old, old2}); err != nil {
		t.Fatal(err)
	}
	// Another host writes on top of tournament 2's old copy.
	time.Sleep(5 * time.Millisecond)
	if _, err := r.primary.Apply(bg, shared.ApplyRequest{TournamentID: 2, Command: tournament.AddPlayer{UserID: 555}}); err != nil {
		t.Fatal(err)
	}
	r.flaky.epoch.Store("restarted")
	if got := r.waitStoredVersion(t, 1, seen.Version); !slices.Equal(got.Players, []int64{101, 102, 103}) {
		t.Fatalf("brought forward to %v", got.Players)
	}
	r.waitMode(t, failover.StatePrimary)
	cs, _ := r.primary.Conflicts(bg, 2)
	if got, _ := r.primary.Get(bg, 2); len(cs) != 1 || !slices.Contains(got.Players, 555) {
		t.Fatalf("another history on an older copy: conflicts %+v, stored %v", cs, got.Players)
	}
}

// More tournaments changed in one outage than the snapshot cache holds are
// all written back: the outage log, not the cache, holds them.
func TestAnOutageLargerThanTheCacheIsWrittenBackWhole(t *testing.T) {
	cfg := memoryConfig(t)
	cfg.Host.CacheSize = 5
	p := memory.New(memory.Options{})
	r := startRig(t, cfg, &flaky{Backend: p}, p)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	for id := int64(1); id <= 12; id++ {
		if _, err := r.h.CreateTournament(bg, tournament.CreateParams{ID: id, Name: "n", MaxPlayers: 4, CreatorID: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.h.AddPlayer(bg, id, 7); err != nil {
			t.Fatal(err)
		}
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	for id := int64(1); id <= 12; id++ {
		if got, err := p.Get(bg, id); err != nil || len(got.Players) != 1 {
			t.Fatalf("tournament %d after failback: %+v %v", id, got, err)
		}
	}
}

// One tournament that cannot be written back (a bug, not an outage) is set
// aside as a conflict; the others are written back and the host returns to
// the primary.
func TestOneBadTournamentDoesNotBlockFailback(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.outage(t, 1, 2)
	r.flaky.badID.Store(1)
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	if got, _ := r.primary.Get(bg, 2); len(got.Players) != 2 {
		t.Fatalf("the good tournament was not written back: %v", got.Players)
	}
	st := r.h.Status(bg).Failover
	if st.SetAside != 1 || st.PendingWriteBack != 0 {
		t.Fatalf("failover status %+v", st)
	}
	if n := r.h.router.SetAsideRecords(); n != 1 {
		t.Fatalf("%d records kept aside on disk, want 1", n)
	}
}

// Only an unreachable store fails the host over: a full store, a bug and a
// caller's own short deadline do not.
func TestOnlyUnreachableStoresTripTheBreaker(t *testing.T) {
	for name, refuse := range map[string]error{
		"store full": &tournament.Error{Code: tournament.CodeUnavailable, Reason: shared.ReasonStoreFull, Message: "OOM"},
		"misconfig":  tournament.Errorf(tournament.CodeInternal, "NOPERM"),
	} {
		r := newRig(t, config.FallbackMemory)
		r.pending(t, 1, 10)
		r.flaky.refuse.Store(refuse)
		for range 5 {
			if _, err := r.h.AddPlayer(bg, 1, 11); err == nil {
				t.Fatalf("%s: a refused write was acknowledged", name)
			}
		}
		time.Sleep(3 * failover.ProbeInterval)
		if s := r.h.router.State(); s != failover.StatePrimary {
			t.Fatalf("%s: the host failed over (%s)", name, s)
		}
		if st := r.h.Status(bg); st.Ready {
			t.Fatalf("%s: a refusing primary is reported ready", name)
		}
	}
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	for range 10 {
		ctx, cancel := context.WithTimeout(bg, time.Nanosecond)
		_, _ = r.h.GetTournament(ctx, 1)
		cancel()
	}
	if s := r.h.router.State(); s != failover.StatePrimary {
		t.Fatalf("callers' own deadlines failed the host over (%s)", s)
	}
}

// A write-back whose reply was lost is recognised by its write id when it
// is retried: no conflict, nothing lost, even though the primary moved on
// meanwhile.
func TestARetriedWriteBackIsRecognised(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10, 11)
	if _, err := r.h.StartTournament(bg, 1, false); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.AddPlayer(bg, 1, 99); !errors.Is(err, tournament.ErrFailedPrecondition) {
		t.Fatalf("join after start: %v", err)
	}
	if _, err := r.h.RegisterResult(bg, 1, 1, 10, 0); err != nil {
		t.Fatal(err)
	}
	r.flaky.loseReplies.Store(1)
	r.flaky.down.Store(false)
	// The first write-back lands, its reply is lost and the host goes back
	// to the fallback; then Redis answers again.
	deadline := time.Now().Add(5 * time.Second)
	for r.flaky.loseReplies.Load() >= 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if got.Status != tournament.StatusCompleted || *got.WinnerID != 10 || r.h.Status(bg).Failover.Conflicts != 0 {
		t.Fatalf("after the retried write-back: status %s winner %v conflicts %d", got.Status, got.WinnerID,
			r.h.Status(bg).Failover.Conflicts)
	}
}

// A split brain loses only what conflicts: every outage change that still
// applies on the primary's newer state is kept, and only the others are
// recorded.
func TestMergeKeepsEveryChangeThatStillApplies(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10, 11, 12, 13)
	if _, err := r.h.StartTournament(bg, 1, false); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	// Game 1 is 10 v 13, game 2 is 11 v 12 (seeds 1-4, 2-3).
	if _, err := r.h.RegisterResult(bg, 1, 1, 10, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.h.RegisterResult(bg, 1, 2, 11, 0); err != nil {
		t.Fatal(err)
	}
	// Another host, still on Redis, registers game 1 the other way.
	if _, err := r.primary.Apply(bg,
		shared.ApplyRequest{TournamentID: 1, Command: tournament.RegisterResult{GameID: 1, WinnerID: 13}}); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if g1, g2 := got.Game(1), got.Game(2); *g1.WinnerID != 13 || g2.Status != tournament.GameFinished || *g2.WinnerID != 11 {
		t.Fatalf("merged: game 1 %+v, game 2 %+v", g1, g2)
	}
	if got.Game(3) == nil {
		t.Fatal("the final was not created from the merged results")
	}
	cs, _ := r.primary.Conflicts(bg, 1)
	if len(cs) != 1 || len(cs[0].Rejected) != 1 || r.h.Status(bg).Failover.Conflicts != 1 {
		t.Fatalf("conflicts %+v", cs)
	}
}

// A random timeout decided on the fallback is replayed with the same
// winner when the merge replays the outage on the primary's newer state.
func TestReplayKeepsTheDecidedTimeoutWinners(t *testing.T) {
	cfg := memoryConfig(t)
	cfg.Store.GameTimeout = time.Millisecond
	p := memory.New(memory.Options{GameTimeout: time.Millisecond})
	r := startRig(t, cfg, &flaky{Backend: p}, p)
	const n = 10
	for id := int64(1); id <= n; id++ {
		r.pending(t, id, 10, 11, 12, 13)
		if _, err := r.h.StartTournament(bg, id, false); err != nil {
			t.Fatal(err)
		}
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	time.Sleep(5 * time.Millisecond)
	chosen := map[int64]int64{}
	for id := int64(1); id <= n; id++ {
		got, err := r.h.apply(bg, id, tournament.ResolveTimeouts{Policy: tournament.TimeoutRandom})
		if err != nil {
			t.Fatal(err)
		}
		chosen[id] = *got.Game(1).WinnerID
		// Meanwhile another host changes something else on Redis.
		if _, err := p.Apply(bg,
			shared.ApplyRequest{TournamentID: id, Command: tournament.RegisterResult{GameID: 2, WinnerID: 11}}); err != nil {
			t.Fatal(err)
		}
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	for id := int64(1); id <= n; id++ {
		got, _ := p.Get(bg, id)
		if g := got.Game(1); g.Status != tournament.GameTimedOut || *g.WinnerID != chosen[id] {
			t.Fatalf("tournament %d: game 1 replayed as %s winner %d, decided %d", id, g.Status, *g.WinnerID, chosen[id])
		}
	}
}

// During failback, calls about tournaments already settled (or untouched
// by the outage) go to the primary at once, while the rest are still being
// written back.
func TestCallsFlowToThePrimaryDuringFailback(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 100, 10) // untouched by the outage
	r.outage(t, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	if _, err := r.h.GetTournament(bg, 100); err != nil { // imported into the fallback
		t.Fatal(err)
	}
	r.flaky.slowWrites.Store(int64(100 * time.Millisecond))
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StateFailingBack)
	// Another host changes the untouched tournament on Redis; this host
	// must read it from Redis now, not wait nor serve its stale copy.
	if _, err := r.primary.Apply(bg, shared.ApplyRequest{TournamentID: 100, Command: tournament.AddPlayer{UserID: 77}}); err != nil {
		t.Fatal(err)
	}
	got, err := r.h.GetTournament(bg, 100)
	if err != nil || !slices.Contains(got.Players, 77) {
		t.Fatalf("read during failback: %+v %v", got, err)
	}
	if s := r.h.router.State(); s != failover.StateFailingBack {
		t.Fatalf("the read waited for failback to end (%s)", s)
	}
	// A pending tournament is settled before its call goes to the primary.
	got, err = r.h.AddPlayer(bg, 10, 12)
	if err != nil || !slices.Equal(got.Players, []int64{10, 11, 12}) {
		t.Fatalf("a write during failback: %+v %v", got, err)
	}
	r.waitMode(t, failover.StatePrimary)
	for id := int64(1); id <= 10; id++ {
		if got, _ := r.primary.Get(bg, id); !slices.Contains(got.Players, 11) {
			t.Fatalf("tournament %d lost its outage change", id)
		}
	}
}

// An event id the serving backend did not issue (a Redis id resumed on the
// fallback) gets a resync, never silence or a replay of the whole history;
// a garbage id is invalid_argument.
func TestForeignEventIDsGetAResync(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	var last string
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	_ = r.h.Subscribe(ctx, 1, "0", func(e shared.StreamEvent) error { last = e.ID; return errors.New("stop") })
	if len(last) < 3 || last[:2] != "p:" {
		t.Fatalf("a primary event id %q does not name the primary", last)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	var got []shared.StreamEvent
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = r.h.AddPlayer(bg, 1, 11)
	}()
	_ = r.h.Subscribe(ctx, 1, last, func(e shared.StreamEvent) error {
		got = append(got, e)
		if len(got) == 2 {
			return errors.New("stop")
		}
		return nil
	})
	if len(got) != 2 || got[0].Event.Type != EventResync || got[1].Event.Type != tournament.EventPlayerJoined || got[1].ID[0] != 'f' {
		t.Fatalf("resuming a primary id on the fallback: %+v", got)
	}
	if err := r.h.Subscribe(ctx, 1, "garbage", func(shared.StreamEvent) error { return nil }); !errors.Is(err,
		tournament.ErrInvalidArgument) {
		t.Fatalf("a garbage event id: %v", err)
	}
}

// Every transition is emitted to watchers, in order, with its cause.
func TestTransitionsAreEmitted(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	events := r.h.FailoverEvents(ctx)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	var got []string
	for len(got) < 3 {
		select {
		case tr := <-events:
			got = append(got, tr.From+">"+tr.To)
			if tr.To == "fallback" && tr.Cause == "" {
				t.Error("the failover names no cause")
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("transitions so far: %v", got)
		}
	}
	if want := []string{"primary>fallback", "fallback>failing_back", "failing_back>primary"}; !slices.Equal(got, want) {
		t.Fatalf("transitions %v, want %v", got, want)
	}
	if st := r.h.Status(bg).Failover; len(st.Transitions) != 3 || st.State != "primary" {
		t.Fatalf("status %+v", st)
	}
}

// The sweeper warns a game's players once when its deadline is within
// TOURNEY_DEADLINE_WARNING, through the Events channel.
func TestTheSweeperWarnsOfNearDeadlines(t *testing.T) {
	cfg := config.Default()
	cfg.Log.Level, cfg.Host.SweepInterval, cfg.Host.DeadlineWarn, cfg.Host.Fallback = "error", time.Hour, 1500*time.Millisecond, config.FallbackOff
	h, err := New(Options{Config: cfg, Backend: memory.New(memory.Options{GameTimeout: 2 * time.Second}), BackendName: "memory"})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.CreateTournament(bg, tournament.CreateParams{ID: 1, Name: "w", MaxPlayers: 2, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	h.AddPlayer(bg, 1, 10)
	h.AddPlayer(bg, 1, 11)
	if _, err := h.StartTournament(bg, 1, false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	events := h.Events(ctx, 1, "")
	time.Sleep(100 * time.Millisecond)
	h.SweepOnce(bg) // deadline in ~1.9 s: not yet
	time.Sleep(600 * time.Millisecond)
	h.SweepOnce(bg) // deadline in ~1.3 s: warn
	h.SweepOnce(bg) // once only
	warnings := 0
	for {
		select {
		case e := <-events:
			if e.Event.Type == tournament.EventGameDeadlineWarning {
				warnings++
				if !slices.Equal(e.Event.Players, []int64{10, 11}) || e.Event.Deadline == nil {
					t.Fatalf("warning %+v", e.Event)
				}
			}
		case <-time.After(500 * time.Millisecond):
			if warnings != 1 {
				t.Fatalf("%d warnings, want 1", warnings)
			}
			return
		}
	}
}

// A correction since the older copy re-decided a game the copy holds
// decided the other way: the copy is still an ancestor (the correction
// says so) and is brought forward, not recorded as another history.
func TestAnOlderCopyBeforeACorrectionIsBroughtForward(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 101, 102, 103, 104)
	tr, err := r.h.StartTournament(bg, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	g := tr.Rounds[0].Games[0]
	if _, err := r.h.RegisterResult(bg, 1, g.GameID, g.Player1, 0); err != nil {
		t.Fatal(err)
	}
	old, _ := r.primary.Get(bg, 1) // the snapshot Redis will come back from
	seen, _, err := r.h.CorrectResult(bg, 1, tournament.CorrectResult{GameID: g.GameID, WinnerID: g.Player2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.primary.Import(bg, []*tournament.Tournament{old}); err != nil {
		t.Fatal(err)
	}
	r.flaky.epoch.Store("restarted")
	if w := r.waitStoredVersion(t, 1, seen.Version).Game(g.GameID).WinnerID; w == nil || *w != g.Player2 {
		t.Fatalf("brought forward without the correction: winner %v", w)
	}
	if cs, _ := r.primary.Conflicts(bg, 1); len(cs) != 0 {
		t.Fatalf("recorded as a conflict: %+v", cs)
	}
}

// waitStoredVersion waits until the primary holds tournament id at version
// (an older copy brought forward) and returns it.
func (r *failoverRig) waitStoredVersion(t *testing.T, id, version int64) *tournament.Tournament {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := r.primary.Get(bg, id)
		if err == nil && got.Version == version {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the older copy was kept: %+v %v (want version %d)", got, err, version)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
