package webhooks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
	"github.com/tourney/tourney/webhook"
)

// DeliveryBody is the JSON a webhook receives.
type DeliveryBody struct {
	ID        string           `json:"id"` // the delivery id, also in X-Tourney-Delivery
	WebhookID string           `json:"webhook_id"`
	CreatedAt time.Time        `json:"created_at"`
	Event     tournament.Event `json:"event"`
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
