package tournament

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// startFormat returns a started tournament of n players (101, 102, ...) in
// format f with options o.
func startFormat(t testing.TB, n int, f Format, o Options) *Tournament {
	t.Helper()
	tr, _, err := New(CreateParams{ID: 7, Name: "Cup", MaxPlayers: max(n, 2), CreatorID: 1, Format: f, Options: o}, env())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if tr, _, err = Apply(tr, AddPlayer{UserID: int64(101 + i)}, env()); err != nil {
			t.Fatal(err)
		}
	}
	if tr, _, err = Apply(tr, Start{}, env()); err != nil {
		t.Fatal(err)
	}
	return tr
}

// playRandom plays every game to the end with random winners, checking
// after each result that the state is one the engine could have made, that
// no player is in two active games and that every active game has two
// players. It returns the final state.
func playRandom(t testing.TB, tr *Tournament, r *rand.Rand, validate bool) *Tournament {
	t.Helper()
	for steps := 0; tr.Status == StatusActive; steps++ {
		act := tr.ActiveGames()
		if len(act) == 0 {
			t.Fatalf("active tournament with no game to play (stuck): %s", tr.AppendJSON(nil))
		}
		busy := map[int64]bool{}
		for _, g := range act {
			if g.Player1 == 0 || g.Player2 == 0 || busy[g.Player1] || busy[g.Player2] {
				t.Fatalf("bad active game %+v", g)
			}
			busy[g.Player1], busy[g.Player2] = true, true
		}
		g := act[r.IntN(len(act))]
		w := []int64{g.Player1, g.Player2}[r.IntN(2)]
		next, _, err := Apply(tr, RegisterResult{GameID: g.GameID, WinnerID: w}, env())
		if err != nil {
			t.Fatal(err)
		}
		tr = next
		if validate {
			if err := Validate(tr); err != nil {
				t.Fatalf("engine made a state Validate refuses: %v", err)
			}
		}
	}
	return tr
}

func losses(tr *Tournament) map[int64]int {
	l := map[int64]int{}
	for _, r := range tr.Rounds {
		for _, g := range r.Games {
			if g.LoserID != nil {
				l[*g.LoserID]++
			}
		}
	}
	return l
}

func TestDoubleEliminationEveryFieldSize(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, gf := range []string{GrandFinalReset, GrandFinalSingle, GrandFinalNone} {
		for n := 2; n <= 64; n++ {
			tr := playRandom(t, startFormat(t, n, DoubleElimination, Options{GrandFinal: gf}), r, n <= 20)
			games, l := tr.GameCount(), losses(tr)
			champ := *tr.WinnerID
			switch gf {
			case GrandFinalReset:
				if games != 2*n-2 && games != 2*n-1 {
					t.Fatalf("n=%d reset: %d games, want %d or %d", n, games, 2*n-2, 2*n-1)
				}
				for _, p := range tr.Players {
					if p != champ && l[p] != 2 || p == champ && l[p] > 1 {
						t.Fatalf("n=%d: player %d has %d losses (champion %d)", n, p, l[p], champ)
					}
				}
			case GrandFinalSingle:
				if games != 2*n-2 {
					t.Fatalf("n=%d single: %d games, want %d", n, games, 2*n-2)
				}
			case GrandFinalNone:
				if games != 2*n-3 && n > 1 {
					t.Fatalf("n=%d none: %d games, want %d", n, games, 2*n-3)
				}
				if l[champ] != 0 {
					t.Fatalf("n=%d none: the champion %d lost", n, champ)
				}
			}
			for _, p := range tr.Players {
				if l[p] > 2 {
					t.Fatalf("n=%d: player %d lost %d times", n, p, l[p])
				}
			}
			if err := Validate(tr); err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			st := tr.Standings().Standings
			if st[0].PlayerID != champ || st[0].Place != 1 || st[1].Place != 2 {
				t.Fatalf("n=%d: standings %+v", n, st[:2])
			}
		}
	}
}

