package host

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// flaky is a backend that can be made to fail as a dead Redis would.
type flaky struct {
	shared.Backend
	down        atomic.Bool
	epoch       atomic.Value // string: overrides the backend's epoch (a Redis restart)
	refuse      atomic.Value // error: returned by every call instead of serving (a full or misconfigured store)
	loseReplies atomic.Int32 // cas write-backs that land but whose reply is lost
	badID       atomic.Int64 // a tournament whose write-backs fail with a bug
	slowWrites  atomic.Int64 // ns each write-back takes
	failCAS     atomic.Int32 // the cas write-back that finds Redis dead (1 = the next one)
	loseApplies atomic.Int32 // changes that land but whose reply is lost
	loseCreates atomic.Int32 // creates that land but whose reply is lost
}

var errDown = tournament.Errorf(tournament.CodeUnavailable, "redis: connection refused")

func (f *flaky) check() error {
	if f.down.Load() {
		return errDown
	}
	if err, _ := f.refuse.Load().(error); err != nil {
		return err
	}
	return nil
}

func (f *flaky) Create(ctx context.Context, r shared.CreateRequest) (shared.Change, error) {
	if err := f.check(); err != nil {
		return shared.Change{}, err
	}
	c, err := f.Backend.Create(ctx, r)
	if err == nil && f.loseCreates.Load() > 0 && f.loseCreates.Add(-1) >= 0 {
		f.down.Store(true) // Redis dies with the reply
		return shared.Change{}, errDown
	}
	return c, err
}
func (f *flaky) Apply(ctx context.Context, r shared.ApplyRequest) (shared.Change, error) {
	if err := f.check(); err != nil {
		return shared.Change{}, err
	}
	c, err := f.Backend.Apply(ctx, r)
	if err == nil && f.loseApplies.Load() > 0 && f.loseApplies.Add(-1) >= 0 {
		f.down.Store(true) // Redis dies with the reply
		return shared.Change{}, errDown
	}
	return c, err
}
func (f *flaky) Get(ctx context.Context, id int64) (*tournament.Tournament, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.Backend.Get(ctx, id)
}
func (f *flaky) List(ctx context.Context) ([]tournament.Summary, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.Backend.List(ctx)
}
func (f *flaky) Remove(ctx context.Context, r shared.RemoveRequest) (shared.Change, error) {
	if err := f.check(); err != nil {
		return shared.Change{}, err
	}
	return f.Backend.Remove(ctx, r)
}
func (f *flaky) Health(ctx context.Context) (shared.HealthReport, error) {
	if err := f.check(); err != nil {
		return shared.HealthReport{}, err
	}
	rep, err := f.Backend.Health(ctx)
	if e, _ := f.epoch.Load().(string); e != "" {
		rep.Epoch = e
	}
	return rep, err
}
func (f *flaky) Conflicts(ctx context.Context, id int64) ([]shared.Conflict, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.Backend.(shared.Reconciler).Conflicts(ctx, id)
}
func (f *flaky) Reconcile(ctx context.Context, r shared.ReconcileRequest) (shared.ReconcileResult, error) {
	if err := f.check(); err != nil {
		return shared.ReconcileResult{}, err
	}
	if r.TournamentID != 0 && r.TournamentID == f.badID.Load() && r.Mode != shared.ReconcileConflict {
		return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInternal, "redis: ERR script bug")
	}
	time.Sleep(time.Duration(f.slowWrites.Load()))
	if r.Mode == shared.ReconcileCAS && f.failCAS.Load() > 0 && f.failCAS.Add(-1) == 0 {
		f.down.Store(true)
		return shared.ReconcileResult{}, errDown
	}
	res, err := f.Backend.(shared.Reconciler).Reconcile(ctx, r)
	if err == nil && r.Mode == shared.ReconcileCAS && res.Outcome == shared.OutcomeWritten && f.loseReplies.Add(-1) >= 0 {
		f.down.Store(true) // the connection dies with the reply
		return shared.ReconcileResult{}, errDown
	}
	return res, err
}

type failoverRig struct {
	h       *Host
	primary *memory.Backend // the "Redis" other processes also write to
	flaky   *flaky
}

