package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	pathpkg "path"
	"strings"
	"testing"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/internal/apicheck"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// newServer serves the API over an embedded memory backend on a real
// loopback listener.
func newServer(t testing.TB, token string, rate int) *httptest.Server {
	t.Helper()
	return newServerWith(t, rate, Options{Token: token})
}

// newServerWith is newServer with the handler's options given whole.
func newServerWith(t testing.TB, rate int, opts Options) *httptest.Server {
	t.Helper()
	return newServerOn(t, rate, opts, nil)
}

// newServerOn is newServerWith with the listener wrapped by wrap (nil: as
// it is).
func newServerOn(t testing.TB, rate int, opts Options, wrap func(net.Listener) net.Listener) *httptest.Server {
	t.Helper()
	cfg := config.Default()
	cfg.Log.Level = "error"
	h, err := host.New(host.Options{Config: cfg, Backend: memory.New(memory.Options{RateLimit: rate, RateBurst: rate}),
		BackendName: "memory"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(NewHandler(h, opts))
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() { srv.Close(); _ = h.Close() })
	return srv
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func send(t testing.TB, srv *httptest.Server, method, path, body string, hdr ...string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if body != "" {
		ct := "application/json"
		if strings.HasSuffix(path, "/import") {
			ct = "application/x-ndjson"
		}
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{Transport: apicheck.Transport(t, srv.Client().Transport)} // every exchange fits docs/openapi.yaml
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

func errorCode(t testing.TB, r reply) string {
	t.Helper()
	var e errorJSON
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("status %d body %q is not a JSON error", r.status, r.body)
	}
	return e.Error.Code
}

func TestBadInputGetsTheRightErrorAndNever5xx(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"Cup","max_players":4,"creator_id":9}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":11}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":12}`)
	send(t, srv, "POST", "/v1/tournaments", `{"id":2,"name":"Started","max_players":2,"creator_id":9}`)
	send(t, srv, "POST", "/v1/tournaments/2/players", `{"user_id":21}`)
	send(t, srv, "POST", "/v1/tournaments/2/players", `{"user_id":22}`)
	send(t, srv, "POST", "/v1/tournaments/2/start", ``)
	huge := `{"id":3,"name":"` + strings.Repeat("x", MaxBody) + `","max_players":2,"creator_id":1}`
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/v1/tournaments", `{"id":1,`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `not json`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", ``, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `[1,2]`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":5,"name":"x","max_players":4,"creator_id":1,"color":"red"}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":5,"name":"x","max_players":4,"creator_id":1}{}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":"5","name":"x","max_players":4,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":1.5,"name":"x","max_players":4,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":99999999999999999999,"name":"x","max_players":4,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":5,"name":"x","max_players":1025,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":5,"name":"x","max_players":99999999999,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":-5,"name":"x","max_players":4,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":5,"name":"  ","max_players":4,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":5,"name":"x","max_players":4}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments", huge, 413, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":1,"name":"dup","max_players":4,"creator_id":1}`, 409, "already_exists"},
		{"GET", "/v1/tournaments/abc", ``, 400, "invalid_argument"},
		{"GET", "/v1/tournaments/0", ``, 400, "invalid_argument"},
		{"GET", "/v1/tournaments/404", ``, 404, "not_found"},
		{"DELETE", "/v1/tournaments/404", ``, 404, "not_found"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":11}`, 409, "already_exists"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":0}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/1/players", `{"usEr_id":13}`, 400, "invalid_argument"}, // names are case-sensitive
		{"POST", "/v1/tournaments", `{"ID":5,"name":"x","max_players":4,"creator_id":1}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/1/players", `{"user":13}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/2/players", `{"user_id":23}`, 409, "failed_precondition"},
		{"POST", "/v1/tournaments/404/players", `{"user_id":1}`, 404, "not_found"},
		{"DELETE", "/v1/tournaments/1/players/77", ``, 404, "not_found"},
		{"DELETE", "/v1/tournaments/1/players/x", ``, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/1/start", `{"shuffle":"yes"}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/2/start", ``, 409, "failed_precondition"},
		{"POST", "/v1/tournaments/2/games/9/result", `{"winner_id":21}`, 404, "not_found"},
		{"POST", "/v1/tournaments/2/games/1/result", `{"winner_id":99}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/2/games/1/result", `{"winner_id":21,"loser_id":21}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/2/games/1/result", `{}`, 400, "invalid_argument"},
		{"POST", "/v1/tournaments/2/games/x/result", `{"winner_id":21}`, 400, "invalid_argument"},
		{"PUT", "/v1/tournaments", `{}`, 405, "invalid_argument"},
		{"GET", "/v1/nothing", ``, 404, "not_found"},
		{"POST", "/v1/import", "{\"id\":1}\n", 400, "invalid_argument"},
		{"POST", "/v1/import", "garbage\n", 400, "invalid_argument"},
		{"POST", "/v1/tournaments", `{"id":9,"name":"x","max_players":4,"creator_id":1}`, 400, "invalid_argument"},
	} {
		hdr := []string{}
		if tc.body == `{"id":9,"name":"x","max_players":4,"creator_id":1}` {
			hdr = []string{"X-Actor-ID", strings.Repeat("a", 129)}
		}
		r := send(t, srv, tc.method, tc.path, tc.body, hdr...)
		if r.status != tc.status || errorCode(t, r) != tc.code {
			t.Errorf("%s %s %.60q: %d %s, want %d %s", tc.method, tc.path, tc.body, r.status, r.body, tc.status, tc.code)
		}
	}
	// A conflicting result after a finished game.
	send(t, srv, "POST", "/v1/tournaments/2/games/1/result", `{"winner_id":21}`)
	if r := send(t, srv, "POST", "/v1/tournaments/2/games/1/result",
		`{"winner_id":22}`); r.status != 409 || errorCode(t, r) != "failed_precondition" {
		t.Errorf("conflicting result: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/2/games/1/result", `{"winner_id":21,"loser_id":22}`); r.status != 200 {
		t.Errorf("repeated result: %d %s", r.status, r.body)
	}
}

func TestTokenIsRequiredWhenSet(t *testing.T) {
	srv := newServer(t, "s3cret", 0)
	for _, auth := range []string{"", "Bearer wrong", "s3cret", "Basic s3cret"} {
		r := send(t, srv, "GET", "/v1/tournaments", "", "Authorization", auth)
		if r.status != 401 || errorCode(t, r) != "unauthenticated" || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("auth %q: %d %s", auth, r.status, r.body)
		}
	}
	if r := send(t, srv, "GET", "/v1/tournaments", "", "Authorization", "Bearer s3cret"); r.status != 200 {
		t.Errorf("right token: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "GET", "/healthz", ""); r.status != 200 {
		t.Errorf("healthz needs no token: %d", r.status)
	}
}

// With a token, a game server speaks for its players: X-Actor-ID is the
// identity the limits apply to.
func TestRateLimitIsPerActorWithRetryAfter(t *testing.T) {
	srv := newServer(t, "tok", 2)
	auth := func(actor string) []string { return []string{"X-Actor-ID", actor, "Authorization", "Bearer tok"} }
	for i := range 2 {
		body := `{"id":` + string(rune('1'+i)) + `,"name":"x","max_players":2,"creator_id":1}`
		if r := send(t, srv, "POST", "/v1/tournaments", body, auth("alice")...); r.status != 201 {
			t.Fatalf("within the burst: %d %s", r.status, r.body)
		}
	}
	r := send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":1}`, auth("alice")...)
	if r.status != 429 || errorCode(t, r) != "rate_limited" || r.header.Get("Retry-After") != "1" {
		t.Fatalf("over the limit: %d %s Retry-After=%q", r.status, r.body, r.header.Get("Retry-After"))
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":1}`, auth("bob")...); r.status != 200 {
		t.Fatalf("another actor: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "GET", "/v1/tournaments/1", "", auth("alice")...); r.status != 200 {
		t.Fatalf("reads are not limited: %d", r.status)
	}
}

// Without a token anyone could rotate X-Actor-ID: it is ignored, and the
// client address is the identity.
func TestRotatingActorIDsDoesNotEvadeLimitsWithoutAToken(t *testing.T) {
	srv := newServer(t, "", 1)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"x","max_players":8,"creator_id":1}`, "X-Actor-ID", "a1")
	r := send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":1}`, "X-Actor-ID", "a2")
	if r.status != 429 {
		t.Fatalf("a new X-Actor-ID evaded the limit: %d %s", r.status, r.body)
	}
}

func TestPerAddressLimit(t *testing.T) {
	srv := newServerWith(t, 0, Options{Token: "tok", AddrRate: 2})
	codes := []int{}
	for i := range 3 {
		r := send(t, srv, "GET", "/v1/tournaments", "", "Authorization", "Bearer tok", "X-Actor-ID", fmt.Sprint("actor", i))
		codes = append(codes, r.status)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("statuses %v, want 200 200 429: one address, whatever actors it names", codes)
	}
	if r := send(t, srv, "GET", "/healthz", ""); r.status != 200 {
		t.Fatalf("healthz is not limited: %d", r.status)
	}
}

func TestExportImportOverHTTP(t *testing.T) {
	src, dst := newServer(t, "", 0), newServer(t, "", 0)
	c := NewClient(src.URL)
	ctx := context.Background()
	for id := int64(1); id <= 3; id++ {
		if _, err := c.Create(ctx, tournament.CreateParams{ID: id, Name: "x", MaxPlayers: 3, CreatorID: 1}); err != nil {
			t.Fatal(err)
		}
		c.AddPlayer(ctx, id, 1)
		c.AddPlayer(ctx, id, 2)
	}
	c.Start(ctx, 2, false)
	lines, err := c.Export(ctx)
	if err != nil || strings.Count(string(lines), "\n") != 3 {
		t.Fatalf("export: %q %v", lines, err)
	}
	n, err := NewClient(dst.URL).Import(ctx, strings.NewReader(string(lines)))
	if err != nil || n != 3 {
		t.Fatalf("import: %d %v", n, err)
	}
	again, _ := NewClient(dst.URL).Export(ctx)
	if string(again) != string(lines) {
		t.Fatalf("export after import differs:\n%s\n%s", lines, again)
	}
	r := send(t, dst, "POST", "/v1/import", string(lines)+string(lines))
	if r.status != 400 || !strings.Contains(string(r.body), "line 4") {
		t.Fatalf("duplicate ids in an import: %d %s", r.status, r.body)
	}
}

func TestCreateAnswers201WithLocation(t *testing.T) {
	srv := newServer(t, "", 0)
	r := send(t, srv, "POST", "/v1/tournaments", `{"id":42,"name":"My Tournament","max_players":8,"creator_id":123}`)
	if r.status != 201 || r.header.Get("Location") != "/v1/tournaments/42" {
		t.Fatalf("%d %v", r.status, r.header)
	}
	var got map[string]any
	_ = json.Unmarshal(r.body, &got)
	if got["status"] != "pending" || got["version"] != 1.0 || got["winner_id"] != nil {
		t.Fatalf("body %s", r.body)
	}
	if r := send(t, srv, "DELETE", "/v1/tournaments/42", ""); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("delete: %d %q", r.status, r.body)
	}
}

// FuzzRequests sends arbitrary bodies and paths to every endpoint: whatever
// comes in, the answer is never a 5xx and an error is always a JSON error.
func FuzzRequests(f *testing.F) {
	srv := newServer(f, "", 0)
	send(f, srv, "POST", "/v1/tournaments", `{"id":1,"name":"Cup","max_players":4,"creator_id":9}`)
	for _, s := range []string{`{"id":2,"name":"x","max_players":4,"creator_id":1}`, `{"user_id":3}`, `{"winner_id":1}`,
		`{"shuffle":true}`, `{"id":1e400}`, "\x00", `{"name":"\ud800"}`, `{"id":1,"id":2}`,
		`{"id":3,"name":"\u202egnp.exe","max_players":4,"creator_id":1}`, `{"id":9007199254740993,"name":"x","max_players":2,"creator_id":1}`,
		`{"id":4,"name":"\u200b","max_players":2,"creator_id":1}`, `{"a":{"b":1,"b":2}}`, `[{"x":1},{"x":1}]`,
		`{"id":5,"name":"s","max_players":9,"creator_id":1,"format":"swiss","rounds":3}`,
		`{"id":6,"name":"d","max_players":9,"creator_id":1,"format":"double_elimination","options":{"grand_final":"single"}}`,
		`{"id":7,"name":"r","max_players":9,"creator_id":1,"format":"round_robin","rounds":2,"options":{"rounds":1}}`,
		`{"url":"http://127.0.0.1:1/in","events":["game_finished"],"tournaments":[1]}`, `{"url":"http://[::1"}`,
		`{"user_id":4,"name":"Ann","rating":1820.5,"meta":{"a":"b","n":1},"members":[41,42]}`,
		`{"participants":[{"user_id":5},{"user_id":6,"name":"x\u0000"}]}`, `{"seeds":[3,4]}`, `{"a":3,"b":4}`,
		`{"seeding":"manual","seeds":[4,3]}`, `{"name":null,"rating":null,"meta":{},"members":null}`} {
		for ep := range uint8(10) {
			f.Add(ep, s)
		}
	}
	paths := []string{"/v1/tournaments", "/v1/tournaments/1/players", "/v1/tournaments/1/start",
		"/v1/tournaments/1/games/1/result", "/v1/import", "/v1/tournaments/1", "/v1/tournaments/1/players/3", "/v1/tournaments/", "/v1/webhooks",
		"/v1/tournaments/1/seeds/swap"}
	f.Fuzz(func(t *testing.T, ep uint8, body string) {
		path := paths[int(ep)%len(paths)]
		method := "POST"
		if int(ep) >= len(paths) {
			method = []string{"GET", "DELETE", "PUT", "PATCH"}[int(ep)%4]
			path = strings.TrimSuffix(path, "/") + "/" + strings.Trim(body, "/?#% \x00")[:min(10, len(strings.Trim(body, "/?#% \x00")))]
			if u, err := url.Parse(path); err != nil || pathpkg.Clean(u.Path) != strings.TrimSuffix(u.Path, "/") {
				return // "//", "." and ".." get net/http's redirect to the clean path
			}
		}
		if strings.TrimSpace(body) == "" {
			body = "" // blank is no body (the document has no schema for whitespace)
		}
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		if strings.HasSuffix(path, "/import") {
			req.Header.Set("Content-Type", "application/x-ndjson")
		}
		client := &http.Client{Transport: apicheck.Transport(t, srv.Client().Transport)}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, resp.StatusCode, b)
		}
		if resp.StatusCode >= 400 {
			var e errorJSON
			if json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
				t.Fatalf("%s %s: %d with a non-JSON error %q", method, path, resp.StatusCode, b)
			}
		}
	})
}

