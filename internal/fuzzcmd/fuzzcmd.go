// Package fuzzcmd turns fuzzer bytes into tournament commands: the engine's
// fuzzer and the differential fuzzer (memory against Redis) play the same
// sequences, and tests turn a scripted scenario back into bytes to seed
// both corpora. It holds no rules of its own.
package fuzzcmd

import (
	"time"

	"github.com/tourney/tourney/tournament"
)

// MaxInput bounds a fuzz input: longer ones only repeat short ones, slowly.
const MaxInput = 600

// Params is the tournament a sequence plays: the first byte chooses the
// size (low 5 bits), the format and its options (high bits); the length
// of the input, check-in and the series length.
func Params(first byte, length int) tournament.CreateParams {
	f := []tournament.Format{tournament.SingleElimination, tournament.DoubleElimination, tournament.RoundRobin,
		tournament.Swiss}[(first>>5)%4]
	var o tournament.Options
	switch {
	case f == tournament.SingleElimination && first>>7 == 1:
		o.ThirdPlaceMatch = true
	case f == tournament.DoubleElimination && first>>7 == 1:
		o.GrandFinal = tournament.GrandFinalSingle
	}
	checkIn := ""
	if length%3 == 0 {
		checkIn = "10m"
	}
	bestOf := []int{0, 1, 3, 0}[length%4]
	return tournament.CreateParams{ID: 1, Name: "fuzz", MaxPlayers: 2 + int(first)%31, CreatorID: 1, Format: f, Options: o,
		CheckIn: checkIn, BestOf: bestOf}
}

// Command decodes one (op, arg) pair against the state tr, and how long
// passes before it. The low 3 bits of op choose the command, its high bits
// the command's variant; arg chooses a player, or a game of tr (its low
// bit the game's winner). Commands mostly name real games and players,
// sometimes nonsense.
func Command(tr *tournament.Tournament, checkIn bool, op, arg byte) (tournament.Command, time.Duration) {
	wait := time.Duration(arg%40) * time.Second
	act := tr.ActiveGames()
	variant := op >> 3
	player := int64(arg % 40)
	pick := func(games []tournament.Game) (*tournament.Game, int64) {
		g := &games[int(arg>>1)%len(games)]
		return g, []int64{g.Player1, g.Player2}[arg&1]
	}
	switch op % 8 {
	case 0:
		return participantCommand(tr, variant, arg, player), wait
	case 1:
		if variant&1 != 0 || checkIn && variant&2 == 0 {
			return tournament.CheckIn{UserID: player}, wait
		}
		return tournament.RemovePlayer{UserID: player}, wait
	case 2:
		switch variant % 4 {
		case 2:
			return tournament.Start{Seeding: tournament.SeedingRating}, wait
		case 3:
			if variant&4 != 0 { // the seeds given: the players, last first
				return tournament.Start{Seeding: tournament.SeedingManual, Seeds: reversed(tr.Players)}, wait
			}
			return tournament.Start{Seeding: tournament.SeedingManual}, wait
		}
		return tournament.Start{Shuffle: variant&1 == 1}, wait
	case 3:
		if len(act) == 0 || variant>>2 == 7 { // nonsense
			return tournament.RegisterResult{GameID: int64(arg % 8), WinnerID: player, Forfeit: variant&1 != 0}, wait
		}
		g, w := pick(act)
		switch variant & 3 {
		case 1:
			return tournament.RegisterResult{GameID: g.GameID, WinnerID: w, Forfeit: true}, wait
		case 2:
			return tournament.RegisterResult{GameID: g.GameID, WinnerID: w, Scores: Series(g, w == g.Player2, int(variant>>2))}, wait
		case 3: // scores, mostly wrong
			return tournament.RegisterResult{GameID: g.GameID, WinnerID: w,
				Scores: [][2]int{{int(arg % 3), int(arg % 5)}, {int(arg % 7), 1}}[:1+int(variant>>2)%2]}, wait
		}
		return tournament.RegisterResult{GameID: g.GameID, WinnerID: w}, wait
	case 4:
		return tournament.ResolveTimeouts{Policy: []tournament.TimeoutPolicy{tournament.TimeoutRandom,
			tournament.TimeoutHigherSeed, tournament.TimeoutNone}[variant%3]}, wait
	case 5:
		// A correction of a decided game (its winner, a walkover, a double
		// forfeit, its scores), sometimes of nonsense.
		var decided []tournament.Game
		for _, r := range tr.Rounds {
			for _, g := range r.Games {
				if g.Status != tournament.GameActive && g.Status != tournament.GameCancelled {
					decided = append(decided, g)
				}
			}
		}
		if len(decided) == 0 || variant>>2 == 7 {
			return tournament.CorrectResult{GameID: int64(arg % 8), WinnerID: player}, wait
		}
		g, w := pick(decided)
		c := tournament.CorrectResult{GameID: g.GameID, WinnerID: w}
		switch variant & 7 {
		case 1:
			c.WinnerID, c.Forfeit = 0, true // to a double forfeit
		case 2:
			c.Forfeit = true
		case 3:
			c.Scores = Series(g, w == g.Player2, int(variant>>3))
		case 4:
			c.Scores = [][2]int{{int(arg % 3), int(arg % 5)}, {int(arg % 7), 1}}[:1+int(variant>>3)%2] // mostly wrong
		case 5:
			c.ExpectedVersion = tr.Version - int64(variant>>3) // the current version, or a stale one
		}
		return c, wait
	case 6:
		switch {
		case variant%8 == 0 && arg%4 == 0: // rarely: it ends the sequence's tournament
			return tournament.EndTournament{}, wait
		case variant%8 < 3:
			return tournament.Disqualify{UserID: player}, wait
		}
	case 7:
		if len(act) == 0 {
			return tournament.RemovePlayer{UserID: player}, wait
		}
		g, _ := pick(act)
		switch variant % 3 {
		case 0:
			return tournament.RegisterResult{GameID: g.GameID, Forfeit: true}, wait // a double forfeit
		case 1:
			return tournament.CallGame{GameID: g.GameID}, wait
		}
		return tournament.StartGame{GameID: g.GameID}, wait
	}
	return tournament.RemovePlayer{UserID: player}, wait
}

