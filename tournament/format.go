package tournament

import (
	"math/bits"
	"strings"
)

// Format is how a tournament pairs its players.
type Format string

// Formats the engine plays.
const (
	SingleElimination Format = "single_elimination"
	DoubleElimination Format = "double_elimination"
	RoundRobin        Format = "round_robin"
	Swiss             Format = "swiss"
)

// Formats are the names of the formats the engine plays.
var Formats = []string{string(SingleElimination), string(DoubleElimination), string(RoundRobin), string(Swiss)}

// Brackets name the part of a tournament a round belongs to.
const (
	BracketWinners    = "winners"     // single elimination, and double elimination's upper bracket
	BracketLosers     = "losers"      // double elimination's lower bracket
	BracketGrandFinal = "grand_final" // double elimination: the winners' and the losers' champions
	BracketThirdPlace = "third_place" // single elimination: the two semi-final losers
	BracketRoundRobin = "round_robin"
	BracketSwiss      = "swiss"
)

// Grand final variants of double elimination.
const (
	GrandFinalNone   = "none"   // no grand final: the winners' bracket champion wins
	GrandFinalSingle = "single" // one game decides
	GrandFinalReset  = "reset"  // a second game when the losers' champion wins the first
)

// MaxRoundRobinPlayers bounds a round robin: 64 players play 2,016 games
// (4,032 twice round); more would make one tournament's state unwieldy.
const MaxRoundRobinPlayers = 64

// Options are a format's options; each applies to one format only.
type Options struct {
	// ThirdPlaceMatch (single elimination) adds a game between the two
	// semi-final losers.
	ThirdPlaceMatch bool `json:"third_place_match,omitempty"`
	// GrandFinal (double elimination): none, single or reset (the default).
	GrandFinal string `json:"grand_final,omitempty"`
	// Rounds: round robin 1 or 2 (each pair meets twice, sides swapped);
	// Swiss the number of rounds (default ceil(log2 n), set at start).
	Rounds int `json:"rounds,omitempty"`
}

// format returns the tournament's format ("" in state written before
// formats existed is single elimination).
func (t *Tournament) format() Format {
	if t.Format == "" {
		return SingleElimination
	}
	return t.Format
}

// validateFormat checks a format and its options against max_players and
// returns them normalised (defaults filled in where they do not depend on
// the players).
func validateFormat(f Format, o Options, maxPlayers int) (Format, Options, error) {
	bad := func(format string, args ...any) (Format, Options, error) {
		return f, o, Errorf(CodeInvalidArgument, format, args...)
	}
	if f == "" {
		f = SingleElimination
	}
	only := func(field string, set bool, want Format) error {
		if set && f != want {
			return Errorf(CodeInvalidArgument, "%s applies to format %s only, not %s", field, want, f)
		}
		return nil
	}
	switch f {
	case SingleElimination, DoubleElimination, RoundRobin, Swiss:
	default:
		return bad("format %q is not one of %s", string(f), strings.Join(Formats, ", "))
	}
	if err := only("third_place_match", o.ThirdPlaceMatch, SingleElimination); err != nil {
		return f, o, err
	}
	if err := only("grand_final", o.GrandFinal != "", DoubleElimination); err != nil {
		return f, o, err
	}
	if o.Rounds != 0 && f != RoundRobin && f != Swiss {
		return bad("rounds applies to formats round_robin and swiss only, not %s", f)
	}
	switch f {
	case DoubleElimination:
		switch o.GrandFinal {
		case "":
			o.GrandFinal = GrandFinalReset
		case GrandFinalNone, GrandFinalSingle, GrandFinalReset:
		default:
			return bad("grand_final must be none, single or reset, got %q", o.GrandFinal)
		}
	case RoundRobin:
		if o.Rounds == 0 {
			o.Rounds = 1
		}
		if o.Rounds != 1 && o.Rounds != 2 {
			return bad("rounds must be 1 or 2 for a round robin, got %d", o.Rounds)
		}
		if maxPlayers > MaxRoundRobinPlayers {
			return bad("max_players must be at most %d for a round robin, got %d", MaxRoundRobinPlayers, maxPlayers)
		}
	case Swiss:
		if o.Rounds < 0 || o.Rounds > maxPlayers-1 {
			return bad("rounds must be from 1 to max_players-1 (%d) for a Swiss tournament, got %d", maxPlayers-1, o.Rounds)
		}
	}
	return f, o, nil
}

