package tournament

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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

// CreateParams are the caller's choices for a new tournament.
type CreateParams struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	MaxPlayers int    `json:"max_players"`
	CreatorID  int64  `json:"creator_id"`
	// TTLProfile names the TTL profile the tournament's keys use ("" = the
	// default TTLs). The backend knows the profiles; the engine only checks
	// the name's form.
	TTLProfile string `json:"ttl_profile,omitempty"`
	// Format is how players are paired ("" = single elimination) and
	// Options its options.
	Format  Format  `json:"format,omitempty"`
	Options Options `json:"options,omitzero"`
	// CheckIn, when set (Go duration syntax, e.g. "15m"), makes players
	// check in before the start: start seeds only those who did and removes
	// the others. With StartsAt, check-in opens that long before it;
	// without, at once.
	CheckIn  string     `json:"check_in,omitempty"`
	StartsAt *time.Time `json:"starts_at,omitempty"`
	// BestOf is the length of every game's series (1, 3, 5 or 7; 0 = 1),
	// BestOfByRound overrides it for given rounds: "3" is round 3 (single
	// elimination, round robin, Swiss), "third_place" the third-place
	// match; a double elimination names a bracket's own rounds:
	// "winners:3", "losers:2", "grand_final" (both of its games).
	BestOf        int            `json:"best_of,omitempty"`
	BestOfByRound map[string]int `json:"best_of_by_round,omitempty"`
}

// MaxID is the largest id tourney accepts (tournament, player, creator):
// 2^53-1, the largest integer a JavaScript client represents exactly.
const MaxID = 1<<53 - 1

// checkID refuses ids outside 1..MaxID, naming the field.
func checkID(field string, id int64) error {
	if id <= 0 || id > MaxID {
		return Errorf(CodeInvalidArgument, "%s must be an integer from 1 to %d, got %d", field, int64(MaxID), id)
	}
	return nil
}

// Validate checks the parameters and returns them normalised (name trimmed,
// NFC).
func (p CreateParams) Validate() (CreateParams, error) { return p.validate(false) }

// validate is Validate; legacy accepts what tournaments stored by an
// earlier release may hold (a double elimination's best_of_by_round with
// plain round numbers).
func (p CreateParams) validate(legacy bool) (CreateParams, error) {
	if err := checkID("id", p.ID); err != nil {
		return p, err
	}
	name, err := validName(p.Name)
	if err != nil {
		return p, err
	}
	p.Name = name
	if p.MaxPlayers < MinPlayers || p.MaxPlayers > MaxPlayers {
		return p, Errorf(CodeInvalidArgument, "max_players must be between %d and %d, got %d", MinPlayers, MaxPlayers, p.MaxPlayers)
	}
	if err := checkID("creator_id", p.CreatorID); err != nil {
		return p, err
	}
	if p.TTLProfile != "" && !validProfileName(p.TTLProfile) {
		return p, Errorf(CodeInvalidArgument,
			"ttl_profile %q is not a profile name (lower-case letters, digits, - and _, at most 32)", p.TTLProfile)
	}
	p.Format, p.Options, err = validateFormat(p.Format, p.Options, p.MaxPlayers)
	if err != nil {
		return p, err
	}
	if p.CheckIn != "" {
		d, err := time.ParseDuration(p.CheckIn)
		if err != nil || d <= 0 || d > 7*24*time.Hour {
			return p, Errorf(CodeInvalidArgument,
				"check_in must be a duration from 1s to 168h (Go syntax, e.g. \"15m\"), got %q", p.CheckIn)
		}
		p.CheckIn = d.String()
	}
	if err := checkBestOfByRound(p.Format, p.Options, p.BestOfByRound, legacy); err != nil {
		return p, err
	}
	if p.BestOf != 0 && p.BestOf != 1 && p.BestOf != 3 && p.BestOf != 5 && p.BestOf != 7 {
		return p, Errorf(CodeInvalidArgument, "best_of must be 1, 3, 5 or 7, got %d", p.BestOf)
	}
	if p.StartsAt != nil && p.CheckIn == "" {
		return p, Errorf(CodeInvalidArgument, "starts_at only places the check-in window: give check_in too")
	}
	return p, nil
}

