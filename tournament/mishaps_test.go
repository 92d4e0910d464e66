package tournament

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Real-event mishaps: corrections next to departures, withdrawals in Swiss
// and round robin, double forfeits. Players join in order (seed k is
// 100+k); 8 players: round 1 is 101v108, 104v105, 102v107, 103v106.

func result(t *testing.T, tr *Tournament, game, winner int64) *Tournament {
	t.Helper()
	return mustApply(t, tr, RegisterResult{GameID: game, WinnerID: winner})
}

func mustCorrect(t *testing.T, tr *Tournament, cmd CorrectResult) (*Tournament, []Event) {
	t.Helper()
	next, evs, err := Apply(tr, cmd, env())
	if err != nil {
		t.Fatalf("correct %+v: %v", cmd, err)
	}
	if err := Validate(next); err != nil {
		t.Fatalf("the correction made a state Validate refuses: %v\n%s", err, next.AppendJSON(nil))
	}
	return next, evs
}

func TestCorrectionNextToADisqualifiedPlayerKeepsGameIDsAndResults(t *testing.T) {
	tr := startFormat(t, 8, SingleElimination, Options{})
	tr = result(t, tr, 1, 101)
	tr = mustApply(t, tr, Disqualify{UserID: 108})
	tr = result(t, tr, 2, 104)
	tr = result(t, tr, 3, 102)
	tr = result(t, tr, 4, 103)
	if g5, g6 := tr.Game(5), tr.Game(6); g5.Player1 != 101 || g5.Player2 != 104 || g6.Player1 != 102 || g6.Player2 != 103 {
		t.Fatalf("round 2: %+v %+v", g5, g6)
	}
	tr = result(t, tr, 6, 102)
	next, _ := mustCorrect(t, tr, CorrectResult{GameID: 1, WinnerID: 108})
	// 108 won game 1 but left: 104 has a walkover in game 5 (the place
	// keeps its id); game 6 keeps its players, so its result.
	g5, g6 := next.Game(5), next.Game(6)
	if g6 == nil || g6.Player1 != 102 || g6.Player2 != 103 || g6.Status != GameFinished || *g6.WinnerID != 102 {
		t.Fatalf("game 6 lost its result: %+v", g6)
	}
	if g5 == nil || g5.Player1 != 108 || g5.Player2 != 104 || !g5.Forfeit || *g5.WinnerID != 104 {
		t.Fatalf("game 5 should be 104's walkover over 108: %+v", g5)
	}
	final := next.Game(7)
	if final == nil || final.Player1 != 104 || final.Player2 != 102 || final.Status != GameActive || next.Status != StatusActive {
		t.Fatalf("the final should be 104 v 102, to play: %+v", final)
	}
}

func TestCorrectingAPlayersLossAfterTheyLeftKeepsTheFinal(t *testing.T) {
	tr := startFormat(t, 8, SingleElimination, Options{})
	for g, w := range map[int64]int64{1: 101, 2: 104, 3: 102, 4: 103} {
		tr = result(t, tr, g, w)
	}
	tr = mustApply(t, tr, Disqualify{UserID: 105}) // already out
	tr = result(t, tr, 5, 101)
	tr = result(t, tr, 6, 102)
	tr = result(t, tr, 7, 101)
	if tr.Status != StatusCompleted {
		t.Fatal("not completed")
	}
	im, err := PreviewCorrection(tr, CorrectResult{GameID: 2, WinnerID: 105}, env())
	if err != nil {
		t.Fatal(err)
	}
	next, evs := mustCorrect(t, tr, CorrectResult{GameID: 2, WinnerID: 105})
	// 105 forfeits the semi-final to 101: the final is still 101 v 102.
	if next.Status != StatusCompleted || *next.WinnerID != 101 || next.Game(7).Status != GameFinished || *next.Game(7).WinnerID != 101 {
		t.Fatalf("the final should keep its result: %s", next.AppendJSON(nil))
	}
	if g5 := next.Game(5); g5.Player2 != 105 || !g5.Forfeit || *g5.WinnerID != 101 {
		t.Fatalf("game 5: %+v", g5)
	}
	if im.Reopens || im.WinnerChanges || len(im.Removed) != 0 || len(im.Reset) != 1 || im.Reset[0].GameID != 5 {
		t.Fatalf("impact %+v", im)
	}
	if slices.Contains(eventTypes(evs), EventTournamentReopened) || slices.Contains(eventTypes(evs), EventTournamentCompleted) {
		t.Fatalf("events %v", eventTypes(evs))
	}
}

