package contract

import (
	"context"
	"errors"
	"time"

	"github.com/tourney/tourney/tournament"
)

// Webhook is a registered receiver of events: every event whose type is in
// Events (empty: every type) about a tournament in Tournaments (empty:
// every tournament) is POSTed to URL, signed with Secret.
type Webhook struct {
	ID          string                 `json:"id"`
	URL         string                 `json:"url"`
	Secret      string                 `json:"secret,omitempty"`
	Events      []tournament.EventType `json:"events,omitempty"`
	Tournaments []int64                `json:"tournaments,omitempty"`
	CreatedAt   time.Time              `json:"created_at"`
}

// Matches says whether ev is one the webhook asked for.
func (w Webhook) Matches(ev tournament.Event) bool {
	typeOK, tidOK := len(w.Events) == 0, len(w.Tournaments) == 0
	for _, t := range w.Events {
		typeOK = typeOK || t == ev.Type
	}
	for _, id := range w.Tournaments {
		tidOK = tidOK || id == ev.TournamentID
	}
	return typeOK && tidOK
}

// Delivery states.
const (
	DeliveryPending   = "pending"   // not delivered yet; retried at NextAttempt
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // given up: every attempt failed for the retry window
)

// Delivery is one event on its way to one webhook. Payload is the exact
// body POSTed (and signed); ID is stable for a given webhook and event, so
// that enqueueing it twice keeps one delivery.
type Delivery struct {
	ID          string    `json:"id"`
	WebhookID   string    `json:"webhook_id"`
	EventType   string    `json:"event_type"`
	Payload     []byte    `json:"-"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	LastStatus  int       `json:"last_status,omitempty"` // the receiver's last HTTP status
	LastError   string    `json:"last_error,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
}

// ClaimRequest asks for up to Max pending deliveries due at Now, each
// leased to the caller until Now+Lease: no other claim returns it before
// then (a host that dies holding it lets it go when the lease ends).
type ClaimRequest struct {
	Now   time.Time
	Lease time.Duration
	Max   int
}

// WebhookStore is implemented by backends that keep webhooks and their
// deliveries, so that every host sees them and they outlive any host (an
// optional part of the protocol: a plugin built without it answers
// ErrNoWebhooks).
type WebhookStore interface {
	// PutWebhook stores a new webhook; an id already stored is already_exists.
	PutWebhook(ctx context.Context, w Webhook) error
	// Webhooks returns every webhook, by id, with its secret.
	Webhooks(ctx context.Context) ([]Webhook, error)
	// DeleteWebhook removes a webhook and its deliveries (not_found when
	// there is none).
	DeleteWebhook(ctx context.Context, id string) error
	// EnqueueDeliveries stores new pending deliveries, due at once; one
	// whose id is stored already is left as it is, and one for a webhook
	// that no longer exists is dropped.
	EnqueueDeliveries(ctx context.Context, ds []Delivery) error
	// ClaimDeliveries leases due pending deliveries (see ClaimRequest).
	ClaimDeliveries(ctx context.Context, req ClaimRequest) ([]Delivery, error)
	// SaveDelivery records an attempt's outcome: a pending delivery is due
	// again at NextAttempt, a delivered or failed one never again.
	SaveDelivery(ctx context.Context, d Delivery) error
	// Deliveries returns a webhook's most recent deliveries, newest first
	// (at most limit; payloads included).
	Deliveries(ctx context.Context, webhookID string, limit int) ([]Delivery, error)
}

// ErrNoWebhooks is the answer of a backend that keeps no webhooks.
var ErrNoWebhooks = errors.New("the backend keeps no webhooks")

// DeliveryLogSize is how many deliveries a backend keeps per webhook: the
// older ones are forgotten once they are no longer pending.
const DeliveryLogSize = 200
