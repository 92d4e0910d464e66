package shared

import (
	"context"

	"github.com/tourney/tourney/shared/tournament"
)

// Backend stores tournaments and applies engine commands to them. Every
// method may be called concurrently. A Backend must apply each change
// atomically (per tournament) and return domain errors as
// *tournament.Error values; anything else is treated as a backend failure.
type Backend interface {
	// Create stores a new pending tournament; a live tournament with the same
	// id is already_exists.
	Create(ctx context.Context, req CreateRequest) (Change, error)
	// Apply runs an engine command against a stored tournament under that
	// tournament's lock and stores the result.
	Apply(ctx context.Context, req ApplyRequest) (Change, error)
	// Get returns the stored tournament or not_found.
	Get(ctx context.Context, id int64) (*tournament.Tournament, error)
	// List returns the summaries of pending and active tournaments, by id.
	List(ctx context.Context) ([]tournament.Summary, error)
	// Remove deletes a tournament; afterwards it is not_found.
	Remove(ctx context.Context, req RemoveRequest) (Change, error)
	// Export calls yield for every stored tournament (any status).
	Export(ctx context.Context, yield func(*tournament.Tournament) error) error
	// Import stores the snapshots, replacing tournaments with the same id,
	// and returns how many it stored. Snapshots are validated first; one bad
	// snapshot stores none.
	Import(ctx context.Context, snapshots []*tournament.Tournament) (int, error)
	// Maintain runs housekeeping: extends the TTLs of live tournaments and
	// forgets expired ones.
	Maintain(ctx context.Context) (MaintainReport, error)
	// Health reports whether the backend can serve; an error means it cannot.
	Health(ctx context.Context) (HealthReport, error)
	// Subscribe calls yield with each event of a tournament after the event
	// id req.After ("" = only new events, "0" = every retained event), in
	// order, until ctx is done or yield returns an error. A tournament with
	// neither state nor retained events is not_found.
	Subscribe(ctx context.Context, req SubscribeRequest, yield func(StreamEvent) error) error
}

// SubscribeRequest names the tournament and where to resume.
type SubscribeRequest struct {
	TournamentID int64
	After        string
}

// StreamEvent is an event with its id in the tournament's event stream.
type StreamEvent struct {
	ID    string           `json:"id"`
	Event tournament.Event `json:"event"`
}

// CreateRequest asks for a new tournament. Actor is the caller's identity
// for rate limiting ("" = not limited).
type CreateRequest struct {
	Actor  string
	Params tournament.CreateParams
}

// ApplyRequest runs Command against tournament TournamentID.
type ApplyRequest struct {
	Actor        string
	TournamentID int64
	Command      tournament.Command
}

// RemoveRequest deletes tournament ID.
type RemoveRequest struct {
	Actor string
	ID    int64
}

// Change is the outcome of a mutating call: the new state (nil after
// Remove) and the events of the change (none when it changed nothing).
type Change struct {
	Tournament *tournament.Tournament
	Events     []tournament.Event
}

// MaintainReport counts what housekeeping did.
type MaintainReport struct {
	Extended int64 // live tournaments whose TTLs were extended
	Expired  int64 // expired tournaments forgotten
}

// HealthReport names the backend and says how it is.
type HealthReport struct {
	Backend string
	Detail  string
}
