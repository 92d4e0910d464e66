package failover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/sony/gobreaker/v2"
	"github.com/tourney/tourney/host/internal/notapplied"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
	bolt "go.etcd.io/bbolt"
)

// Config is what the router needs of the host's configuration.
type Config struct {
	// OperationTimeout bounds every call (OPERATION_TIMEOUT).
	OperationTimeout time.Duration
	// GameTimeout is the engine's game deadline, for changes merged at
	// failback (GAME_TIMEOUT).
	GameTimeout time.Duration
	// TournamentTTL is how long a tournament lives untouched: older ones
	// are not restored, and removals are remembered that long
	// (TOURNAMENT_TTL).
	TournamentTTL time.Duration
	// CacheSize bounds the snapshot cache (TOURNEY_CACHE_SIZE).
	CacheSize int
}

// FallbackMode says what serves while the primary is down.
type FallbackMode int

// Fallback modes (TOURNEY_FALLBACK).
const (
	// FallbackOff: nothing; every call is refused until the primary is back.
	FallbackOff FallbackMode = iota
	// FallbackReadonly: reads from the snapshot cache; writes are refused.
	FallbackReadonly
	// FallbackStore: Options.Fallback serves reads and writes; every write is
	// in the outage log on disk before it is answered, and written back to
	// the primary when it answers again.
	FallbackStore
)

// Source is a backend the router sends calls to.
type Source struct {
	// Name names it in logs, errors and Status ("redis", "memory").
	Name string
	// Backend returns it, waiting at most until ctx is done (a plugin that
	// is restarting).
	Backend func(ctx context.Context) (shared.Backend, error)
	// Generation changes whenever the backend restarted empty (a new
	// plugin process); nil: never.
	Generation func() uint64
}

// Options configure a Router.
type Options struct {
	Config  Config
	Logger  hclog.Logger
	Primary Source
	// Mode and Fallback: what serves while the primary is down (Fallback is
	// used with FallbackStore only).
	Mode     FallbackMode
	Fallback Source
	// DB is the data directory's database, where the outage log is kept;
	// required with FallbackStore.
	DB *bolt.DB
}

// Router sends every call to the backend that should serve it and runs the
// failover state machine (see state). Its methods are safe for concurrent
// use.
type Router struct {
	cfg       Config
	logger    hclog.Logger
	src       sources
	cb        *gobreaker.CircuitBreaker[struct{}]
	cache     *snapshotCache
	log       *outageLog // nil when the fallback takes no writes
	m         machine
	fb        fallbackCopy
	unsure    unanswered
	count     counters
	lastProbe atomic.Value // probeResult
	startedAt int64        // this router's start (nanoseconds): fallback event ids name it
}

// sources are the backends calls go to.
type sources struct {
	primaryName  string
	primary      func(ctx context.Context) (shared.Backend, error)
	fallbackName string                                            // "" when off
	fallback     func(ctx context.Context) (shared.Backend, error) // nil when off
	fallbackGen  func() uint64
	readonly     bool
	origin       string // names this host in conflict records
}

type counters struct {
	failovers, failbacks, conflicts, restored, setAside atomic.Int64
	lastFailover, lastFailback                          atomic.Int64 // durations, ns
}

type probeResult struct {
	err    error
	detail string // the primary's own word on its health
}

