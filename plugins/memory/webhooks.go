package memory

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

var _ shared.WebhookStore = (*Backend)(nil)

// webhooks holds the webhooks and their deliveries. due is when a pending
// delivery may next be claimed (its next attempt, or the end of a lease).
type webhooks struct {
	mu    sync.Mutex
	hooks map[string]shared.Webhook
	byID  map[string]*shared.Delivery
	due   map[string]time.Time
	order map[string][]string // per webhook, delivery ids oldest first
}

func (w *webhooks) init() {
	if w.hooks == nil {
		w.hooks, w.byID, w.due, w.order = map[string]shared.Webhook{}, map[string]*shared.Delivery{}, map[string]time.Time{}, map[string][]string{}
	}
}

// PutWebhook implements shared.WebhookStore.
func (b *Backend) PutWebhook(_ context.Context, h shared.Webhook) error {
	w := &b.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	w.init()
	if _, ok := w.hooks[h.ID]; ok {
		return tournament.Errorf(tournament.CodeAlreadyExists, "webhook %s already exists", h.ID)
	}
	w.hooks[h.ID] = h
	return nil
}

// Webhooks implements shared.WebhookStore.
func (b *Backend) Webhooks(context.Context) ([]shared.Webhook, error) {
	w := &b.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]shared.Webhook, 0, len(w.hooks))
	for _, h := range w.hooks {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b shared.Webhook) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteWebhook implements shared.WebhookStore.
func (b *Backend) DeleteWebhook(_ context.Context, id string) error {
	w := &b.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.hooks[id]; !ok {
		return tournament.Errorf(tournament.CodeNotFound, "webhook %s not found", id)
	}
	delete(w.hooks, id)
	for _, did := range w.order[id] {
		delete(w.byID, did)
		delete(w.due, did)
	}
	delete(w.order, id)
	return nil
}

// EnqueueDeliveries implements shared.WebhookStore.
func (b *Backend) EnqueueDeliveries(_ context.Context, ds []shared.Delivery) error {
	w := &b.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	w.init()
	for _, d := range ds {
		if _, ok := w.hooks[d.WebhookID]; !ok {
			continue
		}
		if _, ok := w.byID[d.ID]; ok {
			continue
		}
		d.Payload = slices.Clone(d.Payload)
		w.byID[d.ID] = &d
		if d.Status == shared.DeliveryPending {
			w.due[d.ID] = d.NextAttempt
		}
		w.order[d.WebhookID] = append(w.order[d.WebhookID], d.ID)
		w.trim(d.WebhookID)
	}
	return nil
}

// trim forgets a webhook's oldest finished deliveries beyond the log size.
func (w *webhooks) trim(hook string) {
	ids := w.order[hook]
	over := len(ids) - shared.DeliveryLogSize
	if over <= 0 {
		return
	}
	kept := ids[:0]
	for _, id := range ids {
		if over > 0 && w.byID[id].Status != shared.DeliveryPending {
			delete(w.byID, id)
			over--
			continue
		}
		kept = append(kept, id)
	}
	w.order[hook] = kept
}

// ClaimDeliveries implements shared.WebhookStore.
func (b *Backend) ClaimDeliveries(_ context.Context, req shared.ClaimRequest) ([]shared.Delivery, error) {
	w := &b.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	var ids []string
	for id, at := range w.due {
		if !at.After(req.Now) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, c string) int { return w.due[a].Compare(w.due[c]) })
	if req.Max > 0 && len(ids) > req.Max {
		ids = ids[:req.Max]
	}
	out := make([]shared.Delivery, len(ids))
	for i, id := range ids {
		w.due[id] = req.Now.Add(req.Lease)
		out[i] = *w.byID[id]
		out[i].Payload = slices.Clone(out[i].Payload)
	}
	return out, nil
}

// SaveDelivery implements shared.WebhookStore.
func (b *Backend) SaveDelivery(_ context.Context, d shared.Delivery) error {
	w := &b.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	cur, ok := w.byID[d.ID]
	if !ok {
		return tournament.Errorf(tournament.CodeNotFound, "delivery %s not found", d.ID)
	}
	d.Payload = cur.Payload
	*cur = d
	if d.Status == shared.DeliveryPending {
		w.due[d.ID] = d.NextAttempt
	} else {
		delete(w.due, d.ID)
	}
	return nil
}

// Deliveries implements shared.WebhookStore.
func (b *Backend) Deliveries(_ context.Context, hook string, limit int) ([]shared.Delivery, error) {
	w := &b.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.hooks[hook]; !ok {
		return nil, tournament.Errorf(tournament.CodeNotFound, "webhook %s not found", hook)
	}
	ids := w.order[hook]
	var out []shared.Delivery
	for i := len(ids) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		d := *w.byID[ids[i]]
		d.Payload = slices.Clone(d.Payload)
		out = append(out, d)
	}
	return out, nil
}