func TestEventsStreamAsServerSentEvents(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"x","max_players":2,"creator_id":1}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":5}`)
	if r := send(t, srv, "GET", "/v1/tournaments/9/events", ""); r.status != 404 {
		t.Fatalf("events of a missing tournament: %d", r.status)
	}
	if r := send(t, srv, "GET", "/v1/tournaments/1/events?after=garbage", ""); r.status != 400 {
		t.Fatalf("a garbage event id: %d, want 400 before the stream starts", r.status)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/tournaments/1/events?after=0", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":6}`)
	buf := make([]byte, 0, 4096)
	for strings.Count(string(buf), "\n\n") < 4 { // retry, then three events
		chunk := make([]byte, 1024)
		n, err := resp.Body.Read(chunk)
		if err != nil {
			t.Fatalf("after %q: %v", buf, err)
		}
		buf = append(buf, chunk[:n]...)
	}
	text := string(buf)
	for _, want := range []string{"retry: 1000\n\n", "id: p:1-0\nevent: tournament_created",
		"event: player_joined\ndata: {\"type\":\"player_joined\",\"tournament_id\":1,\"version\":2", "\"player_id\":6"} {
		if !strings.Contains(text, want) {
			t.Fatalf("stream lacks %q:\n%s", want, text)
		}
	}
}

func TestMetricsExposeRequestsAndFailoverState(t *testing.T) {
	srv := newServer(t, "secret", 0)
	send(t, srv, "GET", "/v1/tournaments/7", "", "Authorization", "Bearer secret")
	r := send(t, srv, "GET", "/metrics", "")
	if r.status != 200 {
		t.Fatalf("metrics: %d", r.status)
	}
	for _, want := range []string{
		`tourney_http_requests_total{code="404",method="GET",route="/v1/tournaments/{id}"} 1`,
		"tourney_breaker_state 0", "tourney_backend_fallback 0", "tourney_failovers_total 0",
		"tourney_http_request_duration_seconds_bucket",
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestStrictInput(t *testing.T) {
	srv := newServer(t, "", 0)
	for _, tc := range []struct{ path, body, want string }{
		{"/v1/tournaments", `{"id":1,"id":2,"name":"x","max_players":2,"creator_id":1}`, `field \"id\" appears twice`},
		{"/v1/tournaments", `{"id":9007199254740992,"name":"x","max_players":2,"creator_id":1}`, "9007199254740991"},
		{"/v1/tournaments", `{"id":1,"name":"\u202eevil","max_players":2,"creator_id":1}`, "format characters"},
		{"/v1/tournaments", `{"id":1,"name":"\ud800","max_players":2,"creator_id":1}`, "surrogates"},
		{"/v1/tournaments", `{"id":1,"name":"\u200b\u200b","max_players":2,"creator_id":1}`, "format characters"},
	} {
		r := send(t, srv, "POST", tc.path, tc.body)
		if r.status != 400 || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s: %d %s, want 400 naming %q", tc.body, r.status, r.body, tc.want)
		}
	}
	if r := send(t, srv, "GET", "/v1/tournaments/9007199254740992", ""); r.status != 400 {
		t.Errorf("a path id above 2^53-1: %d", r.status)
	}
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	srv := newServer(t, "secret", 0)
	for _, h := range []string{"Bearer secret", "bearer secret", "BEARER  secret"} {
		if r := send(t, srv, "GET", "/v1/tournaments", "", "Authorization", h); r.status != 200 {
			t.Errorf("%q: %d", h, r.status)
		}
	}
	if r := send(t, srv, "GET", "/v1/tournaments", "", "Authorization", "bearer SECRET"); r.status != 401 {
		t.Errorf("the token itself is case-sensitive: %d", r.status)
	}
}

