// Package webhooks delivers the host's events to registered webhooks.
//
// The registry and the deliveries are kept by the primary backend, so every
// host sees them and they outlive any host. The host that makes a change
// enqueues its deliveries before it answers (on the primary; in its outbox
// on disk when the primary cannot take them), and every host's dispatcher
// claims due deliveries from the primary (a lease: one host at a time),
// POSTs them signed, and records the outcome. During an outage a host
// delivers what its own outbox holds and hands the outbox to the primary
// when it is back.
package webhooks

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
	"github.com/tourney/tourney/webhook"
	bolt "go.etcd.io/bbolt"
)

const (
	// Poll is how often a dispatcher looks for due deliveries.
	Poll            = 500 * time.Millisecond
	webhookRegistry = time.Second // how old the registry a change is matched against may be
	webhookWorkers  = 8           // concurrent attempts per host
	webhookMaxHooks = 100         // webhooks per store
	maxBackoff      = time.Hour
	primaryWait     = 300 * time.Millisecond // longest publish waits for a restarting primary plugin
)

// Primary is what the dispatcher needs of the host: where the webhooks are
// kept, and whether it can reach them now.
type Primary interface {
	// OnPrimary reports whether the host serves from its primary backend.
	OnPrimary() bool
	// WebhookStore returns the primary's webhook store and the epoch of its
	// data set ("" when not known yet), or why there is none now (the host
	// is on its fallback, or the primary keeps no webhooks).
	WebhookStore(ctx context.Context) (shared.WebhookStore, string, error)
}

// Options configure a Dispatcher.
type Options struct {
	Primary Primary
	// PrimaryName names the primary backend in errors.
	PrimaryName string
	// DB is the host's data directory database: the outbox and the last
	// registry read are kept there. nil: in memory only.
	DB *bolt.DB
	// Timeout bounds one attempt (TOURNEY_WEBHOOK_TIMEOUT); Retry is how
	// long a delivery is retried (TOURNEY_WEBHOOK_RETRY); Backoff the first
	// pause between attempts (TOURNEY_WEBHOOK_BACKOFF).
	Timeout, Retry, Backoff time.Duration
	// OperationTimeout bounds each call to the primary.
	OperationTimeout time.Duration
	Logger           hclog.Logger
}

// Params registers a webhook: URL receives every event whose type
// is in Events (empty: every type) about a tournament in Tournaments
// (empty: every tournament).
type Params struct {
	URL         string                 `json:"url"`
	Events      []tournament.EventType `json:"events,omitempty"`
	Tournaments []int64                `json:"tournaments,omitempty"`
}

// DeliveryBody is the JSON a webhook receives.
type DeliveryBody struct {
	ID        string           `json:"id"` // the delivery id, also in X-Tourney-Delivery
	WebhookID string           `json:"webhook_id"`
	CreatedAt time.Time        `json:"created_at"`
	Event     tournament.Event `json:"event"`
}

// Dispatcher keeps the webhook registry, enqueues each change's
// deliveries and delivers them. Its methods are safe for concurrent use.
type Dispatcher struct {
	opts   Options
	logger hclog.Logger
	client *http.Client
	box    *outbox
	wake   chan struct{}
	wg     sync.WaitGroup // attempts under way

	mu       sync.Mutex
	reg      registry
	inflight map[string]bool

	counts counters
}

// registry is the webhooks changes are matched against, as last read.
type registry struct {
	hooks    []shared.Webhook
	loadedAt time.Time
	epoch    string // the primary's data set the registry was read from
}

type counters struct{ delivered, retried, failed atomic.Int64 }

// Counts are the dispatcher's attempts by outcome, and what its outbox holds.
type Counts struct {
	Delivered, Retried, Failed int64
	Outbox                     int
}

