package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/shared/tournament"
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
			Help: "HTTP request latency by route and method.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}, []string{"route", "method"}),
	}
	if s.logger == nil {
		s.logger = hclog.NewNullLogger()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(h, s.requests, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
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
		{"/v1/tournaments/{id}/players/{user_id}", map[string]http.HandlerFunc{"DELETE": s.removePlayer}},
		{"/v1/tournaments/{id}/start", map[string]http.HandlerFunc{"POST": s.start}},
		{"/v1/tournaments/{id}/games/{game_id}/result", map[string]http.HandlerFunc{"POST": s.result}},
		{"/v1/tournaments/{id}/standings", map[string]http.HandlerFunc{"GET": s.standings}},
		{"/v1/tournaments/{id}/games/{game_id}/correct", map[string]http.HandlerFunc{"POST": s.correct}},
		{"/v1/tournaments/{id}/end", map[string]http.HandlerFunc{"POST": s.end}},
		{"/v1/tournaments/{id}/games/{game_id}/call", map[string]http.HandlerFunc{"POST": s.gameStep(s.h.CallGame)}},
		{"/v1/tournaments/{id}/games/{game_id}/start", map[string]http.HandlerFunc{"POST": s.gameStep(s.h.StartGame)}},
		{"/v1/tournaments/{id}/players/{user_id}/disqualify", map[string]http.HandlerFunc{"POST": s.playerStep(s.h.Disqualify)}},
		{"/v1/tournaments/{id}/players/{user_id}/check-in", map[string]http.HandlerFunc{"POST": s.playerStep(s.h.CheckIn)}},
		{"/v1/tournaments/{id}/events", map[string]http.HandlerFunc{"GET": s.events}},
		{"/v1/tournaments/{id}/conflicts", map[string]http.HandlerFunc{"GET": s.conflicts}},
		{"/v1/players/{user_id}/tournaments", map[string]http.HandlerFunc{"GET": s.playerTournaments}},
		{"/v1/export", map[string]http.HandlerFunc{"GET": s.export}},
		{"/v1/import", map[string]http.HandlerFunc{"POST": s.importLines}},
		{"/v1/status", map[string]http.HandlerFunc{"GET": s.status}},
		{"/healthz", map[string]http.HandlerFunc{"GET": s.healthz}},
		{"/readyz", map[string]http.HandlerFunc{"GET": s.readyz}},
		{"/openapi.yaml", map[string]http.HandlerFunc{"GET": s.openAPIYAML}},
		{"/openapi.json", map[string]http.HandlerFunc{"GET": s.openAPIJSON}},
		{"/docs/api", map[string]http.HandlerFunc{"GET": s.apiView}},
		{"/{$}", map[string]http.HandlerFunc{"GET": s.index}},
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

// guard checks the bearer token on /v1 calls and sets the caller's actor.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Token != "" && strings.HasPrefix(r.URL.Path, "/v1/") {
			// The scheme is case-insensitive (RFC 9110); the token is not.
			scheme, got, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
			got = strings.TrimSpace(got)
			if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tourney"`)
				writeError(w, tournament.Errorf(tournament.CodeUnauthenticated, "missing or wrong bearer token"))
				return
			}
		}
		actor, err := actorOf(r, s.opts.Token != "")
		if err != nil {
			writeError(w, err)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			if err := s.addrs.admit(clientAddr(r), time.Now()); err != nil {
				writeError(w, err)
				return
			}
		}
		ctx := context.WithValue(host.WithActor(r.Context(), actor), bodyTimeoutKey{}, s.opts.BodyTimeout)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// actorOf is the caller's identity for rate limits. X-Actor-ID is trusted
// only from callers holding the API token (a game server speaking for its
// players): anyone else could rotate it at will, so without a token the
// identity is the client address and the header is ignored.
func actorOf(r *http.Request, trusted bool) (string, error) {
	if a := r.Header.Get("X-Actor-ID"); a != "" {
		if len(a) > maxActorLen || strings.IndexFunc(a, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
			return "", tournament.Errorf(tournament.CodeInvalidArgument, "X-Actor-ID must be at most %d printable characters", maxActorLen)
		}
		if trusted {
			return a, nil
		}
	}
	return "addr:" + clientAddr(r), nil
}

func clientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// HTTPStatus maps a domain error code to its HTTP status.
func HTTPStatus(code tournament.Code) int {
	switch code {
	case tournament.CodeInvalidArgument:
		return http.StatusBadRequest
	case tournament.CodeUnauthenticated:
		return http.StatusUnauthorized
	case tournament.CodeNotFound:
		return http.StatusNotFound
	case tournament.CodeAlreadyExists, tournament.CodeFailedPrecondition, tournament.CodeAborted:
		return http.StatusConflict
	case tournament.CodeRateLimited:
		return http.StatusTooManyRequests
	case tournament.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func errorBody(code, msg string) errorJSON {
	var e errorJSON
	e.Error.Code, e.Error.Message = code, msg
	return e
}

func writeError(w http.ResponseWriter, err error) {
	var de *tournament.Error
	switch {
	case errors.As(err, &de):
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		de = tournament.Errorf(tournament.CodeUnavailable, "the backend did not answer in time")
	default:
		de = tournament.Errorf(tournament.CodeInternal, "internal error")
	}
	if de.Code == tournament.CodeInternal {
		// The detail is in the host's log; a client gets a stable text.
		de = &tournament.Error{Code: tournament.CodeInternal, Message: "internal error; the host's log has the details"}
	}
	if de.Code == tournament.CodeRateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(de.RetryAfter, time.Second).Seconds()))))
	}
	msg := de.Message
	if msg == "" {
		msg = string(de.Code)
	}
	writeJSON(w, HTTPStatus(de.Code), errorBody(string(de.Code), msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > tournament.MaxID {
		return 0, tournament.Errorf(tournament.CodeInvalidArgument, "%s in the path must be an integer from 1 to %d, got %q", name, int64(tournament.MaxID), v)
	}
	return n, nil
}

// decode reads one JSON object of type T from the body: at most MaxBody
// bytes, no unknown fields, nothing after it. An empty body is allowed when
// optional.
func decode[T any](w http.ResponseWriter, r *http.Request, optional bool) (T, error) {
	var v T
	body, err := readBody(w, r, MaxBody, bodyTimeout(r))
	if err != nil {
		return v, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return v, nil
		}
		return v, tournament.Errorf(tournament.CodeInvalidArgument, "request body is empty; want a JSON object")
	}
	if key, dup := duplicateKey(body); dup {
		return v, tournament.Errorf(tournament.CodeInvalidArgument, "field %q appears twice in the request body", key)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return v, tournament.Errorf(tournament.CodeInvalidArgument, "request body has data after the JSON object")
	}
	return v, nil
}

// bodyReadTimeout is the default of Options.BodyTimeout.
const bodyReadTimeout = 10 * time.Second

type bodyTimeoutKey struct{}

func bodyTimeout(r *http.Request) time.Duration {
	if d, _ := r.Context().Value(bodyTimeoutKey{}).(time.Duration); d > 0 {
		return d
	}
	return bodyReadTimeout
}

// readBody reads at most limit bytes of the body within timeout.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) ([]byte, error) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, bodyError(err, timeout)
	}
	return body, nil
}

// bodyError names what went wrong reading a body, and nothing internal
// (no socket addresses).
func bodyError(err error, timeout time.Duration) error {
	var mb *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mb):
		return &tooLargeError{limit: mb.Limit}
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return tournament.Errorf(tournament.CodeInvalidArgument, "the request body did not arrive within %v (is it shorter than its Content-Length?)", timeout)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tournament.Errorf(tournament.CodeInvalidArgument, "the request body ended before its Content-Length")
	}
	return tournament.Errorf(tournament.CodeInvalidArgument, "the request body could not be read")
}

// duplicateKey reports the first key that appears twice in one JSON
// object of body (at any depth). encoding/json would keep the last one
// silently. Malformed JSON is left to the decoder to report.
func duplicateKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys   map[string]bool
		object bool
		expect bool // an object expects a key next
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, frame{keys: map[string]bool{}, object: true, expect: true})
				continue
			case '[':
				stack = append(stack, frame{})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		} else if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expect {
			key, _ := tok.(string)
			if stack[n-1].keys[key] {
				return key, true
			}
			stack[n-1].keys[key] = true
			stack[n-1].expect = false
			continue
		}
		// A value ended: the enclosing object expects a key again.
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expect = true
		}
		if len(stack) == 0 {
			return "", false
		}
	}
}

// tooLargeError is invalid_argument with status 413.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("request body is larger than %d bytes", e.limit)
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return tournament.Errorf(tournament.CodeInvalidArgument, "malformed JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return tournament.Errorf(tournament.CodeInvalidArgument, "request body must be a JSON object, got %s", typ.Value)
		}
		return tournament.Errorf(tournament.CodeInvalidArgument, "field %q must be %s, got %s", typ.Field, typeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tournament.Errorf(tournament.CodeInvalidArgument, "malformed JSON: unexpected end of body")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return tournament.Errorf(tournament.CodeInvalidArgument, "unknown field %s", f)
	}
	return tournament.Errorf(tournament.CodeInvalidArgument, "invalid JSON: %s", msg)
}

func typeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"):
		return "an integer"
	case kind == "bool":
		return "true or false"
	case kind == "string":
		return "a string"
	}
	return kind
}

// respond writes a result or the error.
func (s *server) respond(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		var tl *tooLargeError
		if errors.As(err, &tl) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody(string(tournament.CodeInvalidArgument), tl.Error()))
			return
		}
		if tournament.CodeOf(err) == tournament.CodeInternal {
			s.logger.Error("internal error", "error", err)
		}
		writeError(w, err)
		return
	}
	writeJSON(w, status, v)
}

// createBody is a create request. A format's options come either at the
// top level (third_place_match, grand_final, rounds) or as the object
// "options" that a tournament's JSON shows; not both.
type createBody struct {
	ID              int64               `json:"id"`
	Name            string              `json:"name"`
	MaxPlayers      int                 `json:"max_players"`
	CreatorID       int64               `json:"creator_id"`
	TTLProfile      string              `json:"ttl_profile"`
	Format          tournament.Format   `json:"format"`
	ThirdPlaceMatch bool                `json:"third_place_match"`
	GrandFinal      string              `json:"grand_final"`
	Rounds          int                 `json:"rounds"`
	Options         *tournament.Options `json:"options"`
	CheckIn         string              `json:"check_in"`
	StartsAt        *time.Time          `json:"starts_at"`
	BestOf          int                 `json:"best_of"`
	BestOfByRound   map[int]int         `json:"best_of_by_round"`
}

func (b createBody) params() (tournament.CreateParams, error) {
	p := tournament.CreateParams{ID: b.ID, Name: b.Name, MaxPlayers: b.MaxPlayers, CreatorID: b.CreatorID, TTLProfile: b.TTLProfile,
		Format: b.Format, Options: tournament.Options{ThirdPlaceMatch: b.ThirdPlaceMatch, GrandFinal: b.GrandFinal, Rounds: b.Rounds},
		CheckIn: b.CheckIn, StartsAt: b.StartsAt, BestOf: b.BestOf, BestOfByRound: b.BestOfByRound}
	if b.Options != nil {
		if p.Options != (tournament.Options{}) {
			return p, tournament.Errorf(tournament.CodeInvalidArgument, "give the format's options either at the top level or in \"options\", not both")
		}
		p.Options = *b.Options
	}
	return p, nil
}

func (s *server) create(w http.ResponseWriter, r *http.Request) {
	b, err := decode[createBody](w, r, false)
	var p tournament.CreateParams
	if err == nil {
		p, err = b.params()
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	s.mutationOf(w, r, b.ID, http.StatusCreated, func(ctx context.Context, _ int64) (*tournament.Tournament, error) {
		t, err := s.h.CreateTournament(ctx, p)
		if err == nil {
			w.Header().Set("Location", fmt.Sprintf("/v1/tournaments/%d", t.ID))
		}
		return t, err
	})
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	list, err := s.h.ListTournaments(r.Context())
	s.respond(w, http.StatusOK, map[string]any{"tournaments": list}, err)
}

// withID runs fn with the {id} path value, answering 400 when it is bad.
func (s *server) withID(w http.ResponseWriter, r *http.Request, fn func(id int64) (any, error)) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	v, err := fn(id)
	s.respond(w, http.StatusOK, v, err)
}

// mutation runs fn, a change of tournament id, and answers with the
// tournament, or with `Prefer: return=minimal` (RFC 7240) only the version
// and the change's events.
func (s *server) mutation(w http.ResponseWriter, r *http.Request, status int, fn func(ctx context.Context, id int64) (*tournament.Tournament, error)) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	s.mutationOf(w, r, id, status, fn)
}

func (s *server) mutationOf(w http.ResponseWriter, r *http.Request, id int64, status int, fn func(ctx context.Context, id int64) (*tournament.Tournament, error)) {
	var rec host.ChangeRecord
	t, err := fn(host.RecordChange(r.Context(), &rec), id)
	if err != nil || !prefersMinimal(r) {
		s.respond(w, status, t, err)
		return
	}
	w.Header().Set("Preference-Applied", "return=minimal")
	evs := rec.Events
	if evs == nil {
		evs = []tournament.Event{}
	}
	s.respond(w, status, minimalReply{ID: t.ID, Version: t.Version, Events: evs}, nil)
}

