package tournament

import (
	"slices"
)

// CorrectResult changes the result of a decided game after the tournament
// may have moved on: its winner, whether it was a walkover (Forfeit), or,
// with no winner and Forfeit, a double forfeit; its scores.
//
// Elimination formats are played again from the seeds with every recorded
// result but the corrected one. Each game of the bracket is a place (a
// round and a match in it) and keeps its id for as long as its place is
// played: a later game whose two players stay the same keeps its result;
// one whose players change is re-paired (a result it had is dropped: a
// game_reset event); a game whose place is no longer played is removed.
// A result dropped or removed is kept aside (Tournament.ResetResults):
// when a later correction brings the same two players back to that round,
// the result (and the id) comes back, so a correction undone restores
// every game as it was. Games at new places get new ids, above every id
// used before. A completed tournament reopens when the correction leaves
// it undecided.
//
// Round robin and Swiss keep every pairing already made (a Swiss round
// paired on the old result stays as it is); the result changes, and the
// standings with it.
//
// ExpectedVersion, when not 0, must be the tournament's version (the one a
// preview was computed on). Correcting a game to the result it has is a
// no-op, whatever ExpectedVersion says (a retry of a correction that went
// through succeeds).
type CorrectResult struct {
	GameID int64
	// WinnerID is the corrected winner (0 with Forfeit: a double forfeit).
	WinnerID        int64
	ExpectedVersion int64
	// Scores are the series' scores as corrected (optional; none clears
	// the recorded ones).
	Scores [][2]int
	// Forfeit: the corrected result is a walkover for WinnerID (or with no
	// winner a double forfeit).
	Forfeit bool
}

// Name implements Command.
func (CorrectResult) Name() string { return "correct_result" }

// Impact is what a correction does (or would do): the games it resets,
// removes, re-pairs or creates, and the players whose path changes.
type Impact struct {
	// Version is the tournament's version the impact was computed on.
	Version int64 `json:"version"`
	// Changes is false when the game already has that result (a no-op).
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
	// Created are the games the correction creates (a round that now
	// follows, a result brought back), as they become.
	Created []Game `json:"created"`
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

// impactOf compares before and after game by game id: every game that
// differs is in the impact, and only those.
func impactOf(before, after *Tournament, evs []Event, gameID int64) Impact {
	im := Impact{Version: before.Version, Reset: []Game{}, Removed: []Game{}, Repaired: []Game{}, Created: []Game{}, Players: []int64{}}
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
			case n.Player1 != g.Player1 || n.Player2 != g.Player2 || !sameResult(&g, n):
				if g.Status != GameActive {
					im.Reset = append(im.Reset, g)
				} else {
					im.Repaired = append(im.Repaired, *n)
				}
				mark(&g)
				mark(n)
			}
		}
	}
	for ri := range after.Rounds {
		for _, n := range after.Rounds[ri].Games {
			if before.Game(n.GameID) == nil {
				im.Created = append(im.Created, n)
				mark(&n)
			}
		}
	}
	for p := range players {
		im.Players = append(im.Players, p)
	}
	slices.Sort(im.Players)
	im.Reopens = before.Status == StatusCompleted && after.Status != StatusCompleted
	im.WinnerChanges = !sameWinner(before.WinnerID, after.WinnerID)
	return im
}

// sameResult reports whether two games of the same players stand decided
// (or undecided) alike: status, winner, walkover and scores.
func sameResult(a, b *Game) bool {
	return a.Status == b.Status && sameWinner(a.WinnerID, b.WinnerID) && a.Forfeit == b.Forfeit && slices.Equal(a.Scores, b.Scores)
}