// The first round into which winners'-bracket losers drop (losers' round
// 2) never pairs a player with the one who beat them or whom they beat.
func TestDoubleEliminationDropsAvoidRematches(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{8, 16, 32, 64} {
		for range 20 {
			tr := playRandom(t, startFormat(t, n, DoubleElimination, Options{}), r, false)
			met := map[[2]int64]bool{}
			for _, rd := range tr.Rounds {
				for _, g := range rd.Games {
					p := [2]int64{min(g.Player1, g.Player2), max(g.Player1, g.Player2)}
					if rd.Bracket == BracketLosers && rd.Round <= 5 && met[p] {
						t.Fatalf("n=%d: round %d (%s) is a rematch of %v", n, rd.Round, rd.Bracket, p)
					}
					met[p] = true
				}
			}
		}
	}
}

func TestDoubleEliminationGrandFinalReset(t *testing.T) {
	tr := startFormat(t, 4, DoubleElimination, Options{})
	// Play to the grand final with the upper slot winning everywhere but in
	// the grand final.
	for tr.Status == StatusActive {
		g := tr.ActiveGames()[0]
		r := tr.Rounds[g.Round-1]
		w := g.Player1
		if r.Bracket == BracketGrandFinal && len(tr.bracketRounds(BracketGrandFinal)) == 1 {
			w = g.Player2 // the losers' champion wins the first final
		}
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: w})
	}
	gf := tr.bracketRounds(BracketGrandFinal)
	if len(gf) != 2 {
		t.Fatalf("a reset grand final has two games, got %d rounds", len(gf))
	}
	if tr.GameCount() != 2*4-1 || *tr.WinnerID != tr.Rounds[gf[1]].Games[0].Player1 {
		t.Fatalf("games %d, winner %d", tr.GameCount(), *tr.WinnerID)
	}
}

func TestDoubleEliminationByesCarryIntoLosersBracket(t *testing.T) {
	tr := startFormat(t, 5, DoubleElimination, Options{})
	// Round 1 of 8 slots: 1 v bye, 4 v 5, 2 v bye, 3 v bye: one game.
	if len(tr.Rounds[0].Games) != 1 {
		t.Fatalf("round 1 games %d", len(tr.Rounds[0].Games))
	}
	tr = mustApply(t, tr, RegisterResult{GameID: 1, WinnerID: 104})
	// Stage 2: winners' round 2 and losers' round 1 (105 against two empty
	// sides: a bye, no game waits on an absent player).
	lb := tr.Rounds[tr.bracketRounds(BracketLosers)[0]]
	if len(lb.Games) != 0 || !slices.Equal(lb.Byes, []int64{105}) {
		t.Fatalf("losers' round 1: %+v", lb)
	}
	for _, g := range tr.ActiveGames() {
		if g.Player1 == 0 || g.Player2 == 0 {
			t.Fatalf("game against nobody: %+v", g)
		}
	}
}

func TestThirdPlaceMatch(t *testing.T) {
	tr := startFormat(t, 8, SingleElimination, Options{ThirdPlaceMatch: true})
	for tr.Status == StatusActive && len(tr.bracketRounds(BracketThirdPlace)) == 0 {
		g := tr.ActiveGames()[0]
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
	}
	semis := tr.Rounds[1]
	third := tr.Rounds[tr.bracketRounds(BracketThirdPlace)[0]]
	if !slices.Equal(third.Slots, []int64{*semis.Games[0].LoserID, *semis.Games[1].LoserID}) || len(tr.ActiveGames()) != 2 {
		t.Fatalf("third place %+v after semis %+v", third, semis)
	}
	final := tr.ActiveGames()[0]
	tr = mustApply(t, tr, RegisterResult{GameID: final.GameID, WinnerID: final.Player1})
	if tr.Status != StatusActive {
		t.Fatal("completed before the third-place match was played")
	}
	tp := tr.ActiveGames()[0]
	tr = mustApply(t, tr, RegisterResult{GameID: tp.GameID, WinnerID: tp.Player2})
	if tr.Status != StatusCompleted || *tr.WinnerID != final.Player1 {
		t.Fatalf("status %s winner %v", tr.Status, tr.WinnerID)
	}
	var places []string
	for _, s := range tr.Standings().Standings {
		places = append(places, fmt.Sprintf("%d:%d", s.Place, s.PlayerID))
	}
	want := fmt.Sprintf("1:%d 2:%d 3:%d 4:%d", final.Player1, final.Player2, tp.Player2, tp.Player1)
	if got := strings.Join(places, " "); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "5:105 5:106 5:107 5:108") {
		t.Fatalf("standings %s, want %s then four 5th places", got, want)
	}
}

