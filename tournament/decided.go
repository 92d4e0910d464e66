package tournament

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Decided returns cmd in a form that replays deterministically: applied to
// before, it yields the same state as the change that turned before into
// after, drawing nothing at random and reading no clock. A shuffled Start
// carries the seed order that was drawn; ResolveTimeouts carries the
// winners that were chosen; CallGame and StartGame carry when they were
// made (a call replayed later keeps its deadline).
// Other commands are returned as they are. Hosts log this form so that a
// change acknowledged once is replayed with the same outcome.
func Decided(cmd Command, before, after *Tournament) Command {
	switch c := cmd.(type) {
	case Start:
		if c.Shuffle && c.Seeds == nil && after != nil && after.Seeds != nil {
			c.Seeds = slices.Clone(after.Seeds)
		}
		return c
	case CallGame:
		if g := gameOf(after, c.GameID); g != nil && c.At.IsZero() && g.CalledAt != nil {
			c.At = *g.CalledAt
		}
		return c
	case StartGame:
		if g := gameOf(after, c.GameID); g != nil && c.At.IsZero() && g.PlayStartedAt != nil {
			c.At = *g.PlayStartedAt
		}
		return c
	case ResolveTimeouts:
		if c.Winners != nil || c.Policy == TimeoutNone || after == nil {
			return c
		}
		c.Winners = map[int64]int64{}
		for _, r := range after.Rounds {
			for _, g := range r.Games {
				if g.Status != GameTimedOut {
					continue
				}
				// Decided by this change: active before it, or (before
				// unknown) finished at the change's own time.
				var old *Game
				if before != nil {
					old = before.Game(g.GameID)
				}
				if (before == nil && g.FinishedAt != nil && g.FinishedAt.Equal(after.UpdatedAt)) || (old != nil && old.Status == GameActive) {
					c.Winners[g.GameID] = *g.WinnerID
				}
			}
		}
		return c
	}
	return cmd
}

// gameOf is t's game id, or nil (also for a nil t).
func gameOf(t *Tournament, id int64) *Game {
	if t == nil {
		return nil
	}
	return t.Game(id)
}

// replay times out the games named in Winners, as decided before.
func (cmd ResolveTimeouts) replay(c *change) error {
	decided := false
	var err error
	c.stageGames(func(g *Game) {
		w, ok := cmd.Winners[g.GameID]
		if !ok || g.Status != GameActive || err != nil {
			return
		}
		if _, ok := g.opponent(w); !ok {
			err = Errorf(CodeInvalidArgument, "timeout winner %d is not a player of game %d", w, g.GameID)
			return
		}
		c.timeOut(g, w, cmd.Policy)
		decided = true
	})
	if err != nil {
		return err
	}
	if decided {
		c.advance()
	}
	return nil
}

func samePlayers(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// commandJSON is the tagged JSON form of a Command.
type commandJSON struct {
	Type     string          `json:"type"`
	UserID   int64           `json:"user_id,omitempty"`
	Shuffle  bool            `json:"shuffle,omitempty"`
	Seeds    []int64         `json:"seeds,omitempty"`
	GameID   int64           `json:"game_id,omitempty"`
	WinnerID int64           `json:"winner_id,omitempty"`
	LoserID  int64           `json:"loser_id,omitempty"`
	Policy   TimeoutPolicy   `json:"policy,omitempty"`
	Winners  map[int64]int64 `json:"winners,omitempty"`
	LeadNS   int64           `json:"lead_ns,omitempty"`
	Expected int64           `json:"expected_version,omitempty"`
	Forfeit  bool            `json:"forfeit,omitempty"`
	Scores   [][2]int        `json:"scores,omitempty"`
	At       *time.Time      `json:"at,omitempty"`
}

// MarshalCommand encodes a command as tagged JSON ({"type":"start",...}).
func MarshalCommand(cmd Command) ([]byte, error) {
	j := commandJSON{Type: cmd.Name()}
	switch c := cmd.(type) {
	case AddPlayer:
		j.UserID = c.UserID
	case RemovePlayer:
		j.UserID = c.UserID
	case Start:
		j.Shuffle, j.Seeds = c.Shuffle, c.Seeds
	case RegisterResult:
		j.GameID, j.WinnerID, j.LoserID, j.Forfeit, j.Scores = c.GameID, c.WinnerID, c.LoserID, c.Forfeit, c.Scores
	case Disqualify:
		j.UserID = c.UserID
	case CallGame:
		j.GameID, j.At = c.GameID, optTime(c.At)
	case CheckIn:
		j.UserID = c.UserID
	case StartGame:
		j.GameID, j.At = c.GameID, optTime(c.At)
	case ResolveTimeouts:
		j.Policy, j.Winners = c.Policy, c.Winners
	case WarnDeadlines:
		j.LeadNS = int64(c.Lead)
	case CorrectResult:
		j.GameID, j.WinnerID, j.Expected, j.Scores, j.Forfeit = c.GameID, c.WinnerID, c.ExpectedVersion, c.Scores, c.Forfeit
	case EndTournament:
	default:
		return nil, fmt.Errorf("unknown command %T", cmd)
	}
	return json.Marshal(j)
}

// UnmarshalCommand decodes what MarshalCommand wrote.
func UnmarshalCommand(b []byte) (Command, error) {
	var j commandJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("command: %w", err)
	}
	switch j.Type {
	case AddPlayer{}.Name():
		return AddPlayer{UserID: j.UserID}, nil
	case RemovePlayer{}.Name():
		return RemovePlayer{UserID: j.UserID}, nil
	case Start{}.Name():
		return Start{Shuffle: j.Shuffle, Seeds: j.Seeds}, nil
	case RegisterResult{}.Name():
		return RegisterResult{GameID: j.GameID, WinnerID: j.WinnerID, LoserID: j.LoserID, Forfeit: j.Forfeit, Scores: j.Scores}, nil
	case Disqualify{}.Name():
		return Disqualify{UserID: j.UserID}, nil
	case CallGame{}.Name():
		return CallGame{GameID: j.GameID, At: valueOf(j.At)}, nil
	case CheckIn{}.Name():
		return CheckIn{UserID: j.UserID}, nil
	case StartGame{}.Name():
		return StartGame{GameID: j.GameID, At: valueOf(j.At)}, nil
	case ResolveTimeouts{}.Name():
		return ResolveTimeouts{Policy: j.Policy, Winners: j.Winners}, nil
	case WarnDeadlines{}.Name():
		return WarnDeadlines{Lead: time.Duration(j.LeadNS)}, nil
	case CorrectResult{}.Name():
		return CorrectResult{GameID: j.GameID, WinnerID: j.WinnerID, ExpectedVersion: j.Expected, Scores: j.Scores, Forfeit: j.Forfeit}, nil
	case EndTournament{}.Name():
		return EndTournament{}, nil
	}
	return nil, fmt.Errorf("command: unknown type %q", j.Type)
}