// validName trims and NFC-normalises a name and refuses what would display
// as something else than it is: invalid UTF-8 and lone surrogates (JSON
// decoding turns both into U+FFFD), control characters (Cc), format
// characters (Cf: bidirectional overrides, zero-width spaces), except a
// zero-width joiner inside a word or an emoji sequence.
func validName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", Errorf(CodeInvalidArgument, "name must be valid UTF-8")
	}
	name = norm.NFC.String(strings.TrimSpace(name))
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxNameLength {
		return "", Errorf(CodeInvalidArgument, "name must be 1 to %d characters after trimming, got %d", MaxNameLength, n)
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case r == utf8.RuneError:
			return "", Errorf(CodeInvalidArgument, "name must be valid UTF-8 without lone surrogates (found U+FFFD at character %d)", i+1)
		case unicode.Is(unicode.Cc, r):
			return "", Errorf(CodeInvalidArgument, "name must not contain control characters (found U+%04X at character %d)", r, i+1)
		case r == '\u200D' && i > 0 && i < len(runes)-1 && !unicode.IsSpace(runes[i-1]) && !unicode.IsSpace(runes[i+1]):
			// a joiner inside a word or an emoji sequence
		case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Cs, r):
			return "", Errorf(CodeInvalidArgument,
				"name must not contain invisible format characters (found U+%04X at character %d)", r, i+1)
		}
	}
	return name, nil
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
	ev := Event{Type: EventTournamentCreated, TournamentID: t.ID, Version: 1, PlayerID: p.CreatorID, At: env.Now}
	return t, []Event{ev}, nil
}

// RemovedEvent is the event emitted when a tournament is deleted.
func RemovedEvent(t *Tournament, now time.Time) Event {
	return Event{Type: EventTournamentRemoved, TournamentID: t.ID, Version: t.Version + 1, At: now}
}

// Command is one change to an existing tournament: AddPlayer, RemovePlayer,
// Start, RegisterResult or ResolveTimeouts.
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

// AddPlayer registers a player while the tournament is pending.
type AddPlayer struct{ UserID int64 }

// Name implements Command.
func (AddPlayer) Name() string { return "add_player" }

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
	c.t.Players = append(c.t.Players, cmd.UserID)
	c.emit(Event{Type: EventPlayerJoined, PlayerID: cmd.UserID})
	return nil
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
	if c.t.CheckedIn = slices.DeleteFunc(slices.Clone(c.t.CheckedIn),
		func(x int64) bool { return x == cmd.UserID }); len(c.t.CheckedIn) == 0 {
		c.t.CheckedIn = nil // JSON omits an empty list
	}
	c.emit(Event{Type: EventPlayerLeft, PlayerID: cmd.UserID})
	return nil
}

// Start closes registration, seeds the players (registration order, or a
// random order drawn once when Shuffle is set) and begins round 1. Seeds,
// when set, is the order to use instead of drawing one: a replay of a
// shuffle already drawn (see Decided). It must hold exactly the players.
type Start struct {
	Shuffle bool
	Seeds   []int64
}

// Name implements Command.
func (Start) Name() string { return "start" }