func TestSwissPairsAroundAWithdrawnPlayer(t *testing.T) {
	tr := startFormat(t, 4, Swiss, Options{})
	// Round 1: 101 v 103, 102 v 104.
	var g13, g24 *Game
	for _, g := range tr.ActiveGames() {
		switch {
		case g.Player1 == 101 || g.Player2 == 101:
			g13 = tr.Game(g.GameID)
		default:
			g24 = tr.Game(g.GameID)
		}
	}
	if g13.Player1+g13.Player2 != 204 || g24.Player1+g24.Player2 != 206 {
		t.Fatalf("round 1: %+v %+v", g13, g24)
	}
	tr = result(t, tr, g13.GameID, 101)
	tr = mustApply(t, tr, RemovePlayer{UserID: 104}) // 102 wins by walkover
	if len(tr.Rounds) != 2 {
		t.Fatalf("round 2 not paired: %d rounds", len(tr.Rounds))
	}
	r2 := tr.Rounds[1]
	if len(r2.Games) != 1 || !slices.Equal(r2.Byes, []int64{103}) {
		t.Fatalf("round 2 should pair 101 v 102 and give 103 the bye: games %+v byes %v", r2.Games, r2.Byes)
	}
	if g := r2.Games[0]; min(g.Player1, g.Player2) != 101 || max(g.Player1, g.Player2) != 102 {
		t.Fatalf("round 2 pairs %d v %d", g.Player1, g.Player2)
	}
}

func TestRoundRobinGivesEveryOpponentOfAWithdrawnPlayerAWalkover(t *testing.T) {
	tr := startFormat(t, 4, RoundRobin, Options{})
	tr = mustApply(t, tr, RemovePlayer{UserID: 104})
	tr = playOut(t, tr)
	walkovers := map[int64]int{}
	for _, r := range tr.Rounds {
		for _, g := range r.Games {
			if g.Player1 == 104 || g.Player2 == 104 {
				if !g.Forfeit || g.WinnerID == nil || *g.WinnerID == 104 {
					t.Fatalf("104's game %+v is not a walkover", g)
				}
				walkovers[*g.WinnerID]++
			}
		}
		if len(r.Byes) != 0 {
			t.Fatalf("round %d has byes %v", r.Round, r.Byes)
		}
	}
	if len(walkovers) != 3 || walkovers[101] != 1 || walkovers[102] != 1 || walkovers[103] != 1 {
		t.Fatalf("walkovers %v, want one each for 101, 102, 103", walkovers)
	}
	for _, s := range tr.Standings().Standings {
		if s.PlayerID != 104 && s.Points != s.Wins {
			t.Fatalf("standing %+v", s)
		}
	}
}

func TestDoubleForfeitedPlayersAreOutInThatRound(t *testing.T) {
	tr := startFormat(t, 8, SingleElimination, Options{})
	tr = mustApply(t, tr, RegisterResult{GameID: 2, Forfeit: true}) // 104 v 105
	st := tr.Standings().Standings
	for _, s := range st {
		if (s.PlayerID == 104 || s.PlayerID == 105) != s.Eliminated {
			t.Fatalf("after the double forfeit: %+v", s)
		}
	}
	tr = playOut(t, tr)
	places := map[int64]int{}
	for _, s := range tr.Standings().Standings {
		places[s.PlayerID] = s.Place
	}
	// 101 beats 102 in the final, 103 lost the semi-final (101 had a bye):
	// the double-forfeited players place with the other first-round losers.
	if places[101] != 1 || places[102] != 2 || places[103] != 3 || places[104] != 4 || places[105] != 4 || places[108] != 4 {
		t.Fatalf("places %v", places)
	}
	for _, f := range []Format{DoubleElimination} {
		tr := startFormat(t, 8, f, Options{})
		tr = mustApply(t, tr, RegisterResult{GameID: 2, Forfeit: true})
		for _, s := range tr.Standings().Standings {
			if (s.PlayerID == 104 || s.PlayerID == 105) != s.Eliminated {
				t.Fatalf("%s after the double forfeit: %+v", f, s)
			}
		}
	}
}