// minimalReply is a mutation's answer under `Prefer: return=minimal`.
type minimalReply struct {
	ID      int64              `json:"id"`
	Version int64              `json:"version"`
	Events  []tournament.Event `json:"events"`
}

func prefersMinimal(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "return=minimal") {
				return true
			}
		}
	}
	return false
}

// etag is a tournament's entity tag: its version and last change, quoted.
func etag(t *tournament.Tournament) string {
	return `"` + strconv.FormatInt(t.Version, 10) + "." + strconv.FormatInt(t.UpdatedAt.UnixNano(), 36) + `"`
}

// notModified reports whether If-None-Match names tag (or is *).
func notModified(r *http.Request, tag string) bool {
	for _, v := range r.Header.Values("If-None-Match") {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == tag {
				return true
			}
		}
	}
	return false
}

// get answers a tournament with its ETag, and 304 when the caller's copy
// (If-None-Match) is current.
func (s *server) get(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	t, err := s.h.GetTournament(r.Context(), id)
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	tag := etag(t)
	w.Header().Set("ETag", tag)
	if notModified(r, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.respond(w, http.StatusOK, t, nil)
}

func (s *server) standings(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	st, err := s.h.Standings(r.Context(), id)
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *server) playerTournaments(w http.ResponseWriter, r *http.Request) {
	uid, err := pathID(r, "user_id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	list, err := s.h.PlayerTournaments(r.Context(), uid)
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tournaments": list})
}

func (s *server) remove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.h.RemoveTournament(r.Context(), id)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) addPlayer(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		b, err := decode[struct {
			UserID int64 `json:"user_id"`
		}](w, r, false)
		if err != nil {
			return nil, err
		}
		return s.h.AddPlayer(ctx, id, b.UserID)
	})
}

func (s *server) removePlayer(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		user, err := pathID(r, "user_id")
		if err != nil {
			return nil, err
		}
		return s.h.RemovePlayer(ctx, id, user)
	})
}

func (s *server) start(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		b, err := decode[struct {
			Shuffle bool `json:"shuffle"`
		}](w, r, true)
		if err != nil {
			return nil, err
		}
		return s.h.StartTournament(ctx, id, b.Shuffle)
	})
}

func (s *server) result(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		game, err := pathID(r, "game_id")
		if err != nil {
			return nil, err
		}
		b, err := decode[struct {
			WinnerID int64    `json:"winner_id"`
			LoserID  int64    `json:"loser_id"`
			Forfeit  bool     `json:"forfeit"`
			Scores   [][2]int `json:"scores"`
		}](w, r, false)
		if err != nil {
			return nil, err
		}
		if b.Forfeit && b.LoserID != 0 {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "a forfeit names the winner only (or nobody, for a double forfeit), not loser_id")
		}
		return s.h.Record(ctx, id, tournament.RegisterResult{GameID: game, WinnerID: b.WinnerID, LoserID: b.LoserID, Forfeit: b.Forfeit, Scores: b.Scores})
	})
}

// correctReply answers a correction: what it did (or, for a dry run,
// would do) and, unless a dry run, the tournament after it.
type correctReply struct {
	DryRun     bool                   `json:"dry_run"`
	Impact     tournament.Impact      `json:"impact"`
	Tournament *tournament.Tournament `json:"tournament,omitempty"`
}

type correctBody struct {
	WinnerID        int64    `json:"winner_id"`
	DryRun          bool     `json:"dry_run"`
	ExpectedVersion int64    `json:"expected_version"`
	Scores          [][2]int `json:"scores"`
}

func (s *server) correct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var game int64
	if err == nil {
		game, err = pathID(r, "game_id")
	}
	var b correctBody
	if err == nil {
		b, err = decode[correctBody](w, r, false)
	}
	if err == nil && b.ExpectedVersion < 0 {
		err = tournament.Errorf(tournament.CodeInvalidArgument, "expected_version must be a version (1 or more), got %d", b.ExpectedVersion)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	reply := correctReply{DryRun: b.DryRun}
	cmd := tournament.CorrectResult{GameID: game, WinnerID: b.WinnerID, ExpectedVersion: b.ExpectedVersion, Scores: b.Scores}
	if b.DryRun {
		reply.Impact, err = s.h.PreviewCorrection(r.Context(), id, cmd)
	} else {
		reply.Tournament, reply.Impact, err = s.h.CorrectResult(r.Context(), id, cmd)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

// playerStep acts on one player (disqualify, check in): no body.
func (s *server) playerStep(step func(ctx context.Context, id, user int64) (*tournament.Tournament, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
			user, err := pathID(r, "user_id")
			if err != nil {
				return nil, err
			}
			if _, err := decode[struct{}](w, r, true); err != nil {
				return nil, err
			}
			return step(ctx, id, user)
		})
	}
}