func (cmd CorrectResult) apply(c *change) error {
	if cmd.GameID <= 0 {
		return Errorf(CodeInvalidArgument, "game_id must be a positive integer, got %d", cmd.GameID)
	}
	if cmd.WinnerID != 0 || !cmd.Forfeit {
		if err := checkID("winner_id", cmd.WinnerID); err != nil {
			return err
		}
	}
	if cmd.WinnerID == 0 && cmd.Scores != nil {
		return Errorf(CodeInvalidArgument, "a double forfeit has no scores")
	}
	if c.t.Status == StatusPending {
		return Errorf(CodeFailedPrecondition, "cannot correct a result: tournament %d has not started", c.t.ID)
	}
	g := c.game(cmd.GameID)
	if g == nil {
		return Errorf(CodeNotFound, "game %d is not in tournament %d", cmd.GameID, c.t.ID)
	}
	if _, ok := g.opponent(cmd.WinnerID); !ok && cmd.WinnerID != 0 {
		return Errorf(CodeInvalidArgument, "winner_id %d is not a player of game %d (players %d and %d)", cmd.WinnerID,
			g.GameID, g.Player1, g.Player2)
	}
	if c.t.Ended {
		return Errorf(CodeFailedPrecondition, "cannot correct a result: tournament %d was ended", c.t.ID)
	}
	if g.Status == GameActive || g.Status == GameCancelled {
		return Errorf(CodeFailedPrecondition, "game %d is not decided yet: register its result instead of correcting it", g.GameID)
	}
	for _, p := range []int64{g.Player1, g.Player2} {
		if c.t.decidedByDeparture(g, p) {
			return Errorf(CodeFailedPrecondition,
				"game %d was decided by player %d leaving the tournament: it has nothing to correct", g.GameID, p)
		}
	}
	if cmd.WinnerID != 0 {
		if err := checkScores(g, cmd.WinnerID, cmd.Scores, cmd.Forfeit); err != nil {
			return err
		}
	}
	// The result asked for, as the game would record it: a timed-out game
	// corrected to its winner without scores stays as it is.
	same := g.WinnerID != nil && *g.WinnerID == cmd.WinnerID && slices.Equal(g.Scores, cmd.Scores) &&
		(g.Forfeit == cmd.Forfeit || g.Status == GameTimedOut && !cmd.Forfeit)
	if same || g.WinnerID == nil && cmd.WinnerID == 0 {
		return nil // already so (a retry of this correction, too)
	}
	if cmd.ExpectedVersion != 0 && cmd.ExpectedVersion != c.t.Version {
		return Errorf(CodeFailedPrecondition,
			"tournament %d is at version %d, not %d: it changed since the correction was previewed", c.t.ID, c.t.Version, cmd.ExpectedVersion)
	}
	if g.WinnerID != nil && *g.WinnerID == cmd.WinnerID {
		// The same winner: the scores or the walkover only; nothing else
		// depends on them.
		finished := g.FinishedAt
		c.decide(g, GameFinished, cmd.WinnerID)
		g.FinishedAt, g.Scores, g.Forfeit = finished, cmd.Scores, cmd.Forfeit
		c.emit(Event{Type: EventGameCorrected, Round: g.Round, GameID: g.GameID, WinnerID: cmd.WinnerID,
			LoserID: *g.LoserID, Forfeit: cmd.Forfeit})
		if f := c.t.format(); f == RoundRobin || f == Swiss {
			c.recrown() // the scores are a tiebreak
		}
		return nil
	}
	result := RegisterResult{GameID: cmd.GameID, WinnerID: cmd.WinnerID, Forfeit: cmd.Forfeit || cmd.WinnerID == 0, Scores: cmd.Scores}
	var err error
	switch c.t.format() {
	case RoundRobin, Swiss:
		err = c.flip(g, result)
	default:
		err = c.replayWith(g, result)
	}
	if err == nil {
		c.t.CorrectedVersion = c.t.Version + 1 // the version Apply gives the change
	}
	return err
}

// decidedByDeparture reports whether decided game g was decided by player
// leaving the tournament (Game.ByDeparture; in state from before that was
// kept, a walkover lost in the stage they left in, or after).
func (t *Tournament) decidedByDeparture(g *Game, player int64) bool {
	if g.ByDeparture {
		return true
	}
	for _, d := range t.Dropped {
		if d.PlayerID == player && d.At.IsZero() {
			return g.Forfeit && (g.LoserID == nil || *g.LoserID == player) && t.stage(&t.Rounds[g.Round-1]) >= d.Stage
		}
	}
	return false
}

// flip changes a round robin or Swiss game's result in place: every
// pairing stays.
func (c *change) flip(g *Game, result RegisterResult) error {
	finished := g.FinishedAt
	if result.WinnerID == 0 {
		c.setDoubleForfeit(g)
	} else {
		c.decide(g, GameFinished, result.WinnerID)
		g.Scores, g.Forfeit = result.Scores, result.Forfeit
	}
	g.FinishedAt = finished
	c.emit(correctedEvent(g))
	c.recrown()
	return nil
}

