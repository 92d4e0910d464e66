package tournament

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// playAll decides every game, player_1 winning.
func playAll(t *testing.T, tr *Tournament) *Tournament {
	t.Helper()
	for tr.Status == StatusActive {
		g := tr.ActiveGames()[0]
		tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player1})
	}
	return tr
}

func eventTypes(evs []Event) []EventType {
	var out []EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestCorrectionResetsTheGamesThatFollowAndReopens(t *testing.T) {
	tr := playAll(t, startFormat(t, 8, SingleElimination, Options{}))
	// Round 1: 1 (101 v 108), 2 (104 v 105), 3 (102 v 107), 4 (103 v 106);
	// semis 5 (101 v 104), 6 (102 v 103); final 7 (101 v 102).
	before := string(tr.AppendJSON(nil))
	im, err := PreviewCorrection(tr, CorrectResult{GameID: 1, WinnerID: 108}, env())
	if err != nil {
		t.Fatal(err)
	}
	if string(tr.AppendJSON(nil)) != before {
		t.Fatal("the preview changed the tournament")
	}
	ids := func(gs []Game) []int64 {
		var out []int64
		for _, g := range gs {
			out = append(out, g.GameID)
		}
		return out
	}
	// Semi 5 loses its result; the final no longer follows (its semi is
	// undecided again) and is removed with its result.
	if !im.Changes || !slices.Equal(ids(im.Reset), []int64{5}) || !slices.Equal(ids(im.Removed),
		[]int64{7}) || !im.Reopens || !im.WinnerChanges ||
		!slices.Equal(im.Players, []int64{101, 102, 104, 108}) || im.Version != tr.Version {
		t.Fatalf("impact %+v", im)
	}
	next, evs, err := Apply(tr, CorrectResult{GameID: 1, WinnerID: 108, ExpectedVersion: tr.Version}, env())
	if err != nil {
		t.Fatal(err)
	}
	want := []EventType{EventGameCorrected, EventGameReset, EventGameRemoved, EventTournamentReopened}
	if !slices.Equal(eventTypes(evs), want) {
		t.Fatalf("events %v, want %v", eventTypes(evs), want)
	}
	semi := next.Game(5)
	if next.Status != StatusActive || next.WinnerID != nil || semi.Player1 != 108 || semi.Player2 != 104 || semi.Status != GameActive || next.Game(6).Status != GameFinished {
		t.Fatalf("after the correction: %s", next.AppendJSON(nil))
	}
	if len(next.Rounds) != 2 || next.CurrentRound != 2 {
		t.Fatalf("the final should wait for the semi again: %d rounds", len(next.Rounds))
	}
	if err := Validate(next); err != nil {
		t.Fatal(err)
	}
	if got := ImpactOf(tr, next, evs, 1); !slices.Equal(ids(got.Reset), ids(im.Reset)) {
		t.Fatalf("the correction did %+v, the preview said %+v", got, im)
	}
	next = playAll(t, next)
	if *next.WinnerID != 108 || next.GameCount() != 7 { // 108 takes 101's upper slot
		t.Fatalf("replayed to winner %d with %d games", *next.WinnerID, next.GameCount())
	}
}

func TestCorrectionRepairsAnUnplayedGame(t *testing.T) {
	tr := startFormat(t, 4, SingleElimination, Options{})
	tr = mustApply(t, tr, RegisterResult{GameID: 1, WinnerID: 101})
	tr = mustApply(t, tr, RegisterResult{GameID: 2, WinnerID: 102})
	next, evs, err := Apply(tr, CorrectResult{GameID: 2, WinnerID: 103}, env())
	if err != nil {
		t.Fatal(err)
	}
	if f := next.Game(3); f.Player2 != 103 || f.Status != GameActive || !slices.Equal(eventTypes(evs),
		[]EventType{EventGameCorrected, EventGameRepaired}) {
		t.Fatalf("final %+v, events %v", f, eventTypes(evs))
	}
}

func TestCorrectingTheGrandFinalAddsOrRemovesTheReset(t *testing.T) {
	tr := playAll(t, startFormat(t, 4, DoubleElimination, Options{}))
	gf := tr.Rounds[tr.bracketRounds(BracketGrandFinal)[0]].Games[0]
	if len(tr.bracketRounds(BracketGrandFinal)) != 1 || *tr.WinnerID != gf.Player1 {
		t.Fatalf("grand final %+v, winner %d", gf, *tr.WinnerID)
	}
	// The losers' champion won it after all: a second final is played.
	withReset, evs, err := Apply(tr, CorrectResult{GameID: gf.GameID, WinnerID: gf.Player2}, env())
	if err != nil {
		t.Fatal(err)
	}
	if withReset.Status != StatusActive || len(withReset.bracketRounds(BracketGrandFinal)) != 2 || !slices.Contains(eventTypes(evs), EventTournamentReopened) {
		t.Fatalf("after correcting the first final: %s %v", withReset.Status, eventTypes(evs))
	}
	reset := withReset.ActiveGames()[0]
	withReset = mustApply(t, withReset, RegisterResult{GameID: reset.GameID, WinnerID: reset.Player2})
	// Corrected back: the second final no longer follows and is removed.
	back, evs, err := Apply(withReset, CorrectResult{GameID: gf.GameID, WinnerID: gf.Player1}, env())
	if err != nil {
		t.Fatal(err)
	}
	if len(back.bracketRounds(BracketGrandFinal)) != 1 || back.Status != StatusCompleted || *back.WinnerID != gf.Player1 || !slices.Contains(eventTypes(evs), EventGameRemoved) {
		t.Fatalf("after correcting back: %s winner %v events %v", back.Status, back.WinnerID, eventTypes(evs))
	}
	for _, s := range []*Tournament{withReset, back} {
		if err := Validate(s); err != nil {
			t.Fatal(err)
		}
	}
}

// Round robin and Swiss keep their pairings; the standings follow the
// corrected result, and the tournament still validates (Swiss rounds paired
// on the old result are checked as pairings, not derived again).
func TestCorrectionKeepsRoundRobinAndSwissPairings(t *testing.T) {
	for _, f := range []Format{RoundRobin, Swiss} {
		tr := playRandom(t, startFormat(t, 6, f, Options{}), rand.New(rand.NewPCG(1, 2)), false)
		g := tr.Rounds[0].Games[0]
		before := tr.swissPairsForTest()
		next, evs, err := Apply(tr, CorrectResult{GameID: g.GameID, WinnerID: *g.LoserID}, env())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(next.swissPairsForTest(),
			before) || *next.Game(g.GameID).WinnerID != *g.LoserID || evs[0].Type != EventGameCorrected {
			t.Fatalf("%s: pairings changed or result not corrected: %v", f, eventTypes(evs))
		}
		if *next.WinnerID != next.Standings().Standings[0].PlayerID {
			t.Fatalf("%s: the winner is not the new leader", f)
		}
		if err := Validate(next); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}

func TestCorrectionErrors(t *testing.T) {
	tr := startFormat(t, 4, SingleElimination, Options{})
	tr = mustApply(t, tr, RegisterResult{GameID: 1, WinnerID: 101})
	for _, c := range []struct {
		cmd  CorrectResult
		want *Error
	}{
		{CorrectResult{GameID: 2, WinnerID: 102}, ErrFailedPrecondition}, // not decided yet
		{CorrectResult{GameID: 1, WinnerID: 102}, ErrInvalidArgument},    // not a player of game 1
		{CorrectResult{GameID: 9, WinnerID: 101}, ErrNotFound},
		{CorrectResult{GameID: 1, WinnerID: 104, ExpectedVersion: tr.Version - 1}, ErrFailedPrecondition},
		{CorrectResult{GameID: 0, WinnerID: 104}, ErrInvalidArgument},
	} {
		if _, _, err := Apply(tr, c.cmd, env()); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %s", c.cmd, err, c.want.Code)
		}
	}
	same, evs, err := Apply(tr, CorrectResult{GameID: 1, WinnerID: 101}, env())
	if err != nil || same != tr || evs != nil {
		t.Fatalf("a correction to the recorded winner is a no-op: %v %v", evs, err)
	}
}

func (t *Tournament) swissPairsForTest() [][2]int64 {
	var out [][2]int64
	for _, r := range t.Rounds {
		for _, g := range r.Games {
			out = append(out, [2]int64{g.Player1, g.Player2})
		}
	}
	return out
}

func TestEndTournamentCompletesWithTheStandingsAsTheyAre(t *testing.T) {
	tr := startFormat(t, 6, Swiss, Options{})
	g := tr.ActiveGames()[0]
	tr = mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player2})
	ended, evs, err := Apply(tr, EndTournament{}, env())
	if err != nil {
		t.Fatal(err)
	}
	want := []EventType{EventGameCancelled, EventGameCancelled, EventTournamentEnded, EventTournamentCompleted}
	if !slices.Equal(eventTypes(evs),
		want) || ended.Status != StatusCompleted || !ended.Ended || *ended.WinnerID != g.Player2 || len(ended.ActiveGames()) != 0 {
		t.Fatalf("ended: %v %s winner %v", eventTypes(evs), ended.Status, ended.WinnerID)
	}
	if err := Validate(ended); err != nil {
		t.Fatal(err)
	}
	cancelled := ended.Rounds[0].Games[1]
	for _, cmd := range []Command{EndTournament{}, RegisterResult{GameID: cancelled.GameID, WinnerID: cancelled.Player1},
		CorrectResult{GameID: g.GameID, WinnerID: g.Player1}} {
		if _, _, err := Apply(ended, cmd, env()); !errors.Is(err, ErrFailedPrecondition) {
			t.Errorf("%s after the end: %v", cmd.Name(), err)
		}
	}
	if _, _, err := Apply(pending(t, 2), EndTournament{}, env()); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("ending a pending tournament: %v", err)
	}
}

