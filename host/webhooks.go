package host

import (
	"context"

	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/host/webhooks"
	"github.com/tourney/tourney/shared"
)

// WebhookParams registers a webhook: URL receives every event whose type
// is in Events (empty: every type) about a tournament in Tournaments
// (empty: every tournament).
type WebhookParams = webhooks.Params

// DeliveryBody is the JSON a webhook receives.
type DeliveryBody = webhooks.DeliveryBody

// CreateWebhook registers a webhook and returns it with its secret (the
// only answer that shows the secret).
func (h *Host) CreateWebhook(ctx context.Context, p WebhookParams) (shared.Webhook, error) {
	return h.hooks.Create(ctx, p)
}

// Webhooks lists the registered webhooks, with their secrets (the HTTP API
// leaves them out).
func (h *Host) Webhooks(ctx context.Context) ([]shared.Webhook, error) { return h.hooks.List(ctx) }

// Webhook returns one webhook.
func (h *Host) Webhook(ctx context.Context, id string) (shared.Webhook, error) {
	return h.hooks.Get(ctx, id)
}

// DeleteWebhook removes a webhook and its deliveries: nothing more is
// sent to it.
func (h *Host) DeleteWebhook(ctx context.Context, id string) error { return h.hooks.Delete(ctx, id) }

// WebhookDeliveries returns a webhook's most recent deliveries, newest
// first (at most limit; 0: all that are kept).
func (h *Host) WebhookDeliveries(ctx context.Context, id string, limit int) ([]shared.Delivery, error) {
	return h.hooks.Deliveries(ctx, id, limit)
}

// webhookPrimary is the router as the webhook dispatcher sees it: the
// webhooks are the primary's, reachable while the host serves from it.
type webhookPrimary struct{ r *failover.Router }

func (p webhookPrimary) OnPrimary() bool { return p.r.State() == failover.StatePrimary }

func (p webhookPrimary) WebhookStore(ctx context.Context) (shared.WebhookStore, string, error) {
	r := p.r
	if r.State() != failover.StatePrimary {
		return nil, "", Refused("webhooks are kept by the %s backend, which is unavailable; retry when it is back", r.PrimaryName())
	}
	b, err := r.Primary(ctx)
	if err != nil {
		return nil, "", err
	}
	ws, ok := shared.WebhookStoreOf(b)
	if !ok {
		return nil, "", webhooks.NoWebhooks(r.PrimaryName())
	}
	return ws, r.Epoch(), nil
}