// New returns a dispatcher; Run delivers.
func New(o Options) (*Dispatcher, error) {
	box, err := newOutbox(o.DB)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{opts: o, logger: o.Logger.Named("webhooks"), box: box, wake: make(chan struct{}, 1), inflight: map[string]bool{},
		client: &http.Client{
			Timeout: o.Timeout,
			// A redirect is an answer, not a delivery.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
	d.reg.hooks = d.box.loadRegistry()
	return d, nil
}

// Counts reports the attempts so far and the outbox's size (metrics).
func (d *Dispatcher) Counts() Counts {
	return Counts{Delivered: d.counts.delivered.Load(), Retried: d.counts.retried.Load(), Failed: d.counts.failed.Load(),
		Outbox: d.box.count()}
}

func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
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

// deliveryFor builds the delivery of ev to w. Its id depends only on the
// webhook and the event, so that enqueueing it again keeps one delivery.
func deliveryFor(w shared.Webhook, ev tournament.Event, now time.Time) (shared.Delivery, error) {
	sum := sha256.Sum256(ev.AppendJSON([]byte(w.ID + "\x00")))
	id := "dlv_" + hex.EncodeToString(sum[:16])
	body, err := json.Marshal(DeliveryBody{ID: id, WebhookID: w.ID, CreatedAt: now, Event: ev})
	if err != nil {
		return shared.Delivery{}, err
	}
	return shared.Delivery{ID: id, WebhookID: w.ID, EventType: string(ev.Type), Payload: body, Status: shared.DeliveryPending,
		CreatedAt: now, UpdatedAt: now, NextAttempt: now}, nil
}

// Publish enqueues the deliveries of a change's events before the change
// is answered: on the primary, or in the outbox when the primary cannot
// take them.
func (d *Dispatcher) Publish(evs []tournament.Event) {
	hooks := d.registry()
	if len(hooks) == 0 || len(evs) == 0 {
		return
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var ds []shared.Delivery
	for _, ev := range evs {
		for _, w := range hooks {
			if !w.Matches(ev) {
				continue
			}
			dl, err := deliveryFor(w, ev, now)
			if err != nil {
				d.logger.Error("building a webhook delivery failed", "webhook", w.ID, "error", err)
				continue
			}
			ds = append(ds, dl)
		}
	}
	if len(ds) == 0 {
		return
	}
	defer d.poke()
	// A plugin restarting is not waited for: the outbox takes them.
	wait, cancel := context.WithTimeout(context.Background(), primaryWait)
	st, err := d.store(wait)
	cancel()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), d.opts.OperationTimeout)
		err = st.EnqueueDeliveries(ctx, ds)
		cancel()
		if err == nil {
			return
		}
	}
	if err := d.box.put(ds); err != nil {
		d.logger.Error("webhook deliveries could not be kept: the primary and the data directory both refused them",
			"deliveries", len(ds), "error", err)
	}
}

// Run delivers until ctx is done, and returns once the attempts under way
// have ended.
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.wg.Wait()
	tick := time.NewTicker(Poll)
	defer tick.Stop()
	for {
		d.round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// round does one pass: refresh the registry, hand the outbox to the
// primary, and start attempts for what is due.
func (d *Dispatcher) round(ctx context.Context) {
	onPrimary := d.opts.Primary.OnPrimary()
	if onPrimary {
		d.mu.Lock()
		stale := time.Since(d.reg.loadedAt) >= webhookRegistry
		d.mu.Unlock()
		if stale {
			if err := d.Refresh(ctx); err != nil && !errors.Is(err, context.Canceled) &&
				tournament.CodeOf(err) != tournament.CodeFailedPrecondition {
				d.logger.Debug("reading the webhook registry failed", "error", err)
			}
		}
	}
	held, err := d.box.all()
	if err != nil {
		d.logger.Error("reading the webhook outbox failed", "error", err)
	}
	if onPrimary && len(held) > 0 {
		d.handOver(ctx, held)
		held = nil
	}
	free := webhookWorkers - d.busy()
	if free <= 0 {
		return
	}
	now := time.Now()
	var due []shared.Delivery
	if onPrimary && len(d.registry()) > 0 {
		// (With no webhooks there is nothing to claim: a webhook's
		// deliveries go with it.)
		if st, err := d.store(ctx); err == nil {
			due, err = st.ClaimDeliveries(ctx, shared.ClaimRequest{Now: now, Lease: 2*d.opts.Timeout + 5*time.Second, Max: free})
			if err != nil {
				d.logger.Debug("claiming webhook deliveries failed", "error", err)
			}
		}
	} else {
		for _, dl := range held {
			if dl.Status == shared.DeliveryPending && !dl.NextAttempt.After(now) && len(due) < free {
				due = append(due, dl)
			}
		}
	}
	for _, dl := range due {
		d.start(ctx, dl, !onPrimary)
	}
}

// handOver gives the outbox's deliveries (those not being attempted) to
// the primary, delivered and failed ones too, so that its log is whole.
func (d *Dispatcher) handOver(ctx context.Context, held []shared.Delivery) {
	d.mu.Lock()
	held = slices.DeleteFunc(held, func(dl shared.Delivery) bool { return d.inflight[dl.ID] })
	d.mu.Unlock()
	if len(held) == 0 {
		return
	}
	st, err := d.store(ctx)
	if err == nil {
		err = st.EnqueueDeliveries(ctx, held)
	}
	if err != nil {
		d.logger.Debug("handing the webhook outbox to the primary failed; retrying", "error", err)
		return
	}
	ids := make([]string, len(held))
	for i, dl := range held {
		ids[i] = dl.ID
	}
	if err := d.box.drop(ids); err != nil {
		d.logger.Error("emptying the webhook outbox failed", "error", err)
		return
	}
	d.logger.Info("handed the webhook outbox to the primary", "deliveries", len(held))
}

func (d *Dispatcher) busy() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.inflight)
}