func TestForfeitsAndDoubleForfeits(t *testing.T) {
	tr := startFormat(t, 4, SingleElimination, Options{})
	next, evs, err := Apply(tr, RegisterResult{GameID: 1, WinnerID: 104, Forfeit: true}, env())
	if err != nil || !next.Game(1).Forfeit || !evs[0].Forfeit || *next.Game(1).WinnerID != 104 {
		t.Fatalf("forfeit: %+v %v", next.Game(1), err)
	}
	// Neither 102 nor 103 played: 104 has a walkover into the title.
	next, evs, err = Apply(next, RegisterResult{GameID: 2, Forfeit: true}, env())
	if err != nil || next.Status != StatusCompleted || *next.WinnerID != 104 || next.GameCount() != 2 {
		t.Fatalf("double forfeit: %s %v %v (%v)", next.Status, next.WinnerID, eventTypes(evs), err)
	}
	if g := next.Game(2); g.WinnerID != nil || !g.Forfeit || g.Status != GameFinished {
		t.Fatalf("double-forfeited game %+v", g)
	}
	if _, evs, err := Apply(next, RegisterResult{GameID: 2, Forfeit: true}, env()); err != nil || evs != nil {
		t.Fatalf("a repeated double forfeit: %v %v", evs, err)
	}
	if _, _, err := Apply(next, RegisterResult{GameID: 2, WinnerID: 102}, env()); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("a result after a double forfeit: %v", err)
	}
	if err := Validate(next); err != nil {
		t.Fatal(err)
	}
	st := next.Standings().Standings
	if st[0].PlayerID != 104 || st[0].Wins != 1 || !st[len(st)-1].Eliminated {
		t.Fatalf("standings %+v", st)
	}
}

