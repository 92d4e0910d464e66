package tournament

import (
	"encoding/json"
	"slices"
	"time"
)

// AddPlayer registers a participant while the tournament is pending: a
// user id and, optionally, the participant's record (see Entrant).
type AddPlayer struct {
	UserID     int64
	PlayerName string
	Rating     *float64
	Meta       json.RawMessage
	Members    []int64
}

// Name implements Command.
func (AddPlayer) Name() string { return "add_player" }

// Entrant is who the command adds.
func (cmd AddPlayer) Entrant() Entrant {
	return Entrant{UserID: cmd.UserID, Name: cmd.PlayerName, Rating: cmd.Rating, Meta: cmd.Meta, Members: cmd.Members}
}

func (cmd AddPlayer) apply(c *change) error {
	if err := checkID("user_id", cmd.UserID); err != nil {
		return err
	}
	if err := c.requireStatus(StatusPending, "add a player"); err != nil {
		return err
	}
	if slices.Contains(c.t.Players, cmd.UserID) {
		return Errorf(CodeAlreadyExists, "player %d is already in tournament %d", cmd.UserID, c.t.ID)
	}
	if len(c.t.Players) >= c.t.MaxPlayers {
		return Errorf(CodeFailedPrecondition, "tournament is full (%d of %d players)", len(c.t.Players), c.t.MaxPlayers)
	}
	return c.join(cmd.Entrant())
}

// RemovePlayer unregisters a player while the tournament is pending; from
// an active tournament it is a withdrawal (see Disqualify).
type RemovePlayer struct{ UserID int64 }

// Name implements Command.
func (RemovePlayer) Name() string { return "remove_player" }

func (cmd RemovePlayer) apply(c *change) error {
	if err := checkID("user_id", cmd.UserID); err != nil {
		return err
	}
	if c.t.Status == StatusActive {
		return c.drop(cmd.UserID, DropWithdrew)
	}
	if err := c.requireStatus(StatusPending, "remove a player"); err != nil {
		return err
	}
	i := slices.Index(c.t.Players, cmd.UserID)
	if i < 0 {
		return Errorf(CodeNotFound, "player %d is not in tournament %d", cmd.UserID, c.t.ID)
	}
	// New lists: the old ones are shared with the state the change began
	// from (copyForChange).
	players := append(make([]int64, 0, len(c.t.Players)-1), c.t.Players[:i]...)
	c.t.Players = append(players, c.t.Players[i+1:]...)
	c.forget(cmd.UserID)
	if c.t.CheckedIn = slices.DeleteFunc(slices.Clone(c.t.CheckedIn),
		func(x int64) bool { return x == cmd.UserID }); len(c.t.CheckedIn) == 0 {
		c.t.CheckedIn = nil // JSON omits an empty list
	}
	c.emit(Event{Type: EventPlayerLeft, PlayerID: cmd.UserID})
	return nil
}

// Start closes registration, seeds the players and begins round 1.
// Seeding is how (SeedingJoin, SeedingRandom, SeedingRating,
// SeedingManual; "": random when Shuffle is set, manual when Seeds are
// given or a seed order was set, else join). Seeds is the manual order
// (a permutation of the participants; check-in no-shows may be listed and
// are left out), or, with random seeding, the order drawn before: a
// replay (see Decided).
type Start struct {
	Shuffle bool
	Seeds   []int64
	Seeding string
}

// Name implements Command.
func (Start) Name() string { return "start" }

func (cmd Start) apply(c *change) error {
	switch cmd.Seeding {
	case "", SeedingJoin, SeedingRandom, SeedingRating, SeedingManual:
	default:
		return Errorf(CodeInvalidArgument, "seeding must be join, random, rating or manual, got %q", cmd.Seeding)
	}
	if err := c.requireStatus(StatusPending, "start"); err != nil {
		return err
	}
	var absent []int64 // check-in no-shows
	if c.t.CheckIn != "" {
		for _, p := range c.t.Players {
			if !slices.Contains(c.t.CheckedIn, p) {
				absent = append(absent, p)
			}
		}
		if len(c.t.Players)-len(absent) < MinPlayers {
			return Errorf(CodeFailedPrecondition,
				"cannot start tournament %d: it needs at least %d checked-in players, has %d", c.t.ID, MinPlayers, len(c.t.Players)-len(absent))
		}
		// A new list: the old one is shared with the state the change
		// began from (copyForChange).
		c.t.Players = slices.DeleteFunc(slices.Clone(c.t.Players), func(x int64) bool { return slices.Contains(absent, x) })
		for _, p := range absent {
			c.forget(p)
			c.emit(Event{Type: EventPlayerNotCheckedIn, PlayerID: p})
		}
	}
	if len(c.t.Players) < MinPlayers {
		return Errorf(CodeFailedPrecondition, "cannot start tournament %d: it needs at least %d players, has %d",
			c.t.ID, MinPlayers, len(c.t.Players))
	}
	seeds, method, err := c.seedOrder(cmd, absent)
	if err != nil {
		return err
	}
	if err := c.checkStart(len(seeds)); err != nil {
		return err
	}
	now := c.env.Now
	c.t.Seeds, c.t.Shuffled, c.t.SeedOrder = seeds, method == SeedingRandom, nil
	if method != SeedingJoin && method != SeedingRandom {
		c.t.Seeding = method
	}
	c.t.Status, c.t.StartedAt = StatusActive, &now
	if !c.replaying {
		c.t.Rules = CurrentRules // a replay keeps the rules the tournament had
	}
	c.emit(Event{Type: EventTournamentStarted})
	c.beginFirstStage()
	c.advance()
	return nil
}