func TestRoundRobinBergerSchedule(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, cycles := range []int{1, 2} {
		for n := 2; n <= 17; n++ {
			tr := playRandom(t, startFormat(t, n, RoundRobin, Options{Rounds: cycles}), r, n <= 8)
			meets := map[[2]int64]int{}
			sides := map[[2]int64]int{} // (p1, p2) as played
			for _, rd := range tr.Rounds {
				if rd.Bracket != BracketRoundRobin {
					t.Fatalf("bracket %q", rd.Bracket)
				}
				for _, g := range rd.Games {
					meets[[2]int64{min(g.Player1, g.Player2), max(g.Player1, g.Player2)}]++
					sides[[2]int64{g.Player1, g.Player2}]++
				}
				if n%2 == 1 && len(rd.Byes) != 1 || n%2 == 0 && len(rd.Byes) != 0 {
					t.Fatalf("n=%d round %d byes %v", n, rd.Round, rd.Byes)
				}
			}
			for i := range n {
				for j := i + 1; j < n; j++ {
					p := [2]int64{int64(101 + i), int64(101 + j)}
					if meets[p] != cycles {
						t.Fatalf("n=%d cycles=%d: %v met %d times", n, cycles, p, meets[p])
					}
					if cycles == 2 && (sides[p] != 1 || sides[[2]int64{p[1], p[0]}] != 1) {
						t.Fatalf("n=%d: %v did not play once on each side", n, p)
					}
				}
			}
			for i := 1; i < len(tr.Rounds); i++ {
				if len(tr.Rounds[i].Byes) == 1 && slices.Equal(tr.Rounds[i].Byes, tr.Rounds[i-1].Byes) {
					t.Fatalf("n=%d: %v has byes in rounds %d and %d", n, tr.Rounds[i].Byes, i, i+1)
				}
			}
			if want := (n + n%2 - 1) * cycles; len(tr.Rounds) != want {
				t.Fatalf("n=%d: %d rounds, want %d", n, len(tr.Rounds), want)
			}
		}
	}
}

