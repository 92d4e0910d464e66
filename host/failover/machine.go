package failover

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/host/internal/notapplied"
)

// ProbeInterval is how often Run probes the primary.
const ProbeInterval = 200 * time.Millisecond

// Failover timing. The breaker trips after two consecutive backend
// failures (data calls and probes both count); it lets a probe through one
// second after opening; the prober runs every ProbeInterval with a 500 ms
// deadline.
const (
	tripAfter       = 2
	breakerTimeout  = time.Second
	probeTimeout    = 500 * time.Millisecond
	primaryWait     = 300 * time.Millisecond // longest a call waits for a restarting primary plugin
	restoreParallel = 8
	passRetry       = 500 * time.Millisecond // pause between failback passes that made no progress
	historySize     = 32
)

// State is where calls go. The transitions, each a method below, are the
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
// writes tournaments back one by one; each call about a tournament written
// back (or untouched) goes to the primary at once, and a call about one
// still pending writes it back first.
type State int32

// The states.
const (
	StatePrimary State = iota
	StateFallback
	StateFailingBack
)

// String is the state's name in Status, logs and metrics.
func (s State) String() string {
	switch s {
	case StateFallback:
		return "fallback"
	case StateFailingBack:
		return "failing_back"
	}
	return "primary"
}

// machine is the state and what goes with it. mu guards every field but
// st; it is never held across I/O.
type machine struct {
	st atomic.Int32 // a state

	mu            sync.Mutex
	switched      chan struct{} // closed and replaced at every transition
	failbackDone  chan struct{} // closed when failing_back ends
	began         time.Time     // when the current outage began
	failbackBegan time.Time
	history       []Transition
	transitions   map[[2]string]int64 // from, to -> count
	watchers      map[chan Transition]struct{}
	// The primary's epoch last seen, and whether it may have lost data
	// (check what this host knows; checked: the tournaments checked).
	epoch         string
	restoreNeeded bool
	checked       map[int64]bool
}

func (m *machine) init() {
	m.switched, m.checked, m.transitions, m.watchers = make(chan struct{}), map[int64]bool{}, map[[2]string]int64{},
		map[chan Transition]struct{}{}
}

// switchedChan is closed at the next transition.
func (m *machine) switchedChan() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.switched
}

// Transition is one change of failover state, as logged, counted and kept
// in Status.
type Transition struct {
	At    time.Time `json:"at"`
	From  string    `json:"from"`
	To    string    `json:"to"`
	Cause string    `json:"cause,omitempty"`
}

// State is where calls go now.
func (r *Router) State() State { return State(r.m.st.Load()) }