// New returns a router on the primary. With FallbackStore it opens the
// outage log in o.DB, and when the log holds changes a previous run did
// not write back, the router starts on the fallback and writes them back
// when the primary answers. Probe then Run drive it.
func New(o Options) (*Router, error) {
	hostname, _ := os.Hostname()
	r := &Router{cfg: o.Config, logger: o.Logger, cache: newSnapshotCache(o.Config.CacheSize), startedAt: time.Now().UnixNano(),
		src: sources{primaryName: o.Primary.Name, primary: o.Primary.Backend, fallbackGen: func() uint64 { return 0 },
			origin: fmt.Sprintf("%s/%d", hostname, os.Getpid())}}
	r.m.init()
	r.fb.init()
	r.lastProbe.Store(probeResult{})
	r.cb = newBreaker(o.Logger)
	switch o.Mode {
	case FallbackReadonly:
		ro := snapshotReader{cache: r.cache}
		r.src.fallbackName, r.src.readonly = "readonly", true
		r.src.fallback = func(context.Context) (shared.Backend, error) { return ro, nil }
	case FallbackStore:
		r.src.fallbackName, r.src.fallback = o.Fallback.Name, o.Fallback.Backend
		if o.Fallback.Generation != nil {
			r.src.fallbackGen = o.Fallback.Generation
		}
		var err error
		if r.log, err = openOutageLog(o.DB); err != nil {
			return nil, err
		}
		if err := r.resumeOutage(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func newBreaker(logger hclog.Logger) *gobreaker.CircuitBreaker[struct{}] {
	return gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         "primary",
		MaxRequests:  1,
		Timeout:      breakerTimeout,
		ReadyToTrip:  func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= tripAfter },
		IsSuccessful: func(err error) bool { return !isBackendFailure(err) },
		IsExcluded: func(err error) bool {
			return errors.Is(err, context.Canceled) || errors.As(err, new(callerGaveUp))
		},
		OnStateChange: func(_ string, from, to gobreaker.State) {
			// Runs under the breaker's lock: log only; the router acts on State().
			logger.Info("circuit breaker", "from", from.String(), "to", to.String())
		},
	})
}

// resumeOutage continues an outage a previous run did not write back (it
// was killed on the fallback): the router starts on the fallback, serving
// the logged state, and writes it back when the primary answers.
func (r *Router) resumeOutage() error {
	ids, err := r.log.pending()
	if err != nil {
		return fmt.Errorf("reading the outage log: %w", err)
	}
	_ = r.log.pruneTombstones(time.Now())
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if rec, err := r.log.load(id); err == nil && rec != nil && rec.latest != nil {
			r.cache.put(rec.latest)
		}
	}
	r.logger.Warn("the outage log holds changes not yet written back; they are served from the fallback and written back when the primary answers",
		"tournaments", len(ids))
	r.m.mu.Lock()
	r.m.began = time.Now()
	r.count.failovers.Add(1)
	r.transition(StateFallback, errors.New("restarted with an unfinished outage"), hclog.Warn, "resuming an outage from the outage log")
	r.m.mu.Unlock()
	return nil
}

// PrimaryName names the primary backend.
func (r *Router) PrimaryName() string { return r.src.primaryName }

// Primary returns the primary backend, waiting at most until ctx is done.
func (r *Router) Primary(ctx context.Context) (shared.Backend, error) { return r.src.primary(ctx) }

// HasWritableFallback reports whether a fallback takes writes (and so
// needs a primary that takes write-backs).
func (r *Router) HasWritableFallback() bool { return r.src.fallback != nil && !r.src.readonly }

// Epoch is the primary's data set as last seen by a probe ("" before).
func (r *Router) Epoch() string {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	return r.m.epoch
}

// Breaker is the circuit breaker's state.
func (r *Router) Breaker() gobreaker.State { return r.cb.State() }

// callerGaveUp wraps the error of a call whose own context ended first: it
// says nothing about the backend, so the breaker ignores it.
type callerGaveUp struct{ err error }

func (c callerGaveUp) Error() string { return c.err.Error() }
func (c callerGaveUp) Unwrap() error { return c.err }

