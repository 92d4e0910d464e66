package tournament

import (
	"errors"
	"fmt"
	"slices"
)

// Validate checks that a snapshot from outside the engine (an import, a
// stored record) is a state the engine itself could have produced: valid
// parameters, unique players, and rounds, games and results that follow
// from the seeds and the results. It replays the snapshot: start with its
// seeds, then every decided game's result in game id order, and compares
// what the engine made with what the snapshot holds, round by round.
func Validate(t *Tournament) error {
	if t == nil {
		return Errorf(CodeInvalidArgument, "snapshot is empty")
	}
	params := CreateParams{ID: t.ID, Name: t.Name, MaxPlayers: t.MaxPlayers, CreatorID: t.CreatorID, TTLProfile: t.TTLProfile,
		Format: t.Format, Options: t.Options, CheckIn: t.CheckIn, StartsAt: t.StartsAt, BestOf: t.BestOf, BestOfByRound: t.BestOfByRound}
	p, err := params.Validate()
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
	if p.CheckIn != t.CheckIn {
		return bad("check_in %q is not written as the engine writes it (%q)", t.CheckIn, p.CheckIn)
	}
	if t.Version < 1 {
		return bad("version must be at least 1, got %d", t.Version)
	}
	if t.CorrectedVersion < 0 || t.CorrectedVersion > t.Version || (t.CorrectedVersion != 0 && t.Status == StatusPending) {
		return bad("corrected_version %d is not a version of this started tournament (version %d)", t.CorrectedVersion, t.Version)
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
	checked := map[int64]bool{}
	for _, id := range t.CheckedIn {
		if !seen[id] || checked[id] || t.CheckIn == "" {
			return bad("checked_in lists %d, who is not a player, twice, or without check-in", id)
		}
		checked[id] = true
	}
	if t.Status != StatusPending && t.CheckIn != "" && len(checked) != len(t.Players) {
		return bad("a started tournament with check-in holds only players who checked in")
	}
	switch t.Status {
	case StatusPending:
		if len(t.Rounds) != 0 || t.CurrentRound != 0 || t.WinnerID != nil || len(t.Seeds) != 0 || len(t.Dropped) != 0 || t.Ended {
			return bad("a pending tournament has no seeds, rounds, winner or departures")
		}
		if t.Format != "" && t.Options != p.Options {
			return bad("options %+v are not the format's (%+v)", t.Options, p.Options)
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
	left := map[int64]bool{}
	for _, d := range t.Dropped {
		if !slices.Contains(t.Seeds, d.PlayerID) || left[d.PlayerID] || d.Stage < 1 || d.Stage > t.stage(&t.Rounds[len(t.Rounds)-1]) ||
			d.Reason != DropDisqualified && d.Reason != DropWithdrew {
			return bad("dropped player %d (stage %d, %q) is not a player who left once, in a stage played, disqualified or withdrawn", d.PlayerID, d.Stage, d.Reason)
		}
		left[d.PlayerID] = true
	}
	// Replay.
	env := Env{Now: t.CreatedAt}
	r := &Tournament{ID: t.ID, Name: t.Name, MaxPlayers: t.MaxPlayers, CreatorID: t.CreatorID, TTLProfile: t.TTLProfile,
		Format: t.Format, Options: p.Options, Status: StatusPending, Players: slices.Clone(t.Players), Rounds: []Round{}, Version: 1,
		Dropped: slices.Clone(t.Dropped), CheckIn: t.CheckIn, StartsAt: t.StartsAt, CheckedIn: slices.Clone(t.CheckedIn),
		BestOf: t.BestOf, BestOfByRound: t.BestOfByRound}
	c := &change{t: r, env: env}
	if t.format() == Swiss {
		// A Swiss pairing depends on the results when it was made (a result
		// corrected since changed the standings, not the pairing): the
		// replay takes the snapshot's pairings, checked as pairings.
		c.pairings = func(round int) ([]int64, error) {
			if round > len(t.Rounds) {
				return nil, nil
			}
			return t.Rounds[round-1].Slots, checkSwissRound(r, t.Rounds[round-1].Slots)
		}
	}
	if err := (Start{Seeds: t.Seeds}).apply(c); err != nil || c.err != nil {
		return bad("cannot start from the seeds: %v", errors.Join(err, c.err))
	}
	for ri := range t.Rounds {
		sr := &t.Rounds[ri]
		if ri >= len(r.Rounds) {
			return bad("round %d does not follow from the results before it", sr.Round)
		}
		rr := &r.Rounds[ri]
		if sr.Round != rr.Round || sr.Bracket != rr.Bracket && !(sr.Bracket == "" && rr.Bracket == BracketWinners) ||
			t.stage(sr) != r.stage(rr) || !slices.Equal(sr.Slots, rr.Slots) || !slices.Equal(sr.Byes, rr.Byes) || len(sr.Games) != len(rr.Games) {
			return bad("round %d does not follow from the seeds and the results before it", sr.Round)
		}
		for gi := range sr.Games {
			g, want := &sr.Games[gi], &rr.Games[gi]
			if g.GameID != want.GameID || g.Round != want.Round || g.Player1 != want.Player1 || g.Player2 != want.Player2 || g.BestOf != want.BestOf {
				return bad("round %d: game %d should be game %d between %d and %d", sr.Round, g.GameID, want.GameID, want.Player1, want.Player2)
			}
			if err := validateGame(g); err != nil {
				return bad("%s", err.Error())
			}
		}
		// Apply this round's results, which creates the rounds after it
		// once its stage is decided.
		for gi := range sr.Games {
			g := &sr.Games[gi]
			var err error
			if cmd := resultOf(g); cmd != nil {
				err = cmd.apply(c)
			}
			if err == nil {
				err = c.err
			}
			if err != nil {
				return bad("game %d: %s", g.GameID, err.Error())
			}
		}
	}
	if t.Ended && r.Status == StatusActive {
		if err := (EndTournament{}).apply(c); err != nil {
			return bad("cannot end: %s", err.Error())
		}
	}
	for ri := range t.Rounds {
		for gi, g := range t.Rounds[ri].Games {
			if ri < len(r.Rounds) && gi < len(r.Rounds[ri].Games) && (g.Status == GameCancelled) != (r.Rounds[ri].Games[gi].Status == GameCancelled) {
				return bad("game %d is cancelled only when the tournament was ended with it undecided", g.GameID)
			}
		}
	}
	if len(r.Rounds) != len(t.Rounds) {
		return bad("round %d is decided but the tournament did not advance", t.Rounds[len(t.Rounds)-1].Round)
	}
	if r.Status != t.Status {
		return bad("the results make the tournament %s, not %s", r.Status, t.Status)
	}
	if (r.WinnerID == nil) != (t.WinnerID == nil) || r.WinnerID != nil && *r.WinnerID != *t.WinnerID {
		return bad("a completed tournament's winner must win the final")
	}
	if t.Format != "" && t.Options != r.Options {
		return bad("options %+v are not the format's (%+v)", t.Options, r.Options)
	}
	return nil
}

func validateGame(g *Game) error {
	states := map[GameStatus][]GameState{GameActive: {"", StateReady, StateCalled, StateInProgress},
		GameFinished: {"", StateCompleted}, GameTimedOut: {"", StateTimedOut}, GameCancelled: {"", StateCancelled}}
	if !slices.Contains(states[g.Status], g.State) {
		return Errorf(CodeInvalidArgument, "game %d is %s but its state is %q", g.GameID, g.Status, g.State)
	}
	switch g.Status {
	case GameActive:
		if g.WinnerID != nil || g.LoserID != nil {
			return Errorf(CodeInvalidArgument, "game %d is active but has a winner or loser", g.GameID)
		}
	case GameCancelled:
		if g.WinnerID != nil || g.LoserID != nil {
			return Errorf(CodeInvalidArgument, "game %d is cancelled but has a winner or loser", g.GameID)
		}
	case GameFinished, GameTimedOut:
		if g.Status == GameFinished && g.Forfeit && g.WinnerID == nil && g.LoserID == nil {
			return nil // a double forfeit
		}
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

// checkSwissRound checks that slots pair every player of t once (a bye as
// (player, 0), only with an odd number of players), without a rematch or a
// second bye.
func checkSwissRound(t *Tournament, slots []int64) error {
	met := map[[2]int64]bool{}
	byes := map[int64]bool{}
	for _, r := range t.Rounds {
		for _, g := range r.Games {
			met[[2]int64{min(g.Player1, g.Player2), max(g.Player1, g.Player2)}] = true
		}
		for _, b := range r.Byes {
			byes[b] = true
		}
	}
	seen := map[int64]bool{}
	if len(slots)%2 != 0 {
		return Errorf(CodeInvalidArgument, "a Swiss round's slots come in pairs")
	}
	for i := 0; i < len(slots); i += 2 {
		a, b := slots[i], slots[i+1]
		if b == 0 && byes[a] {
			return Errorf(CodeInvalidArgument, "player %d has a second bye", a)
		}
		if a == 0 || a == b || met[[2]int64{min(a, b), max(a, b)}] {
			return Errorf(CodeInvalidArgument, "%d against %d is not a pairing the engine makes (a rematch, or a bye not written (player, 0))", a, b)
		}
		for _, p := range []int64{a, b} {
			if p == 0 {
				continue
			}
			if seen[p] || !slices.Contains(t.Seeds, p) || t.dropped(p, len(t.Rounds)+1) {
				return Errorf(CodeInvalidArgument, "player %d is paired twice or is not a player", p)
			}
			seen[p] = true
		}
	}
	want := 0
	for _, p := range t.Seeds {
		if !t.dropped(p, len(t.Rounds)+1) {
			want++
		}
	}
	if len(seen) != want {
		return Errorf(CodeInvalidArgument, "a Swiss round pairs %d of %d players", len(seen), want)
	}
	return nil
}
