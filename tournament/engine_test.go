package tournament

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func env() Env { return Env{Now: t0, Rand: rand.New(rand.NewPCG(1, 2)), GameTimeout: 5 * time.Minute} }

// started returns a tournament of n players (ids 101, 102, ...) just started.
func started(t *testing.T, n int) *Tournament {
	t.Helper()
	tr := pending(t, n)
	tr = mustApply(t, tr, Start{})
	return tr
}

func pending(t *testing.T, n int) *Tournament {
	t.Helper()
	tr, _, err := New(CreateParams{ID: 7, Name: "Cup", MaxPlayers: max(n, 2), CreatorID: 1}, env())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		tr = mustApply(t, tr, AddPlayer{UserID: int64(101 + i)})
	}
	return tr
}

func mustApply(t *testing.T, tr *Tournament, cmd Command) *Tournament {
	t.Helper()
	next, _, err := Apply(tr, cmd, env())
	if err != nil {
		t.Fatalf("%s: %v", cmd.Name(), err)
	}
	return next
}

// playOut finishes every game, the upper slot (player_1) always winning.
func playOut(t *testing.T, tr *Tournament) *Tournament {
	t.Helper()
	for tr.Status == StatusActive {
		g := tr.ActiveGames()[0]
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
	}
	return tr
}

func seedOf(tr *Tournament, id int64) int { return slices.Index(tr.Seeds, id) + 1 }

func TestSlotOrderIsStandard(t *testing.T) {
	for size, want := range map[int][]int{
		2: {1, 2}, 4: {1, 4, 2, 3}, 8: {1, 8, 4, 5, 2, 7, 3, 6},
		16: {1, 16, 8, 9, 4, 13, 5, 12, 2, 15, 7, 10, 3, 14, 6, 11},
	} {
		if got := SlotOrder(size); !slices.Equal(got, want) {
			t.Errorf("SlotOrder(%d) = %v, want %v", size, got, want)
		}
	}
}

func TestSeedingGivesByesToTopSeeds(t *testing.T) {
	for n := 2; n <= 33; n++ {
		tr := started(t, n)
		s := BracketSize(n)
		r := tr.Rounds[0]
		if len(r.Games) != n-s/2 || len(r.Byes) != s-n {
			t.Fatalf("n=%d: %d games and %d byes, want %d and %d", n, len(r.Games), len(r.Byes), n-s/2, s-n)
		}
		var byeSeeds []int
		for _, b := range r.Byes {
			byeSeeds = append(byeSeeds, seedOf(tr, b))
		}
		slices.Sort(byeSeeds)
		for i, sd := range byeSeeds {
			if sd != i+1 {
				t.Fatalf("n=%d: byes went to seeds %v, want the top %d", n, byeSeeds, s-n)
			}
		}
		for i, g := range r.Games {
			a, b := seedOf(tr, g.Player1), seedOf(tr, g.Player2)
			if a+b != s+1 || a > b || g.GameID != int64(i+1) || g.Status != GameActive {
				t.Fatalf("n=%d: game %+v pairs seeds %d and %d", n, g, a, b)
			}
			if !g.Deadline.Equal(t0.Add(5 * time.Minute)) {
				t.Fatalf("n=%d: deadline %v", n, g.Deadline)
			}
		}
	}
}

func TestFullTournamentPlaysNMinusOneGames(t *testing.T) {
	for n := 2; n <= 33; n++ {
		tr := playOut(t, started(t, n))
		if tr.Status != StatusCompleted || tr.WinnerID == nil || *tr.WinnerID != 101 {
			t.Fatalf("n=%d: status %s winner %v, want completed with seed 1 (101)", n, tr.Status, tr.WinnerID)
		}
		if tr.GameCount() != n-1 {
			t.Fatalf("n=%d: %d games, want %d", n, tr.GameCount(), n-1)
		}
		rounds := 0
		for s := BracketSize(n); s > 1; s /= 2 {
			rounds++
		}
		if len(tr.Rounds) != rounds || tr.CompletedAt == nil {
			t.Fatalf("n=%d: %d rounds, want %d", n, len(tr.Rounds), rounds)
		}
		if err := Validate(tr); err != nil {
			t.Fatalf("n=%d: finished state invalid: %v", n, err)
		}
	}
}

