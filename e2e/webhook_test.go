package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
	"github.com/tourney/tourney/webhook"
)

// hookReceiver counts deliveries by id; fail makes it answer 503.
type hookReceiver struct {
	srv      *httptest.Server
	fail     atomic.Bool
	mu       sync.Mutex
	ok       map[string]int // delivery id -> 2xx answers
	requests int
	badSig   int
}

func newHookReceiver(t *testing.T, secret *atomic.Value) *hookReceiver {
	rc := &hookReceiver{ok: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.requests++
		if s, _ := secret.Load().(string); webhook.Verify(s, r.Header.Get(webhook.SignatureHeader), body, 0, time.Now()) != nil {
			rc.badSig++
		}
		if rc.fail.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		rc.ok[r.Header.Get(webhook.DeliveryHeader)]++
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *hookReceiver) counts() (distinct, total, requests, badSig int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, n := range rc.ok {
		total += n
	}
	return len(rc.ok), total, rc.requests, rc.badSig
}

// Two hosts on Redis with real plugins: every event is delivered once
// (the hosts claim deliveries in Redis), signed; a host killed while its
// deliveries are failing leaves them to the other host, which delivers
// them when the receiver recovers.
func TestWebhooksAcrossHostsOnRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	hs := hostsOn(t, 2, append(r.Env(), "TOURNEY_WEBHOOK_BACKOFF=100ms", "TOURNEY_WEBHOOK_TIMEOUT=1s")...)
	var secret atomic.Value
	rc := newHookReceiver(t, &secret)
	hook, err := hs[0].Client.CreateWebhook(bg, host.WebhookParams{URL: rc.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	secret.Store(hook.Secret)
	if list, err := hs[1].Client.Webhooks(bg); err != nil || len(list) != 1 || list[0].ID != hook.ID || list[0].Secret != "" {
		t.Fatalf("the other host's list: %+v %v", list, err)
	}
	time.Sleep(2500 * time.Millisecond) // the other host re-reads the registry every second

	// 20 tournaments of 4 players, made on both hosts at once: 100 events.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := hs[i%2].Client
			id := int64(1 + i)
			if _, err := c.Create(bg, tournament.CreateParams{ID: id, Name: "cup", MaxPlayers: 8, CreatorID: 1}); err != nil {
				t.Error(err)
				return
			}
			for p := range 4 {
				if _, err := hs[(i+p)%2].Client.AddPlayer(bg, id, int64(10+p)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if !testutil.Eventually(15*time.Second, func() bool { d, _, _, _ := rc.counts(); return d >= 100 }) {
		d, total, _, _ := rc.counts()
		t.Fatalf("%d distinct deliveries (%d in all), want 100", d, total)
	}
	time.Sleep(time.Second) // a second delivery of any would arrive by now
	if d, total, requests, bad := rc.counts(); d != 100 || total != 100 || requests != 100 || bad != 0 {
		t.Fatalf("%d distinct deliveries, %d successful, %d requests, %d bad signatures: want each of 100 once", d, total, requests, bad)
	}

	// The receiver fails; host 0 makes a change and is killed with its
	// deliveries pending in Redis; host 1 delivers them later.
	rc.fail.Store(true)
	if _, err := hs[0].Client.Create(bg, tournament.CreateParams{ID: 99, Name: "late", MaxPlayers: 8, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs[0].Client.AddPlayer(bg, 99, 5); err != nil {
		t.Fatal(err)
	}
	if !testutil.Eventually(10*time.Second, func() bool { _, _, req, _ := rc.counts(); return req >= 103 }) {
		t.Fatal("no failed attempt")
	}
	hs[0].Kill()
	rc.fail.Store(false)
	if !testutil.Eventually(20*time.Second, func() bool { d, _, _, _ := rc.counts(); return d == 102 }) {
		d, _, req, _ := rc.counts()
		t.Fatalf("%d distinct deliveries after the kill (%d requests), want 102", d, req)
	}
	var log []shared.Delivery
	if !testutil.Eventually(10*time.Second, func() bool {
		log, err = hs[1].Client.WebhookDeliveries(bg, hook.ID, 2)
		return err == nil && len(log) == 2 && log[0].Status == shared.DeliveryDelivered && log[1].Status == shared.DeliveryDelivered
	}) {
		t.Fatalf("log: %+v %v", log, err)
	}
	if log[0].Attempts < 2 || log[1].Attempts < 2 {
		t.Fatalf("the late deliveries were not retried: %+v", log)
	}
}

// Redis killed (no persistence) and restarted empty, with real plugins: the
// change made on the fallback is delivered during the outage, and after
// failback Redis has the webhook again (restored by the host) with that
// delivery in its log.
func TestWebhooksThroughARedisOutage(t *testing.T) {
	r := testutil.StartRedis(t)
	h := hostsOn(t, 1, append(r.Env(), "TOURNEY_WEBHOOK_BACKOFF=100ms", "TOURNEY_WEBHOOK_TIMEOUT=1s")...)[0]
	var secret atomic.Value
	rc := newHookReceiver(t, &secret)
	hook, err := h.Client.CreateWebhook(bg,
		host.WebhookParams{URL: rc.srv.URL, Events: []tournament.EventType{tournament.EventPlayerJoined}})
	if err != nil {
		t.Fatal(err)
	}
	secret.Store(hook.Secret)
	if _, err := h.Client.Create(bg, tournament.CreateParams{ID: 1, Name: "cup", MaxPlayers: 8, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	r.Kill()
	if !testutil.Eventually(10*time.Second, func() bool { _, err := h.Client.AddPlayer(bg, 1, 5); return err == nil }) {
		t.Fatal("no write on the fallback")
	}
	if !testutil.Eventually(10*time.Second, func() bool { d, _, _, _ := rc.counts(); return d == 1 }) {
		t.Fatal("the outage's delivery did not arrive during the outage")
	}
	r.Start()
	var log []shared.Delivery
	if !testutil.Eventually(15*time.Second, func() bool {
		log, err = h.Client.WebhookDeliveries(bg, hook.ID, 0)
		return err == nil && len(log) == 1 && log[0].Status == shared.DeliveryDelivered
	}) {
		t.Fatalf("after failback: %+v %v", log, err)
	}
	if d, total, _, bad := rc.counts(); d != 1 || total != 1 || bad != 0 {
		t.Fatalf("%d deliveries (%d successful, %d bad signatures), want 1", d, total, bad)
	}
}
