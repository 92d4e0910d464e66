package shared

import "github.com/tourney/tourney/shared/internal/contract"

// The backend contract. Its types and values are defined in
// shared/internal/contract, so that the SDK's wire code under
// shared/internal shares them without importing this package; these are
// the same types. Their fields and methods are documented there:
//
//	go doc github.com/tourney/tourney/shared/internal/contract.Backend

type (
	// Reconciler is the optional part that takes write-backs after an outage and records conflicts.
	Reconciler = contract.Reconciler
	// Capability names an optional part of the contract (CapReconcile, CapPlayerIndex, CapWebhooks).
	Capability = contract.Capability
	// Announcer is a backend that says which optional parts it serves (a plugin's client does).
	Announcer = contract.Announcer
	// Backend is what every storage backend implements: storage plus per-tournament atomicity.
	Backend = contract.Backend
	// PlayerIndex is the optional part that indexes the tournaments each player is in.
	PlayerIndex = contract.PlayerIndex
	// ReconcileRequest is one write-back, restore, conflict record or discard.
	ReconcileRequest = contract.ReconcileRequest
	// ReconcileResult says what a Reconcile did.
	ReconcileResult = contract.ReconcileResult
	// Conflict is a snapshot that lost a reconciliation (the stored state won).
	Conflict = contract.Conflict
	// SubscribeRequest names a tournament's event stream and where to resume it.
	SubscribeRequest = contract.SubscribeRequest
	// StreamEvent is an event with its id in the tournament's event stream.
	StreamEvent = contract.StreamEvent
	// CreateRequest creates a tournament.
	CreateRequest = contract.CreateRequest
	// ApplyRequest applies one engine command to a tournament.
	ApplyRequest = contract.ApplyRequest
	// RemoveRequest removes a tournament.
	RemoveRequest = contract.RemoveRequest
	// Change is the outcome of a mutating call: the new state and its events.
	Change = contract.Change
	// MaintainReport is what a backend's housekeeping pass found and did.
	MaintainReport = contract.MaintainReport
	// KeyStats is one complete scan of a store's keys.
	KeyStats = contract.KeyStats
	// HealthReport is a backend's answer to a health check, with its epoch.
	HealthReport = contract.HealthReport
	// Webhook is a registered webhook subscription.
	Webhook = contract.Webhook
	// Delivery is one event on its way to one webhook.
	Delivery = contract.Delivery
	// ClaimRequest leases due webhook deliveries to one host.
	ClaimRequest = contract.ClaimRequest
	// WebhookStore is the optional part that keeps webhooks and their outbox.
	WebhookStore = contract.WebhookStore
)

// The contract's values: the optional parts (Cap*), the reason a full
// store gives, the write-back modes (Reconcile*) and their outcomes
// (Outcome*), and the webhook delivery states (Delivery*).
const (
	CapReconcile      = contract.CapReconcile
	CapPlayerIndex    = contract.CapPlayerIndex
	CapWebhooks       = contract.CapWebhooks
	ReasonStoreFull   = contract.ReasonStoreFull
	ReconcileWrite    = contract.ReconcileWrite
	ReconcileRemove   = contract.ReconcileRemove
	ReconcileRestore  = contract.ReconcileRestore
	ReconcileCAS      = contract.ReconcileCAS
	ReconcileConflict = contract.ReconcileConflict
	ReconcileDiscard  = contract.ReconcileDiscard
	OutcomeWritten    = contract.OutcomeWritten
	OutcomeRemoved    = contract.OutcomeRemoved
	OutcomeUnchanged  = contract.OutcomeUnchanged
	OutcomeConflict   = contract.OutcomeConflict
	OutcomeRecorded   = contract.OutcomeRecorded
	OutcomeDiscarded  = contract.OutcomeDiscarded
	DeliveryLogSize   = contract.DeliveryLogSize
	DeliveryPending   = contract.DeliveryPending
	DeliveryDelivered = contract.DeliveryDelivered
	DeliveryFailed    = contract.DeliveryFailed
)

// The answers of a backend without an optional part, and every part.
var (
	ErrNoReconciler  = contract.ErrNoReconciler
	AllCapabilities  = contract.AllCapabilities
	ErrNoPlayerIndex = contract.ErrNoPlayerIndex
	ErrNoWebhooks    = contract.ErrNoWebhooks
)

// CapabilitiesOf lists the optional parts b serves: what it announces (a
// plugin's client: what the plugin said when it connected), or else the
// interfaces it implements.
func CapabilitiesOf(b Backend) []Capability { return contract.CapabilitiesOf(b) }

// Serves reports whether b serves the optional part c.
func Serves(b Backend, c Capability) bool { return contract.Serves(b, c) }

// ReconcilerOf returns b as a Reconciler when it serves that part.
func ReconcilerOf(b Backend) (Reconciler, bool) { return contract.ReconcilerOf(b) }

// PlayerIndexOf returns b as a PlayerIndex when it serves that part.
func PlayerIndexOf(b Backend) (PlayerIndex, bool) { return contract.PlayerIndexOf(b) }

// WebhookStoreOf returns b as a WebhookStore when it serves that part.
func WebhookStoreOf(b Backend) (WebhookStore, bool) { return contract.WebhookStoreOf(b) }
