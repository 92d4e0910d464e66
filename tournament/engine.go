package tournament

import (
	"math/rand/v2"
	"slices"
	"time"
)

// Rand is the randomness the engine needs; *math/rand/v2.Rand satisfies it.
type Rand interface {
	IntN(n int) int
}

// SystemRand draws from math/rand/v2's shared source: what a backend or
// host passes as Env.Rand (tests pass a seeded *rand.Rand instead).
var SystemRand Rand = systemRand{}

type systemRand struct{}

func (systemRand) IntN(n int) int { return rand.IntN(n) }

// Env is everything a change may read from outside: the time, a random
// source (for shuffled seeds and random timeouts) and the game timeout used to
// set the deadline of new games.
type Env struct {
	Now         time.Time
	Rand        Rand
	GameTimeout time.Duration
}

// New creates a pending tournament at version 1.
func New(p CreateParams, env Env) (*Tournament, []Event, error) {
	p, err := p.Validate()
	if err != nil {
		return nil, nil, err
	}
	t := &Tournament{ID: p.ID, Name: p.Name, MaxPlayers: p.MaxPlayers, CreatorID: p.CreatorID, TTLProfile: p.TTLProfile,
		Format: p.Format, Options: p.Options, CheckIn: p.CheckIn, StartsAt: p.StartsAt, BestOf: p.BestOf, BestOfByRound: p.BestOfByRound, Status: StatusPending, Players: []int64{}, Rounds: []Round{}, Version: 1,
		CreatedAt: env.Now, UpdatedAt: env.Now}
	evs := []Event{{Type: EventTournamentCreated, TournamentID: t.ID, Version: 1, PlayerID: p.CreatorID, At: env.Now}}
	if len(p.Participants) > 0 {
		// The initial participants join in the same change (version 1).
		c := &change{t: t, env: env}
		if err := (AddPlayers{Entrants: p.Participants}).apply(c); err != nil {
			return nil, nil, err
		}
		for _, e := range c.events {
			e.TournamentID, e.Version, e.At = t.ID, 1, env.Now
			evs = append(evs, e)
		}
	}
	return t, evs, nil
}

// RemovedEvent is the event emitted when a tournament is deleted.
func RemovedEvent(t *Tournament, now time.Time) Event {
	return Event{Type: EventTournamentRemoved, TournamentID: t.ID, Version: t.Version + 1, At: now}
}

// Command is one change to an existing tournament: AddPlayer, RemovePlayer,
// CheckIn and Start (registration.go); RegisterResult, Disqualify and
// EndTournament (results.go); CallGame, StartGame, ResolveTimeouts and
// WarnDeadlines (gameclock.go); CorrectResult (correct.go).
type Command interface {
	// Name is the command's name in logs, metrics and errors.
	Name() string
	apply(c *change) error
}

// Apply runs cmd against t. On success it returns the new state (a copy;
// t itself is never modified) with its version incremented and the events of
// the change. A command that changes nothing (a repeated result, a sweep
// with nothing due) returns t itself, no events and no error.
func Apply(t *Tournament, cmd Command, env Env) (*Tournament, []Event, error) {
	c := &change{t: t.copyForChange(), env: env}
	if err := cmd.apply(c); err != nil {
		return t, nil, err
	}
	if len(c.events) == 0 {
		return t, nil, nil
	}
	c.t.Version++
	c.t.UpdatedAt = env.Now
	for i := range c.events {
		c.events[i].TournamentID = t.ID
		c.events[i].Version = c.t.Version
		c.events[i].At = env.Now
	}
	return c.t, c.events, nil
}

type change struct {
	t      *Tournament
	env    Env
	events []Event
	// pairings, when set, gives the Swiss pairing of round n (1-based)
	// instead of computing it: a replay of pairings made before (Validate).
	pairings func(round int) ([]int64, error)
	err      error // a failure inside a stage change (a bad pairing given)
	// replaying: the change plays a tournament again (a correction,
	// Validate); its start keeps the tournament's rules.
	replaying bool
	// owned holds the first game of each round whose games this change
	// copied or made: the others are still the input's (copyForChange).
	owned map[*Game]bool
}

// ownRound returns round index ri with games this change may write,
// copying them on the first call. Every write to a game goes through a
// pointer taken after it (game, stageGames).
func (c *change) ownRound(ri int) *Round {
	r := &c.t.Rounds[ri]
	if len(r.Games) == 0 || c.owned[&r.Games[0]] {
		return r
	}
	r.Games = slices.Clone(r.Games)
	c.markOwned(r)
	return r
}

func (c *change) markOwned(r *Round) {
	if len(r.Games) == 0 {
		return
	}
	if c.owned == nil {
		c.owned = map[*Game]bool{}
	}
	c.owned[&r.Games[0]] = true
}

// game returns the game with the given id, writable, or nil.
func (c *change) game(id int64) *Game {
	for ri := range c.t.Rounds {
		for gi := range c.t.Rounds[ri].Games {
			if c.t.Rounds[ri].Games[gi].GameID == id {
				return &c.ownRound(ri).Games[gi]
			}
		}
	}
	return nil
}

func (c *change) emit(e Event) { c.events = append(c.events, e) }

func (c *change) requireStatus(want Status, action string) error {
	if c.t.Status == want {
		return nil
	}
	return Errorf(CodeFailedPrecondition, "cannot %s: tournament %d is %s", action, c.t.ID, c.t.Status)
}
