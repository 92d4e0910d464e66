package host

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/sony/gobreaker/v2"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// Failover timing. The breaker trips after two consecutive backend
// failures (data calls and probes both count); it lets a probe through one
// second after opening; the prober runs every 200 ms with a 500 ms deadline.
const (
	tripAfter       = 2
	breakerTimeout  = time.Second
	probeInterval   = 200 * time.Millisecond
	probeTimeout    = 500 * time.Millisecond
	primaryWait     = 300 * time.Millisecond // longest a call waits for a restarting primary plugin
	restoreParallel = 8
	settleRetry     = 500 * time.Millisecond // pause between failback passes that made no progress
	historySize     = 32
)

// state is where calls go. The transitions, each a method below, are the
// only writers:
//
//	primary      --toFallback-->    fallback       the primary stopped answering
//	fallback     --toFailingBack--> failing_back   the primary answers again
//	primary      --toFailingBack--> failing_back   the primary came back with an
//	                                               other data set (epoch changed)
//	failing_back --toFallback-->    fallback       the primary failed again
//	failing_back --toPrimary-->     primary        everything is written back
//
// In fallback, TOURNEY_FALLBACK says what serves: memory (reads and writes,
// every acknowledged write in the outage log), readonly (reads from the
// snapshot cache) or off (nothing). In failing_back, a background worker
// settles tournaments one by one; each call about a settled (or untouched)
// tournament goes to the primary at once, and a call about one still
// pending settles it first.
type state int32

const (
	statePrimary state = iota
	stateFallback
	stateFailingBack
)

func (s state) String() string {
	switch s {
	case stateFallback:
		return "fallback"
	case stateFailingBack:
		return "failing_back"
	}
	return "primary"
}

// Transition is one change of failover state, as logged, counted and kept
// in Status.
type Transition struct {
	At    time.Time `json:"at"`
	From  string    `json:"from"`
	To    string    `json:"to"`
	Cause string    `json:"cause,omitempty"`
}

// router sends every call to the backend that should serve it and runs the
// failover state machine.
type router struct {
	cfg          config.Config
	logger       hclog.Logger
	primaryName  string
	primary      func(ctx context.Context) (shared.Backend, error)
	fallbackName string                                            // "" when TOURNEY_FALLBACK=off
	fallback     func(ctx context.Context) (shared.Backend, error) // nil when off
	fallbackGen  func() uint64
	readonly     bool
	origin       string
	cb           *gobreaker.CircuitBreaker[struct{}]
	cache        *snapshotCache
	log          *outageLog // nil when the fallback takes no writes
	launch       int64      // this host's start (nanoseconds): fallback event ids name it

	st atomic.Int32 // a state

	// mu guards the fields below; it is never held across I/O.
	mu             sync.Mutex
	switched       chan struct{} // closed and replaced at every transition
	failbackDone   chan struct{} // closed when failing_back ends
	began          time.Time     // when the current outage began
	failbackBegan  time.Time
	epoch          string // the primary's epoch last seen
	restoreNeeded  bool   // the primary may have lost data: check what this host knows
	checked        map[int64]bool
	history        []Transition
	transitions    map[[2]string]int64 // from, to -> count
	watchers       map[chan Transition]struct{}
	fallbackLoaded fallbackContents
	// fallbackHolds: fallbackLoaded names a tournament (read without r.mu
	// on the primary's path).
	fallbackHolds atomic.Bool
	uncertain     map[int64][]string // tournament -> changes sent to the primary, never answered
	uncertainN    atomic.Int64       // len(uncertain), read without r.mu

	// Calls served by the fallback hold fbMu shared; the switch to primary
	// holds it alone, so that no fallback write lands after the last
	// write-back. idLocks: calls on the fallback hold their tournament's
	// stripe shared; settling a tournament holds it alone.
	fbMu    sync.RWMutex
	idLocks [64]sync.RWMutex
	// importLocks serialise imports of one tournament into the fallback.
	importLocks [64]sync.Mutex

	failovers, failbacks, conflicts, restored, setAside atomic.Int64
	lastFailover, lastFailback                          atomic.Int64 // durations, ns
	lastProbe                                           atomic.Value // probeResult
}

// fallbackContents says what the fallback plugin holds (for its current
// launch): the version of each tournament imported from the cache or the
// outage log, or written there since.
type fallbackContents struct {
	gen      uint64
	imported map[int64]int64
	all      bool
}

type probeResult struct {
	err    error
	detail string // the primary's own word on its health
}

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

func newRouter(cfg config.Config, logger hclog.Logger, cache *snapshotCache) *router {
	r := &router{cfg: cfg, logger: logger, cache: cache, switched: make(chan struct{}),
		fallbackLoaded: fallbackContents{imported: map[int64]int64{}}, checked: map[int64]bool{}, transitions: map[[2]string]int64{},
		watchers: map[chan Transition]struct{}{}}
	r.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
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
	r.lastProbe.Store(probeResult{})
	r.launch = time.Now().UnixNano()
	return r
}

func (r *router) state() state { return state(r.st.Load()) }

