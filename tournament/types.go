package tournament

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Status is the life-cycle state of a tournament.
type Status string

// Tournament states.
const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusCompleted Status = "completed"
)

// GameStatus is the state of one game.
type GameStatus string

// Game states.
const (
	GameActive   GameStatus = "active"
	GameFinished GameStatus = "finished"
	GameTimedOut GameStatus = "timed_out"
	// GameCancelled: never played, the organiser ended the tournament.
	GameCancelled GameStatus = "cancelled"
)

// Limits of a tournament's parameters.
const (
	MinPlayers    = 2
	MaxPlayers    = 1024
	MaxNameLength = 100
)

// Game is one match between two players. Player1 is the upper slot of an
// elimination bracket (in round 1 the better seed; after an upset, the
// upper match's winner; in the losers' bracket the survivor of the losers'
// round before; in a grand final the winners' champion), the first-named
// player of a round robin's Berger table, and in Swiss the player whose
// turn it is to take that side.
type Game struct {
	GameID  int64 `json:"game_id"`
	Round   int   `json:"round"`
	Player1 int64 `json:"player_1"`
	Player2 int64 `json:"player_2"`
	// Seed1 and Seed2 are the two players' seeds (1 = the best), shown
	// with the tournament's JSON; derived from its seeds, never stored
	// (decoding drops them).
	Seed1      int        `json:"seed_1,omitempty"`
	Seed2      int        `json:"seed_2,omitempty"`
	Status     GameStatus `json:"status"`
	WinnerID   *int64     `json:"winner_id"`
	LoserID    *int64     `json:"loser_id"`
	CreatedAt  time.Time  `json:"created_at"`
	Deadline   time.Time  `json:"deadline"`
	FinishedAt *time.Time `json:"finished_at"`
	// Overdue is set when the game passed its deadline under the "none"
	// timeout policy and was left active.
	Overdue bool `json:"overdue,omitempty"`
	// DeadlineWarned is set once its players were warned that the deadline
	// is near (a game_deadline_warning event).
	DeadlineWarned bool `json:"deadline_warned,omitempty"`
	// Forfeit: the loser did not play (a walkover win); with no winner, a
	// double forfeit: neither player played, neither advances.
	Forfeit bool `json:"forfeit,omitempty"`
	// ByDeparture: the walkover (or, both gone, the double forfeit) was
	// decided by a player leaving the tournament; such a game has nothing
	// to correct.
	ByDeparture bool `json:"by_departure,omitempty"`
	// State is where the match stands: ready (both players known), called
	// (the organiser sent them to play), in_progress, completed, timed_out
	// or cancelled. Games exist once both players are known, so none is
	// ever pending.
	State GameState `json:"state,omitempty"`
	// CalledAt and PlayStartedAt are when it was called and started.
	CalledAt      *time.Time `json:"called_at,omitempty"`
	PlayStartedAt *time.Time `json:"started_at,omitempty"`
	// BestOf is the length of the game's series (absent: 1), and Scores
	// the series' game scores, player_1's first.
	BestOf int      `json:"best_of,omitempty"`
	Scores [][2]int `json:"scores,omitempty"`
}

// GameState is a match's state (Game.State).
type GameState string

// Match states.
const (
	StateReady      GameState = "ready"
	StateCalled     GameState = "called"
	StateInProgress GameState = "in_progress"
	StateCompleted  GameState = "completed"
	StateTimedOut   GameState = "timed_out"
	StateCancelled  GameState = "cancelled"
)

// Drop records a player who left an active tournament: disqualified by the
// organiser or withdrawn. From the stage after Stage on they are paired
// with nobody (their opponent has a walkover); their results stay.
type Drop struct {
	PlayerID int64  `json:"player_id"`
	Stage    int    `json:"stage"`
	Reason   string `json:"reason"` // "disqualified" or "withdrew"
	// At is when the player left (zero in state from before it was kept):
	// a game decided before it is theirs, one decided after it was decided
	// by their departure.
	At time.Time `json:"at,omitzero"`
}

// Drop reasons.
const (
	DropDisqualified = "disqualified"
	DropWithdrew     = "withdrew"
)