func (cmd Start) apply(c *change) error {
	if err := c.requireStatus(StatusPending, "start"); err != nil {
		return err
	}
	if c.t.CheckIn != "" {
		var absent []int64
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
			c.emit(Event{Type: EventPlayerNotCheckedIn, PlayerID: p})
		}
	}
	if len(c.t.Players) < MinPlayers {
		return Errorf(CodeFailedPrecondition, "cannot start tournament %d: it needs at least %d players, has %d",
			c.t.ID, MinPlayers, len(c.t.Players))
	}
	seeds := slices.Clone(c.t.Players)
	switch {
	case cmd.Seeds != nil:
		if !samePlayers(cmd.Seeds, c.t.Players) {
			return Errorf(CodeFailedPrecondition, "cannot start tournament %d with seeds %v: the players are %v",
				c.t.ID, cmd.Seeds, c.t.Players)
		}
		seeds = slices.Clone(cmd.Seeds)
	case cmd.Shuffle:
		if c.env.Rand == nil {
			return Errorf(CodeInternal, "shuffle needs a random source")
		}
		for i := len(seeds) - 1; i > 0; i-- {
			j := c.env.Rand.IntN(i + 1)
			seeds[i], seeds[j] = seeds[j], seeds[i]
		}
	}
	if err := c.checkStart(len(seeds)); err != nil {
		return err
	}
	now := c.env.Now
	c.t.Seeds, c.t.Shuffled = seeds, cmd.Shuffle
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

// RegisterResult records the outcome of a game. Repeating the recorded
// result is a no-op; a different result for a decided game is refused.
// Forfeit marks a walkover (the loser did not play); with no WinnerID it is
// a double forfeit: neither player played and neither advances (in
// elimination the next opponent has a walkover).
type RegisterResult struct {
	GameID   int64
	WinnerID int64
	LoserID  int64 // optional; 0 when not given
	Forfeit  bool
	// Scores are the series' game scores, player_1's first (optional); they
	// must agree with the winner and the game's best_of.
	Scores [][2]int
}

// Name implements Command.
func (RegisterResult) Name() string { return "register_result" }

func (cmd RegisterResult) apply(c *change) error {
	if cmd.GameID <= 0 {
		return Errorf(CodeInvalidArgument, "game_id must be a positive integer, got %d", cmd.GameID)
	}
	if cmd.WinnerID == 0 && cmd.Forfeit {
		return c.doubleForfeit(cmd)
	}
	if err := checkID("winner_id", cmd.WinnerID); err != nil {
		return err
	}
	if cmd.LoserID != 0 {
		if err := checkID("loser_id", cmd.LoserID); err != nil {
			return err
		}
	}
	g := c.game(cmd.GameID)
	if g == nil {
		return Errorf(CodeNotFound, "game %d is not in tournament %d", cmd.GameID, c.t.ID)
	}
	loser, ok := g.opponent(cmd.WinnerID)
	if !ok {
		return Errorf(CodeInvalidArgument, "winner_id %d is not a player of game %d (players %d and %d)", cmd.WinnerID,
			g.GameID, g.Player1, g.Player2)
	}
	if cmd.LoserID != 0 && cmd.LoserID != loser {
		return Errorf(CodeInvalidArgument, "loser_id %d is not the opponent of winner %d in game %d (expected %d)",
			cmd.LoserID, cmd.WinnerID, g.GameID, loser)
	}
	if err := checkScores(g, cmd.WinnerID, cmd.Scores, cmd.Forfeit); err != nil {
		return err
	}
	if g.Status == GameCancelled {
		return Errorf(CodeFailedPrecondition, "game %d was cancelled when tournament %d was ended", g.GameID, c.t.ID)
	}
	if g.Status != GameActive {
		switch {
		case g.WinnerID == nil:
			return Errorf(CodeFailedPrecondition, "game %d is already %s as a double forfeit", g.GameID, g.Status)
		case *g.WinnerID == cmd.WinnerID && (cmd.Scores == nil || slices.Equal(cmd.Scores, g.Scores)):
			return nil // a retry of the recorded result
		case *g.WinnerID == cmd.WinnerID:
			return Errorf(CodeFailedPrecondition,
				"game %d is already %s with other scores %v: correct it to change them", g.GameID, g.Status, g.Scores)
		}
		return Errorf(CodeFailedPrecondition, "game %d is already %s with winner %d", g.GameID, g.Status, *g.WinnerID)
	}
	c.decide(g, GameFinished, cmd.WinnerID)
	g.Forfeit, g.Scores = cmd.Forfeit, cmd.Scores
	c.emit(Event{Type: EventGameFinished, Round: g.Round, GameID: g.GameID, WinnerID: cmd.WinnerID, LoserID: loser, Forfeit: cmd.Forfeit})
	c.advance()
	return nil
}