// swissRounds is the default number of Swiss rounds for n players:
// ceil(log2 n).
func swissRounds(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// checkStart refuses a start the format cannot play and fills in the
// options that depend on the players.
func (c *change) checkStart(n int) error {
	if c.t.format() == Swiss {
		if c.t.Options.Rounds == 0 {
			c.t.Options.Rounds = swissRounds(n)
		}
		if c.t.Options.Rounds > n-1 {
			return Errorf(CodeFailedPrecondition,
				"cannot start tournament %d: a Swiss tournament of %d players plays at most %d rounds, %d asked", c.t.ID, n, n-1, c.t.Options.Rounds)
		}
	}
	return nil
}

// beginFirstStage creates the first stage's rounds.
func (c *change) beginFirstStage() {
	switch c.t.format() {
	case RoundRobin:
		c.beginRound(BracketRoundRobin, 1, c.roundRobinSlots(0))
	case Swiss:
		c.beginRound(BracketSwiss, 1, c.swissSlots())
	default:
		c.beginRound(BracketWinners, 1, roundOneSlots(c.t.Seeds))
	}
}

// nextStage creates the rounds of the stage after the (decided) current
// one and reports true, or completes the tournament and reports false.
func (c *change) nextStage() bool {
	stage := c.t.stage(&c.t.Rounds[len(c.t.Rounds)-1]) + 1
	switch c.t.format() {
	case DoubleElimination:
		return c.nextDoubleElimination(stage)
	case RoundRobin:
		if stage > c.roundRobinRounds() {
			c.complete(c.leader())
			return false
		}
		c.beginRound(BracketRoundRobin, stage, c.roundRobinSlots(stage-1))
		return true
	case Swiss:
		if stage > c.t.Options.Rounds {
			c.complete(c.leader())
			return false
		}
		slots := c.swissSlots()
		if slots == nil { // no pairing without a rematch exists
			c.complete(c.leader())
			return false
		}
		c.beginRound(BracketSwiss, stage, slots)
		return true
	}
	return c.nextSingleElimination(stage)
}

// complete ends the tournament with winner (0: nobody, when double
// forfeits left no one in the final). A player who left never wins: a bye
// that carried them to the end leaves the tournament without a winner.
func (c *change) complete(winner int64) {
	if winner != 0 && c.t.dropped(winner, 1<<30) {
		winner = 0
	}
	now := c.env.Now
	c.t.Status, c.t.WinnerID, c.t.CompletedAt = StatusCompleted, &winner, &now
	if winner == 0 {
		c.t.WinnerID = nil
	}
	c.emit(Event{Type: EventTournamentCompleted, WinnerID: winner})
}

// stage returns the stage of r: the rounds a change creates together share
// one (state written before stages existed has one round per stage).
func (t *Tournament) stage(r *Round) int {
	if r.Stage != 0 {
		return r.Stage
	}
	return r.Round
}

// currentStage returns the index of the first round of the current stage
// (the rounds from there to the end).
func (t *Tournament) currentStage() int {
	if len(t.Rounds) == 0 {
		return 0
	}
	s, i := t.stage(&t.Rounds[len(t.Rounds)-1]), len(t.Rounds)-1
	for i > 0 && t.stage(&t.Rounds[i-1]) == s {
		i--
	}
	return i
}

// bracketRounds returns the indexes of the rounds of one bracket, in order.
func (t *Tournament) bracketRounds(bracket string) []int {
	var out []int
	for i := range t.Rounds {
		b := t.Rounds[i].Bracket
		if b == "" {
			b = BracketWinners
		}
		if b == bracket {
			out = append(out, i)
		}
	}
	return out
}

// outcome is how one match of a round ended: its winner and loser (0 for
// an empty side or a bye), and whether it is decided.
type outcome struct {
	winner, loser int64
	decided       bool
}

// outcomes returns the outcome of every match of r (adjacent slots), in
// one pass as matchWinners does.
func (r *Round) outcomes() []outcome {
	out := make([]outcome, len(r.Slots)/2)
	gi := 0
	for i := range out {
		a, b := r.Slots[2*i], r.Slots[2*i+1]
		switch {
		case a == 0 || b == 0:
			out[i] = outcome{winner: max(a, b), decided: true}
			continue
		case gi < len(r.Games) && r.Games[gi].Player1 == a && r.Games[gi].Player2 == b:
		default:
			gi = 0
			for gi < len(r.Games) && (r.Games[gi].Player1 != a || r.Games[gi].Player2 != b) {
				gi++
			}
			if gi == len(r.Games) { // never made by the engine: undecided
				gi = 0
				continue
			}
		}
		if g := &r.Games[gi]; g.Status != GameActive {
			out[i].decided = true
			if g.WinnerID != nil { // else a double forfeit: nobody goes on
				out[i].winner = *g.WinnerID
				out[i].loser, _ = g.opponent(*g.WinnerID)
			}
		}
		gi++
	}
	return out
}

// decided reports whether every match of r is decided.
func (r *Round) decided() bool {
	for i := range r.Games {
		if r.Games[i].Status == GameActive {
			return false
		}
	}
	return true
}