// Round is one round of the bracket. Slots lists the round's players in
// bracket order; adjacent slots meet, and 0 marks an empty slot (a bye, only
// ever in round 1).
type Round struct {
	Round int `json:"round"`
	// Bracket is the part of the tournament the round belongs to (winners,
	// losers, grand_final, third_place, round_robin, swiss); "" in state
	// written before formats existed is winners.
	Bracket string `json:"bracket,omitempty"`
	// Stage groups the rounds created together (double elimination plays a
	// winners' and a losers' round at once); 0 = the round's own number.
	Stage int     `json:"stage,omitempty"`
	Slots []int64 `json:"slots"`
	Games []Game  `json:"games"`
	Byes  []int64 `json:"byes"`
}

// Tournament is the whole state of one tournament: the snapshot that
// backends store, the plugin protocol carries and the HTTP API returns.
type Tournament struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	MaxPlayers   int        `json:"max_players"`
	CreatorID    int64      `json:"creator_id"`
	Status       Status     `json:"status"`
	Players      []int64    `json:"players"`
	Seeds        []int64    `json:"seeds,omitempty"`
	Shuffled     bool       `json:"shuffled,omitempty"`
	CurrentRound int        `json:"current_round"`
	Rounds       []Round    `json:"rounds"`
	WinnerID     *int64     `json:"winner_id"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	StartedAt    *time.Time `json:"started_at"`
	CompletedAt  *time.Time `json:"completed_at"`
	// TTLProfile names the TTL profile of the tournament's keys ("" = the
	// default TTLs).
	TTLProfile string `json:"ttl_profile,omitempty"`
	// Format is how players are paired ("" in state written before formats
	// existed is single elimination) and Options its options.
	Format  Format  `json:"format,omitempty"`
	Options Options `json:"options,omitzero"`
	// Ended: the organiser ended it before its format finished it (its
	// undecided games were cancelled).
	Ended bool `json:"ended,omitempty"`
	// Dropped are the players disqualified or withdrawn, in order.
	Dropped []Drop `json:"dropped,omitempty"`
	// CheckIn is the check-in window (Go duration syntax; "" = no
	// check-in), StartsAt the start it precedes, and CheckedIn who checked
	// in (see CreateParams).
	CheckIn   string     `json:"check_in,omitempty"`
	StartsAt  *time.Time `json:"starts_at,omitempty"`
	CheckedIn []int64    `json:"checked_in,omitempty"`
	// BestOf and BestOfByRound are the series lengths (see CreateParams).
	BestOf        int            `json:"best_of,omitempty"`
	BestOfByRound map[string]int `json:"best_of_by_round,omitempty"`
	// CorrectedVersion is the version made by the last correction that
	// changed a decided game's winner (0: none). Games decided before it
	// may have been re-decided or reset: a copy from before it is still an
	// ancestor (see Descends).
	CorrectedVersion int64 `json:"corrected_version,omitempty"`
	// Rules is the version of the engine's rules the tournament started
	// under (0: the first rules; see CurrentRules). A tournament keeps its
	// rules, so that an upgrade never changes a bracket being played.
	Rules int `json:"rules,omitempty"`
	// ResetResults are games a correction took out of the bracket with
	// their results (their players changed, or the game no longer
	// follows), as they were: a later correction that brings the same two
	// players back to the same round restores the result (and the id).
	ResetResults []Game `json:"reset_results,omitempty"`
	// Participants are the participants' records, in join order, for
	// those that have one (see Participant); the API's form lists every
	// participant.
	Participants []Participant `json:"participants,omitempty"`
	// SeedOrder is the seed order set before the start for a manual
	// seeding (a permutation of Players; nil: none).
	SeedOrder []int64 `json:"seed_order,omitempty"`
	// Seeding is how the start seeded the players when not by join order
	// or at random (see Shuffled): "rating" or "manual".
	Seeding string `json:"seeding,omitempty"`
}

// Rules versions (Tournament.Rules).
const (
	// RulesFirst: a player who left an active tournament leaves an empty
	// slot (the opponent has a bye); round robin rounds rotate one step.
	RulesFirst = 1
	// RulesWalkovers: a player who left is still paired in elimination and
	// round robin, and loses each game by walkover (the opponent scores
	// the win); round robin rounds follow FIDE's Berger tables.
	RulesWalkovers = 2
	// RulesSwissBands: a Swiss round is paired first over a narrow band of
	// candidate pairs (within a score group, partners near the ideal top
	// half v bottom half; floats between the bottom of a group and the top
	// of the next), widening only when that cannot pair everyone (see
	// swissSlots).
	RulesSwissBands = 3
	// CurrentRules is what a tournament starting now plays under.
	CurrentRules = RulesSwissBands
)

// rules returns the tournament's rules version.
func (t *Tournament) rules() int {
	if t.Rules == 0 {
		return RulesFirst
	}
	return t.Rules
}

// Summary is the short form of a tournament returned by listings.
type Summary struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Status       Status    `json:"status"`
	MaxPlayers   int       `json:"max_players"`
	PlayerCount  int       `json:"player_count"`
	CurrentRound int       `json:"current_round"`
	Version      int64     `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// NextDeadline is the earliest deadline of an active game that is not yet
	// flagged overdue; the sweeper uses it to skip tournaments with nothing due.
	NextDeadline *time.Time `json:"next_deadline,omitempty"`
}