// doubleForfeit records that neither player of a game played.
func (c *change) doubleForfeit(cmd RegisterResult) error {
	if cmd.LoserID != 0 {
		return Errorf(CodeInvalidArgument, "a double forfeit names no winner and no loser")
	}
	g := c.game(cmd.GameID)
	if g == nil {
		return Errorf(CodeNotFound, "game %d is not in tournament %d", cmd.GameID, c.t.ID)
	}
	switch {
	case g.Status == GameActive:
	case g.WinnerID == nil && g.Forfeit:
		return nil // a retry
	case g.WinnerID != nil:
		return Errorf(CodeFailedPrecondition, "game %d is already %s with winner %d", g.GameID, g.Status, *g.WinnerID)
	default:
		return Errorf(CodeFailedPrecondition, "game %d is %s", g.GameID, g.Status)
	}
	c.forfeitBoth(g)
	c.advance()
	return nil
}

// forfeitBoth decides g as a double forfeit: neither player advances.
func (c *change) forfeitBoth(g *Game) {
	c.setDoubleForfeit(g)
	c.emit(Event{Type: EventGameFinished, Round: g.Round, GameID: g.GameID, Players: []int64{g.Player1, g.Player2}, Forfeit: true})
}

func (c *change) setDoubleForfeit(g *Game) {
	now := c.env.Now
	g.Status, g.State, g.Forfeit, g.FinishedAt, g.Overdue = GameFinished, StateCompleted, true, &now, false
	g.WinnerID, g.LoserID, g.Scores, g.ByDeparture = nil, nil, nil, false
}

// Disqualify removes a player from an active tournament: their game being
// played is forfeited (the opponent wins by walkover), and from the next
// stage on they are paired with nobody (elimination and round robin: their
// opponent has a walkover; Swiss: they are left out of the pairings).
// Their past results stay. Withdraw (RemovePlayer on an active tournament)
// does the same at the player's request.
type Disqualify struct{ UserID int64 }

// Name implements Command.
func (Disqualify) Name() string { return "disqualify" }

func (cmd Disqualify) apply(c *change) error {
	if err := checkID("user_id", cmd.UserID); err != nil {
		return err
	}
	if err := c.requireStatus(StatusActive, "disqualify a player"); err != nil {
		return err
	}
	return c.drop(cmd.UserID, DropDisqualified)
}

// drop takes player out of the active tournament (see Disqualify).
func (c *change) drop(player int64, reason string) error {
	if !slices.Contains(c.t.Seeds, player) {
		return Errorf(CodeNotFound, "player %d is not in tournament %d", player, c.t.ID)
	}
	if c.t.dropped(player, 1<<30) {
		return Errorf(CodeFailedPrecondition, "player %d already left tournament %d", player, c.t.ID)
	}
	stage := c.t.stage(&c.t.Rounds[len(c.t.Rounds)-1])
	c.t.Dropped = append(c.t.Dropped, Drop{PlayerID: player, Stage: stage, Reason: reason, At: c.env.Now})
	ev := EventPlayerDisqualified
	if reason == DropWithdrew {
		ev = EventPlayerWithdrew
	}
	c.emit(Event{Type: ev, PlayerID: player})
	var game *Game
	c.stageGames(func(g *Game) {
		if g.Status == GameActive && (g.Player1 == player || g.Player2 == player) {
			game = g
		}
	})
	if game != nil {
		c.walkover(game, player)
	}
	c.advance()
	return nil
}

