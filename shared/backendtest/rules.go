package backendtest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tourney/tourney/shared"
	T "github.com/tourney/tourney/tournament"
)

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
