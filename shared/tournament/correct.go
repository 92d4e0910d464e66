package tournament

import (
	"slices"
)

// CorrectResult changes the winner of a decided game after the tournament
// may have moved on. Elimination formats are played again from the seeds
// with every recorded result but the corrected one: a later game whose
// players stay the same keeps its result, one whose players change is
// re-paired (its result, if it had one, is dropped: a game_reset event),
// games that no longer follow are removed, and a completed tournament
// reopens when the correction leaves it undecided. Round robin and Swiss
// keep every pairing already made (a Swiss round paired on the old result
// stays as it is); the result changes, and the standings with it.
// ExpectedVersion, when not 0, must be the tournament's version (the one a
// preview was computed on). Correcting a game to the winner it has is a
// no-op.
type CorrectResult struct {
	GameID          int64
	WinnerID        int64
	ExpectedVersion int64
	// Scores are the series' scores as corrected (optional; none clears
	// the recorded ones).
	Scores [][2]int
}

// Name implements Command.
func (CorrectResult) Name() string { return "correct_result" }

// Impact is what a correction does (or would do): the games it resets,
// removes or re-pairs, as they were before it, and the players whose path
// changes.
type Impact struct {
	// Version is the tournament's version the impact was computed on.
	Version int64 `json:"version"`
	// Changes is false when the game already has that winner (a no-op).
	Changes bool `json:"changes"`
	// Game is the corrected game as it becomes.
	Game *Game `json:"game,omitempty"`
	// Reset are the later games whose results are dropped, as they were.
	Reset []Game `json:"reset"`
	// Removed are the games that no longer follow from the results (a grand
	// final reset no longer needed), as they were.
	Removed []Game `json:"removed"`
	// Repaired are the later games not played yet whose players change, as
	// they become.
	Repaired []Game `json:"repaired"`
	// Players are the players whose path changes, in id order.
	Players []int64 `json:"players"`
	// Reopens: a completed tournament becomes active again.
	Reopens bool `json:"reopens"`
	// WinnerChanges: the tournament's winner changes (or it loses its
	// winner by reopening).
	WinnerChanges bool `json:"winner_changes"`
}

// PreviewCorrection returns the impact of cmd on t without changing
// anything (a dry run): exactly what Apply would do at t's version.
func PreviewCorrection(t *Tournament, cmd CorrectResult, env Env) (Impact, error) {
	next, evs, err := Apply(t, cmd, env)
	if err != nil {
		return Impact{}, err
	}
	return impactOf(t, next, evs, cmd.GameID), nil
}

// ImpactOf describes a correction that turned before into after with the
// events evs (what the correction's own reply reports).
func ImpactOf(before, after *Tournament, evs []Event, gameID int64) Impact {
	return impactOf(before, after, evs, gameID)
}

func impactOf(before, after *Tournament, evs []Event, gameID int64) Impact {
	im := Impact{Version: before.Version, Reset: []Game{}, Removed: []Game{}, Repaired: []Game{}, Players: []int64{}}
	if len(evs) == 0 {
		return im
	}
	im.Changes = true
	if g := after.Game(gameID); g != nil {
		c := *g
		im.Game = &c
	}
	players := map[int64]bool{}
	mark := func(g *Game) { players[g.Player1], players[g.Player2] = true, true }
	for ri := range before.Rounds {
		for _, g := range before.Rounds[ri].Games {
			n := after.Game(g.GameID)
			switch {
			case g.GameID == gameID:
				mark(&g)
			case n == nil:
				im.Removed = append(im.Removed, g)
				mark(&g)
			case n.Player1 != g.Player1 || n.Player2 != g.Player2:
				if g.Status != GameActive {
					im.Reset = append(im.Reset, g)
				} else {
					im.Repaired = append(im.Repaired, *n)
				}
				mark(&g)
				mark(n)
			case g.Status != GameActive && n.Status == GameActive:
				im.Reset = append(im.Reset, g)
				mark(&g)
			}
		}
	}
	for ri := range after.Rounds {
		for _, n := range after.Rounds[ri].Games {
			if before.Game(n.GameID) == nil {
				mark(&n)
			}
		}
	}
	for p := range players {
		im.Players = append(im.Players, p)
	}
	slices.Sort(im.Players)
	im.Reopens = before.Status == StatusCompleted && after.Status != StatusCompleted
	im.WinnerChanges = (before.WinnerID == nil) != (after.WinnerID == nil) || before.WinnerID != nil && after.WinnerID != nil && *before.WinnerID != *after.WinnerID
	return im
}