func TestDescendsAcrossAReopeningCorrection(t *testing.T) {
	tr := playOut(t, startFormat(t, 4, SingleElimination, Options{}))
	old := tr.Clone() // Redis's snapshot: completed
	next, _ := mustCorrect(t, tr, CorrectResult{GameID: 1, WinnerID: 104})
	if next.Status != StatusActive {
		t.Fatalf("the correction should reopen: %s", next.Status)
	}
	if !Descends(next, old) {
		t.Fatal("a reopening correction's state is refused as a descendant of the completed copy before it")
	}
	if Descends(old, next) {
		t.Fatal("the older copy descends from the newer")
	}
}

func TestWalkoverCorrectedWithScoresBecomesAPlayedSeries(t *testing.T) {
	tr, _, err := New(CreateParams{ID: 1, Name: "bo3", MaxPlayers: 4, CreatorID: 1, BestOf: 3}, env())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []int64{101, 102, 103, 104} {
		tr = mustApply(t, tr, AddPlayer{UserID: p})
	}
	tr = mustApply(t, tr, Start{})
	tr = mustApply(t, tr, RegisterResult{GameID: 1, WinnerID: 101, Forfeit: true})
	next, _ := mustCorrect(t, tr, CorrectResult{GameID: 1, WinnerID: 101, Scores: [][2]int{{11, 5}, {11, 7}}})
	if g := next.Game(1); g.Forfeit || len(g.Scores) != 2 {
		t.Fatalf("game 1: %+v", g)
	}
	// And back to a walkover, which has no scores.
	back, _ := mustCorrect(t, next, CorrectResult{GameID: 1, WinnerID: 101, Forfeit: true})
	if g := back.Game(1); !g.Forfeit || g.Scores != nil {
		t.Fatalf("game 1: %+v", g)
	}
	if _, _, err := Apply(back,
		CorrectResult{GameID: 1, WinnerID: 101, Forfeit: true,
			Scores: [][2]int{{11, 5}, {11, 7}}}, env()); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a walkover with scores: %v", err)
	}
}

func TestADoubleForfeitCanBeCorrected(t *testing.T) {
	for _, f := range []Format{SingleElimination, DoubleElimination, RoundRobin, Swiss} {
		tr := startFormat(t, 4, f, Options{})
		g := tr.ActiveGames()[0]
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, Forfeit: true})
		im, err := PreviewCorrection(tr, CorrectResult{GameID: g.GameID, WinnerID: g.Player2}, env())
		if err != nil || !im.Changes || im.Game == nil || *im.Game.WinnerID != g.Player2 {
			t.Fatalf("%s: preview %+v, %v", f, im, err)
		}
		next, evs := mustCorrect(t, tr, CorrectResult{GameID: g.GameID, WinnerID: g.Player2})
		if c := next.Game(g.GameID); c.Forfeit || *c.WinnerID != g.Player2 || evs[0].Type != EventGameCorrected {
			t.Fatalf("%s: %+v %v", f, c, eventTypes(evs))
		}
		// And a result corrected into a double forfeit.
		df, _ := mustCorrect(t, next, CorrectResult{GameID: g.GameID, Forfeit: true})
		if c := df.Game(g.GameID); c.WinnerID != nil || !c.Forfeit {
			t.Fatalf("%s: %+v", f, c)
		}
	}
}

func TestCorrectionRetriedIsANoOpWhateverTheExpectedVersion(t *testing.T) {
	tr := playOut(t, startFormat(t, 4, SingleElimination, Options{}))
	cmd := CorrectResult{GameID: 1, WinnerID: 104, ExpectedVersion: tr.Version}
	next, _ := mustCorrect(t, tr, cmd)
	again, evs, err := Apply(next, cmd, env())
	if err != nil || len(evs) != 0 || again != next {
		t.Fatalf("a retried correction: %v, %d events", err, len(evs))
	}
	if _, _, err := Apply(next, CorrectResult{GameID: 1, WinnerID: 101, ExpectedVersion: tr.Version},
		env()); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("a stale correction to another winner: %v", err)
	}
}

