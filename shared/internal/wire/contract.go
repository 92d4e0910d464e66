package wire

import "github.com/tourney/tourney/shared/internal/contract"

// The contract's names, so that the wire code reads as it did in package shared.

type (
	Reconciler       = contract.Reconciler
	Capability       = contract.Capability
	Announcer        = contract.Announcer
	Backend          = contract.Backend
	PlayerIndex      = contract.PlayerIndex
	ReconcileRequest = contract.ReconcileRequest
	ReconcileResult  = contract.ReconcileResult
	Conflict         = contract.Conflict
	SubscribeRequest = contract.SubscribeRequest
	StreamEvent      = contract.StreamEvent
	CreateRequest    = contract.CreateRequest
	ApplyRequest     = contract.ApplyRequest
	RemoveRequest    = contract.RemoveRequest
	Change           = contract.Change
	MaintainReport   = contract.MaintainReport
	KeyStats         = contract.KeyStats
	HealthReport     = contract.HealthReport
	Webhook          = contract.Webhook
	Delivery         = contract.Delivery
	ClaimRequest     = contract.ClaimRequest
	WebhookStore     = contract.WebhookStore
)

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

var (
	ErrNoReconciler  = contract.ErrNoReconciler
	AllCapabilities  = contract.AllCapabilities
	CapabilitiesOf   = contract.CapabilitiesOf
	Serves           = contract.Serves
	ReconcilerOf     = contract.ReconcilerOf
	PlayerIndexOf    = contract.PlayerIndexOf
	WebhookStoreOf   = contract.WebhookStoreOf
	ErrNoPlayerIndex = contract.ErrNoPlayerIndex
	ErrNoWebhooks    = contract.ErrNoWebhooks
)