// recrown makes a completed round robin or Swiss tournament's winner the
// leader of the standings as corrected.
func (c *change) recrown() {
	if c.t.Status != StatusCompleted {
		return
	}
	if w := c.leader(); c.t.WinnerID == nil || w != *c.t.WinnerID {
		c.t.WinnerID = &w
		c.emit(Event{Type: EventTournamentCompleted, WinnerID: w})
	}
}

// correctedEvent is the game_corrected event of g as corrected.
func correctedEvent(g *Game) Event {
	ev := Event{Type: EventGameCorrected, Round: g.Round, GameID: g.GameID, Forfeit: g.Forfeit}
	if g.WinnerID != nil {
		ev.WinnerID, ev.LoserID = *g.WinnerID, *g.LoserID
	} else {
		ev.Players = []int64{g.Player1, g.Player2}
	}
	return ev
}

// place is where a game sits in the bracket: its round (index) and the
// match in that round (a pair of adjacent slots).
type place struct{ round, match int }

// places maps every game of t to its place.
func places(t *Tournament) map[place]*Game {
	out := make(map[place]*Game, t.GameCount())
	for ri := range t.Rounds {
		r := &t.Rounds[ri]
		gi := 0
		for m := 0; 2*m+1 < len(r.Slots) && gi < len(r.Games); m++ {
			if g := &r.Games[gi]; g.Player1 == r.Slots[2*m] && g.Player2 == r.Slots[2*m+1] {
				out[place{ri, m}] = g
				gi++
			}
		}
	}
	return out
}

// pairKey names a game by its round number and its two players, sides
// aside: the key of a result kept aside.
type pairKey struct {
	round int
	a, b  int64
}

func keyOf(g *Game) pairKey {
	return pairKey{g.Round, min(g.Player1, g.Player2), max(g.Player1, g.Player2)}
}

