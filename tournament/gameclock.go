package tournament

import (
	"fmt"
	"time"
)

// CallGame records that the organiser sent a game's players to play: the
// game is called and its deadline counts from now. Calling a called game
// again changes nothing. At, when set, is when the call was made (a
// replay of a call already made, see Decided): the deadline counts from
// it.
type CallGame struct {
	GameID int64
	At     time.Time
}

// Name implements Command.
func (CallGame) Name() string { return "call_game" }

func (cmd CallGame) apply(c *change) error {
	g, err := c.playable(cmd.GameID, "call")
	if err != nil || g == nil {
		return err
	}
	switch g.State {
	case StateCalled:
		return nil
	case StateInProgress:
		return Errorf(CodeFailedPrecondition, "game %d is already in progress", g.GameID)
	}
	now := c.env.Now
	if !cmd.At.IsZero() {
		now = cmd.At
	}
	g.State, g.CalledAt, g.Deadline, g.Overdue, g.DeadlineWarned = StateCalled, &now, now.Add(c.env.GameTimeout), false, false
	d := g.Deadline
	c.emit(Event{Type: EventGameCalled, Round: g.Round, GameID: g.GameID, Players: []int64{g.Player1, g.Player2}, Deadline: &d})
	return nil
}

// StartGame records that a game's players began to play (from ready or
// called). Starting a game in progress again changes nothing. At, when set,
// is when they began (a replay, see Decided).
type StartGame struct {
	GameID int64
	At     time.Time
}

// Name implements Command.
func (StartGame) Name() string { return "start_game" }

func (cmd StartGame) apply(c *change) error {
	g, err := c.playable(cmd.GameID, "start")
	if err != nil || g == nil || g.State == StateInProgress {
		return err
	}
	now := c.env.Now
	if !cmd.At.IsZero() {
		now = cmd.At
	}
	g.State, g.PlayStartedAt = StateInProgress, &now
	c.emit(Event{Type: EventGameStarted, Round: g.Round, GameID: g.GameID, Players: []int64{g.Player1, g.Player2}})
	return nil
}

// playable returns the active game id of an active tournament, for a
// command that moves it along (verb names it in errors).
func (c *change) playable(id int64, verb string) (*Game, error) {
	if id <= 0 {
		return nil, Errorf(CodeInvalidArgument, "game_id must be a positive integer, got %d", id)
	}
	g := c.game(id)
	if g == nil {
		return nil, Errorf(CodeNotFound, "game %d is not in tournament %d", id, c.t.ID)
	}
	if g.Status != GameActive {
		return nil, Errorf(CodeFailedPrecondition, "cannot %s game %d: it is %s", verb, id, g.Status)
	}
	if g.State == "" {
		g.State = StateReady // made before match states existed
	}
	return g, nil
}

// TimeoutPolicy says how the sweeper resolves a game past its deadline.
type TimeoutPolicy string

// Timeout policies.
const (
	TimeoutRandom     TimeoutPolicy = "random"      // one of the two players advances, drawn at random
	TimeoutHigherSeed TimeoutPolicy = "higher_seed" // the better seed (lower seed number) advances, whichever side it plays
	TimeoutNone       TimeoutPolicy = "none"        // the game stays active; an event says it is overdue
)

// ParseTimeoutPolicy checks a policy name.
func ParseTimeoutPolicy(s string) (TimeoutPolicy, error) {
	switch p := TimeoutPolicy(s); p {
	case TimeoutRandom, TimeoutHigherSeed, TimeoutNone:
		return p, nil
	}
	return "", fmt.Errorf("unknown timeout policy %q (want random, higher_seed or none)", s)
}

// ResolveTimeouts resolves every active game whose deadline has passed,
// following Policy. With nothing due it changes nothing. Winners, when not
// nil, is a decision already taken (see Decided): exactly those games (when
// still active) are timed out with those winners, and nothing is drawn.
type ResolveTimeouts struct {
	Policy  TimeoutPolicy
	Winners map[int64]int64 // game id -> winner
}

// Name implements Command.
func (ResolveTimeouts) Name() string { return "resolve_timeouts" }

func (cmd ResolveTimeouts) apply(c *change) error {
	if _, err := ParseTimeoutPolicy(string(cmd.Policy)); err != nil {
		return Errorf(CodeInvalidArgument, "%v", err)
	}
	if c.t.Status != StatusActive {
		return nil
	}
	if cmd.Winners != nil {
		return cmd.replay(c)
	}
	if cmd.Policy == TimeoutRandom && c.env.Rand == nil {
		return Errorf(CodeInternal, "random timeout policy needs a random source")
	}
	decided := false
	var seeds map[int64]int
	c.stageGames(func(g *Game) {
		if g.Status != GameActive || c.env.Now.Before(g.Deadline) {
			return
		}
		if cmd.Policy == TimeoutHigherSeed && seeds == nil {
			seeds = c.t.seedIndex()
		}
		switch cmd.Policy {
		case TimeoutNone:
			if !g.Overdue {
				g.Overdue = true
				c.emit(Event{Type: EventGameOverdue, Round: g.Round, GameID: g.GameID})
			}
			return
		case TimeoutHigherSeed:
			// The better seed by number, whichever side it plays.
			w := g.Player1
			if seeds[g.Player2] < seeds[g.Player1] {
				w = g.Player2
			}
			c.timeOut(g, w, cmd.Policy)
		case TimeoutRandom:
			c.timeOut(g, []int64{g.Player1, g.Player2}[c.env.Rand.IntN(2)], cmd.Policy)
		}
		decided = true
	})
	if decided {
		c.advance()
	}
	return nil
}

// WarnDeadlines warns the players of every active game whose deadline is
// within Lead of now (and not yet past): a game_deadline_warning event naming
// both players and the deadline, once per game. With nothing to warn about
// it changes nothing.
type WarnDeadlines struct{ Lead time.Duration }

// Name implements Command.
func (WarnDeadlines) Name() string { return "warn_deadlines" }

func (cmd WarnDeadlines) apply(c *change) error {
	if cmd.Lead <= 0 {
		return Errorf(CodeInvalidArgument, "the deadline warning lead must be positive, got %v", cmd.Lead)
	}
	if c.t.Status != StatusActive {
		return nil
	}
	c.stageGames(func(g *Game) {
		if g.Status != GameActive || g.DeadlineWarned || !c.env.Now.Before(g.Deadline) || g.Deadline.Sub(c.env.Now) > cmd.Lead {
			return
		}
		g.DeadlineWarned = true
		d := g.Deadline
		c.emit(Event{Type: EventGameDeadlineWarning, Round: g.Round, GameID: g.GameID,
			Players: []int64{g.Player1, g.Player2}, Deadline: &d})
	})
	return nil
}

// timeOut decides g for winner as the timeout policy did, with an event
// naming both players and the policy.
func (c *change) timeOut(g *Game, winner int64, policy TimeoutPolicy) {
	c.decide(g, GameTimedOut, winner)
	c.emit(Event{Type: EventGameTimedOut, Round: g.Round, GameID: g.GameID, WinnerID: *g.WinnerID, LoserID: *g.LoserID,
		Players: []int64{g.Player1, g.Player2}, Policy: policy})
}