func TestFivePlayerBracketPairingsRoundByRound(t *testing.T) {
	tr := started(t, 5) // seeds 1..5 = players 101..105
	type pair struct{ id, p1, p2 int64 }
	games := func(r int) (ps []pair) {
		for _, g := range tr.Rounds[r-1].Games {
			ps = append(ps, pair{g.GameID, g.Player1, g.Player2})
		}
		return ps
	}
	if got, want := games(1), []pair{{1, 104, 105}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("round 1 = %v, want %v", got, want)
	}
	if !slices.Equal(tr.Rounds[0].Byes, []int64{101, 102, 103}) {
		t.Fatalf("byes = %v", tr.Rounds[0].Byes)
	}
	if !slices.Equal(tr.NextRound(), []int64{101, 102, 103}) {
		t.Fatalf("next_round = %v", tr.NextRound())
	}
	tr = mustApply(t, tr, RegisterResult{GameID: 1, WinnerID: 105, LoserID: 104})
	if got, want := games(2), []pair{{2, 101, 105}, {3, 102, 103}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("round 2 = %v, want %v", got, want)
	}
	tr = mustApply(t, tr, RegisterResult{GameID: 3, WinnerID: 103})
	if tr.CurrentRound != 2 || !slices.Equal(tr.NextRound(), []int64{103}) {
		t.Fatalf("after game 3: round %d next %v", tr.CurrentRound, tr.NextRound())
	}
	tr = mustApply(t, tr, RegisterResult{GameID: 2, WinnerID: 105})
	if got, want := games(3), []pair{{4, 105, 103}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("final = %v, want %v", got, want)
	}
	tr = mustApply(t, tr, RegisterResult{GameID: 4, WinnerID: 103})
	if tr.Status != StatusCompleted || *tr.WinnerID != 103 {
		t.Fatalf("winner %v", tr.WinnerID)
	}
}

func TestEventsOfATwoPlayerTournament(t *testing.T) {
	tr, evs, _ := New(CreateParams{ID: 1, Name: "x", MaxPlayers: 2, CreatorID: 9}, env())
	var types []EventType
	collect := func(cmd Command) {
		var e []Event
		var err error
		prev := tr.Version
		tr, e, err = Apply(tr, cmd, env())
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range e {
			if ev.Version != prev+1 || ev.TournamentID != 1 {
				t.Fatalf("event %+v carries version %d, want %d", ev, ev.Version, prev+1)
			}
			types = append(types, ev.Type)
		}
	}
	types = append(types, evs[0].Type)
	collect(AddPlayer{UserID: 1})
	collect(AddPlayer{UserID: 2})
	collect(Start{})
	collect(RegisterResult{GameID: 1, WinnerID: 2})
	want := []EventType{EventTournamentCreated, EventPlayerJoined, EventPlayerJoined, EventTournamentStarted,
		EventRoundStarted, EventGameCreated, EventGameFinished, EventRoundEnded, EventTournamentCompleted}
	if !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	if tr.Version != 5 {
		t.Fatalf("version %d, want 5 (one per change)", tr.Version)
	}
}

func TestResultIsIdempotent(t *testing.T) {
	tr := started(t, 4)
	tr = mustApply(t, tr, RegisterResult{GameID: 1, WinnerID: 101})
	again, evs, err := Apply(tr, RegisterResult{GameID: 1, WinnerID: 101, LoserID: 104}, env())
	if err != nil || len(evs) != 0 || again != tr {
		t.Fatalf("retry: err %v, %d events, changed %v", err, len(evs), again != tr)
	}
	_, _, err = Apply(tr, RegisterResult{GameID: 1, WinnerID: 104}, env())
	if !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("conflicting result: %v, want failed_precondition", err)
	}
}