// Describe names a command and its arguments for people (conflict records,
// logs): "register_result game 3 winner 12".
func Describe(cmd Command) string {
	switch c := cmd.(type) {
	case AddPlayer:
		return fmt.Sprintf("add_player %d", c.UserID)
	case RemovePlayer:
		return fmt.Sprintf("remove_player %d", c.UserID)
	case Start:
		if c.Seeds != nil {
			return fmt.Sprintf("start seeds %v", c.Seeds)
		}
		return fmt.Sprintf("start shuffle=%t", c.Shuffle)
	case RegisterResult:
		if c.Forfeit {
			return fmt.Sprintf("register_result game %d winner %d by forfeit", c.GameID, c.WinnerID)
		}
		return fmt.Sprintf("register_result game %d winner %d", c.GameID, c.WinnerID)
	case Disqualify:
		return fmt.Sprintf("disqualify %d", c.UserID)
	case ResolveTimeouts:
		if c.Winners != nil {
			return fmt.Sprintf("resolve_timeouts winners %v", c.Winners)
		}
		return fmt.Sprintf("resolve_timeouts policy %s", c.Policy)
	case WarnDeadlines:
		return fmt.Sprintf("warn_deadlines lead %v", c.Lead)
	case CorrectResult:
		switch {
		case c.WinnerID == 0:
			return fmt.Sprintf("correct_result game %d to a double forfeit", c.GameID)
		case c.Forfeit:
			return fmt.Sprintf("correct_result game %d winner %d by forfeit", c.GameID, c.WinnerID)
		}
		return fmt.Sprintf("correct_result game %d winner %d", c.GameID, c.WinnerID)
	}
	return cmd.Name()
}

// Descends reports whether newer can have grown out of older by changes
// alone, with nobody writing a different history on top of older: the same
// tournament (id, creation time, parameters), a version not lower, no later
// update time, a status no earlier, the same seeds once started, and every
// game decided in older decided the same way in newer. A store that comes
// back with an older copy (an old RDB snapshot, a promoted replica) holds an
// ancestor of what a host saw; one that another process wrote on since does
// not (its update time is later, or a decision differs). A correction in
// newer made after older's version may have changed any decision since, so
// then only the rest is compared.
func Descends(newer, older *Tournament) bool {
	if newer == nil || older == nil || newer.ID != older.ID || !newer.CreatedAt.Equal(older.CreatedAt) ||
		newer.Name != older.Name || newer.MaxPlayers != older.MaxPlayers || newer.CreatorID != older.CreatorID {
		return false
	}
	if newer.Version < older.Version || older.UpdatedAt.After(newer.UpdatedAt) {
		return false
	}
	if older.Status != StatusPending && !slices.Equal(newer.Seeds, older.Seeds) {
		return false
	}
	if newer.CorrectedVersion < older.CorrectedVersion {
		return false // older holds a correction newer does not
	}
	if newer.CorrectedVersion > older.Version {
		// A correction made since older re-decided games, and may have
		// reopened a completed tournament: older's decisions and status
		// need not hold in newer any more.
		return newer.Status != StatusPending
	}
	if statusRank(newer.Status) < statusRank(older.Status) {
		return false
	}
	for _, r := range older.Rounds {
		for _, g := range r.Games {
			n := newer.Game(g.GameID)
			if n == nil || n.Player1 != g.Player1 || n.Player2 != g.Player2 {
				return false
			}
			if g.Status != GameActive && (n.Status != g.Status || (g.WinnerID == nil) != (n.WinnerID == nil) || g.WinnerID != nil && *n.WinnerID != *g.WinnerID) {
				return false
			}
		}
	}
	return true
}

func statusRank(s Status) int {
	switch s {
	case StatusActive:
		return 1
	case StatusCompleted:
		return 2
	}
	return 0
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func valueOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