func (cmd CorrectResult) apply(c *change) error {
	if cmd.GameID <= 0 {
		return Errorf(CodeInvalidArgument, "game_id must be a positive integer, got %d", cmd.GameID)
	}
	if err := checkID("winner_id", cmd.WinnerID); err != nil {
		return err
	}
	if c.t.Status == StatusPending {
		return Errorf(CodeFailedPrecondition, "cannot correct a result: tournament %d has not started", c.t.ID)
	}
	g := c.game(cmd.GameID)
	if g == nil {
		return Errorf(CodeNotFound, "game %d is not in tournament %d", cmd.GameID, c.t.ID)
	}
	if _, ok := g.opponent(cmd.WinnerID); !ok {
		return Errorf(CodeInvalidArgument, "winner_id %d is not a player of game %d (players %d and %d)", cmd.WinnerID, g.GameID, g.Player1, g.Player2)
	}
	if c.t.Ended {
		return Errorf(CodeFailedPrecondition, "cannot correct a result: tournament %d was ended", c.t.ID)
	}
	if g.WinnerID == nil {
		return Errorf(CodeFailedPrecondition, "game %d is not decided yet: register its result instead of correcting it", g.GameID)
	}
	if cmd.ExpectedVersion != 0 && cmd.ExpectedVersion != c.t.Version {
		return Errorf(CodeFailedPrecondition, "tournament %d is at version %d, not %d: it changed since the correction was previewed", c.t.ID, c.t.Version, cmd.ExpectedVersion)
	}
	if err := checkScores(g, cmd.WinnerID, cmd.Scores, false); err != nil {
		return err
	}
	if *g.WinnerID == cmd.WinnerID && slices.Equal(g.Scores, cmd.Scores) {
		return nil // already so
	}
	if *g.WinnerID == cmd.WinnerID { // the scores only
		g.Scores = cmd.Scores
		c.emit(Event{Type: EventGameCorrected, Round: g.Round, GameID: g.GameID, WinnerID: cmd.WinnerID, LoserID: *g.LoserID})
		return nil
	}
	var err error
	switch c.t.format() {
	case RoundRobin, Swiss:
		err = c.flip(g, cmd.WinnerID, cmd.Scores)
	default:
		err = c.replayWith(cmd.GameID, cmd.WinnerID, cmd.Scores)
	}
	if err == nil {
		c.t.CorrectedVersion = c.t.Version + 1 // the version Apply gives the change
	}
	return err
}

// flip changes a round robin or Swiss game's winner in place: every
// pairing stays.
func (c *change) flip(g *Game, winner int64, scores [][2]int) error {
	old := *g.WinnerID
	finished := g.FinishedAt
	c.decide(g, GameFinished, winner)
	g.FinishedAt, g.Scores, g.Forfeit = finished, scores, false
	c.emit(Event{Type: EventGameCorrected, Round: g.Round, GameID: g.GameID, WinnerID: winner, LoserID: old})
	if c.t.Status == StatusCompleted {
		if w := c.leader(); c.t.WinnerID == nil || w != *c.t.WinnerID {
			c.t.WinnerID = &w
			c.emit(Event{Type: EventTournamentCompleted, WinnerID: w})
		}
	}
	return nil
}