func TestRoundRobinStandingsTiebreaks(t *testing.T) {
	// Three players in a cycle of wins: all on 1 point, each beat one other
	// on 1 point (head to head 1), Sonneborn-Berger 1: seed decides.
	tr := startFormat(t, 3, RoundRobin, Options{})
	beats := map[[2]int64]bool{{101, 102}: true, {102, 103}: true, {103, 101}: true}
	for tr.Status == StatusActive {
		g := tr.ActiveGames()[0]
		w := g.Player2
		if beats[[2]int64{g.Player1, g.Player2}] {
			w = g.Player1
		}
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: w})
	}
	st := tr.Standings().Standings
	for i, s := range st {
		if s.Points != 1 || s.Tiebreaks[0] != (Tiebreak{TiebreakHeadToHead,
			1}) || s.Tiebreaks[1] != (Tiebreak{TiebreakSonnebornBerger, 1}) || s.PlayerID != int64(101+i) || s.Place != i+1 {
			t.Fatalf("standings %+v", st)
		}
	}
	// Four players: 101 beats everyone, 102 beats 103, 103 beats 104, 104
	// beats 102: three players on 1 point, each with one win among them.
	tr = startFormat(t, 4, RoundRobin, Options{})
	rank := map[int64]int{101: 0, 102: 1, 103: 2, 104: 3}
	for tr.Status == StatusActive {
		g := tr.ActiveGames()[0]
		w := g.Player1
		if rank[g.Player2] < rank[g.Player1] {
			w = g.Player2
		}
		if g.Player1+g.Player2 == 102+104 {
			w = 104
		}
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: w})
	}
	st = tr.Standings().Standings
	// Points: 101 3, 102 1 (beat 103), 103 1 (beat 104), 104 1 (beat 102).
	if st[0].PlayerID != 101 || st[0].Points != 3 || *tr.WinnerID != 101 {
		t.Fatalf("standings %+v", st)
	}
	for _, s := range st[1:] {
		if s.Points != 1 || s.Tiebreaks[0].Value != 1 {
			t.Fatalf("standings %+v", st)
		}
	}
}

// Swiss property: for random fields of 2..200 players and random results,
// no rematch and no second bye ever, every round pairs everyone, and the
// tournament plays every round it was asked for.
func TestSwissPropertyNoRematchNoSecondBye(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	sizes := []int{2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 64, 99, 128, 200}
	for range 8 {
		sizes = append(sizes, 2+r.IntN(199))
	}
	for _, n := range sizes {
		rounds := 0
		if n <= 12 && n > 2 {
			rounds = n - 1 - r.IntN(2) // close to the limit too
		}
		tr := playRandom(t, startFormat(t, n, Swiss, Options{Rounds: rounds}), r, n <= 9)
		checkSwiss(t, tr, n)
	}
}

func checkSwiss(t *testing.T, tr *Tournament, n int) {
	t.Helper()
	met, byes := map[[2]int64]bool{}, map[int64]bool{}
	for _, rd := range tr.Rounds {
		seen := map[int64]bool{}
		for _, g := range rd.Games {
			p := [2]int64{min(g.Player1, g.Player2), max(g.Player1, g.Player2)}
			if met[p] {
				t.Fatalf("n=%d round %d: rematch %v", n, rd.Round, p)
			}
			met[p] = true
			seen[g.Player1], seen[g.Player2] = true, true
		}
		for _, b := range rd.Byes {
			if byes[b] {
				t.Fatalf("n=%d round %d: second bye for %d", n, rd.Round, b)
			}
			byes[b], seen[b] = true, true
		}
		if len(seen) != n || len(rd.Byes) != n%2 {
			t.Fatalf("n=%d round %d paired %d players with byes %v", n, rd.Round, len(seen), rd.Byes)
		}
	}
	// Sides: player_1 goes to whichever of the two has had it less often
	// before the round.
	balance := map[int64]int{}
	for _, rd := range tr.Rounds {
		for _, g := range rd.Games {
			if balance[g.Player1] > balance[g.Player2] {
				t.Fatalf("n=%d round %d: player_1 %d (balance %d) against %d (balance %d)", n, rd.Round, g.Player1,
					balance[g.Player1], g.Player2, balance[g.Player2])
			}
		}
		for _, g := range rd.Games {
			balance[g.Player1]++
			balance[g.Player2]--
		}
	}
	if tr.Options.Rounds == 0 || len(tr.Rounds) > tr.Options.Rounds {
		t.Fatalf("n=%d: %d rounds of %d", n, len(tr.Rounds), tr.Options.Rounds)
	}
	if tr.Options.Rounds == swissRounds(n) && len(tr.Rounds) != tr.Options.Rounds {
		t.Fatalf("n=%d: stopped after %d of the default %d rounds", n, len(tr.Rounds), tr.Options.Rounds)
	}
}

