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
	p, err := params.validate(true)
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
	if err := validateParticipants(t); err != nil {
		return bad("%s", err.(*Error).Message)
	}
	if t.Rules != 0 && (t.Rules < RulesWalkovers || t.Rules > CurrentRules || t.Status == StatusPending) {
		return bad("rules %d is not a rules version of a started tournament (%d to %d)", t.Rules, RulesWalkovers, CurrentRules)
	}
	switch t.Status {
	case StatusPending:
		if len(t.Rounds) != 0 || t.CurrentRound != 0 || t.WinnerID != nil || len(t.Seeds) != 0 || len(t.Dropped) != 0 || t.Ended || len(t.ResetResults) != 0 {
			return bad("a pending tournament has no seeds, rounds, winner, departures or reset results")
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
		// A correction may take the bracket back before a departure's stage.
		last := t.stage(&t.Rounds[len(t.Rounds)-1])
		if t.CorrectedVersion != 0 {
			last = 4 * MaxPlayers
		}
		if !slices.Contains(t.Seeds, d.PlayerID) || left[d.PlayerID] || d.Stage < 1 || d.Stage > last ||
			d.Reason != DropDisqualified && d.Reason != DropWithdrew {
			return bad("dropped player %d (stage %d, %q) is not a player who left once, in a stage played, disqualified or withdrawn", d.PlayerID, d.Stage, d.Reason)
		}
		left[d.PlayerID] = true
	}
	if err := validateResetResults(t); err != nil {
		return bad("%s", err.Error())
	}
	// Replay.
	env := Env{Now: t.CreatedAt}
	r := &Tournament{ID: t.ID, Name: t.Name, MaxPlayers: t.MaxPlayers, CreatorID: t.CreatorID, TTLProfile: t.TTLProfile,
		Format: t.Format, Options: p.Options, Status: StatusPending, Players: slices.Clone(t.Players), Rounds: []Round{}, Version: 1,
		Dropped: slices.Clone(t.Dropped), CheckIn: t.CheckIn, StartsAt: t.StartsAt, CheckedIn: slices.Clone(t.CheckedIn),
		BestOf: t.BestOf, BestOfByRound: t.BestOfByRound, Rules: t.Rules, ResetResults: t.ResetResults}
	c := &change{t: r, env: env, replaying: true}
	// Game ids follow creation order until a correction: from then on a
	// place keeps its id and new places get new ones (see CorrectResult),
	// so the replay takes the snapshot's ids, checked to be unique.
	ids := make(map[int64]bool, t.GameCount())
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
	// compare checks the replay's round ri against the snapshot's and
	// gives its games the snapshot's ids, before any result is applied in
	// its stage (results name games by id).
	compare := func(ri int) error {
		sr, rr := &t.Rounds[ri], &r.Rounds[ri]
		if sr.Round != rr.Round || sr.Bracket != rr.Bracket && !(sr.Bracket == "" && rr.Bracket == BracketWinners) ||
			t.stage(sr) != r.stage(rr) || !slices.Equal(sr.Slots, rr.Slots) || !slices.Equal(sr.Byes,
			rr.Byes) || len(sr.Games) != len(rr.Games) {
			return bad("round %d does not follow from the seeds and the results before it", sr.Round)
		}
		for gi := range sr.Games {
			g, want := &sr.Games[gi], &rr.Games[gi]
			if g.GameID != want.GameID && (t.CorrectedVersion == 0 || g.GameID <= 0 || ids[g.GameID]) ||
				g.Round != want.Round || g.Player1 != want.Player1 || g.Player2 != want.Player2 || g.BestOf != want.BestOf {
				return bad("round %d: game %d should be game %d between %d and %d", sr.Round, g.GameID, want.GameID,
					want.Player1, want.Player2)
			}
			if ids[g.GameID] {
				return bad("game id %d is used twice", g.GameID)
			}
			ids[g.GameID] = true
			want.GameID = g.GameID
			if err := validateGame(g); err != nil {
				return bad("%s", err.Error())
			}
			if g.ByDeparture && (!g.Forfeit || !left[g.Player1] && !left[g.Player2]) {
				return bad("game %d is decided by a departure, but it is no walkover of a player who left", g.GameID)
			}
			if want.Status != GameActive && !sameResult(g, want) {
				// Decided when created: a walkover against a player who left.
				return bad("game %d is a walkover against a player who left, not %s", g.GameID, g.Status)
			}
		}
		return nil
	}
	compared := 0
	for ri := range t.Rounds {
		sr := &t.Rounds[ri]
		if ri >= len(r.Rounds) {
			return bad("round %d does not follow from the results before it", sr.Round)
		}
		for ; compared < len(r.Rounds) && compared < len(t.Rounds); compared++ {
			if err := compare(compared); err != nil {
				return err
			}
		}
		// Apply this round's results, which creates the rounds after it
		// once its stage is decided.
		for gi := range sr.Games {
			g := &sr.Games[gi]
			var err error
			if cmd := resultOf(g, g); cmd != nil {
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
			return Errorf(CodeInvalidArgument,
				"%d against %d is not a pairing the engine makes (a rematch, or a bye not written (player, 0))", a, b)
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

// validateResetResults checks the results a correction kept aside: games
// of the tournament's players in rounds it may play, each pairing once,
// decided like any game.
func validateResetResults(t *Tournament) error {
	if len(t.ResetResults) > 0 && t.CorrectedVersion == 0 {
		return Errorf(CodeInvalidArgument, "reset results come from a correction, and corrected_version names none")
	}
	seen := map[pairKey]bool{}
	for i := range t.ResetResults {
		g := &t.ResetResults[i]
		k := keyOf(g)
		if g.GameID <= 0 || g.Round < 1 || g.Round > 4*MaxPlayers || seen[k] || g.Player1 == g.Player2 ||
			!slices.Contains(t.Seeds, g.Player1) || !slices.Contains(t.Seeds, g.Player2) {
			return Errorf(CodeInvalidArgument,
				"reset result %d is not a game of two players of this tournament, once per round and pairing", g.GameID)
		}
		seen[k] = true
		if err := validateGame(g); err != nil {
			return err
		}
	}
	return nil
}

// validateParticipants checks the records: each a participant's, once, in
// join order, valid as a join would make it, lineups disjoint; the seed
// order (pending only) a permutation of the players; the seeding method.
func validateParticipants(t *Tournament) error {
	last, lineups := -1, map[int64]int64{}
	for i, p := range t.Participants {
		at := slices.Index(t.Players, p.ID)
		if at <= last {
			return Errorf(CodeInvalidArgument, "participants[%d] (%d) is not a player, or not in join order", i, p.ID)
		}
		last = at
		rec, err := Entrant{UserID: p.ID, Name: p.Name, Rating: p.Rating, Meta: p.Meta, Members: p.Members}.record()
		if err != nil {
			return prefixed(fmt.Sprintf("participants[%d]", i), err)
		}
		if p.Seed != 0 || p.CheckedIn || p.Dropped || !sameRecord(&rec, &p) || rec.empty() {
			return Errorf(CodeInvalidArgument, "participants[%d] (%d) is not a record as the engine stores it", i, p.ID)
		}
		for _, m := range p.Members {
			if o, ok := lineups[m]; ok || (m != p.ID && slices.Contains(t.Players, m)) {
				return Errorf(CodeInvalidArgument, "participants[%d]: member %d is also participant %d or in another lineup", i, m, o)
			}
			lineups[m] = p.ID
		}
	}
	for _, p := range t.Players {
		if o, ok := lineups[p]; ok && o != p {
			return Errorf(CodeInvalidArgument, "player %d is also in the lineup of participant %d", p, o)
		}
	}
	if t.SeedOrder != nil {
		if t.Status != StatusPending {
			return Errorf(CodeInvalidArgument, "seed_order is set on a started tournament")
		}
		if err := checkPermutation("seed_order", t.SeedOrder, t.Players, nil); err != nil {
			return err
		}
	}
	if s := t.Seeding; s != "" && (t.Status == StatusPending || (s != SeedingRating && s != SeedingManual) || t.Shuffled) {
		return Errorf(CodeInvalidArgument, "seeding %q is not how a started tournament was seeded (rating or manual)", s)
	}
	return nil
}