// replayWith plays the tournament again from its seeds with the recorded
// results, gameID's winner replaced, and makes c.t the outcome.
func (c *change) replayWith(gameID, winner int64, scores [][2]int) error {
	old := c.t
	r, err := replay(old, c.env, func(g *Game) Command {
		o := old.Game(g.GameID)
		if o == nil || o.Player1 != g.Player1 || o.Player2 != g.Player2 {
			return nil
		}
		if g.GameID == gameID {
			return RegisterResult{GameID: gameID, WinnerID: winner, Scores: scores}
		}
		return resultOf(o)
	})
	if err != nil {
		return err
	}
	// Keep what did not change: the times and flags of games that stayed.
	now := c.env.Now
	for ri := range r.Rounds {
		for gi := range r.Rounds[ri].Games {
			n := &r.Rounds[ri].Games[gi]
			o := old.Game(n.GameID)
			same := o != nil && o.Player1 == n.Player1 && o.Player2 == n.Player2
			if !same {
				n.CreatedAt, n.Deadline = now, now.Add(c.env.GameTimeout)
				continue
			}
			n.CreatedAt, n.Deadline, n.Overdue, n.DeadlineWarned = o.CreatedAt, o.Deadline, o.Overdue, o.DeadlineWarned
			n.CalledAt, n.PlayStartedAt = o.CalledAt, o.PlayStartedAt
			if n.Status == GameActive && o.Status == GameActive {
				n.State = o.State
			}
			switch {
			case n.GameID == gameID:
				n.FinishedAt = o.FinishedAt
			case n.Status != GameActive:
				n.FinishedAt = o.FinishedAt
			}
		}
	}
	// Events: the correction, then what it did to the games after it.
	g := r.Game(gameID)
	c.emit(Event{Type: EventGameCorrected, Round: g.Round, GameID: gameID, WinnerID: winner, LoserID: *g.LoserID})
	for ri := range old.Rounds {
		for _, o := range old.Rounds[ri].Games {
			if o.GameID == gameID {
				continue
			}
			n := r.Game(o.GameID)
			switch {
			case n == nil:
				ev := Event{Type: EventGameRemoved, Round: o.Round, GameID: o.GameID, Players: []int64{o.Player1, o.Player2}}
				if o.WinnerID != nil {
					ev.WinnerID, ev.LoserID = *o.WinnerID, *o.LoserID
				}
				c.emit(ev)
			case o.Status != GameActive && (n.Status == GameActive || n.Player1 != o.Player1 || n.Player2 != o.Player2):
				ev := Event{Type: EventGameReset, Round: o.Round, GameID: o.GameID, Players: []int64{n.Player1, n.Player2}, Forfeit: o.Forfeit}
				if o.WinnerID != nil {
					ev.WinnerID, ev.LoserID = *o.WinnerID, *o.LoserID
				}
				c.emit(ev)
			case n.Player1 != o.Player1 || n.Player2 != o.Player2:
				c.emit(Event{Type: EventGameRepaired, Round: n.Round, GameID: n.GameID, Players: []int64{n.Player1, n.Player2}})
			}
		}
	}
	for ri := len(old.Rounds); ri < len(r.Rounds); ri++ {
		rd := &r.Rounds[ri]
		c.emit(Event{Type: EventRoundStarted, Round: rd.Round, Bracket: rd.Bracket})
		for _, n := range rd.Games {
			c.emit(Event{Type: EventGameCreated, Round: n.Round, GameID: n.GameID, Bracket: rd.Bracket})
		}
	}
	switch {
	case old.Status == StatusCompleted && r.Status != StatusCompleted:
		c.emit(Event{Type: EventTournamentReopened})
	case r.Status == StatusCompleted && (old.Status != StatusCompleted || !sameWinner(old.WinnerID, r.WinnerID)):
		r.CompletedAt = &now
		ev := Event{Type: EventTournamentCompleted}
		if r.WinnerID != nil {
			ev.WinnerID = *r.WinnerID
		}
		c.emit(ev)
	case r.Status == StatusCompleted:
		r.CompletedAt = old.CompletedAt
	}
	r.Version, r.UpdatedAt, r.CreatedAt, r.StartedAt = old.Version, old.UpdatedAt, old.CreatedAt, old.StartedAt
	c.t = r
	// Players who left stay out: a departure recorded in a stage the
	// correction undid counts from the current stage, and a game they would
	// play again is a walkover.
	cur := r.stage(&r.Rounds[len(r.Rounds)-1])
	for i := range r.Dropped {
		r.Dropped[i].Stage = min(r.Dropped[i].Stage, cur)
	}
	if r.Status == StatusActive && len(r.Dropped) > 0 {
		c.stageGames(func(g *Game) {
			for _, p := range []int64{g.Player1, g.Player2} {
				if g.Status == GameActive && r.dropped(p, cur+1) {
					c.walkover(g, p)
				}
			}
		})
		c.advance()
	}
	return nil
}

// resultOf is the command that decides a game as g was decided (nil for a
// game not decided).
func resultOf(g *Game) Command {
	switch {
	case g.Status == GameTimedOut && g.WinnerID != nil:
		return ResolveTimeouts{Policy: TimeoutHigherSeed, Winners: map[int64]int64{g.GameID: *g.WinnerID}}
	case g.Status == GameFinished && g.WinnerID == nil:
		return RegisterResult{GameID: g.GameID, Forfeit: true}
	case g.Status == GameFinished:
		return RegisterResult{GameID: g.GameID, WinnerID: *g.WinnerID, Forfeit: g.Forfeit, Scores: g.Scores}
	}
	return nil
}

// replay plays t again from its seeds: a fresh tournament with t's
// parameters, players and departures, started with t's seeds, then every
// game the replay creates, in game id order, decided by the command result
// returns (nil: left active). It checks nothing against t.
func replay(t *Tournament, env Env, result func(g *Game) Command) (*Tournament, error) {
	r := &Tournament{ID: t.ID, Name: t.Name, MaxPlayers: t.MaxPlayers, CreatorID: t.CreatorID, TTLProfile: t.TTLProfile,
		Format: t.Format, Options: t.Options, Status: StatusPending, Players: slices.Clone(t.Players), Rounds: []Round{},
		Version: t.Version, CreatedAt: t.CreatedAt, Shuffled: t.Shuffled, Dropped: slices.Clone(t.Dropped),
		CheckIn: t.CheckIn, StartsAt: t.StartsAt, CheckedIn: slices.Clone(t.CheckedIn), BestOf: t.BestOf, BestOfByRound: t.BestOfByRound}
	c := &change{t: r, env: env}
	if err := (Start{Seeds: t.Seeds}).apply(c); err != nil {
		return nil, err
	}
	r.Shuffled = t.Shuffled
	for ri := 0; ri < len(r.Rounds); ri++ {
		for gi := 0; gi < len(r.Rounds[ri].Games); gi++ {
			g := &r.Rounds[ri].Games[gi]
			cmd := result(g)
			if cmd == nil || g.Status != GameActive {
				continue
			}
			if err := cmd.apply(c); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

func sameWinner(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
