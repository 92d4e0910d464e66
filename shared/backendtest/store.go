package backendtest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tourney/tourney/shared"
	T "github.com/tourney/tourney/tournament"
)

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