func TestDisqualificationInEveryFormat(t *testing.T) {
	for _, f := range []Format{SingleElimination, DoubleElimination, RoundRobin, Swiss} {
		tr := startFormat(t, 6, f, Options{})
		g := tr.ActiveGames()[0]
		dq := g.Player1
		next, evs, err := Apply(tr, Disqualify{UserID: dq}, env())
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if evs[0].Type != EventPlayerDisqualified || !next.Game(g.GameID).Forfeit || *next.Game(g.GameID).WinnerID != g.Player2 {
			t.Fatalf("%s: %v, game %+v", f, eventTypes(evs), next.Game(g.GameID))
		}
		if _, _, err := Apply(next, Disqualify{UserID: dq}, env()); !errors.Is(err, ErrFailedPrecondition) {
			t.Fatalf("%s: disqualifying twice: %v", f, err)
		}
		// Another player withdraws (DELETE of an active tournament's player).
		w := next.ActiveGames()[0].Player2
		next = mustApply(t, next, RemovePlayer{UserID: w})
		next = playRandom(t, next, rand.New(rand.NewPCG(4, 4)), true)
		// From the next stage on a player who left is paired only to lose
		// by walkover (elimination, round robin), or not at all (Swiss).
		for _, r := range next.Rounds[1:] {
			for _, gm := range r.Games {
				for _, left := range []int64{dq, w} {
					if gm.Player1 != left && gm.Player2 != left {
						continue
					}
					if f == Swiss || !gm.Forfeit || gm.WinnerID != nil && *gm.WinnerID == left {
						t.Fatalf("%s: player %d, who left, plays game %+v", f, left, gm)
					}
				}
			}
		}
		st := next.Standings().Standings
		if st[0].PlayerID == dq || st[0].PlayerID == w || *next.WinnerID == dq || *next.WinnerID == w {
			t.Fatalf("%s: a player who left wins: %+v", f, st[0])
		}
		for _, s := range st {
			if (s.PlayerID == dq) != (s.Dropped == DropDisqualified) || (s.PlayerID == w) != (s.Dropped == DropWithdrew) {
				t.Fatalf("%s: standing %+v", f, s)
			}
		}
		if f == RoundRobin || f == Swiss {
			if last := st[len(st)-2:]; last[0].Dropped == "" || last[1].Dropped == "" {
				t.Fatalf("%s: players who left should place last: %+v", f, st)
			}
		}
		if err := Validate(next); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}

func TestMatchStates(t *testing.T) {
	tr := startFormat(t, 4, SingleElimination, Options{})
	g := tr.Game(1)
	if g.State != StateReady {
		t.Fatalf("a new game is %q", g.State)
	}
	later := env()
	later.Now = later.Now.Add(time.Hour)
	called, evs, err := Apply(tr, CallGame{GameID: 1}, later)
	if err != nil || called.Game(1).State != StateCalled || !called.Game(1).Deadline.Equal(later.Now.Add(later.GameTimeout)) || evs[0].Type != EventGameCalled {
		t.Fatalf("call: %+v %v %v", called.Game(1), eventTypes(evs), err)
	}
	if same, evs, _ := Apply(called, CallGame{GameID: 1}, later); same != called || evs != nil {
		t.Fatal("calling a called game again changed it")
	}
	// The deadline counts from the call: an hour after creation the game
	// is not overdue.
	if swept, _, _ := Apply(called, ResolveTimeouts{Policy: TimeoutHigherSeed},
		later); swept.Game(1).Status != GameActive || swept.Game(2).Status != GameTimedOut {
		t.Fatalf("after the sweep: game 1 (just called) %s, game 2 (never called) %s", swept.Game(1).Status, swept.Game(2).Status)
	}
	started, evs, err := Apply(called, StartGame{GameID: 1}, later)
	if err != nil || started.Game(1).State != StateInProgress || started.Game(1).PlayStartedAt == nil || evs[0].Type != EventGameStarted {
		t.Fatalf("start: %+v %v", started.Game(1), err)
	}
	if _, _, err := Apply(started, CallGame{GameID: 1}, later); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("calling a game in progress: %v", err)
	}
	done := mustApply(t, started, RegisterResult{GameID: 1, WinnerID: 101})
	if done.Game(1).State != StateCompleted {
		t.Fatalf("a finished game is %q", done.Game(1).State)
	}
	for _, cmd := range []Command{CallGame{GameID: 1}, StartGame{GameID: 1}} {
		if _, _, err := Apply(done, cmd, env()); !errors.Is(err, ErrFailedPrecondition) {
			t.Errorf("%s of a finished game: %v", cmd.Name(), err)
		}
	}
	if _, _, err := Apply(done, CallGame{GameID: 9}, env()); !errors.Is(err, ErrNotFound) {
		t.Errorf("calling a missing game: %v", err)
	}
	if err := Validate(done); err != nil {
		t.Fatal(err)
	}
}