func TestCommandErrors(t *testing.T) {
	full := pending(t, 2)
	act := started(t, 4)
	done := playOut(t, started(t, 2))
	for _, tc := range []struct {
		name string
		tr   *Tournament
		cmd  Command
		want error
	}{
		{"add zero user", pending(t, 0), AddPlayer{UserID: 0}, ErrInvalidArgument},
		{"add twice", pending(t, 1), AddPlayer{UserID: 101}, ErrAlreadyExists},
		{"add to full", full, AddPlayer{UserID: 999}, ErrFailedPrecondition},
		{"add after start", act, AddPlayer{UserID: 999}, ErrFailedPrecondition},
		{"remove absent", pending(t, 1), RemovePlayer{UserID: 5}, ErrNotFound},
		{"remove after the end", done, RemovePlayer{UserID: 101}, ErrFailedPrecondition},
		{"withdraw a stranger", act, RemovePlayer{UserID: 999}, ErrNotFound},
		{"disqualify before start", pending(t, 2), Disqualify{UserID: 101}, ErrFailedPrecondition},
		{"double forfeit with a loser", act, RegisterResult{GameID: 1, Forfeit: true, LoserID: 101}, ErrInvalidArgument},
		{"remove negative", pending(t, 1), RemovePlayer{UserID: -1}, ErrInvalidArgument},
		{"start with one", pending(t, 1), Start{}, ErrFailedPrecondition},
		{"start twice", act, Start{}, ErrFailedPrecondition},
		{"start completed", done, Start{}, ErrFailedPrecondition},
		{"result pending", pending(t, 2), RegisterResult{GameID: 1, WinnerID: 101}, ErrNotFound},
		{"result unknown game", act, RegisterResult{GameID: 99, WinnerID: 101}, ErrNotFound},
		{"result zero game", act, RegisterResult{GameID: 0, WinnerID: 101}, ErrInvalidArgument},
		{"result zero winner", act, RegisterResult{GameID: 1, WinnerID: 0}, ErrInvalidArgument},
		{"result stranger wins", act, RegisterResult{GameID: 1, WinnerID: 102}, ErrInvalidArgument},
		{"result wrong loser", act, RegisterResult{GameID: 1, WinnerID: 101, LoserID: 102}, ErrInvalidArgument},
		{"result loser is winner", act, RegisterResult{GameID: 1, WinnerID: 101, LoserID: 101}, ErrInvalidArgument},
		{"bad policy", act, ResolveTimeouts{Policy: "coin"}, ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := json.Marshal(tc.tr)
			got, evs, err := Apply(tc.tr, tc.cmd, env())
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			after, _ := json.Marshal(tc.tr)
			if got != tc.tr || evs != nil || string(before) != string(after) {
				t.Fatal("a failed command changed the tournament")
			}
		})
	}
}

func TestCreateValidation(t *testing.T) {
	long := string(make([]rune, 101))
	for _, p := range []CreateParams{
		{ID: 0, Name: "a", MaxPlayers: 2, CreatorID: 1},
		{ID: 1, Name: "   ", MaxPlayers: 2, CreatorID: 1},
		{ID: 1, Name: long, MaxPlayers: 2, CreatorID: 1},
		{ID: 1, Name: "\xff", MaxPlayers: 2, CreatorID: 1},
		{ID: 1, Name: "a\nb", MaxPlayers: 2, CreatorID: 1},
		{ID: 1, Name: "a", MaxPlayers: 1, CreatorID: 1},
		{ID: 1, Name: "a", MaxPlayers: 1025, CreatorID: 1},
		{ID: 1, Name: "a", MaxPlayers: 2, CreatorID: 0},
	} {
		if _, _, err := New(p, env()); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("New(%+v) = %v, want invalid_argument", p, err)
		}
	}
	tr, _, err := New(CreateParams{ID: 1, Name: "  Héllo wörld  ", MaxPlayers: 1024, CreatorID: 1}, env())
	if err != nil || tr.Name != "Héllo wörld" || tr.Version != 1 || tr.Status != StatusPending {
		t.Fatalf("New: %+v %v", tr, err)
	}
}

func TestRemovePlayerKeepsRegistrationOrder(t *testing.T) {
	tr := mustApply(t, pending(t, 4), RemovePlayer{UserID: 102})
	if !slices.Equal(tr.Players, []int64{101, 103, 104}) {
		t.Fatalf("players %v", tr.Players)
	}
	tr = mustApply(t, tr, Start{})
	if !slices.Equal(tr.Seeds, []int64{101, 103, 104}) {
		t.Fatalf("seeds %v", tr.Seeds)
	}
}

func TestShuffleDrawsSeedsOnce(t *testing.T) {
	tr := mustApply(t, pending(t, 16), Start{Shuffle: true})
	if !tr.Shuffled || slices.Equal(tr.Seeds, tr.Players) {
		t.Fatalf("shuffled %v seeds %v", tr.Shuffled, tr.Seeds)
	}
	sorted := slices.Sorted(slices.Values(tr.Seeds))
	if !slices.Equal(sorted, tr.Players) {
		t.Fatalf("seeds %v are not a permutation of players", tr.Seeds)
	}
	if g := tr.Rounds[0].Games[0]; g.Player1 != tr.Seeds[0] || g.Player2 != tr.Seeds[15] {
		t.Fatalf("game 1 %d v %d does not follow the drawn seeds", g.Player1, g.Player2)
	}
}