// start attempts dl in the background; local says it is the outbox's.
func (d *Dispatcher) start(ctx context.Context, dl shared.Delivery, local bool) {
	d.mu.Lock()
	if d.inflight[dl.ID] {
		d.mu.Unlock()
		return
	}
	d.inflight[dl.ID] = true
	d.mu.Unlock()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer func() {
			d.mu.Lock()
			delete(d.inflight, dl.ID)
			d.mu.Unlock()
		}()
		w, ok := d.hook(dl.WebhookID)
		if !ok && !local {
			// Registered on another host since this one last looked.
			if err := d.Refresh(ctx); err == nil {
				w, ok = d.hook(dl.WebhookID)
			}
		}
		if !ok {
			if local {
				_ = d.box.drop([]string{dl.ID}) // its webhook is gone
			}
			return
		}
		out := d.attempt(ctx, w, dl)
		if ctx.Err() != nil {
			return // shutting down: the lease ends and another attempt follows
		}
		if local {
			if err := d.box.put([]shared.Delivery{out}); err != nil {
				d.logger.Error("recording a webhook attempt in the outbox failed", "delivery", dl.ID, "error", err)
			}
			return
		}
		sctx, cancel := context.WithTimeout(ctx, d.opts.OperationTimeout)
		defer cancel()
		st, err := d.store(sctx)
		if err == nil {
			err = st.SaveDelivery(sctx, out)
		}
		if err != nil && !errors.Is(err, tournament.ErrNotFound) {
			// The primary failed meanwhile: the outbox keeps the outcome,
			// and the lease lets the delivery go if it is still pending.
			d.logger.Warn("recording a webhook attempt failed; kept in the outbox", "delivery", dl.ID, "error", err)
			_ = d.box.put([]shared.Delivery{out})
		}
	}()
}

func (d *Dispatcher) hook(id string) (shared.Webhook, bool) {
	for _, w := range d.registry() {
		if w.ID == id {
			return w, true
		}
	}
	return shared.Webhook{}, false
}

// attempt POSTs dl once and returns it with the outcome recorded.
func (d *Dispatcher) attempt(ctx context.Context, w shared.Webhook, dl shared.Delivery) shared.Delivery {
	now := time.Now().UTC()
	dl.Attempts++
	dl.UpdatedAt = now.Truncate(time.Millisecond)
	status, err := d.post(ctx, w, dl, now)
	dl.LastStatus = status
	if err == nil {
		dl.Status, dl.LastError, dl.NextAttempt = shared.DeliveryDelivered, "", time.Time{}
		d.counts.delivered.Add(1)
		d.logger.Debug("webhook delivered", "delivery", dl.ID, "webhook", w.ID, "attempts", dl.Attempts)
		return dl
	}
	dl.LastError = err.Error()
	if now.Sub(dl.CreatedAt) >= d.opts.Retry {
		dl.Status, dl.NextAttempt = shared.DeliveryFailed, time.Time{}
		d.counts.failed.Add(1)
		d.logger.Warn("webhook delivery given up", "delivery", dl.ID, "webhook", w.ID, "attempts", dl.Attempts, "error", err)
		return dl
	}
	dl.NextAttempt = now.Add(backoff(d.opts.Backoff, dl.Attempts)).Truncate(time.Millisecond)
	d.counts.retried.Add(1)
	d.logger.Debug("webhook attempt failed; retrying", "delivery", dl.ID, "webhook", w.ID, "attempts", dl.Attempts,
		"next", dl.NextAttempt, "error", err)
	return dl
}

// backoff is the delay before retry n (from 1): base doubling per attempt
// up to an hour, drawn uniformly from its upper half (jitter, so that
// receivers coming back are not hit by every retry at once).
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

func (d *Dispatcher) post(ctx context.Context, w shared.Webhook, dl shared.Delivery, now time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(dl.Payload))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tourney-webhooks/1")
	req.Header.Set(webhook.DeliveryHeader, dl.ID)
	req.Header.Set(webhook.EventHeader, dl.EventType)
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(w.Secret, now, dl.Payload))
	resp, err := d.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
			return 0, fmt.Errorf("no answer within %v", d.opts.Timeout)
		}
		return 0, fmt.Errorf("request failed: %v", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