func TestCheckIn(t *testing.T) {
	starts := t0.Add(time.Hour)
	tr, _, err := New(CreateParams{ID: 1, Name: "ci", MaxPlayers: 8, CreatorID: 1, CheckIn: "15m", StartsAt: &starts}, env())
	if err != nil || tr.CheckIn != "15m0s" {
		t.Fatalf("create: %+v %v", tr, err)
	}
	for u := int64(1); u <= 4; u++ {
		tr = mustApply(t, tr, AddPlayer{UserID: u})
	}
	if _, _, err := Apply(tr, CheckIn{UserID: 1}, env()); !errors.Is(err,
		ErrFailedPrecondition) || !strings.Contains(err.Error(), "opens at") {
		t.Fatalf("a check-in before the window: %v", err)
	}
	open := env()
	open.Now = starts.Add(-10 * time.Minute)
	for _, u := range []int64{1, 3, 4} {
		if tr, _, err = Apply(tr, CheckIn{UserID: u}, open); err != nil {
			t.Fatal(err)
		}
	}
	if same, evs, _ := Apply(tr, CheckIn{UserID: 1}, open); same != tr || evs != nil {
		t.Fatal("checking in twice changed the tournament")
	}
	if _, _, err := Apply(tr, CheckIn{UserID: 9}, open); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a stranger checks in: %v", err)
	}
	tr = mustApply(t, tr, RemovePlayer{UserID: 4})
	next, evs, err := Apply(tr, Start{Shuffle: true}, open)
	if err != nil || !slices.Equal(next.Players,
		[]int64{1, 3}) || len(next.Seeds) != 2 || evs[0].Type != EventPlayerNotCheckedIn || evs[0].PlayerID != 2 {
		t.Fatalf("start: players %v seeds %v events %v (%v)", next.Players, next.Seeds, eventTypes(evs), err)
	}
	if err := Validate(next); err != nil {
		t.Fatal(err)
	}
	// The decided form of the shuffled start replays to the same state.
	again, _, err := Apply(tr, Decided(Start{Shuffle: true}, tr, next), open)
	if err != nil || !slices.Equal(again.Seeds, next.Seeds) || !slices.Equal(again.Players, next.Players) {
		t.Fatalf("replayed start: %v %v", again, err)
	}
	if _, _, err := Apply(next, CheckIn{UserID: 1}, open); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("a check-in after the start: %v", err)
	}
	one, _, _ := New(CreateParams{ID: 2, Name: "x", MaxPlayers: 4, CreatorID: 1, CheckIn: "5m"}, env())
	one = mustApply(t, mustApply(t, one, AddPlayer{UserID: 1}), AddPlayer{UserID: 2})
	one = mustApply(t, one, CheckIn{UserID: 1})
	if _, _, err := Apply(one, Start{}, env()); !errors.Is(err, ErrFailedPrecondition) || !strings.Contains(err.Error(), "checked-in") {
		t.Fatalf("a start with one checked in: %v", err)
	}
	for _, p := range []CreateParams{{CheckIn: "soon"}, {CheckIn: "-5m"}, {StartsAt: &starts}} {
		p.ID, p.Name, p.MaxPlayers, p.CreatorID = 3, "x", 4, 1
		if _, _, err := New(p, env()); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%+v: %v", p, err)
		}
	}
	if _, _, err := Apply(pending(t, 2), CheckIn{UserID: 101}, env()); !errors.Is(err, ErrFailedPrecondition) {
		t.Errorf("a check-in without check-in: %v", err)
	}
}

