package fuzzcmd

import (
	"fmt"
	"reflect"
	"time"

	"github.com/tourney/tourney/tournament"
)

// A Script is a scenario for the fuzzers' corpora: a format, a number of
// players (ids 1..n join in order, so seed k is player k), and commands
// after the start. Encode turns it into the bytes that decode to it.
type Script struct {
	Name    string
	Format  tournament.Format
	Players int
	Cmds    []tournament.Command
}

type (
	res  = tournament.RegisterResult
	corr = tournament.CorrectResult
	dq   = tournament.Disqualify
	drop = tournament.RemovePlayer
)

// Mishaps are the real-event mishaps the engine once got wrong.
var Mishaps = []Script{
	{"a correction next to a disqualified player", tournament.SingleElimination, 8, []tournament.Command{
		res{GameID: 1, WinnerID: 1}, dq{UserID: 8}, res{GameID: 2, WinnerID: 4}, res{GameID: 3, WinnerID: 2}, res{GameID: 4, WinnerID: 3},
		res{GameID: 6, WinnerID: 2}, corr{GameID: 1, WinnerID: 8}}},
	{"correcting a disqualified player's old loss", tournament.SingleElimination, 8, []tournament.Command{
		res{GameID: 1, WinnerID: 1}, res{GameID: 2, WinnerID: 4}, res{GameID: 3, WinnerID: 2}, res{GameID: 4, WinnerID: 3},
		dq{UserID: 5}, res{GameID: 5, WinnerID: 1}, res{GameID: 6, WinnerID: 2}, res{GameID: 7, WinnerID: 1},
		corr{GameID: 2, WinnerID: 5}}},
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

// Encode finds the fuzz input that plays s: the first byte choosing format
// and size, then an (op, arg) pair per command (joins and the start
// first).
func (s Script) Encode() ([]byte, error) {
	cmds := []tournament.Command{}
	for p := 1; p <= s.Players; p++ {
		cmds = append(cmds, tournament.AddPlayer{UserID: int64(p)})
	}
	cmds = append(cmds, tournament.Start{})
	cmds = append(cmds, s.Cmds...)
	length := 1 + 2*len(cmds)
	if length%3 == 0 {
		length++ // a trailing byte, which decodes to nothing: no check-in
	}
	first := -1
	for b := 0; b < 256 && first < 0; b++ {
		if p := Params(byte(b), length); p.Format == s.Format && p.MaxPlayers == s.Players && p.Options == (tournament.Options{}) {
			first = b
		}
	}
	if first < 0 {
		return nil, fmt.Errorf("%s: no first byte makes %d players of %s", s.Name, s.Players, s.Format)
	}
	e := tournament.Env{Now: time.Unix(0, 0), GameTimeout: 1 << 62}
	tr, _, err := tournament.New(Params(byte(first), length), e)
	if err != nil {
		return nil, err
	}
	out := []byte{byte(first)}
	for _, want := range cmds {
		found := false
		for op := 0; op < 256 && !found; op++ {
			for arg := 0; arg < 256 && !found; arg++ {
				if got, _ := Command(tr, false, byte(op), byte(arg)); reflect.DeepEqual(got, want) {
					out, found = append(out, byte(op), byte(arg)), true
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: no fuzz input decodes to %#v", s.Name, want)
		}
		next, _, err := tournament.Apply(tr, want, e)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", s.Name, tournament.Describe(want), err)
		}
		tr = next
	}
	for len(out) < length {
		out = append(out, 0)
	}
	return out, nil
}
