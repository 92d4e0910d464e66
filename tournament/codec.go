package tournament

import (
	"encoding/json"
	"fmt"
	"time"
)

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
	// Participants' records (add_player, add_players, update_participant).
	Name        *string         `json:"name,omitempty"`
	Rating      *float64        `json:"rating,omitempty"`
	ClearRating bool            `json:"clear_rating,omitempty"`
	Meta        json.RawMessage `json:"meta,omitempty"`
	Members     []int64         `json:"members,omitempty"`
	SetMembers  bool            `json:"set_members,omitempty"`
	Entrants    []Entrant       `json:"entrants,omitempty"`
	Seeding     string          `json:"seeding,omitempty"`
	A           int64           `json:"a,omitempty"`
	B           int64           `json:"b,omitempty"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// MarshalCommand encodes a command as tagged JSON ({"type":"start",...}).
func MarshalCommand(cmd Command) ([]byte, error) {
	j := commandJSON{Type: cmd.Name()}
	switch c := cmd.(type) {
	case AddPlayer:
		j.UserID, j.Name, j.Rating, j.Meta, j.Members = c.UserID, optString(c.PlayerName), c.Rating, c.Meta, c.Members
	case AddPlayers:
		j.Entrants = c.Entrants
	case UpdateParticipant:
		j.UserID, j.Name, j.Rating, j.ClearRating, j.Meta = c.UserID, c.PlayerName, c.Rating, c.ClearRating, c.Meta
		j.Members, j.SetMembers = c.Members, c.SetMembers
	case SetSeeds:
		j.Seeds = c.Seeds
	case SwapSeeds:
		j.A, j.B = c.A, c.B
	case RemovePlayer:
		j.UserID = c.UserID
	case Start:
		j.Shuffle, j.Seeds, j.Seeding = c.Shuffle, c.Seeds, c.Seeding
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
		cmd := AddPlayer{UserID: j.UserID, Rating: j.Rating, Meta: j.Meta, Members: j.Members}
		if j.Name != nil {
			cmd.PlayerName = *j.Name
		}
		return cmd, nil
	case AddPlayers{}.Name():
		return AddPlayers{Entrants: j.Entrants}, nil
	case UpdateParticipant{}.Name():
		return UpdateParticipant{UserID: j.UserID, PlayerName: j.Name, Rating: j.Rating, ClearRating: j.ClearRating, Meta: j.Meta,
			Members: j.Members, SetMembers: j.SetMembers}, nil
	case SetSeeds{}.Name():
		return SetSeeds{Seeds: j.Seeds}, nil
	case SwapSeeds{}.Name():
		return SwapSeeds{A: j.A, B: j.B}, nil
	case RemovePlayer{}.Name():
		return RemovePlayer{UserID: j.UserID}, nil
	case Start{}.Name():
		return Start{Shuffle: j.Shuffle, Seeds: j.Seeds, Seeding: j.Seeding}, nil
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