// Series is a valid series for game g won by player_2 (else player_1), in
// which the loser took lost games (fewer than the winner's): the loser's
// games first, 11-x scores.
func Series(g *tournament.Game, second bool, lost int) [][2]int {
	need := max(g.BestOf, 1)/2 + 1
	lost %= need
	var s [][2]int
	for i := range lost + need {
		w, l := 11, i%10
		if i < lost {
			w, l = l, w
		}
		if second {
			w, l = l, w
		}
		s = append(s, [2]int{w, l})
	}
	return s
}

// participantCommand is a join (bare, with a record, several at once), a
// change of a record, or a change of the manual seed order.
func participantCommand(tr *tournament.Tournament, variant, arg byte, player int64) tournament.Command {
	rating := float64(arg%7) * 100
	switch variant % 8 {
	case 1:
		return tournament.AddPlayer{UserID: player, PlayerName: "P" + string(rune('a'+arg%26)), Rating: &rating,
			Meta: []byte(`{"team":"x","n":1}`)[:10+int(arg%2)*8], Members: []int64{40 + int64(arg%5)}[:variant>>3&1]}
	case 2:
		return tournament.AddPlayers{Entrants: []tournament.Entrant{{UserID: player}, {UserID: player + 1, Rating: &rating}}}
	case 3:
		name := []string{"", "Ann", "B\tad"}[arg%3]
		return tournament.UpdateParticipant{UserID: player, PlayerName: &name, Rating: &rating, ClearRating: variant&8 != 0,
			Members: []int64{41, 42}[:arg%3%2+1], SetMembers: variant&16 != 0}
	case 4:
		if variant&8 != 0 {
			return tournament.SetSeeds{}
		}
		return tournament.SetSeeds{Seeds: reversed(tr.Players)}
	case 5:
		return tournament.SwapSeeds{A: player, B: int64(arg>>3) % 40}
	}
	return tournament.AddPlayer{UserID: player}
}

func reversed(ids []int64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[len(ids)-1-i] = id
	}
	return out
}