// A body shorter than its Content-Length gets a 400 once the body timeout
// passes, naming no internal detail.
func TestAShortBodyIsAClearErrorNotAHang(t *testing.T) {
	srv := newServerWith(t, 0, Options{BodyTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/tournaments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":1")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "did not arrive") || strings.Contains(string(b), "127.0.0.1") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// Every route the server answers is in docs/openapi.yaml, with the same
// methods, and the document describes no route the server lacks.
func TestEveryRouteIsInTheOpenAPIDocument(t *testing.T) {
	doc, err := apicheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{"GET /metrics": true}
	for _, r := range (&server{}).routes() {
		path := strings.TrimSuffix(r.pattern, "{$}")
		for m := range r.methods {
			served[m+" "+path] = true
			item := doc.Paths.Find(path)
			if item == nil || item.GetOperation(m) == nil {
				t.Errorf("%s %s is served but not in docs/openapi.yaml", m, path)
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			if !served[m+" "+path] {
				t.Errorf("docs/openapi.yaml describes %s %s, which the server does not answer", m, path)
			}
		}
	}
}

func TestTheDocumentIsServedWithoutAToken(t *testing.T) {
	srv := newServer(t, "secret", 0)
	for _, path := range []string{"/openapi.yaml", "/openapi.json", "/docs/api", "/"} {
		if r := send(t, srv, "GET", path, ""); r.status != 200 || len(r.body) < 100 {
			t.Errorf("%s: %d (%d bytes)", path, r.status, len(r.body))
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(send(t, srv, "GET", "/openapi.json", "").body, &doc); err != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json: %v %v", doc["openapi"], err)
	}
}

func TestPreferMinimalAndETags(t *testing.T) {
	srv := newServer(t, "", 0)
	min := []string{"Prefer", "return=minimal"}
	r := send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"x","max_players":4,"creator_id":1}`, min...)
	if r.status != 201 || r.header.Get("Preference-Applied") != "return=minimal" || string(r.body) != `{"id":1,"version":1,"events":[{"type":"tournament_created","tournament_id":1,"version":1,"player_id":1,"at":`+string(r.body[len(`{"id":1,"version":1,"events":[{"type":"tournament_created","tournament_id":1,"version":1,"player_id":1,"at":`):]) {
		t.Fatalf("minimal create: %d %s %v", r.status, r.body, r.header)
	}
	r = send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":5}`, min...)
	var m minimalReply
	if err := json.Unmarshal(r.body,
		&m); err != nil || r.status != 200 || m.Version != 2 || len(m.Events) != 1 || m.Events[0].PlayerID != 5 {
		t.Fatalf("minimal join: %d %s", r.status, r.body)
	}
	full := send(t, srv, "GET", "/v1/tournaments/1", "")
	tag := full.header.Get("ETag")
	if full.status != 200 || tag == "" || tag[0] != '"' {
		t.Fatalf("GET: %d ETag %q", full.status, tag)
	}
	if r := send(t, srv, "GET", "/v1/tournaments/1", "", "If-None-Match", `"other", `+tag); r.status != 304 || len(r.body) != 0 {
		t.Fatalf("If-None-Match with the current tag: %d %q", r.status, r.body)
	}
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":6}`)
	if r := send(t, srv, "GET", "/v1/tournaments/1", "", "If-None-Match", tag); r.status != 200 || r.header.Get("ETag") == tag {
		t.Fatalf("a stale tag: %d %s", r.status, r.header.Get("ETag"))
	}
}

func TestFormatsAndStandingsOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	for _, c := range []struct{ body, code, want string }{
		{`{"id":1,"name":"x","max_players":8,"creator_id":1,"format":"ladder"}`, "invalid_argument", `format \"ladder\" is not one of`},
		{`{"id":1,"name":"x","max_players":8,"creator_id":1,"format":"swiss","grand_final":"reset"}`,
			"invalid_argument", "grand_final applies to format double_elimination only"},
		{`{"id":1,"name":"x","max_players":8,"creator_id":1,"rounds":2,"options":{"rounds":2}}`, "invalid_argument",
			"either at the top level or in"},
		{`{"id":1,"name":"x","max_players":8,"creator_id":1,"format":"swiss","options":{"bogus":1}}`, "invalid_argument", "bogus"},
	} {
		r := send(t, srv, "POST", "/v1/tournaments", c.body)
		if r.status != 400 || errorCode(t, r) != c.code || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s, want 400 %s naming %q", c.body, r.status, r.body, c.code, c.want)
		}
	}
	// Both forms of the options create the same tournament.
	a := send(t, srv, "POST", "/v1/tournaments",
		`{"id":1,"name":"a","max_players":8,"creator_id":1,"format":"double_elimination","grand_final":"single"}`)
	b := send(t, srv, "POST", "/v1/tournaments",
		`{"id":2,"name":"b","max_players":8,"creator_id":1,"format":"double_elimination","options":{"grand_final":"single"}}`)
	for _, r := range []reply{a, b} {
		if r.status != 201 || !strings.Contains(string(r.body), `"format":"double_elimination","options":{"grand_final":"single"}`) {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}
	for u := 1; u <= 5; u++ {
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u))
	}
	send(t, srv, "POST", "/v1/tournaments/1/start", "")
	for {
		var tr tournament.Tournament
		r := send(t, srv, "GET", "/v1/tournaments/1", "")
		if err := json.Unmarshal(r.body, &tr); err != nil {
			t.Fatal(err)
		}
		if tr.Status != tournament.StatusActive {
			break
		}
		g := tr.ActiveGames()[0]
		send(t, srv, "POST", fmt.Sprintf("/v1/tournaments/1/games/%d/result", g.GameID), fmt.Sprintf(`{"winner_id":%d}`, g.Player1))
	}
	r := send(t, srv, "GET", "/v1/tournaments/1/standings", "")
	var st tournament.Standings
	if err := json.Unmarshal(r.body,
		&st); err != nil || r.status != 200 || !st.Final || len(st.Standings) != 5 || st.Standings[0].Place != 1 || st.Standings[0].PlayerID != 1 {
		t.Fatalf("standings: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "GET", "/v1/tournaments/99/standings", ""); r.status != 404 {
		t.Fatalf("standings of a missing tournament: %d", r.status)
	}
}

func TestCorrectionAndEndOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"c","max_players":4,"creator_id":1}`)
	for u := 1; u <= 4; u++ {
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u))
	}
	send(t, srv, "POST", "/v1/tournaments/1/start", "")
	send(t, srv, "POST", "/v1/tournaments/1/games/1/result", `{"winner_id":1}`)
	send(t, srv, "POST", "/v1/tournaments/1/games/2/result", `{"winner_id":2}`)
	send(t, srv, "POST", "/v1/tournaments/1/games/3/result", `{"winner_id":1}`)
	var dry Correction
	r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct", `{"winner_id":4,"dry_run":true}`)
	if err := json.Unmarshal(r.body,
		&dry); err != nil || r.status != 200 || !dry.DryRun || dry.Tournament != nil || !dry.Impact.Reopens || dry.Impact.Version != 9 || len(dry.Impact.Reset) != 1 {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "GET", "/v1/tournaments/1", ""); !strings.Contains(string(r.body), `"status":"completed"`) {
		t.Fatalf("the dry run changed the tournament: %s", r.body)
	}
	r = send(t, srv, "POST", "/v1/tournaments/1/games/1/correct", `{"winner_id":4,"expected_version":8}`)
	if r.status != 409 || errorCode(t, r) != "failed_precondition" || !strings.Contains(string(r.body), "version 9, not 8") {
		t.Fatalf("a stale correction: %d %s", r.status, r.body)
	}
	var done Correction
	r = send(t, srv, "POST", "/v1/tournaments/1/games/1/correct", fmt.Sprintf(`{"winner_id":4,"expected_version":%d}`, dry.Impact.Version))
	if err := json.Unmarshal(r.body,
		&done); err != nil || r.status != 200 || done.Tournament == nil || done.Tournament.Status != tournament.StatusActive ||
		len(done.Impact.Reset) != 1 || done.Impact.Reset[0].GameID != 3 {
		t.Fatalf("correction: %d %s", r.status, r.body)
	}
	for body, code := range map[string]string{`{}`: "invalid_argument", `{"winner_id":9}`: "invalid_argument",
		`{"winner_id":4,"expected_version":-1}`: "invalid_argument"} {
		if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct", body); r.status != 400 || errorCode(t, r) != code {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/3/correct", `{"winner_id":4}`); r.status != 409 {
		t.Errorf("correcting a game not played (again): %d %s", r.status, r.body)
	}
	r = send(t, srv, "POST", "/v1/tournaments/1/end", "")
	if r.status != 200 || !strings.Contains(string(r.body), `"ended":true`) || !strings.Contains(string(r.body), `"status":"cancelled"`) {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/end", ""); r.status != 409 {
		t.Fatalf("ending twice: %d %s", r.status, r.body)
	}
}

func TestForfeitsAndDisqualificationOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"f","max_players":8,"creator_id":1,"format":"swiss","rounds":2}`)
	for u := 1; u <= 6; u++ {
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u))
	}
	send(t, srv, "POST", "/v1/tournaments/1/start", "")
	var tr tournament.Tournament
	json.Unmarshal(send(t, srv, "GET", "/v1/tournaments/1", "").body, &tr)
	g1, g2, g3 := tr.Rounds[0].Games[0], tr.Rounds[0].Games[1], tr.Rounds[0].Games[2]
	if r := send(t, srv, "POST", fmt.Sprintf("/v1/tournaments/1/games/%d/result", g1.GameID),
		fmt.Sprintf(`{"winner_id":%d,"forfeit":true}`,
			g1.Player2)); r.status != 200 || !strings.Contains(string(r.body), `"forfeit":true`) {
		t.Fatalf("forfeit: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", fmt.Sprintf("/v1/tournaments/1/games/%d/result", g2.GameID), `{"forfeit":true}`); r.status != 200 {
		t.Fatalf("double forfeit: %d %s", r.status, r.body)
	}
	for body, code := range map[string]string{`{"forfeit":true,"loser_id":3}`: "invalid_argument", `{}`: "invalid_argument"} {
		if r := send(t, srv, "POST", fmt.Sprintf("/v1/tournaments/1/games/%d/result", g3.GameID),
			body); r.status != 400 || errorCode(t, r) != code {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	r := send(t, srv, "POST", fmt.Sprintf("/v1/tournaments/1/players/%d/disqualify", g3.Player1), "")
	if r.status != 200 || !strings.Contains(string(r.body), `"reason":"disqualified"`) {
		t.Fatalf("disqualify: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/players/99/disqualify", ""); r.status != 404 {
		t.Fatalf("disqualifying a stranger: %d %s", r.status, r.body)
	}
	// A withdrawal from the active tournament.
	if r := send(t, srv, "DELETE", fmt.Sprintf("/v1/tournaments/1/players/%d", g1.Player2),
		""); r.status != 200 || !strings.Contains(string(r.body), `"reason":"withdrew"`) {
		t.Fatalf("withdrawal: %d %s", r.status, r.body)
	}
	json.Unmarshal(send(t, srv, "GET", "/v1/tournaments/1", "").body, &tr)
	// The disqualification finished round 1, so round 2 was paired without
	// the disqualified player; the withdrawal came in round 2 and forfeited
	// the withdrawn player's game.
	for _, g := range tr.Rounds[1].Games {
		if g.Player1 == g3.Player1 || g.Player2 == g3.Player1 {
			t.Fatalf("round 2 pairs the disqualified player: %+v", g)
		}
		if (g.Player1 == g1.Player2 || g.Player2 == g1.Player2) && (!g.Forfeit || *g.LoserID != g1.Player2) {
			t.Fatalf("the withdrawn player's game is not forfeited: %+v", g)
		}
	}
}

func TestCallAndStartOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"s","max_players":4,"creator_id":1}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":1}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":2}`)
	if r := send(t, srv, "POST", "/v1/tournaments/1/start", ""); !strings.Contains(string(r.body), `"state":"ready"`) {
		t.Fatalf("start: %s", r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/call",
		""); r.status != 200 || !strings.Contains(string(r.body), `"state":"called"`) || !strings.Contains(string(r.body), `"called_at"`) {
		t.Fatalf("call: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/start", "", "Prefer",
		"return=minimal"); r.status != 200 || !strings.Contains(string(r.body), `"type":"game_started"`) {
		t.Fatalf("start game: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/call", ""); r.status != 409 {
		t.Fatalf("calling a game in progress: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/7/start", ""); r.status != 404 {
		t.Fatalf("starting a missing game: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/result",
		`{"winner_id":2}`); !strings.Contains(string(r.body), `"state":"completed"`) {
		t.Fatalf("result: %s", r.body)
	}
}

func TestCheckInOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	if r := send(t, srv, "POST", "/v1/tournaments",
		`{"id":1,"name":"c","max_players":4,"creator_id":1,"check_in":"soon"}`); r.status != 400 || !strings.Contains(string(r.body), "check_in") {
		t.Fatalf("a bad check_in: %d %s", r.status, r.body)
	}
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"c","max_players":4,"creator_id":1,"check_in":"10m"}`)
	for u := 1; u <= 3; u++ {
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u))
	}
	for _, u := range []int{1, 3} {
		if r := send(t, srv, "POST", fmt.Sprintf("/v1/tournaments/1/players/%d/check-in", u), ""); r.status != 200 {
			t.Fatalf("check-in: %d %s", r.status, r.body)
		}
	}
	r := send(t, srv, "POST", "/v1/tournaments/1/start", "")
	if r.status != 200 || !strings.Contains(string(r.body), `"players":[1,3]`) {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/players/1/check-in", ""); r.status != 409 {
		t.Fatalf("a check-in after the start: %d %s", r.status, r.body)
	}
}

func TestScoresOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	if r := send(t, srv, "POST", "/v1/tournaments",
		`{"id":1,"name":"b","max_players":4,"creator_id":1,"best_of":4}`); r.status != 400 || !strings.Contains(string(r.body), "best_of") {
		t.Fatalf("best_of 4: %d %s", r.status, r.body)
	}
	r := send(t, srv, "POST", "/v1/tournaments",
		`{"id":1,"name":"b","max_players":4,"creator_id":1,"best_of":3,"best_of_by_round":{"2":5}}`)
	if r.status != 201 || !strings.Contains(string(r.body), `"best_of":3,"best_of_by_round":{"2":5}`) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	for u := 1; u <= 4; u++ {
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u))
	}
	send(t, srv, "POST", "/v1/tournaments/1/start", "")
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/result",
		`{"winner_id":1,"scores":[[11,7]]}`); r.status != 400 || !strings.Contains(string(r.body), "best-of-3") {
		t.Fatalf("too few games: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/result",
		`{"winner_id":1,"scores":[[11,7],[9,11],[11,5]]}`); r.status != 200 || !strings.Contains(string(r.body),
		`"scores":[[11,7],[9,11],[11,5]]`) {
		t.Fatalf("result: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct",
		`{"winner_id":1,"scores":[[11,7],[11,5]]}`); r.status != 200 || !strings.Contains(string(r.body), `"scores":[[11,7],[11,5]]`) {
		t.Fatalf("a correction of the scores only: %d %s", r.status, r.body)
	}
	var st tournament.Standings
	json.Unmarshal(send(t, srv, "GET", "/v1/tournaments/1/standings", "").body, &st)
	for _, s := range st.Standings {
		if s.PlayerID == 1 && (s.GamesWon != 2 || s.GamesLost != 0) {
			t.Fatalf("standing %+v", s)
		}
	}
}

// A refusal's reason reaches the client, so that a caller can tell "had no
// effect, retry as it is" from "outcome unknown".
func TestErrorReasonCrossesHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, host.Refused("the redis backend is unavailable and TOURNEY_FALLBACK=off"))
	}))
	t.Cleanup(srv.Close)
	_, err := NewClient(srv.URL).Get(context.Background(), 1)
	var de *tournament.Error
	if !errors.As(err, &de) || de.Code != tournament.CodeUnavailable || de.Reason != host.ReasonNotApplied {
		t.Fatalf("got %#v, want unavailable with reason %q", err, host.ReasonNotApplied)
	}
}