func TestTimeoutPolicies(t *testing.T) {
	late := env()
	late.Now = t0.Add(6 * time.Minute)
	for _, pol := range []TimeoutPolicy{TimeoutHigherSeed, TimeoutRandom} {
		tr := started(t, 4)
		tr = mustApply(t, tr, RegisterResult{GameID: 1, WinnerID: 101})
		next, evs, err := Apply(tr, ResolveTimeouts{Policy: pol}, late)
		if err != nil {
			t.Fatal(err)
		}
		g := next.Game(2)
		if g.Status != GameTimedOut || g.WinnerID == nil || evs[0].Type != EventGameTimedOut {
			t.Fatalf("%s: game 2 %+v events %v", pol, g, evs)
		}
		if pol == TimeoutHigherSeed && *g.WinnerID != g.Player1 {
			t.Fatalf("higher_seed advanced %d, want player_1 %d", *g.WinnerID, g.Player1)
		}
		if next.CurrentRound != 2 || next.Game(3) == nil || !next.Game(3).Deadline.Equal(late.Now.Add(5*time.Minute)) {
			t.Fatalf("%s: round 2 did not begin with a fresh deadline", pol)
		}
		// A result for the timed-out game that agrees is a retry; one that disagrees is refused.
		if _, _, err := Apply(next, RegisterResult{GameID: 2, WinnerID: *g.WinnerID}, late); err != nil {
			t.Fatalf("agreeing result after timeout: %v", err)
		}
		if _, _, err := Apply(next, RegisterResult{GameID: 2, WinnerID: *g.LoserID}, late); !errors.Is(err, ErrFailedPrecondition) {
			t.Fatalf("disagreeing result after timeout: %v", err)
		}
	}
	tr := started(t, 2)
	if same, evs, _ := Apply(tr, ResolveTimeouts{Policy: TimeoutHigherSeed}, env()); same != tr || evs != nil {
		t.Fatal("a sweep before the deadline changed the tournament")
	}
	next, evs, _ := Apply(tr, ResolveTimeouts{Policy: TimeoutNone}, late)
	if len(evs) != 1 || evs[0].Type != EventGameOverdue || next.Game(1).Status != GameActive || !next.Game(1).Overdue {
		t.Fatalf("none policy: events %v game %+v", evs, next.Game(1))
	}
	if again, evs, _ := Apply(next, ResolveTimeouts{Policy: TimeoutNone}, late); again != next || evs != nil {
		t.Fatal("an overdue game was reported twice")
	}
	if next.Summary().NextDeadline != nil {
		t.Fatal("an overdue game still counts as the next deadline")
	}
}

func TestJSONRoundTripKeepsStateAndShowsDerivedFields(t *testing.T) {
	tr := started(t, 3)
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"id", "name", "max_players", "creator_id", "status", "players", "current_round",
		"rounds", "active_games", "next_round", "winner_id", "version", "created_at", "started_at", "completed_at"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if len(m["active_games"].([]any)) != 1 {
		t.Errorf("active_games = %v", m["active_games"])
	}
	var back Tournament
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*tr, back) {
		t.Fatalf("round trip changed the state:\n%+v\n%+v", *tr, back)
	}
}

func TestValidateRejectsTamperedSnapshots(t *testing.T) {
	base := func() *Tournament { return mustApply(t, started(t, 4), RegisterResult{GameID: 1, WinnerID: 101}) }
	if err := Validate(base()); err != nil {
		t.Fatalf("engine state rejected: %v", err)
	}
	for name, tamper := range map[string]func(*Tournament){
		"duplicate player": func(tr *Tournament) { tr.Players[1] = tr.Players[0] },
		"wrong seeds":      func(tr *Tournament) { tr.Seeds[0] = 999 },
		"swapped game":     func(tr *Tournament) { tr.Rounds[0].Games[1].Player1 = 104 },
		"winner stranger":  func(tr *Tournament) { w := int64(999); tr.Rounds[0].Games[0].WinnerID = &w },
		"bad status":       func(tr *Tournament) { tr.Status = "paused" },
		"zero version":     func(tr *Tournament) { tr.Version = 0 },
		"over capacity":    func(tr *Tournament) { tr.MaxPlayers = 3 },
		"bad round":        func(tr *Tournament) { tr.CurrentRound = 3 },
		"winner of active": func(tr *Tournament) { w := int64(101); tr.WinnerID = &w },
	} {
		tr := base()
		tamper(tr)
		if err := Validate(tr); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: Validate = %v, want invalid_argument", name, err)
		}
	}
}