func TestAWalkoverByDepartureCannotBeCorrected(t *testing.T) {
	tr := startFormat(t, 4, SingleElimination, Options{})
	tr = mustApply(t, tr, Disqualify{UserID: 104})
	if _, _, err := Apply(tr, CorrectResult{GameID: 1, WinnerID: 104}, env()); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("correcting a disqualification's walkover: %v", err)
	}
}

// sameBracket compares two states' games (ids, players, results) and
// rounds, times aside.
func sameBracket(a, b *Tournament) string {
	var diffs []string
	if len(a.Rounds) != len(b.Rounds) {
		return fmt.Sprintf("%d rounds against %d", len(a.Rounds), len(b.Rounds))
	}
	for ri := range a.Rounds {
		ra, rb := &a.Rounds[ri], &b.Rounds[ri]
		if !slices.Equal(ra.Slots, rb.Slots) || !slices.Equal(ra.Byes, rb.Byes) || len(ra.Games) != len(rb.Games) {
			diffs = append(diffs, fmt.Sprintf("round %d: slots %v/%v byes %v/%v", ra.Round, ra.Slots, rb.Slots, ra.Byes, rb.Byes))
			continue
		}
		for gi := range ra.Games {
			ga, gb := &ra.Games[gi], &rb.Games[gi]
			if ga.GameID != gb.GameID || ga.Player1 != gb.Player1 || ga.Player2 != gb.Player2 || !sameResult(ga, gb) {
				diffs = append(diffs, fmt.Sprintf("game %+v against %+v", *ga, *gb))
			}
		}
	}
	if a.Status != b.Status || !sameWinner(a.WinnerID, b.WinnerID) {
		diffs = append(diffs, fmt.Sprintf("status %s/%s", a.Status, b.Status))
	}
	return strings.Join(diffs, "; ")
}

func TestACorrectionUndoneRestoresEveryGame(t *testing.T) {
	for _, f := range []Format{SingleElimination, DoubleElimination} {
		tr := playOut(t, startFormat(t, 8, f, Options{}))
		g := tr.Game(2)
		there, _ := mustCorrect(t, tr, CorrectResult{GameID: 2, WinnerID: g.Player2})
		back, _ := mustCorrect(t, there, CorrectResult{GameID: 2, WinnerID: g.Player1})
		if d := sameBracket(tr, back); d != "" {
			t.Fatalf("%s: corrected and back: %s", f, d)
		}
		if len(back.ResetResults) != 0 {
			t.Fatalf("%s: results still aside: %+v", f, back.ResetResults)
		}
	}
}

func TestDoubleEliminationCorrectionKeepsLosersGamesItDoesNotTouch(t *testing.T) {
	tr := startFormat(t, 8, DoubleElimination, Options{})
	for _, g := range tr.ActiveGames() {
		tr = result(t, tr, g.GameID, g.Player1) // 101, 104, 102, 103 win
	}
	// Stage 2: winners' round 2 and losers' round 1 (108 v 105, 107 v 106).
	var lb []Game
	for _, g := range tr.ActiveGames() {
		if tr.Rounds[g.Round-1].Bracket == BracketLosers {
			lb = append(lb, g)
		}
	}
	if len(lb) != 2 {
		t.Fatalf("losers' round 1: %+v", lb)
	}
	tr = result(t, tr, lb[0].GameID, lb[0].Player1)
	tr = result(t, tr, lb[1].GameID, lb[1].Player1)
	// Correct game 3 (102 v 107) to 107: the second losers' game (107 v
	// 106) gets 102 instead; the first keeps its result.
	im, err := PreviewCorrection(tr, CorrectResult{GameID: 3, WinnerID: 107}, env())
	if err != nil {
		t.Fatal(err)
	}
	next, _ := mustCorrect(t, tr, CorrectResult{GameID: 3, WinnerID: 107})
	if g := next.Game(lb[0].GameID); g.Status != GameFinished || *g.WinnerID != lb[0].Player1 {
		t.Fatalf("the untouched losers' game lost its result: %+v", g)
	}
	var reset []int64
	for _, g := range im.Reset {
		reset = append(reset, g.GameID)
	}
	if !slices.Equal(reset, []int64{lb[1].GameID}) || len(im.Removed) != 0 {
		t.Fatalf("impact reset %v removed %+v", reset, im.Removed)
	}
}

