package tournament

import (
	"slices"
	"strconv"
)

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