func TestSwissPairsWithinScoreGroups(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	tr := startFormat(t, 16, Swiss, Options{})
	// Round 1: top half against bottom half, by seed.
	for i, g := range tr.Rounds[0].Games {
		p := []int64{g.Player1, g.Player2}
		slices.Sort(p)
		if p[0] != int64(101+i) || p[1] != int64(109+i) {
			t.Fatalf("round 1 game %d: %v", i, p)
		}
	}
	for tr.Status == StatusActive && len(tr.Rounds) < 3 {
		g := tr.ActiveGames()[0]
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: []int64{g.Player1, g.Player2}[r.IntN(2)]})
	}
	// Round 3 of 16: score groups of 4, 8, 4 are all even: no float.
	pts := map[int64]int{}
	for _, rd := range tr.Rounds[:2] {
		for _, g := range rd.Games {
			pts[*g.WinnerID]++
		}
	}
	for _, g := range tr.Rounds[2].Games {
		if pts[g.Player1] != pts[g.Player2] {
			t.Fatalf("round 3 floats %d (%d) v %d (%d)", g.Player1, pts[g.Player1], g.Player2, pts[g.Player2])
		}
	}
}

func TestSwissByeGoesToTheLowestRankedWithoutOne(t *testing.T) {
	for _, n := range []int{5, 7, 9} {
		tr := startFormat(t, n, Swiss, Options{Rounds: n - 1})
		if b := tr.Rounds[0].Byes; !slices.Equal(b, []int64{int64(100 + n)}) {
			t.Fatalf("round 1 bye %v, want the lowest seed", b)
		}
		r := rand.New(rand.NewPCG(uint64(n), 1))
		for tr.Status == StatusActive {
			g := tr.ActiveGames()[0]
			tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: []int64{g.Player1, g.Player2}[r.IntN(2)]})
			rd := tr.Rounds[len(tr.Rounds)-1]
			if len(rd.Games) == 0 || rd.Games[0].GameID <= g.GameID {
				continue // no new round
			}
			// The standings the pairing saw: before the new round.
			before := tr.Clone()
			before.Rounds = before.Rounds[:len(before.Rounds)-1]
			st := before.Standings().Standings
			had := map[int64]bool{}
			for _, r := range before.Rounds {
				for _, b := range r.Byes {
					had[b] = true
				}
			}
			// Every player ranked below the one who got the bye and without a
			// bye yet could not have had it: the others could not be paired.
			for i := len(st) - 1; i >= 0 && st[i].PlayerID != rd.Byes[0]; i-- {
				if p := st[i].PlayerID; !had[p] && pairable(before, p) {
					t.Fatalf("n=%d round %d: bye to %d, but %d ranks lower, has had none, and the rest could be paired",
						n, rd.Round, rd.Byes[0], p)
				}
			}
		}
		checkSwiss(t, tr, n)
	}
}

// pairable reports whether t's players but bye can be paired with no
// rematch (exhaustive search: small fields only).
func pairable(t *Tournament, bye int64) bool {
	met := map[[2]int64]bool{}
	for _, r := range t.Rounds {
		for _, g := range r.Games {
			met[[2]int64{min(g.Player1, g.Player2), max(g.Player1, g.Player2)}] = true
		}
	}
	var rest []int64
	for _, p := range t.Seeds {
		if p != bye {
			rest = append(rest, p)
		}
	}
	var try func(left []int64) bool
	try = func(left []int64) bool {
		if len(left) == 0 {
			return true
		}
		for j := 1; j < len(left); j++ {
			if met[[2]int64{min(left[0], left[j]), max(left[0], left[j])}] {
				continue
			}
			next := append(append([]int64{}, left[1:j]...), left[j+1:]...)
			if try(next) {
				return true
			}
		}
		return false
	}
	return try(rest)
}