func TestMalformedScoresAreRefusedNamingTheEntry(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"s","max_players":4,"creator_id":1}`)
	for u := 1; u <= 4; u++ {
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u))
	}
	send(t, srv, "POST", "/v1/tournaments/1/start", "")
	send(t, srv, "POST", "/v1/tournaments/1/games/2/result", `{"winner_id":2}`)
	for _, route := range []string{"/v1/tournaments/1/games/1/result", "/v1/tournaments/1/games/2/correct"} {
		winner := map[string]int{"/v1/tournaments/1/games/1/result": 1, "/v1/tournaments/1/games/2/correct": 2}[route]
		for scores, names := range map[string]string{
			`[[11]]`:           "scores[0]",
			`[[11,7,99]]`:      "scores[0]",
			`[[]]`:             "scores[0]",
			`[[11,7],[-1,11]]`: "scores[1]",
			`[[11,7.5]]`:       "scores[0]",
			`[["11","7"]]`:     "scores[0]",
			`[[11,7],null]`:    "scores[1]",
			`{"a":1}`:          "scores must be a list",
			`7`:                "scores must be a list",
		} {
			r := send(t, srv, "POST", route, fmt.Sprintf(`{"winner_id":%d,"scores":%s}`, winner, scores))
			if r.status != 400 || errorCode(t, r) != "invalid_argument" || !strings.Contains(string(r.body), names) {
				t.Errorf("%s scores %s: %d %s", route, scores, r.status, r.body)
			}
		}
	}
	var tr tournament.Tournament
	json.Unmarshal(send(t, srv, "GET", "/v1/tournaments/1", "").body, &tr)
	if g := tr.Game(1); g.Status != tournament.GameActive {
		t.Fatalf("a refused result changed game 1: %+v", g)
	}
}

func TestCorrectionsToAndFromForfeitsOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"f","max_players":4,"creator_id":1}`)
	for u := 1; u <= 4; u++ {
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u))
	}
	send(t, srv, "POST", "/v1/tournaments/1/start", "")
	// A double forfeit entered by mistake: corrected to a result.
	send(t, srv, "POST", "/v1/tournaments/1/games/1/result", `{"forfeit":true}`)
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/result", `{"winner_id":1}`); r.status != 409 {
		t.Fatalf("a result over a double forfeit: %d %s", r.status, r.body)
	}
	r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct", `{"winner_id":4,"dry_run":true}`)
	if r.status != 200 || !strings.Contains(string(r.body), `"changes":true`) {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct",
		`{"winner_id":4}`); r.status != 200 || !strings.Contains(string(r.body), `"winner_id":4,"loser_id":1`) {
		t.Fatalf("correcting the double forfeit: %d %s", r.status, r.body)
	}
	// A result corrected to a walkover, and to a double forfeit again.
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct",
		`{"winner_id":4,"forfeit":true}`); r.status != 200 || !strings.Contains(string(r.body), `"forfeit":true`) {
		t.Fatalf("to a walkover: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct", `{"forfeit":true}`); r.status != 200 {
		t.Fatalf("to a double forfeit: %d %s", r.status, r.body)
	}
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/1/correct",
		`{}`); r.status != 400 || !strings.Contains(string(r.body), "winner_id") {
		t.Fatalf("a correction naming nothing: %d %s", r.status, r.body)
	}
	// A disqualification's walkover has nothing to correct.
	send(t, srv, "POST", "/v1/tournaments/1/players/3/disqualify", "")
	if r := send(t, srv, "POST", "/v1/tournaments/1/games/2/correct",
		`{"winner_id":3}`); r.status != 409 || !strings.Contains(string(r.body), "leaving the tournament") {
		t.Fatalf("correcting a disqualification: %d %s", r.status, r.body)
	}
}