// replayWith plays the tournament again from its seeds with the recorded
// results, the result of the game corrected (at its place) replaced, and
// makes c.t the outcome (see CorrectResult).
func (c *change) replayWith(corrected *Game, result RegisterResult) error {
	old := c.t
	was := places(old)
	var at place
	for p, g := range was {
		if g.GameID == corrected.GameID {
			at = p
		}
	}
	kept := make(map[pairKey]*Game, len(old.ResetResults))
	for i := range old.ResetResults {
		kept[keyOf(&old.ResetResults[i])] = &old.ResetResults[i]
	}
	// source says where each game of the replay takes its result (and its
	// id, times and state) from: the game at its place when the players
	// are the same, else a result kept aside for them, else nothing.
	source := map[*Game]*Game{}
	restored := map[pairKey]bool{}
	departed := map[*Game]bool{} // decided by a departure in the replay
	r, err := replay(old, c.env, func(p place, g *Game) Command {
		if p == at {
			result.GameID = g.GameID
			return result
		}
		o := was[p]
		if o == nil || o.Player1 != g.Player1 || o.Player2 != g.Player2 {
			if o = kept[keyOf(g)]; o != nil {
				restored[keyOf(g)] = true
			}
		}
		if o != nil {
			source[g] = o
			if cmd := resultOf(o, g); cmd != nil {
				return cmd
			}
		}
		// A game without a result, of a player who has left: they lose it
		// by walkover (as when they left while it was played).
		cmd := old.walkoverOf(g)
		if cmd != nil {
			departed[g] = true
		}
		return cmd
	})
	if err != nil {
		return err
	}
	now := c.env.Now
	// Ids: a place keeps its game's id; a result brought back brings its
	// id when no other game holds it; the other games get new ids, above
	// every id used before.
	now2 := places(r)
	taken := map[int64]bool{}
	for p := range now2 {
		if o := was[p]; o != nil {
			taken[o.GameID] = true
		}
	}
	next := max(old.nextGameID(), 1)
	order := make([]place, 0, len(now2))
	for p := range now2 {
		order = append(order, p)
	}
	slices.SortFunc(order, func(a, b place) int {
		if a.round != b.round {
			return a.round - b.round
		}
		return a.match - b.match
	})
	ids := map[*Game]int64{}
	for _, p := range order {
		n := now2[p]
		switch o, src := was[p], source[n]; {
		case o != nil:
			ids[n] = o.GameID
		case src != nil && !taken[src.GameID]:
			ids[n] = src.GameID
			taken[src.GameID] = true
		}
	}
	for _, p := range order {
		if n := now2[p]; ids[n] == 0 {
			ids[n] = next
			next++
		}
	}
	for _, p := range order {
		n := now2[p]
		n.GameID = ids[n]
		// Keep what did not change: the times and state of a game that
		// stayed, or that a kept result brings back.
		src := source[n]
		if o := was[p]; p == at || src == nil && o != nil && o.Player1 == n.Player1 && o.Player2 == n.Player2 {
			src = o
		}
		n.ByDeparture = n.ByDeparture || departed[n] || src != nil && src.ByDeparture && sameResult(src, n)
		if src == nil {
			if n.Status == GameActive {
				n.CreatedAt, n.Deadline = now, now.Add(c.env.GameTimeout)
			}
			continue
		}
		n.CreatedAt, n.Deadline, n.Overdue, n.DeadlineWarned = src.CreatedAt, src.Deadline, src.Overdue, src.DeadlineWarned
		n.CalledAt, n.PlayStartedAt = src.CalledAt, src.PlayStartedAt
		if n.Status == GameActive && src.Status == GameActive {
			n.State = src.State
		}
		if n.Status != GameActive && src.Status != GameActive {
			n.FinishedAt = src.FinishedAt
		}
	}
	// Results kept aside: those before, but the ones brought back, and
	// every decided game this correction takes out of the bracket.
	var aside []Game
	addAside := func(g Game) {
		k := keyOf(&g)
		for i := range aside {
			if keyOf(&aside[i]) == k {
				aside[i] = g
				return
			}
		}
		aside = append(aside, g)
	}
	for i := range old.ResetResults {
		if !restored[keyOf(&old.ResetResults[i])] {
			addAside(old.ResetResults[i])
		}
	}
	events := []Event{correctedEvent(r.Game(corrected.GameID))}
	for ri := range old.Rounds {
		for gi := range old.Rounds[ri].Games {
			o := &old.Rounds[ri].Games[gi]
			if o.GameID == corrected.GameID {
				continue
			}
			n := r.Game(o.GameID)
			moved := n == nil || n.Player1 != o.Player1 || n.Player2 != o.Player2
			if o.Status != GameActive && (moved || !sameResult(o, n)) || n == nil {
				addAside(*o)
			}
			switch {
			case n == nil:
				ev := Event{Type: EventGameRemoved, Round: o.Round, GameID: o.GameID, Players: []int64{o.Player1, o.Player2}}
				if o.WinnerID != nil {
					ev.WinnerID, ev.LoserID = *o.WinnerID, *o.LoserID
				}
				events = append(events, ev)
				continue
			case o.Status != GameActive && (moved || !sameResult(o, n)):
				ev := Event{Type: EventGameReset, Round: o.Round, GameID: o.GameID,
					Players: []int64{n.Player1, n.Player2}, Forfeit: o.Forfeit}
				if o.WinnerID != nil {
					ev.WinnerID, ev.LoserID = *o.WinnerID, *o.LoserID
				}
				events = append(events, ev)
			case moved:
				events = append(events,
					Event{Type: EventGameRepaired, Round: n.Round, GameID: n.GameID, Players: []int64{n.Player1, n.Player2}})
			default:
				continue
			}
			if n.Status != GameActive { // decided again at once: a walkover, a result brought back
				events = append(events, finishedEvent(n))
			}
		}
	}
	for ri := range r.Rounds {
		rd := &r.Rounds[ri]
		if ri >= len(old.Rounds) {
			events = append(events, Event{Type: EventRoundStarted, Round: rd.Round, Bracket: rd.Bracket})
		}
		for gi := range rd.Games {
			if n := &rd.Games[gi]; old.Game(n.GameID) == nil {
				events = append(events, Event{Type: EventGameCreated, Round: n.Round, GameID: n.GameID, Bracket: rd.Bracket})
				if n.Status != GameActive {
					events = append(events, finishedEvent(n))
				}
			}
		}
	}
	c.events = append(c.events, events...)
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
	r.ResetResults = aside
	c.t = r
	c.owned = nil
	for ri := range r.Rounds {
		c.markOwned(&r.Rounds[ri]) // every round is the replay's own
	}
	// A departure keeps its stage, even one the correction took the
	// bracket back before: the replay made the new games of a player who
	// left walkovers, and every round created from now on follows every
	// departure (change.left). Under the first rules, where a player who
	// left empties their slot, it counts from the current stage instead.
	if r.rules() < RulesWalkovers {
		cur := r.stage(&r.Rounds[len(r.Rounds)-1])
		for i := range r.Dropped {
			r.Dropped[i].Stage = min(r.Dropped[i].Stage, cur)
		}
	}
	return nil
}

