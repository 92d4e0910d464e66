package tournament_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/fuzzcmd"
	"github.com/tourney/tourney/tournament"
)

var fuzzStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// FuzzCommandSequences decodes the input as a sequence of commands against
// one tournament (internal/fuzzcmd) and checks the engine's properties
// after every step: every format, with corrections, walkovers, double
// forfeits, disqualifications, withdrawals and check-ins.
func FuzzCommandSequences(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 2, 0, 3, 0, 4, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3})
	f.Add([]byte{2, 0, 1, 0, 1, 2, 1, 3, 0, 0, 4, 0, 3, 1})
	f.Add([]byte{33, 0, 5, 1, 5, 0, 6, 0, 7, 2, 1, 4, 2, 4, 0, 3, 0, 3, 0})
	f.Add([]byte{8 | 1<<5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 3, 5, 3, 6})
	f.Add([]byte{8 | 2<<5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 4, 1})
	f.Add([]byte{8 | 3<<5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 4, 0})
	f.Add([]byte{8 | 4<<5, 0, 1, 0, 2, 0, 3, 0, 4, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3, 3, 4})
	for _, s := range fuzzcmd.Mishaps {
		in, err := s.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(in)
	}
	f.Fuzz(runFuzzBody)
}

func runFuzzBody(t *testing.T, in []byte) {
	if len(in) == 0 || len(in) > fuzzcmd.MaxInput {
		return
	}
	e := tournament.Env{Now: fuzzStart, Rand: rand.New(rand.NewPCG(uint64(len(in)), 7)), GameTimeout: time.Minute}
	p := fuzzcmd.Params(in[0], len(in))
	tr, _, err := tournament.New(p, e)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i+1 < len(in); i += 2 {
		cmd, wait := fuzzcmd.Command(tr, p.CheckIn != "", in[i], in[i+1])
		e.Now = e.Now.Add(wait)
		tr = step(t, tr, cmd, e)
	}
}

// step applies cmd and checks every property of the change and of the
// state it makes; it returns the new state.
func step(t *testing.T, tr *tournament.Tournament, cmd tournament.Command, e tournament.Env) *tournament.Tournament {
	t.Helper()
	before := string(tr.AppendJSON(nil))
	var impact tournament.Impact
	correction, isCorrection := cmd.(tournament.CorrectResult)
	if isCorrection {
		var err error
		if impact, err = tournament.PreviewCorrection(tr, correction, e); err == nil && string(tr.AppendJSON(nil)) != before {
			t.Fatal("a dry run modified the state")
		}
	}
	next, evs, err := tournament.Apply(tr, cmd, e)
	if after := string(tr.AppendJSON(nil)); after != before {
		t.Fatalf("Apply(%s) modified the state it was given", cmd.Name())
	}
	if err != nil {
		if tournament.CodeOf(err) == tournament.CodeInternal || next != tr || evs != nil {
			t.Fatalf("%s failed badly: %v", cmd.Name(), err)
		}
		return tr
	}
	if (len(evs) == 0) != (next == tr) {
		t.Fatalf("%s: events %d but changed %v", cmd.Name(), len(evs), next != tr)
	}
	if next != tr && next.Version != tr.Version+1 {
		t.Fatalf("%s: version %d -> %d", cmd.Name(), tr.Version, next.Version)
	}
	checkState(t, next)
	if isCorrection && next != tr {
		checkImpact(t, tr, next, evs, correction, impact)
		checkUndo(t, tr, next, correction, e)
	}
	if next.Format == tournament.Swiss && len(next.Rounds) > len(tr.Rounds) {
		checkSwissHistory(t, next)
	}
	return next
}

// checkState checks the properties every state has.
func checkState(t *testing.T, tr *tournament.Tournament) {
	t.Helper()
	if err := tournament.Validate(tr); err != nil {
		t.Fatalf("engine produced an invalid state: %v\n%s", err, tr.AppendJSON(nil))
	}
	// Export and import give the state back exactly.
	b, _ := json.Marshal(tr)
	back, err := tournament.ParseSnapshot(b)
	if err != nil || !reflect.DeepEqual(tr, back) {
		t.Fatalf("export and import lost state: %v\n%s", err, b)
	}
	busy := map[int64]bool{}
	for _, g := range tr.ActiveGames() {
		for _, p := range []int64{g.Player1, g.Player2} {
			if busy[p] {
				t.Fatalf("player %d is in two active games", p)
			}
			busy[p] = true
		}
	}
	checkStandings(t, tr)
}

