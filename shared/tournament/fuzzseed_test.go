package tournament_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/tourney/tourney/internal/fuzzcmd"
	"github.com/tourney/tourney/shared/tournament"
)

// A script is a scenario for the fuzzers' corpora: a format, a number of
// players (ids 1..n join in order, so seed k is player k), and commands.
// encodeScript turns it into the bytes that decode to it.
type script struct {
	name    string
	format  tournament.Format
	players int
	cmds    []tournament.Command
}

type (
	res  = tournament.RegisterResult
	corr = tournament.CorrectResult
	dq   = tournament.Disqualify
	drop = tournament.RemovePlayer
)

// mishapScripts are the real-event mishaps the engine once got wrong.
var mishapScripts = []script{
	{"a correction next to a disqualified player", tournament.SingleElimination, 8, []tournament.Command{
		res{GameID: 1, WinnerID: 1}, dq{UserID: 8}, res{GameID: 2, WinnerID: 4}, res{GameID: 3, WinnerID: 2}, res{GameID: 4, WinnerID: 3},
		res{GameID: 6, WinnerID: 2}, corr{GameID: 1, WinnerID: 8}}},
	{"correcting a disqualified player's old loss", tournament.SingleElimination, 8, []tournament.Command{
		res{GameID: 1, WinnerID: 1}, res{GameID: 2, WinnerID: 4}, res{GameID: 3, WinnerID: 2}, res{GameID: 4, WinnerID: 3},
		dq{UserID: 5}, res{GameID: 5, WinnerID: 1}, res{GameID: 6, WinnerID: 2}, res{GameID: 7, WinnerID: 1}, corr{GameID: 2, WinnerID: 5}}},
	{"a Swiss withdrawal", tournament.Swiss, 4, []tournament.Command{res{GameID: 1, WinnerID: 1}, drop{UserID: 4}}},
	{"a round robin withdrawal", tournament.RoundRobin, 4, []tournament.Command{drop{UserID: 4},
		res{GameID: 2, WinnerID: 2}, res{GameID: 4, WinnerID: 1}, res{GameID: 6, WinnerID: 3}}},
	{"a double forfeit in round 1", tournament.SingleElimination, 8, []tournament.Command{
		res{GameID: 2, Forfeit: true}, res{GameID: 1, WinnerID: 1}, res{GameID: 3, WinnerID: 2}, res{GameID: 4, WinnerID: 3},
		res{GameID: 5, WinnerID: 2}}},
	{"a walkover corrected with scores", tournament.SingleElimination, 4, []tournament.Command{
		res{GameID: 1, WinnerID: 1, Forfeit: true}, corr{GameID: 1, WinnerID: 1, Scores: [][2]int{{11, 0}}}}},
	{"a double forfeit corrected", tournament.DoubleElimination, 4, []tournament.Command{
		res{GameID: 1, Forfeit: true}, corr{GameID: 1, WinnerID: 4}}},
	{"a double elimination correction beside the losers' bracket", tournament.DoubleElimination, 8, []tournament.Command{
		res{GameID: 1, WinnerID: 1}, res{GameID: 2, WinnerID: 4}, res{GameID: 3, WinnerID: 2}, res{GameID: 4, WinnerID: 3},
		res{GameID: 7, WinnerID: 8}, res{GameID: 8, WinnerID: 7}, dq{UserID: 6}, corr{GameID: 3, WinnerID: 7}}},
}

// encodeScript finds the fuzz input that plays s: the first byte choosing
// format and size, then an (op, arg) pair per command.
func encodeScript(tb testing.TB, s script) []byte {
	tb.Helper()
	cmds := []tournament.Command{}
	for p := 1; p <= s.players; p++ {
		cmds = append(cmds, tournament.AddPlayer{UserID: int64(p)})
	}
	cmds = append(cmds, tournament.Start{})
	cmds = append(cmds, s.cmds...)
	length := 1 + 2*len(cmds)
	if length%3 == 0 {
		length++ // a trailing byte, which decodes to nothing: no check-in
	}
	first := -1
	for b := 0; b < 256 && first < 0; b++ {
		if p := fuzzcmd.Params(byte(b), length); p.Format == s.format && p.MaxPlayers == s.players && p.Options == (tournament.Options{}) {
			first = b
		}
	}
	if first < 0 {
		tb.Fatalf("%s: no first byte makes %d players of %s", s.name, s.players, s.format)
	}
	e := tournament.Env{Now: fuzzStart, GameTimeout: 1 << 62}
	tr, _, err := tournament.New(fuzzcmd.Params(byte(first), length), e)
	if err != nil {
		tb.Fatal(err)
	}
	out := []byte{byte(first)}
	for _, want := range cmds {
		found := false
		for op := 0; op < 256 && !found; op++ {
			for arg := 0; arg < 256 && !found; arg++ {
				if got, _ := fuzzcmd.Command(tr, false, byte(op), byte(arg)); reflect.DeepEqual(got, want) {
					out, found = append(out, byte(op), byte(arg)), true
				}
			}
		}
		if !found {
			tb.Fatalf("%s: no fuzz input decodes to %s in state %s", s.name, fmt.Sprintf("%#v", want), tr.AppendJSON(nil))
		}
		if next, _, err := tournament.Apply(tr, want, e); err == nil {
			tr = next
		} else {
			tb.Fatalf("%s: %s: %v", s.name, tournament.Describe(want), err)
		}
	}
	for len(out) < length {
		out = append(out, 0)
	}
	return out
}

// TestMishapScriptsPassEveryProperty plays each mishap through the
// fuzzer's checks (they are in its corpus too).
func TestMishapScriptsPassEveryProperty(t *testing.T) {
	for _, s := range mishapScripts {
		t.Run(s.name, func(t *testing.T) { runFuzzBody(t, encodeScript(t, s)) })
	}
}
