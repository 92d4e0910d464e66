package contract

import (
	"context"
	"errors"
	"time"

	"github.com/tourney/tourney/tournament"
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

// Reconciler is implemented by backends that take a host's write-back
// after an outage (a primary a host fails over from and back to must be
// one). The backend owns it, not the host over Get and Import, because
// each guarded write must be one atomic step in the store: on Redis one
// Lua script checks the stored version and writes the record and its
// projections.
type Reconciler interface {
	// Reconcile writes back what a host changed while it could not reach
	// this backend (see ReconcileRequest). It never overwrites a change it
	// did not know of: that is a conflict, recorded, and the stored state wins.
	Reconcile(ctx context.Context, req ReconcileRequest) (ReconcileResult, error)
	// Conflicts returns tournament id's recorded conflicts, newest first.
	Conflicts(ctx context.Context, id int64) ([]Conflict, error)
}

// ReasonStoreFull marks an unavailable error from a store that answers but
// refuses writes (Redis at maxmemory). It is not a failure to reach the
// store, so the host does not fail over on it: the write is refused, and
// nothing is acknowledged that the store did not take.
const ReasonStoreFull = "store_full"

// ErrNoReconciler is the answer of a backend that takes no write-back.
var ErrNoReconciler = errors.New("the backend takes no write-back (it is not a Reconciler)")

// PlayerIndex is implemented by backends that index the tournaments each
// player is in (an optional part of the protocol: a plugin built without it
// answers ErrNoPlayerIndex, and the host scans its tournaments instead).
type PlayerIndex interface {
	// PlayerTournaments returns the summaries of the pending and active
	// tournaments player userID is in, by id.
	PlayerTournaments(ctx context.Context, userID int64) ([]tournament.Summary, error)
}

// ErrNoPlayerIndex is PlayerTournaments' answer from a plugin that keeps
// no player index.
var ErrNoPlayerIndex = errors.New("the backend keeps no player index")

// Reconcile modes.
const (
	// ReconcileWrite stores Snapshot if the backend still holds BaseVersion,
	// or holds nothing and no tombstone (BaseVersion 0: created meanwhile).
	ReconcileWrite = "write"
	// ReconcileRemove deletes the tournament (leaving a tombstone) under the
	// same guard.
	ReconcileRemove = "remove"
	// ReconcileRestore stores Snapshot only if nothing and no tombstone is
	// stored: a store that restarted empty gets back what the host knows.
	ReconcileRestore = "restore"
	// ReconcileCAS stores Snapshot under the same guard as ReconcileWrite
	// but records nothing when the guard fails: it answers conflict with
	// the stored version, and the host decides (merge, or record).
	ReconcileCAS = "cas"
	// ReconcileConflict only records Snapshot (the host's losing state) and
	// Rejected (its changes that could not be applied) as a conflict.
	ReconcileConflict = "conflict"
	// ReconcileDiscard forgets the tournament (TournamentID 0: every
	// tournament) without events or tombstones: a host empties its fallback
	// once everything is written back, and subscribers see no removal.
	ReconcileDiscard = "discard"
)

// ReconcileRequest is one tournament's write-back after an outage.
type ReconcileRequest struct {
	TournamentID int64
	Snapshot     *tournament.Tournament // nil for ReconcileRemove
	BaseVersion  int64                  // the stored version the outage's changes started from; 0 = none
	Mode         string
	Origin       string // who reconciles (host name and pid), for the conflict record
	// WriteID names this host's write-back of this tournament; a backend
	// stores it with the state it writes, and answers unchanged when a
	// retried write-back finds its own WriteID (for write and cas).
	WriteID string
	// Rejected lists, for ReconcileConflict, the changes that could not be
	// applied on the stored state.
	Rejected []string
}

// Reconcile outcomes.
const (
	OutcomeWritten   = "written"   // the snapshot is stored now
	OutcomeRemoved   = "removed"   // the tournament is deleted now
	OutcomeUnchanged = "unchanged" // nothing to do (already stored, or restore found data)
	OutcomeConflict  = "conflict"  // the store moved on; it wins; the loser is recorded (cas: not recorded)
	OutcomeRecorded  = "recorded"  // ReconcileConflict: the record is stored
	OutcomeDiscarded = "discarded" // ReconcileDiscard: forgotten
)

// ReconcileResult says what Reconcile did and which version is stored.
type ReconcileResult struct {
	Outcome       string
	StoredVersion int64
	// StoredOp is the OpID of the stored state's last change, or the
	// WriteID of the write-back that stored it ("" when it had neither).
	StoredOp string
}

// Conflict is a snapshot that lost a reconciliation.
type Conflict struct {
	At            time.Time              `json:"at"`
	Origin        string                 `json:"origin"`
	BaseVersion   int64                  `json:"base_version"`
	StoredVersion int64                  `json:"stored_version"` // 0 when the stored side had been removed
	Removed       bool                   `json:"removed"`        // the stored side had been removed (tombstone)
	Snapshot      *tournament.Tournament `json:"snapshot"`       // nil when the loser was a removal
	// Rejected lists the losing host's changes that could not be applied on
	// the stored state (the others were merged and are stored).
	Rejected []string `json:"rejected,omitempty"`
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
	// OpID names the caller's change (the host's call; "" = none). A
	// backend keeps the OpID of a tournament's last change and tells it in
	// a ReconcileResult, so that a host can know a change it never saw
	// answered (the reply was lost with the store) for its own.
	OpID string
}

// Op is the command's name (the operation rate limits count), or
// invalid_argument when the request carries no command.
func (r ApplyRequest) Op() (string, error) {
	if r.Command == nil {
		return "", tournament.Errorf(tournament.CodeInvalidArgument, "no command given")
	}
	return r.Command.Name(), nil
}

// RemoveRequest deletes tournament ID.
type RemoveRequest struct {
	Actor string
	ID    int64
}

// Change is the outcome of a mutating call: the new state (nil after
// Remove) and the events of the change (none when it changed nothing).
// PriorVersion and PriorUpdatedAt name the state the change applied to
// (zero when the backend does not say); with them the plugin protocol
// sends a caller that holds that state only the change, not the new state.
type Change struct {
	Tournament     *tournament.Tournament
	Events         []tournament.Event
	PriorVersion   int64
	PriorUpdatedAt time.Time
}

// MaintainReport counts what housekeeping did.
type MaintainReport struct {
	Extended int64 // live tournaments whose TTLs were extended
	Expired  int64 // expired tournaments forgotten
	// OldestLive is the age of the oldest pending or active tournament (0:
	// none, or the backend does not say).
	OldestLive time.Duration
	// Keys is what the last complete scan of the store found, for a
	// backend that scans (Redis); nil otherwise.
	Keys *KeyStats
}

// KeyStats is one complete scan of a store's keys: what an operator needs to
// see that nothing leaks. A scan is spread over several housekeeping passes.
type KeyStats struct {
	ByKind        map[string]int64 // keys by kind: tournament, active_games, next_round, brackets, events, lock, tombstone, conflicts, rate, other
	WithoutTTL    int64            // keys that would live for ever (a leak), besides those meant to
	Orphans       int64            // projections and locks whose tournament hash is gone
	LongHeldLocks int64            // locks held for more than half of LOCK_TIMEOUT
	Repaired      map[string]int64 // what this scan repaired: orphan_projections (deleted), stale_active_ids (removed)
	Duration      time.Duration    // how long the scan took, passes summed
}

// HealthReport names the backend and says how it is. Epoch changes
// whenever the store may have lost data (a Redis restart, a relaunched
// memory plugin); a host that sees it change checks what it knows against
// the store. "" when the backend cannot tell.
type HealthReport struct {
	Backend string
	Detail  string
	Epoch   string
}