// walkoverOf is the result of game g (of a replay of t) when a player of
// it has left t: a walkover for the other, or a double forfeit when both
// have; nil when neither has.
func (t *Tournament) walkoverOf(g *Game) Command {
	left1, left2 := t.dropped(g.Player1, 1<<30), t.dropped(g.Player2, 1<<30)
	switch {
	case left1 && left2:
		return RegisterResult{GameID: g.GameID, Forfeit: true}
	case left1:
		return RegisterResult{GameID: g.GameID, WinnerID: g.Player2, Forfeit: true}
	case left2:
		return RegisterResult{GameID: g.GameID, WinnerID: g.Player1, Forfeit: true}
	}
	return nil
}

// finishedEvent is the game_finished (or game_timed_out) event of a
// decided game.
func finishedEvent(g *Game) Event {
	ev := Event{Type: EventGameFinished, Round: g.Round, GameID: g.GameID, Forfeit: g.Forfeit}
	if g.Status == GameTimedOut {
		ev.Type = EventGameTimedOut
	}
	if g.WinnerID != nil {
		ev.WinnerID, ev.LoserID = *g.WinnerID, *g.LoserID
	} else {
		ev.Players = []int64{g.Player1, g.Player2}
	}
	return ev
}

// resultOf is the command that decides game g as src was decided (nil for
// a game not decided), src being g or a game of the same two players.
func resultOf(src, g *Game) Command {
	scores := src.Scores
	if scores != nil && src.Player1 != g.Player1 {
		scores = make([][2]int, len(src.Scores))
		for i, s := range src.Scores {
			scores[i] = [2]int{s[1], s[0]}
		}
	}
	switch {
	case src.Status == GameTimedOut && src.WinnerID != nil:
		return ResolveTimeouts{Policy: TimeoutHigherSeed, Winners: map[int64]int64{g.GameID: *src.WinnerID}}
	case src.Status == GameFinished && src.WinnerID == nil:
		return RegisterResult{GameID: g.GameID, Forfeit: true}
	case src.Status == GameFinished:
		return RegisterResult{GameID: g.GameID, WinnerID: *src.WinnerID, Forfeit: src.Forfeit, Scores: scores}
	}
	return nil
}

// replay plays t again from its seeds: a fresh tournament with t's
// parameters, rules, players and departures, started with t's seeds, then
// every game the replay creates, in the order it creates them, decided by
// the command result returns for the game at its place (nil: left active;
// result sees the games decided when created too). It checks nothing
// against t.
func replay(t *Tournament, env Env, result func(p place, g *Game) Command) (*Tournament, error) {
	r := &Tournament{ID: t.ID, Name: t.Name, MaxPlayers: t.MaxPlayers, CreatorID: t.CreatorID, TTLProfile: t.TTLProfile,
		Format: t.Format, Options: t.Options, Status: StatusPending, Players: slices.Clone(t.Players), Rounds: []Round{},
		Version: t.Version, CreatedAt: t.CreatedAt, Shuffled: t.Shuffled, Dropped: slices.Clone(t.Dropped),
		CheckIn: t.CheckIn, StartsAt: t.StartsAt, CheckedIn: slices.Clone(t.CheckedIn), BestOf: t.BestOf, BestOfByRound: t.BestOfByRound,
		Rules: t.Rules, CorrectedVersion: t.CorrectedVersion, Participants: t.Participants}
	c := &change{t: r, env: env, replaying: true}
	if err := (Start{Seeds: t.Seeds}).apply(c); err != nil {
		return nil, err
	}
	r.Shuffled, r.Seeding = t.Shuffled, t.Seeding
	for ri := 0; ri < len(r.Rounds); ri++ {
		rd := &r.Rounds[ri]
		gi := 0
		for m := 0; 2*m+1 < len(rd.Slots) && gi < len(rd.Games); m++ {
			g := &rd.Games[gi]
			if g.Player1 != rd.Slots[2*m] || g.Player2 != rd.Slots[2*m+1] {
				continue // a bye
			}
			gi++
			cmd := result(place{ri, m}, g)
			if cmd == nil || g.Status != GameActive { // decided when created: a walkover
				continue
			}
			if err := cmd.apply(c); err != nil {
				return nil, err
			}
			rd = &r.Rounds[ri] // the rounds may have grown
		}
	}
	return r, nil
}

func sameWinner(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