func newRig(t *testing.T, fallback string) *failoverRig {
	t.Helper()
	cfg := config.Default()
	cfg.Log.Level, cfg.Host.Fallback, cfg.Host.SweepInterval, cfg.Host.DataDir = "error", fallback, time.Hour, t.TempDir()
	p := memory.New(memory.Options{})
	return startRig(t, cfg, &flaky{Backend: p}, p)
}

// startRig starts a host on f (whose store is p) with a fresh fallback.
func startRig(t *testing.T, cfg config.Config, f *flaky, p *memory.Backend) *failoverRig {
	t.Helper()
	opts := Options{Config: cfg, Backend: f, BackendName: "redis"}
	if cfg.Host.Fallback == config.FallbackMemory {
		opts.Fallback = memory.New(memory.Options{})
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return &failoverRig{h: h, primary: p, flaky: f}
}

var bg = context.Background()

func (r *failoverRig) waitMode(t *testing.T, m failover.State) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for r.h.router.State() != m {
		if time.Now().After(deadline) {
			t.Fatalf("the host did not switch to %s (it is %s)", m, r.h.router.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *failoverRig) pending(t *testing.T, id int64, players ...int64) *tournament.Tournament {
	t.Helper()
	tr, err := r.h.CreateTournament(bg, tournament.CreateParams{ID: id, Name: "x", MaxPlayers: 8, CreatorID: 1})
	for _, p := range players {
		if err == nil {
			tr, err = r.h.AddPlayer(bg, id, p)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// outage creates tournaments ids on the primary (player 10 each), takes
// the primary down, and adds player 11 to each on the fallback.
func (r *failoverRig) outage(t *testing.T, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		r.pending(t, id, 10)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	for _, id := range ids {
		if _, err := r.h.AddPlayer(bg, id, 11); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFailoverServesKnownTournamentsAndWritesThemBack(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	tr, err := r.h.AddPlayer(bg, 1, 11)
	if err != nil || len(tr.Players) != 2 || tr.Version != 3 {
		t.Fatalf("a known tournament on the fallback: %+v %v", tr, err)
	}
	if _, err := r.h.AddPlayer(bg, 99, 1); !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("an unknown tournament on the fallback: %v, want unavailable", err)
	}
	if _, err := r.h.CreateTournament(bg, tournament.CreateParams{ID: 2, Name: "offline", MaxPlayers: 2, CreatorID: 1}); err != nil {
		t.Fatalf("create on the fallback: %v", err)
	}
	if list, _ := r.h.ListTournaments(bg); len(list) != 2 {
		t.Fatalf("list on the fallback: %+v", list)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, err := r.primary.Get(bg, 1)
	if err != nil || got.Version != 3 || !slices.Equal(got.Players, []int64{10, 11}) {
		t.Fatalf("written back: %+v %v", got, err)
	}
	if _, err := r.primary.Get(bg, 2); err != nil {
		t.Fatalf("created offline, then: %v", err)
	}
	st := r.h.Status(bg)
	if st.Failover.Failovers != 1 || st.Failover.Failbacks != 1 || st.Failover.Conflicts != 0 || st.Backend != "redis" {
		t.Fatalf("status %+v", st)
	}
}

func TestFailbackMergesChangesThatStillApply(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.AddPlayer(bg, 1, 11); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another process, still on Redis, adds a player too.
	if _, err := r.primary.Apply(bg, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 12}}); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if got.Version != 4 || !slices.Equal(got.Players, []int64{10, 12, 11}) {
		t.Fatalf("merged state: version %d players %v, want 4 and [10 12 11]", got.Version, got.Players)
	}
	if st := r.h.Status(bg); st.Failover.Conflicts != 0 {
		t.Fatalf("a mergeable change was recorded as a conflict")
	}
}

func TestFailbackRecordsAConflictThatCannotMerge(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10, 11)
	if _, err := r.h.StartTournament(bg, 1, false); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.RegisterResult(bg, 1, 1, 10, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.primary.Apply(bg,
		shared.ApplyRequest{TournamentID: 1, Command: tournament.RegisterResult{GameID: 1, WinnerID: 11}}); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if *got.WinnerID != 11 {
		t.Fatalf("the primary's result lost: winner %d", *got.WinnerID)
	}
	cs, _ := r.h.Conflicts(bg, 1)
	if len(cs) != 1 || *cs[0].Snapshot.WinnerID != 10 || r.h.Status(bg).Failover.Conflicts != 1 {
		t.Fatalf("conflicts %+v", cs)
	}
	if now, _ := r.h.GetTournament(bg, 1); *now.WinnerID != 11 {
		t.Fatal("the host still reports its losing state")
	}
}

func TestRemovalDuringOutageIsWrittenBackAndNotResurrected(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	r.pending(t, 2, 10)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if err := r.h.RemoveTournament(bg, 1); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	if _, err := r.primary.Get(bg, 1); !errors.Is(err, tournament.ErrNotFound) {
		t.Fatalf("a tournament removed during the outage is back: %v", err)
	}
	if _, err := r.primary.Get(bg, 2); err != nil {
		t.Fatal(err)
	}
}

func TestReadonlyFallbackServesReadsOnly(t *testing.T) {
	r := newRig(t, config.FallbackReadonly)
	r.pending(t, 1, 10)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if tr, err := r.h.GetTournament(bg, 1); err != nil || len(tr.Players) != 1 {
		t.Fatalf("read on readonly: %+v %v", tr, err)
	}
	var de *tournament.Error
	if _, err := r.h.AddPlayer(bg, 1, 11); !errors.As(err, &de) || de.Code != tournament.CodeUnavailable || de.Reason != ReasonNotApplied {
		t.Fatalf("write on readonly: %v (want unavailable, not applied)", err)
	}
	if !r.h.Status(bg).Ready {
		t.Fatal("a readonly host serving reads is not ready")
	}
}

func TestOffFallbackRefusesEverything(t *testing.T) {
	r := newRig(t, config.FallbackOff)
	r.pending(t, 1, 10)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.GetTournament(bg, 1); !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("read with fallback off: %v", err)
	}
	if st := r.h.Status(bg); st.Ready || st.Backend != "none" {
		t.Fatalf("status with fallback off: %+v", st)
	}
	// Refused before any store saw it: the caller may retry as it is.
	var de *tournament.Error
	if _, err := r.h.AddPlayer(bg, 1, 11); !errors.As(err, &de) || de.Reason != ReasonNotApplied {
		t.Fatalf("write with fallback off: %v (want the not_applied reason)", err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	if _, err := r.h.AddPlayer(bg, 1, 11); err != nil {
		t.Fatal(err)
	}
}

// A failback that stops half-way (Redis fails again after the first
// tournament is written back) is retried; the tournament written by the
// first attempt and changed again on the fallback since is written back,
// not mistaken for a conflict.
func TestInterruptedFailbackIsRetriedWithoutFalseConflicts(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.outage(t, 1, 2)
	// Write-backs go in id order: the first lands, Redis dies at the second.
	r.flaky.failCAS.Store(2)
	r.flaky.down.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for r.flaky.failCAS.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r.waitMode(t, failover.StateFallback)
	if got, _ := r.primary.Get(bg, 1); len(got.Players) != 2 {
		t.Fatalf("the first write-back did not land: %v", got.Players)
	}
	if _, err := r.h.AddPlayer(bg, 1, 12); err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	one, _ := r.primary.Get(bg, 1)
	two, _ := r.primary.Get(bg, 2)
	if !slices.Equal(one.Players, []int64{10, 11, 12}) || !slices.Equal(two.Players,
		[]int64{10, 11}) || r.h.Status(bg).Failover.Conflicts != 0 {
		t.Fatalf("players %v and %v, conflicts %d", one.Players, two.Players, r.h.Status(bg).Failover.Conflicts)
	}
}

// A double elimination and a Swiss tournament played partly on the
// fallback are written back exactly as played (the outage log replays
// their decided results; Swiss pairings and the losers' bracket are derived
// again from the same results) and go on on Redis.
func TestFailoverCarriesEveryFormat(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	play := func(id int64, n int) *tournament.Tournament {
		t.Helper()
		tr, err := r.h.GetTournament(bg, id)
		for i := 0; i < n && err == nil && tr.Status == tournament.StatusActive; i++ {
			g := tr.ActiveGames()[0]
			tr, err = r.h.RegisterResult(bg, id, g.GameID, g.Player2, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	for id, f := range map[int64]tournament.Format{1: tournament.DoubleElimination, 2: tournament.Swiss} {
		if _, err := r.h.CreateTournament(bg,
			tournament.CreateParams{ID: id, Name: "x", MaxPlayers: 8, CreatorID: 1, Format: f}); err != nil {
			t.Fatal(err)
		}
		for p := int64(1); p <= 7; p++ {
			if _, err := r.h.AddPlayer(bg, id, p); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.h.StartTournament(bg, id, true); err != nil {
			t.Fatal(err)
		}
		play(id, 3)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	played := map[int64]*tournament.Tournament{1: play(1, 5), 2: play(2, 5)}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	for id, want := range played {
		got, err := r.primary.Get(bg, id)
		if err != nil || string(got.AppendJSON(nil)) != string(want.AppendJSON(nil)) {
			t.Fatalf("tournament %d written back as\n%s\nplayed as\n%s (%v)", id, got.AppendJSON(nil), want.AppendJSON(nil), err)
		}
		if done := play(id, 100); done.Status != tournament.StatusCompleted {
			t.Fatalf("tournament %d did not finish on Redis: %s", id, done.Status)
		}
	}
}

// The new commands acknowledged on the fallback (check-in, call, start,
// scores, forfeits, a disqualification, a correction, the end) are written
// back exactly as played.
func TestFailoverWritesBackEveryCommand(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	p := tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 8, CreatorID: 1, Format: tournament.DoubleElimination,
		CheckIn: "10m", BestOf: 3}
	if _, err := r.h.CreateTournament(bg, p); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 6; u++ {
		if _, err := r.h.AddPlayer(bg, 1, u); err != nil {
			t.Fatal(err)
		}
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	must := func(tr *tournament.Tournament, err error) *tournament.Tournament {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	for u := int64(1); u <= 5; u++ {
		must(r.h.CheckIn(bg, 1, u))
	}
	tr := must(r.h.StartTournament(bg, 1, true))
	g := tr.ActiveGames()
	must(r.h.CallGame(bg, 1, g[0].GameID))
	must(r.h.StartGame(bg, 1, g[0].GameID))
	must(r.h.Record(bg, 1,
		tournament.RegisterResult{GameID: g[0].GameID, WinnerID: g[0].Player2, Scores: [][2]int{{3, 11}, {11, 9}, {8, 11}}}))
	if len(g) > 1 {
		must(r.h.Forfeit(bg, 1, g[1].GameID, g[1].Player1))
	}
	tr = must(r.h.GetTournament(bg, 1))
	must(r.h.Disqualify(bg, 1, tr.Seeds[0]))
	if _, _, err := r.h.CorrectResult(bg, 1, tournament.CorrectResult{GameID: g[0].GameID, WinnerID: g[0].Player1}); err != nil {
		t.Fatal(err)
	}
	played := must(r.h.EndTournament(bg, 1))
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, err := r.primary.Get(bg, 1)
	if err != nil || string(got.AppendJSON(nil)) != string(played.AppendJSON(nil)) {
		t.Fatalf("written back as\n%s\nplayed as\n%s (%v)", got.AppendJSON(nil), played.AppendJSON(nil), err)
	}
}

// A tournament the fallback took in during one outage, written on the
// primary while the host failed back, then served by the fallback again:
// the fallback's copy is outdated and must be imported anew, or the
// acknowledged change made on the primary is lost (two answers at one
// version).
func TestAFallbackCopyOutdatedByThePrimaryIsImportedAgain(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10)
	r.pending(t, 2, 10)
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.GetTournament(bg, 1); err != nil { // the fallback takes 1 in
		t.Fatal(err)
	}
	if _, err := r.h.AddPlayer(bg, 2, 11); err != nil { // 2 is in the outage log
		t.Fatal(err)
	}
	r.flaky.slowWrites.Store(int64(3 * time.Second)) // failing back takes a while
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StateFailingBack)
	onPrimary, err := r.h.AddPlayer(bg, 1, 11) // not in the log: straight to the primary
	if err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(true) // the primary fails again
	r.waitMode(t, failover.StateFallback)
	r.flaky.slowWrites.Store(0)
	onFallback, err := r.h.AddPlayer(bg, 1, 12)
	if err != nil {
		t.Fatal(err)
	}
	if onFallback.Version != onPrimary.Version+1 || !slices.Equal(onFallback.Players, []int64{10, 11, 12}) {
		t.Fatalf("on the primary: version %d %v; then on the fallback: version %d %v (the primary's change is lost)",
			onPrimary.Version, onPrimary.Players, onFallback.Version, onFallback.Players)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if !slices.Equal(got.Players, []int64{10, 11, 12}) || got.Version != onFallback.Version {
		t.Fatalf("written back: version %d %v", got.Version, got.Players)
	}
	if c := r.h.Status(bg).Failover.Conflicts; c != 0 {
		t.Fatalf("%d conflicts", c)
	}
}

// A change the primary took but whose answer was lost (Redis died first),
// retried by its caller on the fallback, where it came out otherwise (a
// shuffle drew other seeds), then built on: at failback the primary's one
// extra change is this host's own unanswered one, so the acknowledged
// history replaces it, with no conflict.
func TestAChangeThePrimaryTookUnansweredIsReplacedByTheAcknowledgedRetry(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10, 11, 12, 13, 14, 15, 16, 17)
	r.flaky.loseApplies.Store(1)
	if _, err := r.h.StartTournament(bg, 1, true); !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("the start whose answer is lost: %v", err)
	}
	r.waitMode(t, failover.StateFallback)
	started, err := r.h.StartTournament(bg, 1, true) // the caller retries
	if err != nil {
		t.Fatal(err)
	}
	g := started.ActiveGames()[0]
	played, err := r.h.RegisterResult(bg, 1, g.GameID, g.Player2, 0)
	if err != nil {
		t.Fatal(err)
	}
	onRedis, _ := r.primary.Get(bg, 1)
	if onRedis.Status != tournament.StatusActive {
		t.Fatal("the lost start did not land on the primary")
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if !slices.Equal(got.Seeds, started.Seeds) || got.Version != played.Version || *got.Game(g.GameID).WinnerID != g.Player2 {
		t.Fatalf("written back: seeds %v version %d; the host acknowledged seeds %v and version %d", got.Seeds,
			got.Version, started.Seeds, played.Version)
	}
	if c := r.h.Status(bg).Failover.Conflicts; c != 0 {
		t.Fatalf("%d conflicts", c)
	}
}

// The same departure made on both sides of a split agrees: no conflict. A
// call made on the fallback and merged at failback keeps the deadline it
// had, not one counted from the failback.
func TestFailbackMergesTheSameDepartureAndKeepsACallsDeadline(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10, 11, 12, 13)
	started, err := r.h.StartTournament(bg, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	g1, g2 := started.Rounds[0].Games[0], started.Rounds[0].Games[1]
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	called, err := r.h.CallGame(bg, 1, g1.GameID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.h.Disqualify(bg, 1, g2.Player2); err != nil {
		t.Fatal(err)
	}
	// Meanwhile on Redis another process disqualifies the same player.
	if _, err := r.primary.Apply(bg, shared.ApplyRequest{TournamentID: 1, Command: tournament.Disqualify{UserID: g2.Player2}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the failback's clock is later than the call's
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if g := got.Game(g1.GameID); g.State != tournament.StateCalled || !g.Deadline.Equal(called.Game(g1.GameID).Deadline) {
		t.Fatalf("the call merged at failback: %+v, deadline %v; it was called with deadline %v", g, g.Deadline,
			called.Game(g1.GameID).Deadline)
	}
	if c := r.h.Status(bg).Failover.Conflicts; c != 0 {
		cs, _ := r.primary.Conflicts(bg, 1)
		t.Fatalf("%d conflicts: %+v", c, cs)
	}
}

// A write-back that landed but whose answer was lost (Redis died with it),
// then more changes on the fallback before the next failback: the next
// write-back writes them too. (The write-back's id named the record, not
// what it carried, so the second one was taken for a retry of the first
// and the later changes were dropped.)
func TestChangesAfterAWriteBackThatLandedUnansweredAreWrittenBack(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.outage(t, 1) // player 11 joins on the fallback
	r.flaky.loseReplies.Store(1)
	r.flaky.down.Store(false)
	landed := func() bool { got, _ := r.primary.Get(bg, 1); return slices.Equal(got.Players, []int64{10, 11}) }
	deadline := time.Now().Add(5 * time.Second)
	for !(landed() && r.flaky.down.Load() && r.h.router.State() == failover.StateFallback) { // it landed, its answer was lost
		if time.Now().After(deadline) {
			t.Fatalf("the first write-back did not land unanswered (state %s)", r.h.router.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
	after, err := r.h.AddPlayer(bg, 1, 12) // on the fallback again
	if err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if got.Version != after.Version || !slices.Equal(got.Players, []int64{10, 11, 12}) {
		t.Fatalf("written back: version %d %v; acknowledged version %d %v", got.Version, got.Players, after.Version, after.Players)
	}
	if c := r.h.Status(bg).Failover.Conflicts; c != 0 {
		t.Fatalf("%d conflicts", c)
	}
}

// A merge at failback whose answer is lost (the primary dies with it) has
// put the outage's changes on the primary already: the next failback
// merges none of them again. Here the create landed on the primary
// unanswered, the tournament was created again, filled and played to the
// end on the fallback, and merged onto that create: merged again, every
// join would be refused on the completed tournament and recorded as a
// conflict.
func TestAMergeThatLandedUnansweredIsNotMergedAgain(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.flaky.loseCreates.Store(1)
	params := tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 2, CreatorID: 1}
	if _, err := r.h.CreateTournament(bg, params); !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("the create whose answer is lost: %v", err)
	}
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.CreateTournament(bg, params); err != nil { // the caller retries
		t.Fatal(err)
	}
	for _, p := range []int64{10, 11} {
		if _, err := r.h.AddPlayer(bg, 1, p); err != nil {
			t.Fatal(err)
		}
	}
	started, err := r.h.StartTournament(bg, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	g := started.ActiveGames()[0]
	done, err := r.h.RegisterResult(bg, 1, g.GameID, g.Player2, 0)
	if err != nil || done.Status != tournament.StatusCompleted {
		t.Fatalf("the final: %v", err)
	}
	r.flaky.loseReplies.Store(1)
	r.flaky.down.Store(false)
	landed := func() bool {
		got, _ := r.primary.Get(bg, 1)
		return got != nil && got.Status == tournament.StatusCompleted
	}
	deadline := time.Now().Add(5 * time.Second)
	for !(landed() && r.flaky.down.Load() && r.h.router.State() == failover.StateFallback) { // the merge landed, its answer was lost
		if time.Now().After(deadline) {
			t.Fatalf("the merge did not land unanswered (state %s)", r.h.router.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	got, _ := r.primary.Get(bg, 1)
	if got.Status != tournament.StatusCompleted || *got.Game(g.GameID).WinnerID != g.Player2 {
		t.Fatalf("written back: %s, game %+v", got.Status, got.Game(g.GameID))
	}
	if c := r.h.Status(bg).Failover.Conflicts; c != 0 {
		cs, _ := r.h.Conflicts(bg, 1)
		t.Fatalf("%d conflicts: %+v", c, cs)
	}
}

// A change whose answer was lost, then refused when retried because it
// landed ("already started"), is the state a read on the fallback shows
// next: the host learns it from the primary with the refusal, rather than
// serving its older copy.
func TestARefusalThatRevealsAnUnansweredChangeIsLearnt(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	r.pending(t, 1, 10, 11, 12, 13)
	r.flaky.loseApplies.Store(1)
	if _, err := r.h.StartTournament(bg, 1, true); !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("the start whose answer is lost: %v", err)
	}
	r.flaky.down.Store(false) // back before the breaker trips
	if _, err := r.h.StartTournament(bg, 1, true); !errors.Is(err, tournament.ErrFailedPrecondition) {
		t.Fatalf("the retried start: %v, want it refused as done already", err)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	got, err := r.h.GetTournament(bg, 1)
	if err != nil {
		t.Fatal(err)
	}
	onRedis, _ := r.primary.Get(bg, 1)
	if got.Status != tournament.StatusActive || got.Version != onRedis.Version {
		t.Fatalf("the fallback serves %s version %d; the primary holds %s version %d", got.Status, got.Version, onRedis.Status,
			onRedis.Version)
	}
}