func TestBestOfByBracketRound(t *testing.T) {
	p := CreateParams{ID: 1, Name: "de", MaxPlayers: 8, CreatorID: 1, Format: DoubleElimination,
		BestOfByRound: map[string]int{"winners:3": 5, "losers:2": 3, "grand_final": 7}}
	tr, _, err := New(p, env())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		tr = mustApply(t, tr, AddPlayer{UserID: int64(101 + i)})
	}
	tr = mustApply(t, tr, Start{})
	for tr.Status == StatusActive {
		g := tr.ActiveGames()[0]
		r := tr.Rounds[g.Round-1]
		k := slices.Index(tr.bracketRounds(r.Bracket), g.Round-1) + 1
		want := 1
		switch {
		case r.Bracket == BracketWinners && k == 3:
			want = 5
		case r.Bracket == BracketLosers && k == 2:
			want = 3
		case r.Bracket == BracketGrandFinal:
			want = 7
		}
		if g.BestOf != want {
			t.Fatalf("%s round %d: best of %d, want %d", r.Bracket, k, g.BestOf, want)
		}
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
	}
	for _, bad := range []map[string]int{{"3": 5}, {"winners:0": 3}, {"finals": 3}, {"grand_final": 4}} {
		p.BestOfByRound = bad
		if _, _, err := New(p, env()); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("best_of_by_round %v: %v", bad, err)
		}
	}
	se := CreateParams{ID: 1, Name: "se", MaxPlayers: 8, CreatorID: 1, BestOfByRound: map[string]int{"winners:2": 3}}
	if _, _, err := New(se, env()); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "double elimination") {
		t.Errorf("a bracket's round in single elimination: %v", err)
	}
	se.BestOfByRound = map[string]int{"3": 5}
	if _, _, err := New(se, env()); err != nil {
		t.Errorf("a round number in single elimination: %v", err)
	}
}

// FIDE Handbook C.05, Annex 1: the Berger tables, player_1 first.
var bergerTables = map[int][][][2]int{
	4: {{{1, 4}, {2, 3}}, {{4, 3}, {1, 2}}, {{2, 4}, {3, 1}}},
	6: {{{1, 6}, {2, 5}, {3, 4}}, {{6, 4}, {5, 3}, {1, 2}}, {{2, 6}, {3, 1}, {4, 5}}, {{6, 5}, {1, 4}, {2, 3}}, {{3, 6}, {4, 2}, {5, 1}}},
	8: {
		{{1, 8}, {2, 7}, {3, 6}, {4, 5}}, {{8, 5}, {6, 4}, {7, 3}, {1, 2}}, {{2, 8}, {3, 1}, {4, 7}, {5, 6}}, {{8, 6},
			{7, 5}, {1, 4}, {2, 3}},
		{{3, 8}, {4, 2}, {5, 1}, {6, 7}}, {{8, 7}, {1, 6}, {2, 5}, {3, 4}}, {{4, 8}, {5, 3}, {6, 2}, {7, 1}},
	},
	10: {
		{{1, 10}, {2, 9}, {3, 8}, {4, 7}, {5, 6}}, {{10, 6}, {7, 5}, {8, 4}, {9, 3}, {1, 2}}, {{2, 10}, {3, 1}, {4, 9}, {5, 8}, {6, 7}},
		{{10, 7}, {8, 6}, {9, 5}, {1, 4}, {2, 3}}, {{3, 10}, {4, 2}, {5, 1}, {6, 9}, {7, 8}}, {{10, 8}, {9, 7}, {1, 6}, {2, 5}, {3, 4}},
		{{4, 10}, {5, 3}, {6, 2}, {7, 1}, {8, 9}}, {{10, 9}, {1, 8}, {2, 7}, {3, 6}, {4, 5}}, {{5, 10}, {6, 4}, {7, 3}, {8, 2}, {9, 1}},
	},
	12: {
		{{1, 12}, {2, 11}, {3, 10}, {4, 9}, {5, 8}, {6, 7}}, {{12, 7}, {8, 6}, {9, 5}, {10, 4}, {11, 3}, {1, 2}},
		{{2, 12}, {3, 1}, {4, 11}, {5, 10}, {6, 9}, {7, 8}},
	},
}

