package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/tournament"
)

// Body limits. Import takes more than other calls because an export of a
// busy host is larger than 1 MiB.
const (
	MaxBody       = 1 << 20
	MaxImportBody = 64 << 20
	maxActorLen   = 128
)

// Options configure the handler.
type Options struct {
	Token  string // when set, every /v1 call needs Authorization: Bearer <Token>
	Logger hclog.Logger
	// BodyTimeout bounds the reading of a request body (default 10 s): a
	// client that sends less than its Content-Length gets a 400 then.
	BodyTimeout time.Duration
	// AddrRate limits /v1 calls per second per client address on this
	// host (0 = off); burst = the rate. Over it a call is rate_limited.
	AddrRate int
	// ShuttingDown, when closed, ends every event stream at once with a
	// final `event: shutdown`, so that a server shutting down need not wait
	// for them (wire it to http.Server.RegisterOnShutdown).
	ShuttingDown <-chan struct{}
	// WSQueue bounds each WebSocket client's send queue (default 256
	// messages): a client that lets it fill is disconnected.
	WSQueue int
	// PublicPages serves the bracket pages (/t/{id}) and the list of live
	// tournaments (/) without the API token.
	PublicPages bool
	// FrameAncestors is who may embed the bracket pages in a frame: the
	// Content-Security-Policy's frame-ancestors sources ("" = 'self').
	FrameAncestors string
}

type server struct {
	h        *host.Host
	opts     Options
	addrs    *addrLimiter
	logger   hclog.Logger
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

type route struct {
	pattern string
	methods map[string]http.HandlerFunc
}

// NewHandler returns the HTTP API over h.
func NewHandler(h *host.Host, opts Options) http.Handler {
	s := &server{h: h, opts: opts, logger: opts.Logger, addrs: newAddrLimiter(opts.AddrRate),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tourney_http_requests_total",
			Help: "HTTP requests by route, method and status code."}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tourney_http_request_duration_seconds",
			Help:    "HTTP request latency by route and method.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}, []string{"route", "method"}),
	}
	if s.logger == nil {
		s.logger = hclog.NewNullLogger()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(h, s.requests, s.latency, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	for _, r := range s.routes() {
		mux.Handle(r.pattern, s.instrument(r.pattern, s.methods(r)))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, tournament.Errorf(tournament.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return s.guard(mux)
}

// routes is every route the server answers (besides GET /metrics), each
// with its methods; docs/openapi.yaml describes each one (a test checks).
func (s *server) routes() []route {
	return []route{
		{"/v1/tournaments", map[string]http.HandlerFunc{"GET": s.list, "POST": s.create}},
		{"/v1/tournaments/{id}", map[string]http.HandlerFunc{"GET": s.get, "DELETE": s.remove}},
		{"/v1/tournaments/{id}/players", map[string]http.HandlerFunc{"POST": s.addPlayer}},
		{"/v1/tournaments/{id}/players/{user_id}", map[string]http.HandlerFunc{"DELETE": s.removePlayer, "PATCH": s.updatePlayer}},
		{"/v1/tournaments/{id}/seeds", map[string]http.HandlerFunc{"PUT": s.setSeeds}},
		{"/v1/tournaments/{id}/seeds/swap", map[string]http.HandlerFunc{"POST": s.swapSeeds}},
		{"/v1/tournaments/{id}/start", map[string]http.HandlerFunc{"POST": s.start}},
		{"/v1/tournaments/{id}/games/{game_id}/result", map[string]http.HandlerFunc{"POST": s.result}},
		{"/v1/tournaments/{id}/standings", map[string]http.HandlerFunc{"GET": s.standings}},
		{"/v1/tournaments/{id}/games/{game_id}/correct", map[string]http.HandlerFunc{"POST": s.correct}},
		{"/v1/tournaments/{id}/end", map[string]http.HandlerFunc{"POST": s.end}},
		{"/v1/tournaments/{id}/games/{game_id}/call", map[string]http.HandlerFunc{"POST": s.step("game_id", s.h.CallGame)}},
		{"/v1/tournaments/{id}/games/{game_id}/start", map[string]http.HandlerFunc{"POST": s.step("game_id", s.h.StartGame)}},
		{"/v1/tournaments/{id}/players/{user_id}/disqualify", map[string]http.HandlerFunc{"POST": s.step("user_id", s.h.Disqualify)}},
		{"/v1/tournaments/{id}/players/{user_id}/check-in", map[string]http.HandlerFunc{"POST": s.step("user_id", s.h.CheckIn)}},
		{"/v1/tournaments/{id}/events", map[string]http.HandlerFunc{"GET": s.events}},
		{"/v1/tournaments/{id}/ws", map[string]http.HandlerFunc{"GET": s.tournamentWS}},
		{"/v1/ws", map[string]http.HandlerFunc{"GET": s.multiWS}},
		{"/v1/tournaments/{id}/conflicts", map[string]http.HandlerFunc{"GET": s.conflicts}},
		{"/v1/players/{user_id}/tournaments", map[string]http.HandlerFunc{"GET": s.playerTournaments}},
		{"/v1/webhooks", map[string]http.HandlerFunc{"GET": s.listWebhooks, "POST": s.createWebhook}},
		{"/v1/webhooks/{webhook_id}", map[string]http.HandlerFunc{"GET": s.getWebhook, "DELETE": s.deleteWebhook}},
		{"/v1/webhooks/{webhook_id}/deliveries", map[string]http.HandlerFunc{"GET": s.webhookDeliveries}},
		{"/v1/export", map[string]http.HandlerFunc{"GET": s.export}},
		{"/v1/import", map[string]http.HandlerFunc{"POST": s.importLines}},
		{"/v1/status", map[string]http.HandlerFunc{"GET": s.status}},
		{"/healthz", map[string]http.HandlerFunc{"GET": s.healthz}},
		{"/readyz", map[string]http.HandlerFunc{"GET": s.readyz}},
		{"/openapi.yaml", map[string]http.HandlerFunc{"GET": s.openAPIYAML}},
		{"/openapi.json", map[string]http.HandlerFunc{"GET": s.openAPIJSON}},
		{"/docs/api", map[string]http.HandlerFunc{"GET": s.apiView}},
		{"/{$}", map[string]http.HandlerFunc{"GET": s.index}},
		{"/t/{id}", map[string]http.HandlerFunc{"GET": s.bracketPage}},
		{"/t/{id}/state", map[string]http.HandlerFunc{"GET": s.pageState}},
		{"/t/{id}/events", map[string]http.HandlerFunc{"GET": s.pageEvents}},
	}
}

// instrument counts and times the requests of one route.
func (s *server) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
		s.latency.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Flush lets Server-Sent Events through the recorder.
// Unwrap lets http.ResponseController reach the connection (read
// deadlines for bodies).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// methods dispatches on the method so that a wrong one gets a JSON 405.
func (s *server) methods(r route) http.Handler {
	allowed := make([]string, 0, len(r.methods))
	for m := range r.methods {
		allowed = append(allowed, m)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fn, ok := r.methods[req.Method]
		if !ok && req.Method == http.MethodHead {
			fn, ok = r.methods[http.MethodGet]
		}
		if !ok {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, errorBody(string(tournament.CodeInvalidArgument),
				fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", req.Method, r.pattern, strings.Join(allowed, ", "))))
			return
		}
		fn(w, req)
	})
}