// walkover decides g against player, who left: the opponent wins by
// forfeit.
func (c *change) walkover(g *Game, player int64) {
	w, _ := g.opponent(player)
	c.decide(g, GameFinished, w)
	g.Forfeit, g.Scores, g.ByDeparture = true, nil, true
	c.emit(Event{Type: EventGameFinished, Round: g.Round, GameID: g.GameID, WinnerID: w, LoserID: player, Forfeit: true})
}

// left reports whether player has left the tournament for a round of
// stage that the change creates: a round created now follows every
// departure; a replay (a correction, Validate) plays the rounds again as
// they were made, each after the departures before its stage only (under
// the first rules, where that shapes the bracket).
func (c *change) left(player int64, stage int) bool {
	if !c.replaying {
		stage = 1 << 30
	}
	return c.t.dropped(player, stage)
}

// dropped reports whether player left the tournament before stage.
func (t *Tournament) dropped(player int64, stage int) bool {
	for _, d := range t.Dropped {
		if d.PlayerID == player && d.Stage < stage {
			return true
		}
	}
	return false
}

func (g *Game) opponent(player int64) (int64, bool) {
	switch player {
	case g.Player1:
		return g.Player2, true
	case g.Player2:
		return g.Player1, true
	}
	return 0, false
}

func (c *change) decide(g *Game, status GameStatus, winner int64) {
	loser, _ := g.opponent(winner)
	now := c.env.Now
	g.Status, g.WinnerID, g.LoserID, g.FinishedAt, g.Overdue, g.ByDeparture = status, &winner, &loser, &now, false, false
	g.State = StateCompleted
	if status == GameTimedOut {
		g.State = StateTimedOut
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

func validProfileName(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (i > 0 && (r == '-' || r == '_'))
		if !ok {
			return false
		}
	}
	return true
}

// timeOut decides g for winner as the timeout policy did, with an event
// naming both players and the policy.
func (c *change) timeOut(g *Game, winner int64, policy TimeoutPolicy) {
	c.decide(g, GameTimedOut, winner)
	c.emit(Event{Type: EventGameTimedOut, Round: g.Round, GameID: g.GameID, WinnerID: *g.WinnerID, LoserID: *g.LoserID,
		Players: []int64{g.Player1, g.Player2}, Policy: policy})
}

// EndTournament ends an active tournament now: it completes with the
// standings as they are (the best placed player who can still win, as
// winner; nobody when there is none) and its games still being played are
// cancelled.
type EndTournament struct{}

// Name implements Command.
func (EndTournament) Name() string { return "end_tournament" }

func (EndTournament) apply(c *change) error {
	if err := c.requireStatus(StatusActive, "end"); err != nil {
		return err
	}
	// The best placed player who can still win (nobody, when every player
	// still in the standings is out: say a final both players forfeited).
	var w int64
	for _, s := range c.t.Standings().Standings {
		if !s.Eliminated {
			w = s.PlayerID
			break
		}
	}
	c.t.Ended = true
	c.stageGames(func(g *Game) {
		if g.Status == GameActive {
			g.Status, g.State = GameCancelled, StateCancelled
			c.emit(Event{Type: EventGameCancelled, Round: g.Round, GameID: g.GameID, Players: []int64{g.Player1, g.Player2}})
		}
	})
	c.emit(Event{Type: EventTournamentEnded, WinnerID: w})
	c.complete(w)
	return nil
}

// bestOf is the series length of the games of round n, the k-th round of
// its bracket (1 when not set).
func (t *Tournament) bestOf(bracket string, n, k int) int {
	if len(t.BestOfByRound) > 0 {
		var key string
		switch bracket {
		case BracketWinners, BracketLosers:
			if t.format() == DoubleElimination {
				key = bracket + ":" + strconv.Itoa(k)
			}
		case BracketGrandFinal, BracketThirdPlace:
			key = bracket
		}
		if b, ok := t.BestOfByRound[key]; ok && key != "" {
			return b
		}
		if b, ok := t.BestOfByRound[strconv.Itoa(n)]; ok {
			return b // a round by its number (a double elimination's only in state from before bracket names)
		}
	}
	return max(t.BestOf, 1)
}

// checkBestOfByRound checks best_of_by_round's keys against the format
// (see CreateParams) and its values.
func checkBestOfByRound(f Format, o Options, m map[string]int, legacy bool) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first bad key named is always the same one
	for _, k := range keys {
		if v := m[k]; v != 1 && v != 3 && v != 5 && v != 7 {
			return Errorf(CodeInvalidArgument, "best_of_by_round[%q] must be 1, 3, 5 or 7, got %d", k, v)
		}
		bracket, num, named := strings.Cut(k, ":")
		if !named {
			num = k
		}
		round, err := strconv.Atoi(num)
		switch {
		case !named && (k == BracketGrandFinal || k == BracketThirdPlace):
			if k == BracketGrandFinal && f != DoubleElimination {
				return Errorf(CodeInvalidArgument, "best_of_by_round names %q, which only a double elimination has", k)
			}
			if k == BracketThirdPlace && !o.ThirdPlaceMatch {
				return Errorf(CodeInvalidArgument,
					"best_of_by_round names %q, which only a single elimination with third_place_match has", k)
			}
		case err != nil || round < 1 || round > 2*MaxPlayers || num != strconv.Itoa(round):
			return Errorf(CodeInvalidArgument,
				"best_of_by_round key %q is not a round (a number from 1, or for a double elimination winners:N, losers:N or grand_final)", k)
		case named && (f != DoubleElimination || bracket != BracketWinners && bracket != BracketLosers):
			return Errorf(CodeInvalidArgument,
				"best_of_by_round key %q names a bracket's round: only a double elimination has them, as winners:N or losers:N", k)
		case !named && f == DoubleElimination && !legacy:
			return Errorf(CodeInvalidArgument,
				"best_of_by_round key %q: a double elimination names the bracket's round (winners:%d, losers:%d or grand_final)", k, round, round)
		}
	}
	return nil
}