// wire is the JSON form: the stored fields plus the derived ones the API
// shows (active_games, next_round). Derived fields are ignored on input.
type wire struct {
	tournamentFields
	ActiveGames []Game  `json:"active_games"`
	NextRound   []int64 `json:"next_round"`
}

type tournamentFields Tournament

// MarshalJSON writes the tournament with its derived fields (see
// AppendJSON: what encoding/json would write for the wire form, faster).
func (t Tournament) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(nil), nil
}

// UnmarshalJSON reads a tournament, ignoring the derived fields.
func (t *Tournament) UnmarshalJSON(b []byte) error {
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = Tournament(w.tournamentFields)
	t.dropDerived()
	return nil
}

// dropDerived clears the derived fields a decoded tournament's games may
// carry (their seeds).
func (t *Tournament) dropDerived() {
	for ri := range t.Rounds {
		for gi := range t.Rounds[ri].Games {
			g := &t.Rounds[ri].Games[gi]
			g.Seed1, g.Seed2 = 0, 0
		}
	}
	for i := range t.ResetResults {
		t.ResetResults[i].Seed1, t.ResetResults[i].Seed2 = 0, 0
	}
	t.normaliseParticipants()
}

// SeedOf returns player's seed (1 = the best), or 0 when the tournament
// has not seeded them.
func (t *Tournament) SeedOf(player int64) int {
	return slices.Index(t.Seeds, player) + 1
}

// seedIndex maps every seeded player to their seed.
func (t *Tournament) seedIndex() map[int64]int {
	m := make(map[int64]int, len(t.Seeds))
	for i, p := range t.Seeds {
		m[p] = i + 1
	}
	return m
}

// Clone returns a deep copy.
func (t *Tournament) Clone() *Tournament {
	c := *t
	// slices.Clone keeps an empty list empty (not nil): JSON shows [] not null.
	c.Players = slices.Clone(t.Players)
	c.Seeds = slices.Clone(t.Seeds)
	c.Dropped = slices.Clone(t.Dropped)
	c.CheckedIn = slices.Clone(t.CheckedIn)
	c.SeedOrder = slices.Clone(t.SeedOrder)
	if t.Participants != nil {
		c.Participants = make([]Participant, len(t.Participants))
		for i, p := range t.Participants {
			p.Rating = clonePtr(p.Rating)
			p.Meta = slices.Clone(p.Meta)
			p.Members = slices.Clone(p.Members)
			c.Participants[i] = p
		}
	}
	c.StartsAt = clonePtr(t.StartsAt)
	c.BestOfByRound = maps.Clone(t.BestOfByRound)
	if t.ResetResults != nil {
		c.ResetResults = Round{Games: t.ResetResults}.clone().Games
	}
	c.WinnerID = clonePtr(t.WinnerID)
	c.StartedAt = clonePtr(t.StartedAt)
	c.CompletedAt = clonePtr(t.CompletedAt)
	if t.Rounds != nil {
		c.Rounds = make([]Round, len(t.Rounds))
		for i, r := range t.Rounds {
			c.Rounds[i] = r.clone()
		}
	}
	return &c
}

// copyForChange copies what a change may modify: the lists, and the
// rounds' headers. Each round's slots, games and byes stay shared with t
// (capped, so that an append copies) until the change writes a game of the
// round (change.ownRound copies its games then): a result copies the games
// of one round, not of the whole tournament. The values behind pointers
// (winners, times) are shared too: the engine only ever replaces those
// pointers, never writes through them, and snapshots are never modified.
func (t *Tournament) copyForChange() *Tournament {
	c := *t
	// The lists too are shared, capped: the engine only appends to them or
	// replaces them (a player leaving makes a new list), so a result of a
	// 1024-player tournament does not copy its players and seeds.
	c.Players, c.Seeds = slices.Clip(t.Players), slices.Clip(t.Seeds)
	c.Dropped, c.CheckedIn = slices.Clip(t.Dropped), slices.Clip(t.CheckedIn)
	c.ResetResults = slices.Clip(t.ResetResults)
	// Records are replaced, never written through (the update makes a new
	// list).
	c.Participants, c.SeedOrder = slices.Clip(t.Participants), slices.Clip(t.SeedOrder)
	if t.Rounds != nil {
		c.Rounds = slices.Clone(t.Rounds)
		for i := range c.Rounds {
			r := &c.Rounds[i]
			r.Slots, r.Games, r.Byes = slices.Clip(r.Slots), slices.Clip(r.Games), slices.Clip(r.Byes)
		}
	}
	return &c
}

