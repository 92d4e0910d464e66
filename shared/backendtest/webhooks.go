package backendtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tourney/tourney/shared"
	T "github.com/tourney/tourney/tournament"
)

func webhookStore(t *testing.T, f Factory) shared.WebhookStore {
	t.Helper()
	ws, ok := shared.WebhookStoreOf(f(t, Settings{}))
	if !ok {
		t.Fatal("the backend announces webhooks but is no WebhookStore")
	}
	if _, err := ws.Webhooks(ctx(t)); errors.Is(err, shared.ErrNoWebhooks) {
		t.Fatal("the backend announces webhooks but answers that it keeps none")
	}
	return ws
}

func delivery(hook string, n int, at time.Time) shared.Delivery {
	return shared.Delivery{ID: fmt.Sprintf("%s-d%03d", hook, n), WebhookID: hook, EventType: "player_joined",
		Payload: []byte(fmt.Sprintf(`{"n":%d}`, n)), Status: shared.DeliveryPending, CreatedAt: at, UpdatedAt: at, NextAttempt: at}
}

// testWebhookRegistry: webhooks are stored with their secret and filter,
// listed by id, refused twice, deleted with their deliveries.
func testWebhookRegistry(t *testing.T, f Factory) {
	ws := webhookStore(t, f)
	at := time.Unix(1_700_000_000, 0).UTC()
	w := shared.Webhook{ID: "wh_b", URL: "http://127.0.0.1:1/hook", Secret: "s3cret",
		Events: []T.EventType{T.EventGameFinished}, Tournaments: []int64{7}, CreatedAt: at}
	if err := ws.PutWebhook(ctx(t), w); err != nil {
		t.Fatal(err)
	}
	if err := ws.PutWebhook(ctx(t), shared.Webhook{ID: "wh_a", URL: "http://127.0.0.1:1/a", Secret: "x", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ws.PutWebhook(ctx(t), w), T.ErrAlreadyExists)
	list, err := ws.Webhooks(ctx(t))
	if err != nil || len(list) != 2 || list[0].ID != "wh_a" || list[1].ID != "wh_b" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if got := list[1]; got.Secret != "s3cret" || got.URL != w.URL || len(got.Events) != 1 || got.Events[0] != T.EventGameFinished ||
		len(got.Tournaments) != 1 || got.Tournaments[0] != 7 || !got.CreatedAt.Equal(at) {
		t.Fatalf("stored webhook: %+v", got)
	}
	if err := ws.EnqueueDeliveries(ctx(t), []shared.Delivery{delivery("wh_b", 1, at)}); err != nil {
		t.Fatal(err)
	}
	if err := ws.DeleteWebhook(ctx(t), "wh_b"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ws.DeleteWebhook(ctx(t), "wh_b"), T.ErrNotFound)
	if _, err := ws.Deliveries(ctx(t), "wh_b", 10); !errors.Is(err, T.ErrNotFound) {
		t.Fatalf("deliveries of a deleted webhook: %v", err)
	}
	if got, _ := ws.ClaimDeliveries(ctx(t), shared.ClaimRequest{Now: at.Add(time.Hour), Lease: time.Minute, Max: 10}); len(got) != 0 {
		t.Fatalf("a deleted webhook's delivery is still claimed: %+v", got)
	}
}

// testDeliveries: enqueue is idempotent by id, claims lease (a second
// claim gets nothing until the lease ends), outcomes are recorded, only
// pending deliveries are claimed, and the log is newest first.
func testDeliveries(t *testing.T, f Factory) {
	ws := webhookStore(t, f)
	at := time.Unix(1_700_000_000, 0).UTC()
	if err := ws.PutWebhook(ctx(t), shared.Webhook{ID: "wh", URL: "http://127.0.0.1:1/", Secret: "s", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	d1, d2 := delivery("wh", 1, at), delivery("wh", 2, at.Add(time.Second))
	orphan := delivery("gone", 1, at)
	if err := ws.EnqueueDeliveries(ctx(t), []shared.Delivery{d1, d2, orphan}); err != nil {
		t.Fatal(err)
	}
	again := d1
	again.Payload = []byte(`{"changed":true}`)
	if err := ws.EnqueueDeliveries(ctx(t), []shared.Delivery{again}); err != nil {
		t.Fatal(err)
	}
	claim := func(now time.Time) []shared.Delivery {
		t.Helper()
		got, err := ws.ClaimDeliveries(ctx(t), shared.ClaimRequest{Now: now, Lease: 30 * time.Second, Max: 10})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := claim(at) // only d1 is due
	if len(got) != 1 || got[0].ID != d1.ID || string(got[0].Payload) != `{"n":1}` || got[0].WebhookID != "wh" || got[0].EventType != "player_joined" {
		t.Fatalf("first claim: %+v", got)
	}
	if got := claim(at.Add(2 * time.Second)); len(got) != 1 || got[0].ID != d2.ID {
		t.Fatalf("second claim (d1 is leased): %+v", got)
	}
	if got := claim(at.Add(31 * time.Second)); len(got) != 1 || got[0].ID != d1.ID {
		t.Fatalf("after d1's lease ended: %+v", got)
	}
	// d1 fails once and is due again later; d2 is delivered.
	d1.Attempts, d1.LastStatus, d1.LastError, d1.NextAttempt = 1, 500, "HTTP 500", at.Add(time.Hour)
	d2.Status, d2.Attempts, d2.LastStatus, d2.NextAttempt = shared.DeliveryDelivered, 1, 200, time.Time{}
	for _, d := range []shared.Delivery{d1, d2} {
		if err := ws.SaveDelivery(ctx(t), d); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, ws.SaveDelivery(ctx(t), delivery("wh", 99, at)), T.ErrNotFound)
	if got := claim(at.Add(10 * time.Minute)); len(got) != 0 {
		t.Fatalf("claimed before its next attempt or after delivery: %+v", got)
	}
	if got := claim(at.Add(time.Hour)); len(got) != 1 || got[0].ID != d1.ID || got[0].Attempts != 1 || got[0].LastError != "HTTP 500" {
		t.Fatalf("the retry: %+v", got)
	}
	log, err := ws.Deliveries(ctx(t), "wh", 10)
	if err != nil || len(log) != 2 || log[0].ID != d2.ID || log[0].Status != shared.DeliveryDelivered || log[0].LastStatus != 200 ||
		log[1].ID != d1.ID || log[1].Status != shared.DeliveryPending || string(log[1].Payload) != `{"n":1}` {
		t.Fatalf("log: %+v %v", log, err)
	}
	if log, _ := ws.Deliveries(ctx(t), "wh", 1); len(log) != 1 {
		t.Fatalf("limit 1: %d deliveries", len(log))
	}
}

// testConcurrentClaims: hosts claiming at once never get the same
// delivery.
func testConcurrentClaims(t *testing.T, f Factory) {
	ws := webhookStore(t, f)
	at := time.Unix(1_700_000_000, 0).UTC()
	if err := ws.PutWebhook(ctx(t), shared.Webhook{ID: "wh", URL: "http://127.0.0.1:1/", Secret: "s", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	var ds []shared.Delivery
	for i := range 60 {
		ds = append(ds, delivery("wh", i, at))
	}
	if err := ws.EnqueueDeliveries(ctx(t), ds); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				got, err := ws.ClaimDeliveries(context.Background(), shared.ClaimRequest{Now: at, Lease: time.Minute, Max: 4})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 60 {
		t.Fatalf("%d of 60 deliveries claimed", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %s claimed %d times", id, n)
		}
	}
}

// testDeliveryLogIsBounded: a webhook keeps its newest finished
// deliveries up to the log size, and never forgets a pending one.
func testDeliveryLogIsBounded(t *testing.T, f Factory) {
	ws := webhookStore(t, f)
	at := time.Unix(1_700_000_000, 0).UTC()
	if err := ws.PutWebhook(ctx(t), shared.Webhook{ID: "wh", URL: "http://127.0.0.1:1/", Secret: "s", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	pending := delivery("wh", 0, at)
	if err := ws.EnqueueDeliveries(ctx(t), []shared.Delivery{pending}); err != nil {
		t.Fatal(err)
	}
	var done []shared.Delivery
	for i := 1; i <= shared.DeliveryLogSize+20; i++ {
		d := delivery("wh", i, at)
		d.Status = shared.DeliveryDelivered
		done = append(done, d)
	}
	if err := ws.EnqueueDeliveries(ctx(t), done); err != nil {
		t.Fatal(err)
	}
	log, err := ws.Deliveries(ctx(t), "wh", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) > shared.DeliveryLogSize+1 || log[0].ID != done[len(done)-1].ID {
		t.Fatalf("log: %d entries, newest %s", len(log), log[0].ID)
	}
	if got, _ := ws.ClaimDeliveries(ctx(t),
		shared.ClaimRequest{Now: at, Lease: time.Minute, Max: 10}); len(got) != 1 || got[0].ID != pending.ID {
		t.Fatalf("the pending delivery was forgotten: %+v", got)
	}
}