// isBackendFailure says whether err means the backend could not be reached
// (as opposed to a domain answer, a bug, a full store, or the caller giving
// up). Only these count for the breaker and fail the host over.
func isBackendFailure(err error) bool {
	if err == nil || errors.As(err, new(callerGaveUp)) {
		return false
	}
	var de *tournament.Error
	if errors.As(err, &de) {
		return de.Code == tournament.CodeUnavailable && de.Reason != shared.ReasonStoreFull
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// Kind is what a call does, which decides where it may go.
type Kind int

// The kinds of call.
const (
	// Read reads tournament Call.ID.
	Read Kind = iota
	// List needs every tournament the serving backend knows (list,
	// export): on the fallback, everything this host knows is imported
	// first; while failing back it waits until everything is written back.
	List
	// Housekeeping concerns no tournament (Maintain).
	Housekeeping
	// Create creates tournament Call.ID with Call.Create.
	Create
	// Apply applies Call.Cmd to tournament Call.ID; Call.Op names the
	// change on the primary (shared.ApplyRequest.OpID).
	Apply
	// Remove removes tournament Call.ID.
	Remove
	// Import is a write the primary alone takes: refused on the fallback,
	// never acknowledged where failback could lose it.
	Import
)

// Call describes a call for routing.
type Call struct {
	Kind   Kind
	ID     int64
	Create *tournament.CreateParams
	Cmd    tournament.Command
	Op     string
}

func (c Call) write() bool { return c.Kind >= Create }

// tournament is the one tournament the call is about (0: none).
func (c Call) tournament() int64 {
	switch c.Kind {
	case List, Housekeeping, Import:
		return 0
	}
	return c.ID
}

// Result is what a successful call tells the router about state.
type Result struct {
	// Changed: the call changed state (it emitted events).
	Changed bool
	// Snaps are the states the call returned (the cache learns them).
	Snaps []*tournament.Tournament
	// Removed is the id of a tournament the call removed, at
	// RemovedVersion.
	Removed, RemovedVersion int64
}

// Func is the body of a call, run on the backend that serves it.
type Func func(context.Context, shared.Backend) (Result, error)

// Do runs fn, bounded by the operation timeout, on the backend that
// serves c, and lets the router learn from its result; on the fallback a
// write is in the outage log, on disk, before Do returns.
func (r *Router) Do(ctx context.Context, c Call, fn Func) error {
	opCtx, cancel := context.WithTimeout(ctx, r.cfg.OperationTimeout)
	defer cancel()
	id := c.tournament()
	for {
		switch r.State() {
		case StateFallback:
			if retry, err := r.onFallback(opCtx, c, fn); !retry {
				return err
			}
			continue
		case StateFailingBack:
			if id == 0 {
				// Wait until everything is written back: a listing must
				// not miss what is still pending.
				if err := r.waitFailback(opCtx); err != nil {
					return err
				}
				continue
			}
			pending, err := r.writeBackBefore(opCtx, id)
			if isBackendFailure(err) {
				r.toFallback(err)
				continue
			}
			if pending {
				// It could not be written back yet (a full store): the
				// fallback keeps serving it.
				if retry, err := r.onFallback(opCtx, c, fn); !retry {
					return err
				}
				continue
			}
		}
		if retry, err := r.onPrimary(ctx, opCtx, c, fn); !retry {
			return err
		}
	}
}

// onPrimary runs fn on the primary through the breaker. retry says the call
// did not run there and the state changed: route it again.
func (r *Router) onPrimary(ctx, opCtx context.Context, c Call, fn Func) (retry bool, err error) {
	var res Result
	executed := false
	_, err = r.cb.Execute(func() (struct{}, error) {
		executed = true
		wait, cancel := context.WithTimeout(opCtx, primaryWait)
		b, err := r.src.primary(wait)
		cancel()
		if err == nil {
			res, err = fn(opCtx, b)
			if err != nil && !isBackendFailure(err) && c.write() && c.tournament() != 0 && r.unsure.has(c.ID) {
				r.relearn(opCtx, b, c.ID)
			}
		}
		if err != nil && ctx.Err() != nil {
			err = callerGaveUp{err}
		}
		return struct{}{}, err
	})
	if gave := (callerGaveUp{}); errors.As(err, &gave) {
		err = gave.err
	}
	if r.cb.State() == gobreaker.StateOpen && r.State() != StateFallback {
		r.toFallback(err)
	}
	if err == nil {
		r.learn(c, res, false)
		if c.write() && c.tournament() != 0 {
			r.unsure.forget(c.ID)
		}
		return false, nil
	}
	if !executed && r.State() != StateFallback {
		// The breaker refused the call (open, or half-open and busy).
		return false, notapplied.Errorf("the %s backend is failing; retry shortly", r.src.primaryName)
	}
	if executed && c.Kind == Apply && c.Op != "" && isBackendFailure(err) {
		// The primary may have taken the change without its answer
		// reaching this host: remember it as this host's own, should it
		// turn up there after the outage.
		r.unsure.note(c.ID, c.Op)
	}
	if r.State() != StateFallback {
		return false, err
	}
	if executed && (c.write() || !isBackendFailure(err)) {
		// A write whose outcome is unknown is not replayed elsewhere: the
		// caller retries (results and joins are idempotent or say so).
		return false, err
	}
	// Not executed (the breaker is open), or a read on a backend that just
	// failed: the fallback serves it.
	return true, nil
}

// relearn reads tournament id from the primary after it refused a change
// while a change this host sent it earlier went unanswered: the refusal
// may say that the earlier change landed ("already started"), and this
// host's copy, which a fallback would serve, is then behind. One read, on
// that rare path only.
func (r *Router) relearn(ctx context.Context, b shared.Backend, id int64) {
	t, err := b.Get(ctx, id)
	if err != nil {
		return
	}
	r.learn(Call{Kind: Read, ID: id}, Result{Snaps: []*tournament.Tournament{t}}, false)
	r.unsure.forget(id) // what they did is in the state this host now knows
}

// onFallback runs fn on the fallback, after importing what it needs. A
// write is in the outage log, on disk, before onFallback returns. retry
// says the call did not run: the state changed, route it again.
func (r *Router) onFallback(ctx context.Context, c Call, fn Func) (retry bool, err error) {
	if r.src.fallback == nil || (r.src.readonly && c.write()) {
		return false, r.unavailable()
	}
	if c.Kind == Import {
		return false, notapplied.Errorf("import is refused while the %s backend is unavailable; retry when it is back", r.src.primaryName)
	}
	r.fb.calls.RLock()
	defer r.fb.calls.RUnlock()
	id := c.tournament()
	if id != 0 {
		l := r.fb.idLock(id)
		l.RLock()
		defer l.RUnlock()
	}
	// Writing back may have run between routing and these locks: route
	// again (after letting go of them) rather than write on the fallback
	// what is already written back.
	if s := r.State(); s == StatePrimary || (s == StateFailingBack && (id == 0 || r.log == nil || !r.log.has(id))) {
		return true, nil
	}
	b, err := r.src.fallback(ctx)
	if err != nil {
		return false, err
	}
	if err := r.importFor(ctx, b, c); err != nil {
		return false, err
	}
	res, err := fn(ctx, b)
	if err != nil {
		return false, err
	}
	return false, r.learnOnFallback(c, res)
}

// StreamSource is the backend a long-lived call (a subscription) should
// use, with what it needs to know to follow failover.
type StreamSource struct {
	Backend shared.Backend
	// Switched is closed at the next failover transition: the subscription
	// starts over then.
	Switched <-chan struct{}
	// Tag names the backend's event ids: "p" on the primary, and on the
	// fallback one tag per fallback launch, so that an id from one is never
	// taken for an id of another.
	Tag string
}

// ForStream returns the backend a subscription to tournament id should use
// now, with the tournament imported when it is the fallback.
func (r *Router) ForStream(ctx context.Context, id int64) (StreamSource, error) {
	switched := r.m.switchedChan()
	gen := r.fb.generation(r.src.fallbackGen)
	tag := fmt.Sprintf("f%x", gen<<16^uint64(r.startedAt&0xffff))
	if r.State() != StateFallback {
		b, err := r.src.primary(ctx)
		return StreamSource{Backend: b, Switched: switched, Tag: "p"}, err
	}
	if r.src.fallback == nil {
		return StreamSource{}, r.unavailable()
	}
	b, err := r.src.fallback(ctx)
	if err == nil {
		err = r.importFor(ctx, b, Call{Kind: Read, ID: id})
	}
	return StreamSource{Backend: b, Switched: switched, Tag: tag}, err
}

// NewOpID returns a fresh id to name a change on the primary
// (shared.ApplyRequest.OpID).
func NewOpID() string { return newWriteID() }