// Timeouts resolve every overdue game of the current stage, in both
// brackets at once, and the tournament goes on.
func TestTimeoutsResolveEveryBracketOfTheStage(t *testing.T) {
	tr := startFormat(t, 8, DoubleElimination, Options{})
	for _, g := range tr.ActiveGames() {
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
	}
	if first := tr.currentStage(); len(tr.Rounds)-first != 2 {
		t.Fatalf("stage 2 should hold two rounds, has %d", len(tr.Rounds)-first)
	}
	late := env()
	late.Now = late.Now.Add(time.Hour)
	next, evs, err := Apply(tr, ResolveTimeouts{Policy: TimeoutHigherSeed}, late)
	if err != nil {
		t.Fatal(err)
	}
	timedOut := map[string]int{}
	for _, e := range evs {
		if e.Type == EventGameTimedOut {
			timedOut[next.Rounds[e.Round-1].Bracket]++
		}
	}
	if timedOut[BracketWinners] != 2 || timedOut[BracketLosers] != 2 || next.stage(&next.Rounds[len(next.Rounds)-1]) != 3 {
		t.Fatalf("timed out %v; now at stage %d", timedOut, next.stage(&next.Rounds[len(next.Rounds)-1]))
	}
	if err := Validate(next); err != nil {
		t.Fatal(err)
	}
}

func TestFormatValidation(t *testing.T) {
	for _, c := range []struct {
		p    CreateParams
		want string
	}{
		{CreateParams{Format: "ladder"}, `format "ladder" is not one of`},
		{CreateParams{Format: Swiss, Options: Options{ThirdPlaceMatch: true}},
			"third_place_match applies to format single_elimination only"},
		{CreateParams{Format: SingleElimination, Options: Options{GrandFinal: "reset"}},
			"grand_final applies to format double_elimination only"},
		{CreateParams{Format: DoubleElimination, Options: Options{GrandFinal: "twice"}}, "grand_final must be none, single or reset"},
		{CreateParams{Format: DoubleElimination, Options: Options{Rounds: 3}}, "rounds applies to formats round_robin and swiss only"},
		{CreateParams{Format: RoundRobin, Options: Options{Rounds: 3}}, "rounds must be 1 or 2"},
		{CreateParams{Format: RoundRobin, MaxPlayers: 65}, "max_players must be at most 64 for a round robin"},
		{CreateParams{Format: Swiss, Options: Options{Rounds: 8}}, "rounds must be from 1 to max_players-1 (7)"},
	} {
		p := c.p
		p.ID, p.Name, p.CreatorID = 1, "x", 1
		if p.MaxPlayers == 0 {
			p.MaxPlayers = 8
		}
		_, _, err := New(p, env())
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want invalid_argument %q", c.p, err, c.want)
		}
	}
	tr, _, _ := New(CreateParams{ID: 1, Name: "x", MaxPlayers: 8, CreatorID: 1, Format: Swiss, Options: Options{Rounds: 5}}, env())
	for _, id := range []int64{1, 2, 3, 4} {
		tr = mustApply(t, tr, AddPlayer{UserID: id})
	}
	if _, _, err := Apply(tr, Start{}, env()); !errors.Is(err, ErrFailedPrecondition) || !strings.Contains(err.Error(),
		"at most 3 rounds") {
		t.Fatalf("start of a 4-player Swiss with 5 rounds: %v", err)
	}
}

func TestRoundStartedEventsCarryTheBracket(t *testing.T) {
	tr := startFormat(t, 4, DoubleElimination, Options{})
	g := tr.ActiveGames()
	tr = mustApply(t, tr, RegisterResult{GameID: g[0].GameID, WinnerID: g[0].Player1})
	_, evs, err := Apply(tr, RegisterResult{GameID: g[1].GameID, WinnerID: g[1].Player1}, env())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		if e.Type == EventRoundStarted {
			got = append(got, e.Bracket)
		}
	}
	if !slices.Equal(got, []string{BracketWinners, BracketLosers}) {
		t.Fatalf("round_started brackets %v", got)
	}
}

