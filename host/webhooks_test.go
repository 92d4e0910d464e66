package host

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/host/webhooks"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
	"github.com/tourney/tourney/webhook"
)

// The flaky primary keeps webhooks when its backend does, and is down for
// them too.
func (f *flaky) PutWebhook(ctx context.Context, w shared.Webhook) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Backend.(shared.WebhookStore).PutWebhook(ctx, w)
}
func (f *flaky) Webhooks(ctx context.Context) ([]shared.Webhook, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.Backend.(shared.WebhookStore).Webhooks(ctx)
}
func (f *flaky) DeleteWebhook(ctx context.Context, id string) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Backend.(shared.WebhookStore).DeleteWebhook(ctx, id)
}
func (f *flaky) EnqueueDeliveries(ctx context.Context, ds []shared.Delivery) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Backend.(shared.WebhookStore).EnqueueDeliveries(ctx, ds)
}
func (f *flaky) ClaimDeliveries(ctx context.Context, req shared.ClaimRequest) ([]shared.Delivery, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.Backend.(shared.WebhookStore).ClaimDeliveries(ctx, req)
}
func (f *flaky) SaveDelivery(ctx context.Context, d shared.Delivery) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Backend.(shared.WebhookStore).SaveDelivery(ctx, d)
}
func (f *flaky) Deliveries(ctx context.Context, id string, limit int) ([]shared.Delivery, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.Backend.(shared.WebhookStore).Deliveries(ctx, id, limit)
}

// receiver is a webhook receiver on loopback. Its mode decides each
// answer: "ok", "fail" (HTTP 500) or "hang" (no answer until the client
// gives up).
type receiver struct {
	srv  *httptest.Server
	mode atomic.Value
	// script, when not empty, decides the next answers before mode does.
	mu     sync.Mutex
	script []string
	got    []received
}