// beginRound adds a round of the given bracket and stage with the given
// slots (adjacent slots meet; 0 is an empty side, so its opponent has a
// bye) and creates its games. A player who left the tournament keeps their
// slot and loses their game by walkover (a bye carries them on to the
// next one), so the bracket's shape never depends on departures; under
// the first rules they leave an empty slot instead.
func (c *change) beginRound(bracket string, stage int, slots []int64) {
	n := len(c.t.Rounds) + 1
	slots = slices.Clone(slots) // the round's own
	walkovers := c.t.rules() >= RulesWalkovers
	for i, p := range slots {
		if p != 0 && !walkovers && c.left(p, stage) {
			slots[i] = 0 // under the first rules a player who left leaves an empty slot
		}
	}
	r := Round{Round: n, Bracket: bracket, Stage: stage, Slots: slots, Games: []Game{}, Byes: []int64{}}
	next := c.t.nextGameID()
	bestOf := c.t.bestOf(bracket, n, len(c.t.bracketRounds(bracket))+1)
	c.emit(Event{Type: EventRoundStarted, Round: n, Bracket: bracket})
	for i := 0; i+1 < len(slots); i += 2 {
		a, b := slots[i], slots[i+1]
		if a == 0 || b == 0 {
			if a != 0 || b != 0 {
				r.Byes = append(r.Byes, max(a, b))
			}
			continue
		}
		g := Game{GameID: next, Round: n, Player1: a, Player2: b, Status: GameActive, State: StateReady,
			CreatedAt: c.env.Now, Deadline: c.env.Now.Add(c.env.GameTimeout), BestOf: bestOf}
		next++
		r.Games = append(r.Games, g)
		c.emit(Event{Type: EventGameCreated, Round: n, GameID: g.GameID, Bracket: bracket})
	}
	c.markOwned(&r)
	c.t.Rounds = append(c.t.Rounds, r)
	c.t.CurrentRound = n
	if len(c.t.ResetResults) > 0 && !c.replaying {
		// A result kept aside for a pairing the bracket now plays again
		// belongs to another history: this game is played anew.
		c.t.ResetResults = slices.DeleteFunc(slices.Clone(c.t.ResetResults), func(k Game) bool {
			return slices.ContainsFunc(r.Games, func(g Game) bool { return keyOf(&g) == keyOf(&k) })
		})
		if len(c.t.ResetResults) == 0 {
			c.t.ResetResults = nil
		}
	}
	if walkovers && !c.replaying {
		// (A replay decides these games itself, from what was recorded.)
		games := c.t.Rounds[len(c.t.Rounds)-1].Games
		for gi := range games {
			g := &games[gi]
			switch left1, left2 := c.left(g.Player1, stage), c.left(g.Player2, stage); {
			case left1 && left2:
				c.forfeitBoth(g)
				g.ByDeparture = true
			case left1:
				c.walkover(g, g.Player1)
			case left2:
				c.walkover(g, g.Player2)
			}
		}
	}
}

// advance ends the current stage once every game in it is decided, then
// begins the next one (again, while a new stage has nothing to play) or
// completes the tournament.
func (c *change) advance() {
	for c.t.Status == StatusActive {
		first := c.t.currentStage()
		for i := first; i < len(c.t.Rounds); i++ {
			if !c.t.Rounds[i].decided() {
				return
			}
		}
		for i := first; i < len(c.t.Rounds); i++ {
			c.emit(Event{Type: EventRoundEnded, Round: c.t.Rounds[i].Round, Bracket: c.t.Rounds[i].Bracket})
		}
		if n := len(c.t.Rounds); !c.nextStage() || len(c.t.Rounds) == n {
			return
		}
	}
}

// stageGames calls f for every game of the current stage (where every
// active game is).
func (c *change) stageGames(f func(g *Game)) {
	for i := c.t.currentStage(); i < len(c.t.Rounds); i++ {
		r := c.ownRound(i)
		for gi := range r.Games {
			f(&r.Games[gi])
		}
	}
}

// CheckIn records that a registered player is present, while the
// tournament is pending and has check-in; with a start time, only within
// the check-in window before it. Checking in again changes nothing.
type CheckIn struct{ UserID int64 }

// Name implements Command.
func (CheckIn) Name() string { return "check_in" }

func (cmd CheckIn) apply(c *change) error {
	if err := checkID("user_id", cmd.UserID); err != nil {
		return err
	}
	if err := c.requireStatus(StatusPending, "check in"); err != nil {
		return err
	}
	if c.t.CheckIn == "" {
		return Errorf(CodeFailedPrecondition, "tournament %d has no check-in", c.t.ID)
	}
	if !slices.Contains(c.t.Players, cmd.UserID) {
		return Errorf(CodeNotFound, "player %d is not in tournament %d", cmd.UserID, c.t.ID)
	}
	if c.t.StartsAt != nil {
		d, _ := time.ParseDuration(c.t.CheckIn)
		if opens := c.t.StartsAt.Add(-d); c.env.Now.Before(opens) {
			return Errorf(CodeFailedPrecondition, "check-in for tournament %d opens at %s", c.t.ID, opens.UTC().Format(time.RFC3339))
		}
	}
	if slices.Contains(c.t.CheckedIn, cmd.UserID) {
		return nil
	}
	c.t.CheckedIn = append(c.t.CheckedIn, cmd.UserID)
	c.emit(Event{Type: EventPlayerCheckedIn, PlayerID: cmd.UserID})
	return nil
}