func (r Round) clone() Round {
	c := r
	c.Slots = slices.Clone(r.Slots)
	c.Byes = slices.Clone(r.Byes)
	c.Games = make([]Game, len(r.Games))
	for i, g := range r.Games {
		g.WinnerID = clonePtr(g.WinnerID)
		g.LoserID = clonePtr(g.LoserID)
		g.FinishedAt = clonePtr(g.FinishedAt)
		g.CalledAt = clonePtr(g.CalledAt)
		g.PlayStartedAt = clonePtr(g.PlayStartedAt)
		g.Scores = slices.Clone(g.Scores)
		c.Games[i] = g
	}
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Live reports whether the tournament is pending or active.
func (t *Tournament) Live() bool { return t.Status == StatusPending || t.Status == StatusActive }

// ActiveGames returns the games still being played, in game id order.
func (t *Tournament) ActiveGames() []Game {
	refs := t.ActiveGameRefs()
	games := make([]Game, len(refs))
	for i, g := range refs {
		games[i] = *g
	}
	return games
}

// ActiveGameRefs is ActiveGames without copying the games: pointers into
// t, to read only.
func (t *Tournament) ActiveGameRefs() []*Game {
	var games []*Game
	sorted := true
	for ri := range t.Rounds {
		for gi := range t.Rounds[ri].Games {
			if g := &t.Rounds[ri].Games[gi]; g.Status == GameActive {
				sorted = sorted && (len(games) == 0 || games[len(games)-1].GameID < g.GameID)
				games = append(games, g)
			}
		}
	}
	if !sorted {
		// A correction gave a re-paired place its old id and a new place
		// a new one: creation order is no longer id order.
		slices.SortFunc(games, func(a, b *Game) int { return cmp.Compare(a.GameID, b.GameID) })
	}
	return games
}

// NextRound returns the players who have already advanced from the current
// round (winners and byes), in bracket order.
func (t *Tournament) NextRound() []int64 {
	ids := []int64{}
	if t.Status != StatusActive || t.CurrentRound == 0 {
		return ids
	}
	for i := t.currentStage(); i < len(t.Rounds); i++ {
		for _, w := range t.Rounds[i].matchWinners() {
			if w != 0 {
				ids = append(ids, w)
			}
		}
	}
	return ids
}

// Summary returns the listing form of the tournament.
func (t *Tournament) Summary() Summary {
	s := Summary{ID: t.ID, Name: t.Name, Status: t.Status, MaxPlayers: t.MaxPlayers,
		PlayerCount: len(t.Players), CurrentRound: t.CurrentRound, Version: t.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	for _, g := range t.ActiveGames() {
		if !g.Overdue && (s.NextDeadline == nil || g.Deadline.Before(*s.NextDeadline)) {
			d := g.Deadline
			s.NextDeadline = &d
		}
	}
	return s
}

// Game returns the game with the given id, or nil.
func (t *Tournament) Game(id int64) *Game {
	for ri := range t.Rounds {
		for gi := range t.Rounds[ri].Games {
			if g := &t.Rounds[ri].Games[gi]; g.GameID == id {
				return g
			}
		}
	}
	return nil
}

// GameCount returns how many games the bracket holds.
func (t *Tournament) GameCount() int {
	n := 0
	for _, r := range t.Rounds {
		n += len(r.Games)
	}
	return n
}

// nextGameID is the id the next game created gets: one more than every id
// the tournament holds, in its rounds or among its reset results (so that
// a correction bringing one of those back can give it its id again).
func (t *Tournament) nextGameID() int64 {
	top := int64(0)
	for ri := range t.Rounds {
		for gi := range t.Rounds[ri].Games {
			top = max(top, t.Rounds[ri].Games[gi].GameID)
		}
	}
	for i := range t.ResetResults {
		top = max(top, t.ResetResults[i].GameID)
	}
	return top + 1
}
