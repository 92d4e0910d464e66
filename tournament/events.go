package tournament

import "time"

// EventType names a change. The names are part of the public contract.
type EventType string

// Event types, in the order a tournament emits them.
const (
	EventTournamentCreated   EventType = "tournament_created"
	EventPlayerJoined        EventType = "player_joined"
	EventPlayerLeft          EventType = "player_left"
	EventTournamentStarted   EventType = "tournament_started"
	EventRoundStarted        EventType = "round_started"
	EventGameCreated         EventType = "game_created"
	EventGameFinished        EventType = "game_finished"
	EventGameTimedOut        EventType = "game_timed_out"
	EventGameOverdue         EventType = "game_overdue"
	EventGameDeadlineWarning EventType = "game_deadline_warning"
	EventRoundEnded          EventType = "round_ended"
	EventTournamentCompleted EventType = "tournament_completed"
	EventTournamentRemoved   EventType = "tournament_removed"
	// A correction changed a decided game's winner.
	EventGameCorrected EventType = "game_corrected"
	// A correction dropped a later game's result (its players changed, or
	// it is waiting for them again).
	EventGameReset EventType = "game_reset"
	// A correction re-paired a later game that had not been played.
	EventGameRepaired EventType = "game_repaired"
	// A correction removed a game that no longer follows from the results.
	EventGameRemoved EventType = "game_removed"
	// A correction made a completed tournament active again.
	EventTournamentReopened EventType = "tournament_reopened"
	// The organiser ended an active tournament early.
	EventTournamentEnded EventType = "tournament_ended"
	// A game not played because the tournament was ended.
	EventGameCancelled EventType = "game_cancelled"
	// The organiser disqualified a player of an active tournament.
	EventPlayerDisqualified EventType = "player_disqualified"
	// A player left an active tournament.
	EventPlayerWithdrew EventType = "player_withdrew"
	// The organiser sent a game's players to play (its deadline restarts).
	EventGameCalled EventType = "game_called"
	// A game's players began to play.
	EventGameStarted EventType = "game_started"
	// A player checked in.
	EventPlayerCheckedIn EventType = "player_checked_in"
	// The start removed a player who had not checked in.
	EventPlayerNotCheckedIn EventType = "player_not_checked_in"
	// A participant's record (name, rating, meta, members) changed.
	EventParticipantUpdated EventType = "participant_updated"
	// The manual seed order was set or changed before the start.
	EventSeedsChanged EventType = "seeds_changed"
)

// EventTypes lists every event type, in the order above.
var EventTypes = []EventType{
	EventTournamentCreated, EventPlayerJoined, EventPlayerLeft, EventTournamentStarted, EventRoundStarted,
	EventGameCreated, EventGameFinished, EventGameTimedOut, EventGameOverdue, EventGameDeadlineWarning,
	EventRoundEnded, EventTournamentCompleted, EventTournamentRemoved, EventGameCorrected, EventGameReset,
	EventGameRepaired, EventGameRemoved, EventTournamentReopened, EventTournamentEnded, EventGameCancelled,
	EventPlayerDisqualified, EventPlayerWithdrew, EventGameCalled, EventGameStarted, EventPlayerCheckedIn,
	EventPlayerNotCheckedIn, EventParticipantUpdated, EventSeedsChanged,
}

// Event records one change. Version is the tournament's version after the
// change that emitted it; one change may emit several events.
type Event struct {
	Type         EventType `json:"type"`
	TournamentID int64     `json:"tournament_id"`
	Version      int64     `json:"version"`
	Round        int       `json:"round,omitempty"`
	GameID       int64     `json:"game_id,omitempty"`
	PlayerID     int64     `json:"player_id,omitempty"`
	WinnerID     int64     `json:"winner_id,omitempty"`
	LoserID      int64     `json:"loser_id,omitempty"`
	// Players names both players of a game (deadline warnings, timeouts).
	Players []int64 `json:"players,omitempty"`
	// Deadline is the game's deadline (deadline warnings).
	Deadline *time.Time `json:"deadline,omitempty"`
	// Policy is the timeout policy that decided a timed-out game.
	Policy TimeoutPolicy `json:"policy,omitempty"`
	// Bracket is the bracket of the round (round and game events).
	Bracket string `json:"bracket,omitempty"`
	// Forfeit: the game was won by forfeit (or, with no winner, a double
	// forfeit).
	Forfeit bool `json:"forfeit,omitempty"`
	// Name is the participant's display name (player_joined).
	Name string    `json:"name,omitempty"`
	At   time.Time `json:"at"`
}