// gameStep moves a game along (call, start): no body.
func (s *server) gameStep(step func(ctx context.Context, id, game int64) (*tournament.Tournament, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
			game, err := pathID(r, "game_id")
			if err != nil {
				return nil, err
			}
			if _, err := decode[struct{}](w, r, true); err != nil {
				return nil, err
			}
			return step(ctx, id, game)
		})
	}
}

func (s *server) end(w http.ResponseWriter, r *http.Request) {
	s.mutation(w, r, http.StatusOK, func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		if _, err := decode[struct{}](w, r, true); err != nil {
			return nil, err
		}
		return s.h.EndTournament(ctx, id)
	})
}

// export streams every tournament, one JSON line each, as the backend
// yields them (nothing is buffered whole). An error before the first line
// is an error answer; after it, the stream ends early and the host logs it.
func (s *server) export(w http.ResponseWriter, r *http.Request) {
	started := false
	line := make([]byte, 0, 4096)
	err := s.h.Export(r.Context(), func(t *tournament.Tournament) error {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		line = append(t.AppendJSON(line[:0]), '\n')
		_, err := w.Write(line)
		return err
	})
	switch {
	case err != nil && !started:
		s.respond(w, 0, nil, err)
	case err != nil:
		s.logger.Error("export ended early", "error", err)
	case !started:
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
	}
}

func (s *server) importLines(w http.ResponseWriter, r *http.Request) {
	// An import may be large: a minute to arrive, not bodyReadTimeout.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(time.Minute))
	snaps, err := parseLines(http.MaxBytesReader(w, r.Body, MaxImportBody))
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	n, err := s.h.Import(r.Context(), snaps)
	s.respond(w, http.StatusOK, map[string]int{"imported": n}, err)
}

// parseLines reads JSON Lines of snapshots; an error names the line.
func parseLines(body io.Reader) ([]*tournament.Tournament, error) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), MaxImportBody)
	var snaps []*tournament.Tournament
	seen := map[int64]int{}
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if key, dup := duplicateKey(b); dup {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "line %d: field %q appears twice", line, key)
		}
		t, err := tournament.ParseSnapshot(b)
		if err != nil {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "line %d: %v", line, err)
		}
		if prev, dup := seen[t.ID]; dup {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "line %d: tournament %d already given on line %d", line, t.ID, prev)
		}
		seen[t.ID] = line
		snaps = append(snaps, t)
	}
	if err := sc.Err(); err != nil {
		return nil, bodyError(err, time.Minute)
	}
	return snaps, nil
}

func (s *server) conflicts(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) {
		list, err := s.h.Conflicts(r.Context(), id)
		return map[string]any{"conflicts": list}, err
	})
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.h.Status(r.Context()))
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	st := s.h.Status(r.Context())
	if !st.Ready {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "backend": st.Backend})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "backend": st.Backend})
}

// events streams a tournament's events as Server-Sent Events. It resumes
// after the Last-Event-ID header or the "after" query parameter ("0" = all
// retained events; default: only new ones). It sends `retry:` first, a
// heartbeat comment every 15 s, and follows the tournament across a
// failover: an id the serving backend did not issue gets a `resync` event
// whose data is the tournament as it is now, then new events.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	after := r.URL.Query().Get("after")
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		after = last
	}
	if err := host.CheckEventID(after); err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	if _, err := s.h.GetTournament(r.Context(), id); err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	fmt.Fprint(w, "retry: 1000\n\n")
	flush()
	heartbeat := time.NewTicker(sseHeartbeat)
	defer heartbeat.Stop()
	events := s.h.Events(r.Context(), id, after)
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.opts.ShuttingDown:
			fmt.Fprint(w, "event: shutdown\ndata: {}\n\n")
			flush()
			return
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return
			}
			flush()
		case e, ok := <-events:
			if !ok {
				return
			}
			var data []byte
			if e.Event.Type == host.EventResync {
				t, err := s.h.GetTournament(r.Context(), id)
				if err != nil {
					continue
				}
				data, _ = json.Marshal(t)
			} else {
				data, _ = json.Marshal(e.Event)
			}
			if e.ID != "" {
				fmt.Fprintf(w, "id: %s\n", e.ID)
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Event.Type, data); err != nil {
				return
			}
			flush()
		}
	}
}

// sseHeartbeat is how often an idle event stream gets a comment line, so
// that proxies keep it open and clients notice a dead one.
const sseHeartbeat = 15 * time.Second