func TestScoresAndBestOf(t *testing.T) {
	tr, _, err := New(CreateParams{ID: 1, Name: "bo", MaxPlayers: 4, CreatorID: 1, Format: RoundRobin, BestOf: 3,
		BestOfByRound: map[string]int{"3": 5}}, env())
	if err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 4; u++ {
		tr = mustApply(t, tr, AddPlayer{UserID: u})
	}
	tr = mustApply(t, tr, Start{})
	g := tr.Rounds[0].Games[0]
	if g.BestOf != 3 {
		t.Fatalf("a round-1 game is best of %d", g.BestOf)
	}
	p1 := g.Player1
	for _, c := range []struct {
		scores [][2]int
		want   string
	}{
		{[][2]int{{11, 7}}, "give the winner 1 game(s) of a best-of-3, which needs 2"},
		{[][2]int{{11, 7}, {5, 11}, {11, 11}}, "tie"},
		{[][2]int{{11, 7}, {11, 5}, {3, 11}}, "decided after game 2"},
		{[][2]int{{7, 11}, {5, 11}}, "give the winner 0 game(s)"},
		{[][2]int{{11, 7}, {5, 11}, {11, 9}, {11, 2}}, "1 to 3 games"},
		{[][2]int{{-1, 11}, {11, 5}, {11, 3}}, "negative"},
	} {
		_, _, err := Apply(tr, RegisterResult{GameID: g.GameID, WinnerID: p1, Scores: c.scores}, env())
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.scores, err, c.want)
		}
	}
	if _, _, err := Apply(tr,
		RegisterResult{GameID: g.GameID, WinnerID: p1, Forfeit: true,
			Scores: [][2]int{{11, 0}, {11, 0}}}, env()); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a forfeit with scores: %v", err)
	}
	played := mustApply(t, tr, RegisterResult{GameID: g.GameID, WinnerID: p1, Scores: [][2]int{{11, 7}, {9, 11}, {11, 5}}})
	if got := played.Game(g.GameID).Scores; len(got) != 3 {
		t.Fatalf("scores %v", got)
	}
	if same, evs, _ := Apply(played,
		RegisterResult{GameID: g.GameID, WinnerID: p1, Scores: [][2]int{{11, 7}, {9, 11}, {11, 5}}}, env()); same != played || evs != nil {
		t.Fatal("repeating the result with its scores changed something")
	}
	if _, _, err := Apply(played, RegisterResult{GameID: g.GameID, WinnerID: p1, Scores: [][2]int{{11, 1}, {11, 1}}},
		env()); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("other scores for the same winner: %v", err)
	}
	st := played.Standings().Standings
	for _, s := range st {
		if s.PlayerID == p1 && (s.GamesWon != 2 || s.GamesLost != 1 || s.Tiebreaks[2] != (Tiebreak{TiebreakGameDifference, 1})) {
			t.Fatalf("standing %+v", s)
		}
	}
	// A correction carries its scores; the scores alone can be corrected.
	fixed := mustApply(t, played, CorrectResult{GameID: g.GameID, WinnerID: g.Player2, Scores: [][2]int{{7, 11}, {9, 11}}})
	if w := *fixed.Game(g.GameID).WinnerID; w != g.Player2 || len(fixed.Game(g.GameID).Scores) != 2 {
		t.Fatalf("corrected game %+v", fixed.Game(g.GameID))
	}
	rescored := mustApply(t, fixed, CorrectResult{GameID: g.GameID, WinnerID: g.Player2, Scores: [][2]int{{7, 11}, {11, 9}, {2, 11}}})
	if len(rescored.Game(g.GameID).Scores) != 3 {
		t.Fatalf("rescored game %+v", rescored.Game(g.GameID))
	}
	done := playRandom(t, rescored, rand.New(rand.NewPCG(2, 2)), false)
	if done.Rounds[2].Games[0].BestOf != 5 {
		t.Fatalf("a round-3 game is best of %d, want 5", done.Rounds[2].Games[0].BestOf)
	}
	if err := Validate(done); err != nil {
		t.Fatal(err)
	}
	for _, p := range []CreateParams{{BestOf: 2}, {BestOfByRound: map[string]int{"1": 4}}, {BestOfByRound: map[string]int{"0": 3}}} {
		p.ID, p.Name, p.MaxPlayers, p.CreatorID = 2, "x", 4, 1
		if _, _, err := New(p, env()); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%+v: %v", p, err)
		}
	}
}