// exits says, for an elimination format, the stage each player went out
// in (0: still in): single elimination their first loss (the third-place
// match aside), double elimination their second, a double forfeit at
// once, and a player who left where they left if no earlier.
func exits(tr *tournament.Tournament) map[int64]int {
	need := 1
	if tr.Format == tournament.DoubleElimination {
		need = 2
	}
	losses, out := map[int64]int{}, map[int64]int{}
	goOut := func(p int64, stage int) {
		if out[p] == 0 || stage < out[p] {
			out[p] = stage
		}
	}
	for _, r := range tr.Rounds {
		stage := r.Stage
		if stage == 0 {
			stage = r.Round
		}
		if r.Bracket == tournament.BracketThirdPlace {
			continue
		}
		for _, g := range r.Games {
			switch {
			case g.WinnerID == nil && g.Status == tournament.GameFinished:
				goOut(g.Player1, stage)
				goOut(g.Player2, stage)
			case g.LoserID != nil:
				if losses[*g.LoserID]++; losses[*g.LoserID] == need {
					goOut(*g.LoserID, stage)
				}
			}
		}
	}
	for _, d := range tr.Dropped {
		goOut(d.PlayerID, d.Stage)
	}
	return out
}

func checkStandings(t *testing.T, tr *tournament.Tournament) {
	t.Helper()
	if tr.Status == tournament.StatusPending {
		return
	}
	st := tr.Standings().Standings
	seen := map[int64]bool{}
	place := map[int64]int{}
	for _, s := range st {
		if seen[s.PlayerID] || !slices.Contains(tr.Players, s.PlayerID) {
			t.Fatalf("standings place %d twice or is not a player: %+v", s.PlayerID, st)
		}
		seen[s.PlayerID], place[s.PlayerID] = true, s.Place
	}
	if len(st) != len(tr.Players) {
		t.Fatalf("standings list %d of %d players", len(st), len(tr.Players))
	}
	// Points are wins (walkovers among them) and, in Swiss, byes.
	wins := map[int64]int{}
	for _, r := range tr.Rounds {
		for _, g := range r.Games {
			if g.WinnerID != nil {
				wins[*g.WinnerID]++
			}
		}
	}
	left := map[int64]bool{}
	for _, d := range tr.Dropped {
		left[d.PlayerID] = true
	}
	for _, s := range st {
		if s.Wins != wins[s.PlayerID] {
			t.Fatalf("player %d has %d wins in the standings, %d in the games", s.PlayerID, s.Wins, wins[s.PlayerID])
		}
		switch tr.Format {
		case tournament.RoundRobin:
			if s.Points != s.Wins {
				t.Fatalf("round robin points %+v", s)
			}
		case tournament.Swiss:
			if s.Points != s.Wins+s.Byes {
				t.Fatalf("Swiss points %+v", s)
			}
		}
		if left[s.PlayerID] && !s.Eliminated {
			t.Fatalf("player %d left but is not eliminated: %+v", s.PlayerID, s)
		}
		if tr.Status == tournament.StatusCompleted && tr.WinnerID != nil && (s.PlayerID == *tr.WinnerID) == s.Eliminated {
			t.Fatalf("completed with winner %d: %+v", *tr.WinnerID, s)
		}
	}
	if tr.Format == tournament.RoundRobin || tr.Format == tournament.Swiss {
		return
	}
	// Elimination: out means eliminated, and nobody out in a stage is
	// placed above somebody still in after it.
	out := exits(tr)
	for _, s := range st {
		if s.Eliminated != (out[s.PlayerID] > 0) && !(tr.Status == tournament.StatusCompleted && s.Eliminated) {
			t.Fatalf("player %d out in stage %d, eliminated %v", s.PlayerID, out[s.PlayerID], s.Eliminated)
		}
	}
	for a, sa := range out {
		if sa == 0 {
			continue
		}
		for _, p := range tr.Players {
			if sb := out[p]; (sb == 0 || sb > sa) && place[p] >= place[a] && !(tr.WinnerID != nil && *tr.WinnerID == a) {
				t.Fatalf("player %d, out in stage %d, is placed %d; player %d, in longer (%d), is placed %d: %+v",
					a, sa, place[a], p, sb, place[p], st)
			}
		}
	}
}

// checkImpact: the dry run said what the correction did, and no game
// outside the impact changed.
func checkImpact(t *testing.T, before, after *tournament.Tournament, evs []tournament.Event,
	cmd tournament.CorrectResult, preview tournament.Impact) {
	t.Helper()
	applied := tournament.ImpactOf(before, after, evs, cmd.GameID)
	if a, p := impactJSON(applied), impactJSON(preview); a != p {
		t.Fatalf("the dry run said\n%s\nthe correction did\n%s", p, a)
	}
	in := map[int64]bool{cmd.GameID: true}
	for _, list := range [][]tournament.Game{applied.Reset, applied.Removed, applied.Repaired, applied.Created} {
		for _, g := range list {
			in[g.GameID] = true
		}
	}
	games := func(tr *tournament.Tournament) map[int64]string {
		m := map[int64]string{}
		for _, r := range tr.Rounds {
			for _, g := range r.Games {
				m[g.GameID] = string(g.AppendJSON(nil))
			}
		}
		return m
	}
	was, is := games(before), games(after)
	for id := range was {
		if was[id] != is[id] && !in[id] {
			t.Fatalf("game %d changed outside the impact %s:\n%s\n%s", id, impactJSON(applied), was[id], is[id])
		}
	}
	for id := range is {
		if was[id] != is[id] && !in[id] {
			t.Fatalf("game %d appeared outside the impact: %s", id, is[id])
		}
	}
	for id := range in {
		if was[id] == is[id] && id != cmd.GameID {
			t.Fatalf("game %d is in the impact but did not change", id)
		}
	}
}