// transition moves to state to; the caller holds r.mu.
func (r *router) transition(to state, cause error, level hclog.Level, msg string, args ...any) {
	from := r.state()
	r.st.Store(int32(to))
	close(r.switched)
	r.switched = make(chan struct{})
	tr := Transition{At: time.Now().UTC(), From: from.String(), To: to.String()}
	if cause != nil {
		tr.Cause = cause.Error()
	}
	r.history = append(r.history, tr)
	if len(r.history) > historySize {
		r.history = r.history[len(r.history)-historySize:]
	}
	r.transitions[[2]string{tr.From, tr.To}]++
	for w := range r.watchers {
		select {
		case w <- tr:
		default: // a watcher that does not keep up misses transitions, never blocks one
		}
	}
	args = append([]any{"from", tr.From, "to", tr.To}, args...)
	if cause != nil {
		args = append(args, "cause", cause)
	}
	r.logger.Log(level, msg, args...)
}

// toFallback: the primary stopped answering (from primary), or failed again
// while failing back (from failing_back).
func (r *router) toFallback(cause error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.state() {
	case statePrimary:
		r.began = time.Now()
		r.failovers.Add(1)
		target := r.fallbackName
		if target == "" {
			target = "nothing (TOURNEY_FALLBACK=off)"
		}
		r.transition(stateFallback, cause, hclog.Warn, "primary backend failed; failing over", "primary", r.primaryName, "serving", target)
	case stateFailingBack:
		r.transition(stateFallback, cause, hclog.Warn, "primary backend failed during failback; back on the fallback",
			"primary", r.primaryName)
		close(r.failbackDone)
	}
}

// toFailingBack: the primary answers again (from fallback), or came back
// with another data set (from primary, restore set). It returns false when
// the state was not one to leave.
func (r *router) toFailingBack(restore bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	from := r.state()
	if from == stateFailingBack || (from == statePrimary && !restore) {
		return false
	}
	if restore {
		r.restoreNeeded, r.checked = true, map[int64]bool{}
	}
	if from == statePrimary {
		r.began = time.Now()
	}
	r.failbackBegan = time.Now()
	r.failbackDone = make(chan struct{})
	r.transition(stateFailingBack, nil, hclog.Info, "primary backend answers; writing back", "primary", r.primaryName,
		"restore", r.restoreNeeded)
	return true
}

// toPrimary: everything is written back. The caller holds fbMu alone.
func (r *router) toPrimary(written int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state() != stateFailingBack {
		return
	}
	r.restoreNeeded = false
	r.failbacks.Add(1)
	r.lastFailover.Store(int64(r.failbackBegan.Sub(r.began)))
	r.lastFailback.Store(int64(time.Since(r.failbackBegan)))
	r.transition(statePrimary, nil, hclog.Info, "failed back: every change is on the primary", "primary", r.primaryName,
		"outage", r.failbackBegan.Sub(r.began).Round(time.Millisecond), "written_back", written,
		"took", time.Since(r.failbackBegan).Round(time.Millisecond))
	close(r.failbackDone)
}

// waitFailback returns when failing_back ends or ctx is done.
func (r *router) waitFailback(ctx context.Context) error {
	r.mu.Lock()
	done := r.failbackDone
	r.mu.Unlock()
	if r.state() != stateFailingBack || done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return Refused("the host is writing back an outage; retry")
	}
}

func (r *router) unavailable() error {
	if r.fallback == nil {
		return Refused("the %s backend is unavailable and TOURNEY_FALLBACK=off", r.primaryName)
	}
	return Refused("the %s backend is unavailable; this host serves reads only (TOURNEY_FALLBACK=readonly)", r.primaryName)
}

// FailoverStats is the failover part of Status.
type FailoverStats struct {
	// State is primary, fallback or failing_back. Mode is primary or
	// fallback (failing_back counts as fallback until it ends).
	State            string       `json:"state"`
	Mode             string       `json:"mode"`
	Failovers        int64        `json:"failovers"`
	Failbacks        int64        `json:"failbacks"`
	Conflicts        int64        `json:"conflicts"`
	Restored         int64        `json:"restored"`
	SetAside         int64        `json:"set_aside"`
	PendingWriteBack int          `json:"pending_write_back"`
	LastOutageMS     int64        `json:"last_outage_ms,omitempty"`
	LastFailbackMS   int64        `json:"last_failback_ms,omitempty"`
	CachedSnapshots  int          `json:"cached_snapshots"`
	Transitions      []Transition `json:"transitions"`
}

func (r *router) stats() FailoverStats {
	st := FailoverStats{State: r.state().String(), Mode: "primary", Failovers: r.failovers.Load(), Failbacks: r.failbacks.Load(),
		Conflicts: r.conflicts.Load(), Restored: r.restored.Load(), SetAside: r.setAside.Load(),
		LastOutageMS: r.lastFailover.Load() / 1e6, LastFailbackMS: r.lastFailback.Load() / 1e6,
		CachedSnapshots: r.cache.len()}
	if r.state() != statePrimary {
		st.Mode = "fallback"
	}
	if r.log != nil {
		ids, _ := r.log.pending()
		st.PendingWriteBack = len(ids)
	}
	r.mu.Lock()
	st.Transitions = append([]Transition{}, r.history...)
	r.mu.Unlock()
	return st
}

// watch returns a channel of every transition from now until ctx is done.
func (r *router) watch(ctx context.Context) <-chan Transition {
	ch := make(chan Transition, historySize)
	r.mu.Lock()
	r.watchers[ch] = struct{}{}
	r.mu.Unlock()
	go func() {
		<-ctx.Done()
		r.mu.Lock()
		delete(r.watchers, ch)
		close(ch)
		r.mu.Unlock()
	}()
	return ch
}