type received struct {
	id, event, signature, answer string
	body                         []byte
	at                           time.Time
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.mode.Store("ok")
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		mode := rc.mode.Load().(string)
		if len(rc.script) > 0 {
			mode, rc.script = rc.script[0], rc.script[1:]
		}
		rc.got = append(rc.got,
			received{r.Header.Get(webhook.DeliveryHeader), r.Header.Get(webhook.EventHeader),
				r.Header.Get(webhook.SignatureHeader), mode, body, time.Now()})
		rc.mu.Unlock()
		switch mode {
		case "fail":
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		case "hang":
			<-r.Context().Done()
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// waitFor waits until ok holds for what the receiver got.
func (rc *receiver) waitFor(t *testing.T, what string, ok func([]received) bool) []received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := rc.all()
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver did not get %s; it got %d requests", what, len(got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func answered(got []received, answer string) (n int) {
	for _, r := range got {
		if r.answer == answer {
			n++
		}
	}
	return n
}

func fastWebhooks(c *config.Config) {
	c.Host.WebhookBackoff, c.Host.WebhookTimeout = 40*time.Millisecond, 300*time.Millisecond
}

func TestWebhookDeliversSignedFilteredEvents(t *testing.T) {
	h := embedded(t, fastWebhooks)
	rc := newReceiver(t)
	hook, err := h.CreateWebhook(bg,
		WebhookParams{URL: rc.srv.URL + "/hook", Events: []tournament.EventType{tournament.EventPlayerJoined}, Tournaments: []int64{1}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hook.ID, "wh_") || !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("webhook %+v", hook)
	}
	for _, id := range []int64{1, 2} {
		if _, err := h.CreateTournament(bg, tournament.CreateParams{ID: id, Name: "x", MaxPlayers: 8, CreatorID: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range [][2]int64{{1, 5}, {2, 7}, {1, 6}} {
		if _, err := h.AddPlayer(bg, c[0], c[1]); err != nil {
			t.Fatal(err)
		}
	}
	rc.waitFor(t, "two deliveries", func(g []received) bool { return len(g) >= 2 })
	time.Sleep(3 * webhooks.Poll) // nothing else is on its way
	got := rc.all()
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want 2 (player_joined in tournament 1 only)", len(got))
	}
	players := map[int64]bool{}
	for _, r := range got {
		if err := webhook.Verify(hook.Secret, r.signature, r.body, 0, time.Now()); err != nil {
			t.Fatalf("signature: %v", err)
		}
		var body DeliveryBody
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.ID != r.id || body.WebhookID != hook.ID || r.event != "player_joined" || body.Event.Type != tournament.EventPlayerJoined || body.Event.TournamentID != 1 {
			t.Fatalf("delivery %s %s: %s", r.id, r.event, r.body)
		}
		players[body.Event.PlayerID] = true
	}
	if !players[5] || !players[6] {
		t.Fatalf("players delivered: %v", players)
	}
	log, err := h.WebhookDeliveries(bg, hook.ID, 0)
	if err != nil || len(log) != 2 {
		t.Fatalf("log: %+v %v", log, err)
	}
	for _, d := range log {
		if d.Status != shared.DeliveryDelivered || d.Attempts != 1 || d.LastStatus != 204 {
			t.Fatalf("logged delivery: %+v", d)
		}
	}
	// Deleted: nothing more is sent.
	if err := h.DeleteWebhook(bg, hook.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.AddPlayer(bg, 1, 9); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * webhooks.Poll)
	if n := len(rc.all()); n != 2 {
		t.Fatalf("a deleted webhook got %d deliveries", n-2)
	}
}

// The receiver fails, then hangs past the timeout, then recovers: the
// same delivery (same id, same body) is retried with growing delays and
// delivered once it answers 2xx.
func TestWebhookRetriesUntilTheReceiverRecovers(t *testing.T) {
	h := embedded(t, fastWebhooks)
	rc := newReceiver(t)
	rc.script = []string{"fail", "fail", "hang"}
	hook, err := h.CreateWebhook(bg, WebhookParams{URL: rc.srv.URL, Events: []tournament.EventType{tournament.EventTournamentCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateTournament(bg, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 8, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	got := rc.waitFor(t, "a delivered retry", func(g []received) bool { return answered(g, "ok") == 1 })
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4 (fail, fail, hang, ok)", len(got))
	}
	for _, r := range got[1:] {
		if r.id != got[0].id || string(r.body) != string(got[0].body) {
			t.Fatalf("a retry changed the delivery: %s %s", r.id, r.body)
		}
	}
	// The first retry waits 20-40 ms, the second 40-80 ms (less a
	// millisecond of rounding), and the dispatcher looks every 500 ms.
	if gap1, gap2 := got[1].at.Sub(got[0].at), got[2].at.Sub(got[1].at); gap1 < 18*time.Millisecond || gap2 < 38*time.Millisecond {
		t.Fatalf("retry delays %v, %v: want at least half of 40 ms, then of 80 ms", gap1, gap2)
	}
	log := waitDelivery(t, h, hook.ID, func(d shared.Delivery) bool { return d.Status == shared.DeliveryDelivered })
	if log.Attempts != 4 || log.LastStatus != 204 || log.LastError != "" {
		t.Fatalf("logged: %+v", log)
	}
}

func TestWebhookGivesUpAfterTheRetryWindow(t *testing.T) {
	h := embedded(t, func(c *config.Config) { fastWebhooks(c); c.Host.WebhookRetry = 300 * time.Millisecond })
	rc := newReceiver(t)
	rc.mode.Store("fail")
	hook, err := h.CreateWebhook(bg, WebhookParams{URL: rc.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.CreateTournament(bg, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 8, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	d := waitDelivery(t, h, hook.ID, func(d shared.Delivery) bool { return d.Status == shared.DeliveryFailed })
	if d.Attempts < 2 || d.LastStatus != 500 || !strings.Contains(d.LastError, "HTTP 500") || !d.NextAttempt.IsZero() {
		t.Fatalf("given up: %+v", d)
	}
	n := len(rc.all())
	time.Sleep(3 * webhooks.Poll)
	if len(rc.all()) != n {
		t.Fatal("a failed delivery was attempted again")
	}
}

func waitDelivery(t *testing.T, h *Host, hook string, ok func(shared.Delivery) bool) shared.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log, err := h.WebhookDeliveries(bg, hook, 1)
		if err == nil && len(log) == 1 && ok(log[0]) {
			return log[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the delivery log did not show the outcome: %+v %v", log, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWebhookRegistrationIsValidated(t *testing.T) {
	h := embedded(t, fastWebhooks)
	for _, c := range []struct {
		p    WebhookParams
		want string
	}{
		{WebhookParams{}, "url is required"},
		{WebhookParams{URL: "ftp://example.com/"}, "not an absolute http or https URL"},
		{WebhookParams{URL: "/relative"}, "not an absolute http or https URL"},
		{WebhookParams{URL: "http://u:p@example.com/"}, "credentials"},
		{WebhookParams{URL: "http://example.com/", Events: []tournament.EventType{"game_won"}}, `unknown event type "game_won"`},
		{WebhookParams{URL: "http://example.com/", Tournaments: []int64{0}}, "tournaments: 0"},
	} {
		_, err := h.CreateWebhook(bg, c.p)
		if tournament.CodeOf(err) != tournament.CodeInvalidArgument || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want invalid_argument naming %q", c.p, err, c.want)
		}
	}
	if _, err := h.Webhook(bg, "wh_nope"); tournament.CodeOf(err) != tournament.CodeNotFound {
		t.Errorf("unknown webhook: %v", err)
	}
}

// During an outage the host delivers from its outbox on disk; a host
// restarted mid-outage resumes the outbox; at failback the outbox goes to
// the primary, so its delivery log is whole.
func TestWebhookOutboxCarriesAnOutageAndARestart(t *testing.T) {
	cfg := config.Default()
	cfg.Log.Level, cfg.Host.Fallback, cfg.Host.SweepInterval, cfg.Host.DataDir = "error", config.FallbackMemory, time.Hour, t.TempDir()
	fastWebhooks(&cfg)
	p := memory.New(memory.Options{})
	f := &flaky{Backend: p}
	r := startRig(t, cfg, f, p)
	rc := newReceiver(t)
	hook, err := r.h.CreateWebhook(bg, WebhookParams{URL: rc.srv.URL, Events: []tournament.EventType{tournament.EventPlayerJoined}})
	if err != nil {
		t.Fatal(err)
	}
	r.pending(t, 1)
	f.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if _, err := r.h.CreateWebhook(bg, WebhookParams{URL: rc.srv.URL}); tournament.CodeOf(err) != tournament.CodeUnavailable {
		t.Fatalf("registering during an outage: %v", err)
	}
	if _, err := r.h.AddPlayer(bg, 1, 5); err != nil {
		t.Fatal(err)
	}
	rc.waitFor(t, "the outage's delivery", func(g []received) bool { return answered(g, "ok") == 1 })

	// The receiver fails; the host stops with the delivery of player 6
	// pending in its outbox; its successor (same data directory, Redis
	// still down) delivers it once the receiver is back.
	rc.mode.Store("fail")
	if _, err := r.h.AddPlayer(bg, 1, 6); err != nil {
		t.Fatal(err)
	}
	rc.waitFor(t, "a failed attempt", func(g []received) bool { return answered(g, "fail") >= 1 })
	_ = r.h.Close()
	r2 := startRig(t, cfg, f, p)
	r2.waitMode(t, failover.StateFallback)
	rc.mode.Store("ok")
	got := rc.waitFor(t, "player 6's delivery", func(g []received) bool { return answered(g, "ok") == 2 })
	ids := map[string]bool{}
	for _, g := range got {
		ids[g.id] = true
	}
	if len(ids) != 2 {
		t.Fatalf("%d delivery ids, want 2", len(ids))
	}

	f.down.Store(false)
	r2.waitMode(t, failover.StatePrimary)
	deadline := time.Now().Add(10 * time.Second)
	for {
		log, err := r2.h.WebhookDeliveries(bg, hook.ID, 0)
		if err == nil && len(log) == 2 && log[0].Status == shared.DeliveryDelivered && log[1].Status == shared.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the primary's log after failback: %+v %v", log, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(3 * webhooks.Poll)
	if n := answered(rc.all(), "ok"); n != 2 {
		t.Fatalf("%d successful deliveries, want 2: the handover sent one again", n)
	}
}

// The primary restarts empty (a new epoch): the host puts back the
// webhooks it knew, as it restores tournaments.
func TestWebhooksAreRestoredWhenThePrimaryLosesThem(t *testing.T) {
	r := newRig(t, config.FallbackMemory)
	hook, err := r.h.CreateWebhook(bg, WebhookParams{URL: "http://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	r.flaky.down.Store(true)
	r.waitMode(t, failover.StateFallback)
	if err := r.primary.DeleteWebhook(bg, hook.ID); err != nil { // lost with the data set
		t.Fatal(err)
	}
	r.flaky.epoch.Store("after-restart")
	r.flaky.down.Store(false)
	r.waitMode(t, failover.StatePrimary)
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := r.primary.Webhooks(bg)
		if err == nil && len(got) == 1 && got[0].ID == hook.ID && got[0].Secret == hook.Secret {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook was not restored: %+v %v", got, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