func impactJSON(im tournament.Impact) string {
	b, _ := json.Marshal(im)
	return string(b)
}

// checkUndo: correcting a game back to the result it had gives back every
// game as it was (ids, players, results).
func checkUndo(t *testing.T, before, after *tournament.Tournament, cmd tournament.CorrectResult, e tournament.Env) {
	t.Helper()
	if before.Ended || after.Game(cmd.GameID) == nil {
		return
	}
	g := before.Game(cmd.GameID)
	undo := tournament.CorrectResult{GameID: g.GameID, Forfeit: g.Forfeit, Scores: g.Scores}
	if g.WinnerID != nil {
		undo.WinnerID = *g.WinnerID
	}
	if g.Status == tournament.GameTimedOut {
		return // a correction makes a played result of it; there is no way back to the timeout
	}
	back, _, err := tournament.Apply(after, undo, e)
	if err != nil {
		t.Fatalf("undoing %s: %v", tournament.Describe(cmd), err)
	}
	if d := bracketDiff(before, back); d != "" {
		t.Fatalf("%s and back: %s", tournament.Describe(cmd), d)
	}
}

// bracketDiff compares two states' rounds and games (ids, players,
// results), times aside.
func bracketDiff(a, b *tournament.Tournament) string {
	if len(a.Rounds) != len(b.Rounds) {
		return fmt.Sprintf("%d rounds against %d", len(a.Rounds), len(b.Rounds))
	}
	var diffs []string
	for ri := range a.Rounds {
		ra, rb := &a.Rounds[ri], &b.Rounds[ri]
		if !slices.Equal(ra.Slots, rb.Slots) || !slices.Equal(ra.Byes, rb.Byes) || len(ra.Games) != len(rb.Games) {
			diffs = append(diffs, fmt.Sprintf("round %d: slots %v/%v byes %v/%v", ra.Round, ra.Slots, rb.Slots, ra.Byes, rb.Byes))
			continue
		}
		for gi := range ra.Games {
			ga, gb := ra.Games[gi], rb.Games[gi]
			if ga.GameID != gb.GameID || ga.Player1 != gb.Player1 || ga.Player2 != gb.Player2 || ga.Status != gb.Status ||
				id(ga.WinnerID) != id(gb.WinnerID) || ga.Forfeit != gb.Forfeit || !slices.Equal(ga.Scores, gb.Scores) {
				diffs = append(diffs, fmt.Sprintf("game %s against %s", ga.AppendJSON(nil), gb.AppendJSON(nil)))
			}
		}
	}
	if a.Status != b.Status || id(a.WinnerID) != id(b.WinnerID) {
		diffs = append(diffs, fmt.Sprintf("status %s/%s", a.Status, b.Status))
	}
	return strings.Join(diffs, "; ")
}

// checkSwissHistory: what the pairing knows of each player still in is
// that player's own games and byes; a player who left never lends their
// history to another.
func checkSwissHistory(t *testing.T, tr *tournament.Tournament) {
	t.Helper()
	last := len(tr.Rounds)
	left := map[int64]bool{}
	for _, d := range tr.Dropped {
		if d.Stage < last {
			left[d.PlayerID] = true
		}
	}
	for _, s := range tournament.SwissPairingView(tr, last-1) {
		if left[s.Player] {
			t.Fatalf("player %d left but the pairing of round %d knows them", s.Player, last)
		}
		var opponents []int64
		side, bye := 0, false
		for _, r := range tr.Rounds[:last-1] {
			bye = bye || slices.Contains(r.Byes, s.Player)
			for _, g := range r.Games {
				switch s.Player {
				case g.Player1:
					side++
					if !left[g.Player2] {
						opponents = append(opponents, g.Player2)
					}
				case g.Player2:
					side--
					if !left[g.Player1] {
						opponents = append(opponents, g.Player1)
					}
				}
			}
		}
		slices.Sort(opponents)
		if !slices.Equal(opponents, s.Met) || side != s.Balance || bye != s.HadBye {
			t.Fatalf("round %d's pairing sees player %d as met %v, sides %d, bye %v; their games say %v, %d, %v",
				last, s.Player, s.Met, s.Balance, s.HadBye, opponents, side, bye)
		}
	}
}

// id is *p, or 0.
func id(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
