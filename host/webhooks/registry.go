package webhooks

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// Params registers a webhook: URL receives every event whose type
// is in Events (empty: every type) about a tournament in Tournaments
// (empty: every tournament).
type Params struct {
	URL         string                 `json:"url"`
	Events      []tournament.EventType `json:"events,omitempty"`
	Tournaments []int64                `json:"tournaments,omitempty"`
}

// store returns the primary's webhook store, or why there is none now.
func (d *Dispatcher) store(ctx context.Context) (shared.WebhookStore, error) {
	st, _, err := d.opts.Primary.WebhookStore(ctx)
	return st, err
}

// NoWebhooks is the answer about webhooks of a backend that keeps none.
func NoWebhooks(name string) error {
	return tournament.Errorf(tournament.CodeFailedPrecondition, "the %s backend keeps no webhooks", name)
}

func (d *Dispatcher) storeErr(err error) error {
	if errors.Is(err, shared.ErrNoWebhooks) {
		return NoWebhooks(d.opts.PrimaryName)
	}
	return err
}

// registry returns the webhooks a change is matched against.
func (d *Dispatcher) registry() []shared.Webhook {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reg.hooks
}

// Refresh reads the registry from the primary now (the dispatcher does
// every second on its own).
func (d *Dispatcher) Refresh(ctx context.Context) error {
	st, epoch, err := d.opts.Primary.WebhookStore(ctx)
	if err != nil {
		return err
	}
	hooks, err := st.Webhooks(ctx)
	if err != nil {
		return d.storeErr(err)
	}
	d.mu.Lock()
	known, lastEpoch := d.reg.hooks, d.reg.epoch
	d.mu.Unlock()
	if lastEpoch != "" && epoch != "" && epoch != lastEpoch {
		// The primary lost its data (Redis restarted empty): put back the
		// webhooks this host knew, as the failback restores tournaments.
		restored := 0
		for _, w := range known {
			if !slices.ContainsFunc(hooks, func(h shared.Webhook) bool { return h.ID == w.ID }) {
				if err := st.PutWebhook(ctx, w); err != nil && !errors.Is(err, tournament.ErrAlreadyExists) {
					return d.storeErr(err)
				}
				restored++
			}
		}
		if restored > 0 {
			d.logger.Warn("the primary lost its webhooks; restored those this host knew", "restored", restored)
			if hooks, err = st.Webhooks(ctx); err != nil {
				return d.storeErr(err)
			}
		}
	}
	d.mu.Lock()
	changed := !slices.EqualFunc(d.reg.hooks, hooks, func(a, b shared.Webhook) bool { return a.ID == b.ID })
	d.reg.hooks, d.reg.loadedAt = hooks, time.Now()
	if epoch != "" {
		d.reg.epoch = epoch
	}
	d.mu.Unlock()
	if changed {
		if err := d.box.saveRegistry(hooks); err != nil {
			d.logger.Warn("saving the webhook registry in the data directory failed", "error", err)
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

func validate(p Params) error {
	u, err := url.Parse(p.URL)
	switch {
	case p.URL == "":
		return tournament.Errorf(tournament.CodeInvalidArgument, "url is required")
	case len(p.URL) > 2048:
		return tournament.Errorf(tournament.CodeInvalidArgument, "url is longer than 2048 characters")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return tournament.Errorf(tournament.CodeInvalidArgument, "url %q is not an absolute http or https URL", p.URL)
	case u.User != nil:
		return tournament.Errorf(tournament.CodeInvalidArgument, "url must not carry credentials: deliveries are signed instead")
	}
	for _, e := range p.Events {
		if !slices.Contains(tournament.EventTypes, e) {
			return tournament.Errorf(tournament.CodeInvalidArgument, "events: unknown event type %q", e)
		}
	}
	for _, id := range p.Tournaments {
		if id <= 0 {
			return tournament.Errorf(tournament.CodeInvalidArgument, "tournaments: %d is not a tournament id", id)
		}
	}
	return nil
}

// Create registers a webhook and returns it with its secret (the only
// answer that shows the secret).
func (d *Dispatcher) Create(ctx context.Context, p Params) (shared.Webhook, error) {
	if err := validate(p); err != nil {
		return shared.Webhook{}, err
	}
	st, err := d.store(ctx)
	if err != nil {
		return shared.Webhook{}, err
	}
	existing, err := st.Webhooks(ctx)
	if err != nil {
		return shared.Webhook{}, d.storeErr(err)
	}
	if len(existing) >= webhookMaxHooks {
		return shared.Webhook{}, tournament.Errorf(tournament.CodeFailedPrecondition,
			"%d webhooks are registered already, the most there may be", len(existing))
	}
	w := shared.Webhook{ID: "wh_" + randomHex(8), URL: p.URL, Secret: "whsec_" + randomHex(24),
		Events: slices.Compact(slices.Sorted(slices.Values(p.Events))), Tournaments: slices.Compact(slices.Sorted(slices.Values(p.Tournaments))),
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := st.PutWebhook(ctx, w); err != nil {
		return shared.Webhook{}, d.storeErr(err)
	}
	if err := d.Refresh(ctx); err != nil {
		d.logger.Warn("reading the webhook registry back failed", "error", err)
	}
	d.logger.Info("webhook registered", "webhook", w.ID, "url", w.URL, "events", len(w.Events), "tournaments", len(w.Tournaments))
	return w, nil
}

// List lists the registered webhooks, with their secrets (the HTTP API
// leaves them out).
func (d *Dispatcher) List(ctx context.Context) ([]shared.Webhook, error) {
	st, err := d.store(ctx)
	if err != nil {
		return nil, err
	}
	ws, err := st.Webhooks(ctx)
	return ws, d.storeErr(err)
}

// Get returns one webhook.
func (d *Dispatcher) Get(ctx context.Context, id string) (shared.Webhook, error) {
	ws, err := d.List(ctx)
	if err != nil {
		return shared.Webhook{}, err
	}
	for _, w := range ws {
		if w.ID == id {
			return w, nil
		}
	}
	return shared.Webhook{}, tournament.Errorf(tournament.CodeNotFound, "webhook %s not found", id)
}

// Delete removes a webhook and its deliveries: nothing more is sent to it.
func (d *Dispatcher) Delete(ctx context.Context, id string) error {
	st, err := d.store(ctx)
	if err != nil {
		return err
	}
	if err := st.DeleteWebhook(ctx, id); err != nil {
		return d.storeErr(err)
	}
	_ = d.Refresh(ctx)
	d.logger.Info("webhook deleted", "webhook", id)
	return nil
}

// Deliveries returns a webhook's most recent deliveries, newest first (at
// most limit; 0: all that are kept).
func (d *Dispatcher) Deliveries(ctx context.Context, id string, limit int) ([]shared.Delivery, error) {
	st, err := d.store(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := st.Deliveries(ctx, id, limit)
	return ds, d.storeErr(err)
}

func (d *Dispatcher) hook(id string) (shared.Webhook, bool) {
	for _, w := range d.registry() {
		if w.ID == id {
			return w, true
		}
	}
	return shared.Webhook{}, false
}
