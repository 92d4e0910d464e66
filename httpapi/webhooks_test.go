package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/apicheck"
	"github.com/tourney/tourney/webhook"
)

// The webhook routes end to end over HTTP, every exchange checked against
// the OpenAPI document: register, deliver to a real receiver, list
// (without the secret), the delivery log, bad input, delete.
func TestWebhookRoutes(t *testing.T) {
	srv := newServer(t, "", 0)
	got := make(chan *http.Request, 10)
	bodies := make(chan []byte, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	t.Cleanup(rcv.Close)

	r := send(t, srv, "POST", "/v1/webhooks", `{"url":"`+rcv.URL+`/in","events":["tournament_created"]}`)
	var hook struct {
		ID, Secret string
		Events     []string
	}
	if r.status != 201 || json.Unmarshal(r.body, &hook) != nil || hook.Secret == "" || r.header.Get("Location") != "/v1/webhooks/"+hook.ID {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments", `{"id":4,"name":"cup","max_players":8,"creator_id":1}`); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	select {
	case req := <-got:
		body := <-bodies
		apicheck.Delivery(t, req, body) // the receiver's side of the contract is in the document too
		if err := webhook.Verify(hook.Secret, req.Header.Get(webhook.SignatureHeader), body, 0, time.Now()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), `"tournament_id":4`) || req.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("delivery: %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}

	if r := send(t, srv, "GET", "/v1/webhooks", ""); r.status != 200 || strings.Contains(string(r.body),
		hook.Secret) || !strings.Contains(string(r.body), hook.ID) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "GET", "/v1/webhooks/"+hook.ID, ""); r.status != 200 || strings.Contains(string(r.body), "secret") {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := send(t, srv, "GET", "/v1/webhooks/"+hook.ID+"/deliveries?limit=5", "")
		if r.status != 200 {
			t.Fatalf("deliveries: %d %s", r.status, r.body)
		}
		if strings.Contains(string(r.body), `"status":"delivered"`) && strings.Contains(string(r.body), `"body":{`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log never showed the delivery: %s", r.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m := send(t, srv, "GET", "/metrics", "")
	for _, want := range []string{`tourney_webhook_attempts_total{outcome="delivered"} 1`, "tourney_webhook_outbox 0"} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, c := range []struct{ method, path, body, code string }{
		{"POST", "/v1/webhooks", `{"url":"mailto:x@example.com"}`, "invalid_argument"},
		{"POST", "/v1/webhooks", `{"url":"http://example.com","events":["nope"]}`, "invalid_argument"},
		{"POST", "/v1/webhooks", `{"url":"http://example.com","secret":"mine"}`, "invalid_argument"},
		{"GET", "/v1/webhooks/" + hook.ID + "/deliveries?limit=0", "", "invalid_argument"},
		{"GET", "/v1/webhooks/wh_missing", "", "not_found"},
		{"GET", "/v1/webhooks/wh_missing/deliveries", "", "not_found"},
		{"DELETE", "/v1/webhooks/wh_missing", "", "not_found"},
	} {
		if r := send(t, srv, c.method, c.path, c.body); errorCode(t, r) != c.code {
			t.Errorf("%s %s %s: %d %s, want %s", c.method, c.path, c.body, r.status, r.body, c.code)
		}
	}
	if r := send(t, srv, "DELETE", "/v1/webhooks/"+hook.ID, ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "GET", "/v1/webhooks", ""); r.status != 200 || strings.Contains(string(r.body), hook.ID) {
		t.Fatalf("list after delete: %d %s", r.status, r.body)
	}
}