func TestRoundRobinFollowsFIDEBergerTables(t *testing.T) {
	for n, table := range bergerTables {
		for _, players := range []int{n, n - 1} { // an odd field plays the even table, the last number a bye
			tr := startFormat(t, players, RoundRobin, Options{})
			for k, want := range table {
				r := tr.Rounds[len(tr.Rounds)-1]
				if r.Round != k+1 {
					t.Fatalf("n=%d: at round %d, want %d", players, r.Round, k+1)
				}
				var got [][2]int
				for i := 0; i+1 < len(r.Slots); i += 2 {
					got = append(got, [2]int{int(r.Slots[i] - 100), int(r.Slots[i+1] - 100)})
				}
				var exp [][2]int
				for _, p := range want {
					if players < n && (p[0] == n || p[1] == n) {
						p = [2]int{p[0] + p[1] - n, -100} // the bye is written (player, 0)
					}
					exp = append(exp, p)
				}
				if fmt.Sprint(got) != fmt.Sprint(exp) {
					t.Fatalf("%d players, round %d: %v, FIDE's table says %v", players, k+1, got, exp)
				}
				for _, g := range r.Games {
					tr = result(t, tr, g.GameID, g.Player1)
				}
			}
		}
	}
}

func TestRoundRobinSidesNeverThreeInARow(t *testing.T) {
	for n := 3; n <= 16; n++ {
		tr := playOut(t, startFormat(t, n, RoundRobin, Options{}))
		run := map[int64][2]int{} // player -> (side, length)
		for _, r := range tr.Rounds {
			for _, g := range r.Games {
				for side, p := range []int64{g.Player1, g.Player2} {
					s := run[p]
					if s[0] == side && s[1] > 0 {
						s[1]++
					} else {
						s = [2]int{side, 1}
					}
					if s[1] > 2 {
						t.Fatalf("n=%d: player %d is player_%d three rounds in a row (round %d)", n, p, side+1, r.Round)
					}
					run[p] = s
				}
			}
		}
	}
}

func TestATournamentStartedUnderTheFirstRulesKeepsThem(t *testing.T) {
	tr := startFormat(t, 6, RoundRobin, Options{})
	tr.Rules = 0 // started before walkovers and FIDE's order
	tr.Rounds = tr.Rounds[:1]
	for _, g := range tr.ActiveGames() {
		tr = result(t, tr, g.GameID, g.Player1)
	}
	// The one-step rotation: round 2 pairs 2 v 6 first.
	if s := tr.Rounds[1].Slots; s[0] != 106 || s[1] != 102 || tr.Rules != 0 {
		t.Fatalf("round 2 under the first rules: %v (rules %d)", s, tr.Rules)
	}
	tr = mustApply(t, tr, Disqualify{UserID: 103})
	tr = playOut(t, tr)
	if err := Validate(tr); err != nil {
		t.Fatal(err)
	}
	for _, r := range tr.Rounds[2:] {
		if len(r.Byes) != 1 {
			t.Fatalf("under the first rules a player who left leaves a bye: round %d byes %v", r.Round, r.Byes)
		}
	}
}

func TestHigherSeedTimeoutAdvancesTheBetterSeedWhateverTheSide(t *testing.T) {
	for _, f := range []Format{SingleElimination, DoubleElimination, RoundRobin, Swiss} {
		tr := startFormat(t, 8, f, Options{})
		swapped := 0
		for step := 0; tr.Status == StatusActive; step++ {
			if step%3 != 2 {
				// Upsets: player_2 wins the games decided by a result.
				g := tr.ActiveGames()[0]
				tr = result(t, tr, g.GameID, g.Player2)
				continue
			}
			late := env()
			for _, g := range tr.ActiveGames() {
				late.Now = g.Deadline.Add(time.Second)
			}
			next, _, err := Apply(tr, ResolveTimeouts{Policy: TimeoutHigherSeed}, late)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range tr.ActiveGames() {
				n := next.Game(o.GameID)
				better := o.Player1
				if tr.SeedOf(o.Player2) < tr.SeedOf(o.Player1) {
					better = o.Player2
					swapped++
				}
				if n.Status != GameTimedOut || *n.WinnerID != better {
					t.Fatalf("%s: game %+v timed out for %v, want the better seed %d", f, o, n.WinnerID, better)
				}
			}
			tr = next
		}
		if swapped == 0 {
			t.Fatalf("%s: no timed-out game had the better seed as player_2: the test proves nothing", f)
		}
	}
}