// checkScores checks a series' scores against its winner and length: every
// game has a winner (no tie), the winner took best_of/2+1 games and the
// loser fewer, and the series stopped when the winner got there. A forfeit
// has no scores.
func checkScores(g *Game, winner int64, scores [][2]int, forfeit bool) error {
	if scores == nil {
		return nil
	}
	if forfeit {
		return Errorf(CodeInvalidArgument, "a forfeit has no scores")
	}
	n := max(g.BestOf, 1)
	need := n/2 + 1
	if len(scores) == 0 || len(scores) > n {
		return Errorf(CodeInvalidArgument, "scores must hold 1 to %d games for a best-of-%d, got %d", n, n, len(scores))
	}
	w := 0 // the winner's side: 0 = player_1
	if winner == g.Player2 {
		w = 1
	}
	won := [2]int{}
	for i, s := range scores {
		if s[0] < 0 || s[1] < 0 {
			return Errorf(CodeInvalidArgument, "game %d of the series has a negative score %v", i+1, s)
		}
		if s[0] == s[1] {
			return Errorf(CodeInvalidArgument, "game %d of the series is a tie %v: each game needs a winner", i+1, s)
		}
		if won[0] == need || won[1] == need {
			return Errorf(CodeInvalidArgument, "the series was decided after game %d of %d: the scores go on", i, len(scores))
		}
		if s[0] > s[1] {
			won[0]++
		} else {
			won[1]++
		}
	}
	if won[w] != need {
		return Errorf(CodeInvalidArgument,
			"the scores give the winner %d game(s) of a best-of-%d, which needs %d (player_1 won %d, player_2 %d)", won[w], n, need, won[0], won[1])
	}
	return nil
}