func BenchmarkSwissPairing(b *testing.B) {
	for _, n := range []int{256, 1024} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			tr := startFormat(b, n, Swiss, Options{})
			// Play three rounds, then time pairing round 4.
			for len(tr.Rounds) < 4 {
				g := tr.ActiveGames()[0]
				tr, _, _ = Apply(tr, RegisterResult{GameID: g.GameID, WinnerID: []int64{g.Player1, g.Player2}[r.IntN(2)]}, env())
			}
			c := &change{t: tr.copyForChange(), env: env()}
			for b.Loop() {
				c.swissSlots()
			}
		})
	}
}

// Import checks a Swiss tournament's pairings as pairings: a rematch or a
// second bye is refused.
func TestValidateRefusesBadSwissPairings(t *testing.T) {
	tr := playRandom(t, startFormat(t, 5, Swiss, Options{Rounds: 3}), rand.New(rand.NewPCG(3, 3)), false)
	if err := Validate(tr); err != nil {
		t.Fatal(err)
	}
	rematch := tr.Clone()
	r1, r2 := rematch.Rounds[0].Games[0], &rematch.Rounds[1]
	r2.Slots[0], r2.Slots[1] = r1.Player1, r1.Player2
	if err := Validate(rematch); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a rematch imported: %v", err)
	}
	bye := tr.Clone()
	b := bye.Rounds[0].Byes[0]
	for i, p := range bye.Rounds[1].Slots {
		if p == b {
			bye.Rounds[1].Slots[i] = bye.Rounds[1].Slots[len(bye.Rounds[1].Slots)-2]
			bye.Rounds[1].Slots[len(bye.Rounds[1].Slots)-2] = b
		}
	}
	if err := Validate(bye); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a second bye imported: %v", err)
	}
}

// The narrow band of candidate pairs (RulesSwissBands) floats no more
// players than the whole graph of pairs at most one point apart would: in
// big fields, round after round, it pairs with as few floats as the full
// matching, and with no rematch or second bye.
func TestSwissBandsFloatNoMoreThanTheFullGraph(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{97, 250, 1000} { // not powers of two: odd score groups, floats
		tr := startFormat(t, n, Swiss, Options{Rounds: 7})
		var total [2]int
		if tr.Rules != RulesSwissBands {
			t.Fatalf("rules %d", tr.Rules)
		}
		floats := func(t0 *Tournament, slots []int64) int {
			pts := map[int64]int{}
			for _, s := range t0.Standings().Standings {
				pts[s.PlayerID] = s.Points
			}
			f := 0
			for i := 0; i+1 < len(slots); i += 2 {
				if slots[i+1] != 0 && pts[slots[i]] != pts[slots[i+1]] {
					f++
				}
			}
			return f
		}
		for tr.Status == StatusActive {
			// Finish the round but its last game, then pair the next round
			// both ways from the same state.
			act := tr.ActiveGames()
			for _, g := range act[:len(act)-1] {
				tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: []int64{g.Player1, g.Player2}[r.IntN(2)]})
			}
			g := tr.ActiveGames()[0]
			tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
			if tr.Status != StatusActive {
				break
			}
			paired := tr.Rounds[len(tr.Rounds)-1]
			before := tr.Clone()
			before.Rounds = before.Rounds[:len(before.Rounds)-1]
			before.Rules = RulesWalkovers // the whole graph
			full := (&change{t: before, env: env()}).swissSlots()
			total[0], total[1] = total[0]+floats(before, paired.Slots), total[1]+floats(before, full)
			if got, want := floats(before, paired.Slots), floats(before, full); got > want {
				t.Fatalf("n=%d round %d: the band floats %d players, the full graph %d", n, paired.Round, got, want)
			}
		}
		checkSwiss(t, tr, n)
		t.Logf("n=%d: %d floats with the band, %d with the whole graph", n, total[0], total[1])
	}
}
