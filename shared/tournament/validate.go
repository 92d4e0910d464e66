package tournament

import (
	"fmt"
	"slices"
)

// Validate checks that a snapshot from outside the engine (an import, a
// stored record) is a state the engine itself could have produced: valid
// parameters, unique players, a bracket that follows from the seeds, games
// numbered in order, and results consistent with the rounds that follow.
func Validate(t *Tournament) error {
	if t == nil {
		return Errorf(CodeInvalidArgument, "snapshot is empty")
	}
	p, err := CreateParams{ID: t.ID, Name: t.Name, MaxPlayers: t.MaxPlayers, CreatorID: t.CreatorID, TTLProfile: t.TTLProfile}.Validate()
	if err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		e := Errorf(CodeInvalidArgument, format, args...)
		e.Message = fmt.Sprintf("tournament %d: %s", t.ID, e.Message)
		return e
	}
	if p.Name != t.Name {
		return bad("name has surrounding white space")
	}
	if t.Version < 1 {
		return bad("version must be at least 1, got %d", t.Version)
	}
	if len(t.Players) > t.MaxPlayers {
		return bad("%d players exceed max_players %d", len(t.Players), t.MaxPlayers)
	}
	seen := make(map[int64]bool, len(t.Players))
	for _, id := range t.Players {
		if id <= 0 || seen[id] {
			return bad("player ids must be positive and unique, found %d", id)
		}
		seen[id] = true
	}
	switch t.Status {
	case StatusPending:
		if len(t.Rounds) != 0 || t.CurrentRound != 0 || t.WinnerID != nil || len(t.Seeds) != 0 {
			return bad("a pending tournament has no seeds, rounds or winner")
		}
		return nil
	case StatusActive, StatusCompleted:
	default:
		return bad("unknown status %q", t.Status)
	}
	if len(t.Seeds) != len(t.Players) || len(t.Players) < MinPlayers {
		return bad("seeds must list every player once")
	}
	for _, s := range t.Seeds {
		if !seen[s] {
			return bad("seed %d is not a player", s)
		}
		seen[s] = false
	}
	if len(t.Rounds) == 0 || t.CurrentRound != len(t.Rounds) {
		return bad("current_round %d does not match %d rounds", t.CurrentRound, len(t.Rounds))
	}
	slots, nextID := roundOneSlots(t.Seeds), int64(1)
	for ri := range t.Rounds {
		r := &t.Rounds[ri]
		last := ri == len(t.Rounds)-1
		if r.Round != ri+1 || !slices.Equal(r.Slots, slots) {
			return bad("round %d does not follow from the previous round", ri+1)
		}
		gi, byes := 0, []int64{}
		for i := 0; i+1 < len(slots); i += 2 {
			a, b := slots[i], slots[i+1]
			if a == 0 || b == 0 {
				byes = append(byes, max(a, b))
				continue
			}
			if gi >= len(r.Games) {
				return bad("round %d is missing the game of %d and %d", ri+1, a, b)
			}
			g := &r.Games[gi]
			gi++
			if g.GameID != nextID || g.Round != ri+1 || g.Player1 != a || g.Player2 != b {
				return bad("round %d: game %d should be game %d between %d and %d", ri+1, g.GameID, nextID, a, b)
			}
			nextID++
			if err := validateGame(g, last); err != nil {
				return bad("%s", err.Error())
			}
		}
		if gi != len(r.Games) || !slices.Equal(r.Byes, byes) {
			return bad("round %d has games or byes that the bracket does not", ri+1)
		}
		winners := r.matchWinners()
		decided := !slices.Contains(winners, 0)
		switch {
		case !last && !decided:
			return bad("round %d has undecided games but a later round exists", ri+1)
		case last && t.Status == StatusActive && decided:
			return bad("round %d is decided but the tournament did not advance", ri+1)
		case last && t.Status == StatusCompleted && (!decided || len(winners) != 1 || t.WinnerID == nil || *t.WinnerID != winners[0]):
			return bad("a completed tournament's winner must win the final")
		}
		slots = winners
	}
	if t.Status == StatusActive && t.WinnerID != nil {
		return bad("an active tournament has no winner")
	}
	return nil
}

func validateGame(g *Game, last bool) error {
	switch g.Status {
	case GameActive:
		if !last || g.WinnerID != nil || g.LoserID != nil {
			return Errorf(CodeInvalidArgument, "game %d is active but decided or in a finished round", g.GameID)
		}
	case GameFinished, GameTimedOut:
		if g.WinnerID == nil || g.LoserID == nil {
			return Errorf(CodeInvalidArgument, "game %d is %s without winner and loser", g.GameID, g.Status)
		}
		if l, ok := g.opponent(*g.WinnerID); !ok || l != *g.LoserID {
			return Errorf(CodeInvalidArgument, "game %d: winner and loser must be its two players", g.GameID)
		}
	default:
		return Errorf(CodeInvalidArgument, "game %d has unknown status %q", g.GameID, g.Status)
	}
	return nil
}

// ValidateAll validates every snapshot and returns the first error.
func ValidateAll(snaps []*Tournament) error {
	for _, t := range snaps {
		if err := Validate(t); err != nil {
			return err
		}
	}
	return nil
}