// transition moves to state to; the caller holds r.m.mu.
func (r *Router) transition(to State, cause error, level hclog.Level, msg string, args ...any) {
	from := r.State()
	m := &r.m
	m.st.Store(int32(to))
	close(m.switched)
	m.switched = make(chan struct{})
	tr := Transition{At: time.Now().UTC(), From: from.String(), To: to.String()}
	if cause != nil {
		tr.Cause = cause.Error()
	}
	m.history = append(m.history, tr)
	if len(m.history) > historySize {
		m.history = m.history[len(m.history)-historySize:]
	}
	m.transitions[[2]string{tr.From, tr.To}]++
	for w := range m.watchers {
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
func (r *Router) toFallback(cause error) {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	switch r.State() {
	case StatePrimary:
		r.m.began = time.Now()
		r.count.failovers.Add(1)
		target := r.src.fallbackName
		if target == "" {
			target = "nothing (TOURNEY_FALLBACK=off)"
		}
		r.transition(StateFallback, cause, hclog.Warn, "primary backend failed; failing over", "primary", r.src.primaryName, "serving", target)
	case StateFailingBack:
		r.transition(StateFallback, cause, hclog.Warn, "primary backend failed during failback; back on the fallback",
			"primary", r.src.primaryName)
		close(r.m.failbackDone)
	}
}

// toFailingBack: the primary answers again (from fallback), or came back
// with another data set (from primary, restore set). It returns false when
// the state was not one to leave.
func (r *Router) toFailingBack(restore bool) bool {
	m := &r.m
	m.mu.Lock()
	defer m.mu.Unlock()
	from := r.State()
	if from == StateFailingBack || (from == StatePrimary && !restore) {
		return false
	}
	if restore {
		m.restoreNeeded, m.checked = true, map[int64]bool{}
	}
	if from == StatePrimary {
		m.began = time.Now()
	}
	m.failbackBegan = time.Now()
	m.failbackDone = make(chan struct{})
	r.transition(StateFailingBack, nil, hclog.Info, "primary backend answers; writing back", "primary", r.src.primaryName,
		"restore", m.restoreNeeded)
	return true
}

// toPrimary: everything is written back. The caller holds r.fb.calls
// alone.
func (r *Router) toPrimary(written int) {
	m := &r.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.State() != StateFailingBack {
		return
	}
	m.restoreNeeded = false
	r.count.failbacks.Add(1)
	r.count.lastFailover.Store(int64(m.failbackBegan.Sub(m.began)))
	r.count.lastFailback.Store(int64(time.Since(m.failbackBegan)))
	r.transition(StatePrimary, nil, hclog.Info, "failed back: every change is on the primary", "primary", r.src.primaryName,
		"outage", m.failbackBegan.Sub(m.began).Round(time.Millisecond), "written_back", written,
		"took", time.Since(m.failbackBegan).Round(time.Millisecond))
	close(m.failbackDone)
}

// waitFailback returns when failing_back ends or ctx is done.
func (r *Router) waitFailback(ctx context.Context) error {
	r.m.mu.Lock()
	done := r.m.failbackDone
	r.m.mu.Unlock()
	if r.State() != StateFailingBack || done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return notapplied.Errorf("the host is writing back an outage; retry")
	}
}

func (r *Router) unavailable() error {
	if r.src.fallback == nil {
		return notapplied.Errorf("the %s backend is unavailable and TOURNEY_FALLBACK=off", r.src.primaryName)
	}
	return notapplied.Errorf("the %s backend is unavailable; this host serves reads only (TOURNEY_FALLBACK=readonly)", r.src.primaryName)
}

// Stats are the failover counters and the latest transitions (the
// failover part of the host's Status).
type Stats struct {
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

// Stats reports the counters now.
func (r *Router) Stats() Stats {
	c := &r.count
	st := Stats{State: r.State().String(), Mode: "primary", Failovers: c.failovers.Load(), Failbacks: c.failbacks.Load(),
		Conflicts: c.conflicts.Load(), Restored: c.restored.Load(), SetAside: c.setAside.Load(),
		LastOutageMS: c.lastFailover.Load() / 1e6, LastFailbackMS: c.lastFailback.Load() / 1e6,
		CachedSnapshots: r.cache.len()}
	if r.State() != StatePrimary {
		st.Mode = "fallback"
	}
	if r.log != nil {
		ids, _ := r.log.pending()
		st.PendingWriteBack = len(ids)
	}
	r.m.mu.Lock()
	st.Transitions = append([]Transition{}, r.m.history...)
	r.m.mu.Unlock()
	return st
}

// TransitionCounts counts every transition since the start, by from and to.
func (r *Router) TransitionCounts() map[[2]string]int64 {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	return maps.Clone(r.m.transitions)
}

// Watch returns a channel of every transition from now until ctx is done;
// it is buffered, and a reader that falls far behind misses transitions
// rather than holding them up.
func (r *Router) Watch(ctx context.Context) <-chan Transition {
	ch := make(chan Transition, historySize)
	r.m.mu.Lock()
	r.m.watchers[ch] = struct{}{}
	r.m.mu.Unlock()
	go func() {
		<-ctx.Done()
		r.m.mu.Lock()
		delete(r.m.watchers, ch)
		close(ch)
		r.m.mu.Unlock()
	}()
	return ch
}

// SetAsideRecords is how many tournaments' outage changes are kept aside
// in the data directory: they could not be written back, and a conflict
// was recorded for each (Stats.SetAside counts them since the start).
func (r *Router) SetAsideRecords() int {
	if r.log == nil {
		return 0
	}
	return r.log.asideCount()
}
