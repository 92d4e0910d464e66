package host

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/sony/gobreaker/v2"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/shared/tournament"
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
	failbackTimeout = 5 * time.Second // longest calls wait for a failback
)

// mode says which backend serves calls.
type mode int32

const (
	modePrimary  mode = iota // the primary (Redis) backend serves
	modeFallback             // the primary failed; the fallback serves (or nothing, with TOURNEY_FALLBACK=off)
)

// op describes a call for routing: which tournament it concerns and
// whether it changes state.
type op struct {
	id     int64 // 0: not about one tournament (list, export, import)
	write  bool
	create *tournament.CreateParams // a create
	cmd    tournament.Command       // an apply
	all    bool                     // needs every known tournament present (list, export)
}

// logEntry is one change made on the fallback, kept to replay it on the
// primary's state at failback when the primary moved on meanwhile.
type logEntry struct {
	create *tournament.CreateParams
	cmd    tournament.Command
}

// outcome is what a successful call tells the router about state.
type outcome struct {
	snaps   []*tournament.Tournament
	removed int64 // id of a tournament removed by the call
	version int64 // the version it was removed at
}

// outage is the bookkeeping of one stay on the fallback.
type outage struct {
	began    time.Time
	gen      uint64          // the fallback plugin's launch the imports went into
	imported map[int64]bool  // imported into the fallback (this launch)
	all      bool            // every cached snapshot was imported (this launch)
	bases    map[int64]int64 // the primary's version each tournament is known at (updated by write-backs)
	dirty    map[int64]bool  // changed on the fallback: to write back
	removed  map[int64]bool  // removed on the fallback: to remove on the primary
	log      map[int64][]logEntry
}

// router sends every call to the backend that should serve it: the primary
// while its breaker is closed, else the fallback. It imports known
// tournaments into the fallback before their first call there, and on
// failback writes back what changed before traffic returns to the primary.
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

	switchMu sync.RWMutex // calls hold it shared; failback holds it alone
	mode     atomic.Int32
	outMu    sync.Mutex
	out      *outage
	switched chan struct{} // closed and replaced at every switch

	failovers, failbacks, conflicts atomic.Int64
	lastFailover, lastFailback      atomic.Int64 // durations, ns
	lastProbe                       atomic.Value // error or nil, as probeResult
}

type probeResult struct {
	err    error
	detail string // the primary's own word on its health
}

// isBackendFailure says whether err means the backend could not serve (as
// opposed to a domain answer or the caller giving up).
func isBackendFailure(err error) bool {
	return tournament.CodeOf(err) == tournament.CodeUnavailable || errors.Is(err, context.DeadlineExceeded)
}

func newRouter(cfg config.Config, logger hclog.Logger, cache *snapshotCache) *router {
	r := &router{cfg: cfg, logger: logger, cache: cache, switched: make(chan struct{})}
	r.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         "primary",
		MaxRequests:  1,
		Timeout:      breakerTimeout,
		ReadyToTrip:  func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= tripAfter },
		IsSuccessful: func(err error) bool { return err == nil || !isBackendFailure(err) },
		IsExcluded:   func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			// Runs under the breaker's lock: log only; the router acts on State().
			logger.Info("circuit breaker", "from", from.String(), "to", to.String())
		},
	})
	r.lastProbe.Store(probeResult{})
	return r
}

func (r *router) currentMode() mode { return mode(r.mode.Load()) }

// do runs fn on the backend that serves now, and records what it learned.
func (r *router) do(ctx context.Context, o op, fn func(context.Context, shared.Backend) (outcome, error)) error {
	r.switchMu.RLock()
	defer r.switchMu.RUnlock()
	if r.currentMode() == modePrimary {
		oc, executed, err := r.onPrimary(ctx, fn)
		if err == nil {
			r.observe(o, oc, false)
			return nil
		}
		if executed && (o.write || !isBackendFailure(err) || r.cb.State() != gobreaker.StateOpen) {
			// A write whose outcome is unknown is not replayed elsewhere:
			// the caller retries (results and joins are idempotent or say so).
			return err
		}
		// Not executed (breaker open), or a read on a backend that just
		// failed: the fallback serves it.
	}
	return r.onFallback(ctx, o, fn)
}

func (r *router) onPrimary(ctx context.Context, fn func(context.Context, shared.Backend) (outcome, error)) (oc outcome, executed bool, err error) {
	_, err = r.cb.Execute(func() (struct{}, error) {
		executed = true
		wait, cancel := context.WithTimeout(ctx, primaryWait)
		b, err := r.primary(wait)
		cancel()
		if err != nil {
			return struct{}{}, err
		}
		oc, err = fn(ctx, b)
		return struct{}{}, err
	})
	if r.cb.State() == gobreaker.StateOpen {
		r.enterFallback(err)
	}
	return oc, executed, err
}

// enterFallback switches calls to the fallback (once per outage).
func (r *router) enterFallback(cause error) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	if r.currentMode() == modeFallback {
		return
	}
	r.out = &outage{began: time.Now(), imported: map[int64]bool{}, bases: map[int64]int64{},
		dirty: map[int64]bool{}, removed: map[int64]bool{}, log: map[int64][]logEntry{}}
	r.mode.Store(int32(modeFallback))
	r.failovers.Add(1)
	r.signalSwitch()
	target := r.fallbackName
	if target == "" {
		target = "nothing (TOURNEY_FALLBACK=off)"
	}
	r.logger.Warn("primary backend failed; failing over", "primary", r.primaryName, "to", target, "cause", cause)
}

func (r *router) signalSwitch() {
	close(r.switched)
	r.switched = make(chan struct{})
}

func (r *router) unavailable() error {
	if r.fallback == nil {
		return tournament.Errorf(tournament.CodeUnavailable, "the %s backend is unavailable and TOURNEY_FALLBACK=off", r.primaryName)
	}
	return tournament.Errorf(tournament.CodeUnavailable, "the %s backend is unavailable; this host serves reads only (TOURNEY_FALLBACK=readonly)", r.primaryName)
}

func (r *router) onFallback(ctx context.Context, o op, fn func(context.Context, shared.Backend) (outcome, error)) error {
	if r.fallback == nil || (r.readonly && o.write) {
		return r.unavailable()
	}
	b, err := r.fallback(ctx)
	if err != nil {
		return err
	}
	if err := r.prepare(ctx, b, o); err != nil {
		return err
	}
	oc, err := fn(ctx, b)
	if err != nil {
		return err
	}
	r.observe(o, oc, true)
	return nil
}

// prepare makes sure the fallback holds what the call needs: a tournament
// known to this host is imported from the snapshot cache before its first
// call there (again after the fallback plugin restarted empty).
func (r *router) prepare(ctx context.Context, b shared.Backend, o op) error {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	out := r.out
	if out == nil {
		return tournament.Errorf(tournament.CodeUnavailable, "the backend is switching; retry")
	}
	if gen := r.fallbackGen(); gen != out.gen {
		out.gen, out.imported, out.all = gen, map[int64]bool{}, false
	}
	var load []*tournament.Tournament
	switch {
	case o.all && !out.all:
		for _, s := range r.cache.snapshots() {
			if !out.imported[s.ID] && !out.removed[s.ID] {
				load = append(load, s)
			}
		}
	case o.id != 0 && !out.imported[o.id]:
		snap, known := r.cache.get(o.id)
		switch {
		case snap != nil:
			load = append(load, snap)
		case known && o.create == nil:
			return tournament.Errorf(tournament.CodeNotFound, "tournament %d not found", o.id)
		case !known && o.create == nil:
			return tournament.Errorf(tournament.CodeUnavailable,
				"tournament %d is not known to this host and the %s backend is unavailable; retry when it is back", o.id, r.primaryName)
		}
	}
	if len(load) > 0 {
		if _, err := b.Import(ctx, load); err != nil {
			return err
		}
		for _, s := range load {
			out.imported[s.ID] = true
			if _, ok := out.bases[s.ID]; !ok && !out.dirty[s.ID] {
				out.bases[s.ID] = s.Version
			}
		}
	}
	if o.all {
		out.all = true
	}
	if o.id != 0 {
		out.imported[o.id] = true
	}
	return nil
}

// observe updates the snapshot cache and, on the fallback, what must be
// written back.
func (r *router) observe(o op, oc outcome, onFallback bool) {
	for _, s := range oc.snaps {
		r.cache.put(s)
	}
	if oc.removed != 0 {
		r.cache.remove(oc.removed, oc.version)
	}
	if !onFallback || !o.write {
		return
	}
	r.outMu.Lock()
	defer r.outMu.Unlock()
	mark := func(id int64) {
		r.out.dirty[id] = true
		r.cache.pin(id, true)
	}
	for _, s := range oc.snaps {
		mark(s.ID)
		delete(r.out.removed, s.ID)
	}
	if oc.removed != 0 {
		mark(oc.removed)
		r.out.removed[oc.removed] = true
	}
	if o.create != nil || o.cmd != nil {
		r.out.log[o.id] = append(r.out.log[o.id], logEntry{create: o.create, cmd: o.cmd})
	}
}

// current returns the backend a long-lived call (a subscription) should
// use, prepared, and a channel closed at the next switch.
func (r *router) current(ctx context.Context, o op) (shared.Backend, <-chan struct{}, error) {
	r.switchMu.RLock()
	defer r.switchMu.RUnlock()
	r.outMu.Lock()
	switched := r.switched
	r.outMu.Unlock()
	if r.currentMode() == modePrimary {
		b, err := r.primary(ctx)
		return b, switched, err
	}
	if r.fallback == nil {
		return nil, nil, r.unavailable()
	}
	b, err := r.fallback(ctx)
	if err == nil {
		err = r.prepare(ctx, b, o)
	}
	return b, switched, err
}

// probe drives the breaker when no traffic does: it trips it when the
// primary stops answering, and fails back when it answers again.
func (r *router) probe(stop <-chan struct{}) {
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			r.probeOnce()
		}
	}
}

// probeOnce asks the primary for its health through the breaker, then
// fails over when the breaker is open, or back when it has closed again.
func (r *router) probeOnce() {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	var rep shared.HealthReport
	_, err := r.cb.Execute(func() (struct{}, error) {
		b, err := r.primary(ctx)
		if err == nil {
			rep, err = b.Health(ctx)
		}
		return struct{}{}, err
	})
	cancel()
	if !errors.Is(err, gobreaker.ErrOpenState) {
		r.lastProbe.Store(probeResult{err, rep.Detail})
	}
	switch {
	case r.currentMode() == modePrimary && r.cb.State() == gobreaker.StateOpen:
		r.enterFallback(err)
	case r.currentMode() == modeFallback && err == nil && r.cb.State() == gobreaker.StateClosed:
		// Calls wait while failback runs: bound it.
		ctx, cancel := context.WithTimeout(context.Background(), min(r.cfg.OperationTimeout, failbackTimeout))
		defer cancel()
		if err := r.failback(ctx); err != nil {
			r.logger.Warn("failback postponed", "error", err)
		}
	}
}

// failback writes back what changed during the outage, restores what the
// primary lost, empties the fallback, and only then returns calls to the
// primary. Calls wait while it runs.
func (r *router) failback(ctx context.Context) error {
	r.switchMu.Lock()
	defer r.switchMu.Unlock()
	if r.currentMode() != modeFallback {
		return nil
	}
	start := time.Now()
	b, err := r.primary(ctx)
	if err != nil {
		return err
	}
	out := r.out
	ids := make([]int64, 0, len(out.dirty))
	for id := range out.dirty {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	written := 0
	for _, id := range ids {
		if err := r.writeBack(ctx, b, id, out); err != nil {
			return fmt.Errorf("writing back tournament %d: %w", id, err)
		}
		r.outMu.Lock()
		delete(out.dirty, id)
		r.outMu.Unlock()
		r.cache.pin(id, false)
		written++
	}
	restored, err := r.restore(ctx, b)
	if err != nil {
		return fmt.Errorf("restoring known tournaments: %w", err)
	}
	if r.fallback != nil {
		r.emptyFallback(ctx)
	}
	r.outMu.Lock()
	r.out = nil
	r.mode.Store(int32(modePrimary))
	r.signalSwitch()
	r.outMu.Unlock()
	r.failbacks.Add(1)
	r.lastFailover.Store(int64(start.Sub(out.began)))
	r.lastFailback.Store(int64(time.Since(start)))
	r.logger.Info("primary backend is back; failed back", "primary", r.primaryName, "outage", time.Since(out.began).Round(time.Millisecond),
		"written_back", written, "restored", restored, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (r *router) writeBack(ctx context.Context, b shared.Backend, id int64, out *outage) error {
	base := out.bases[id]
	req := shared.ReconcileRequest{TournamentID: id, BaseVersion: base, Origin: r.origin, Mode: shared.ReconcileWrite}
	if out.removed[id] {
		if base == 0 {
			return nil // created and removed during the outage
		}
		req.Mode = shared.ReconcileRemove
	} else if req.Snapshot, _ = r.cache.get(id); req.Snapshot == nil {
		return nil
	}
	// When the primary moved on (another host wrote, or a write whose reply
	// was lost went through), replay this host's changes on its state: if
	// every one still applies, the merge is written and nothing is lost.
	if req.Mode == shared.ReconcileWrite {
		stored, err := b.Get(ctx, id)
		if err != nil && !errors.Is(err, tournament.ErrNotFound) {
			return err
		}
		if stored != nil && stored.Version != base {
			if merged, ok := r.replay(stored, out.log[id]); ok {
				res, err := b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: id, Snapshot: merged,
					BaseVersion: stored.Version, Origin: r.origin, Mode: shared.ReconcileWrite})
				if err != nil {
					return err
				}
				if res.Outcome != shared.OutcomeConflict {
					r.logger.Info("failback merged this host's changes onto the primary's newer state",
						"tournament", id, "base_version", base, "primary_version", stored.Version, "merged_version", merged.Version)
					r.cache.replace(merged)
					r.settled(out, id, merged.Version)
					return nil
				}
			}
		}
	}
	res, err := b.Reconcile(ctx, req)
	if err != nil {
		return err
	}
	if res.Outcome != shared.OutcomeConflict {
		if req.Snapshot != nil {
			r.settled(out, id, req.Snapshot.Version)
		}
		return nil
	}
	r.conflicts.Add(1)
	r.logger.Warn("conflict on failback: the primary moved on during the outage and wins; the local change is kept in the conflicts record",
		"tournament", id, "base_version", base, "stored_version", res.StoredVersion, "mode", req.Mode)
	if t, err := b.Get(ctx, id); err == nil {
		r.cache.replace(t)
		r.settled(out, id, t.Version)
	} else if errors.Is(err, tournament.ErrNotFound) {
		r.cache.remove(id, res.StoredVersion)
	}
	return nil
}

// settled records that the primary now holds version of id, so that a
// failback retried after a partial one compares against it.
func (r *router) settled(out *outage, id, version int64) {
	r.outMu.Lock()
	out.bases[id] = version
	delete(out.log, id)
	r.outMu.Unlock()
}

// replay applies a tournament's outage log to the primary's state. A change
// whose effect is already there (the same create, a join of a player who
// is in, a start of a started tournament, a repeated result) is skipped;
// any other refusal means the histories cannot be merged.
func (r *router) replay(t *tournament.Tournament, log []logEntry) (*tournament.Tournament, bool) {
	if len(log) == 0 {
		return nil, false
	}
	env := tournament.Env{Now: time.Now().UTC(), Rand: globalRand{}, GameTimeout: r.cfg.GameTimeout}
	for _, e := range log {
		if e.create != nil {
			p, err := e.create.Validate()
			if err != nil || t.Name != p.Name || t.MaxPlayers != p.MaxPlayers || t.CreatorID != p.CreatorID {
				return nil, false
			}
			continue
		}
		next, _, err := tournament.Apply(t, e.cmd, env)
		switch {
		case err == nil:
			t = next
		case errors.Is(err, tournament.ErrAlreadyExists) && isCmd[tournament.AddPlayer](e.cmd),
			errors.Is(err, tournament.ErrNotFound) && isCmd[tournament.RemovePlayer](e.cmd),
			errors.Is(err, tournament.ErrFailedPrecondition) && isCmd[tournament.Start](e.cmd) && t.Status != tournament.StatusPending:
		default:
			return nil, false
		}
	}
	return t, true
}

func isCmd[C tournament.Command](c tournament.Command) bool {
	_, ok := c.(C)
	return ok
}

// restore gives back to a primary that lost data (restarted empty) every
// tournament this host knows and the primary lacks. Restoring never
// overwrites: a tournament the primary holds, or removed, is left alone.
// It costs one call per cached tournament the primary does not list as
// live (finished ones included), eight at a time.
func (r *router) restore(ctx context.Context, b shared.Backend) (int, error) {
	list, err := b.List(ctx)
	if err != nil {
		return 0, err
	}
	present := map[int64]bool{}
	for _, s := range list {
		present[s.ID] = true
	}
	snaps := r.cache.snapshots()
	var restored atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, restoreParallel)
	for _, t := range snaps {
		if present[t.ID] {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := b.Reconcile(ctx, shared.ReconcileRequest{TournamentID: t.ID, Snapshot: t, Mode: shared.ReconcileRestore, Origin: r.origin})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if err == nil && res.Outcome == shared.OutcomeWritten {
				restored.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(restored.Load()), firstErr
}

// emptyFallback removes everything from the fallback, so that the next
// outage starts from the snapshot cache and nothing stale.
func (r *router) emptyFallback(ctx context.Context) {
	b, err := r.fallback(ctx)
	if err != nil {
		return
	}
	var ids []int64
	_ = b.Export(ctx, func(t *tournament.Tournament) error { ids = append(ids, t.ID); return nil })
	for _, id := range ids {
		_, _ = b.Remove(ctx, shared.RemoveRequest{ID: id})
	}
}

// FailoverStats is the failover part of Status.
type FailoverStats struct {
	Mode             string `json:"mode"` // primary or fallback
	Failovers        int64  `json:"failovers"`
	Failbacks        int64  `json:"failbacks"`
	Conflicts        int64  `json:"conflicts"`
	PendingWriteBack int    `json:"pending_write_back"`
	LastOutageMS     int64  `json:"last_outage_ms,omitempty"`
	LastFailbackMS   int64  `json:"last_failback_ms,omitempty"`
	CachedSnapshots  int    `json:"cached_snapshots"`
}

func (r *router) stats() FailoverStats {
	st := FailoverStats{Mode: "primary", Failovers: r.failovers.Load(), Failbacks: r.failbacks.Load(),
		Conflicts: r.conflicts.Load(), LastOutageMS: r.lastFailover.Load() / 1e6, LastFailbackMS: r.lastFailback.Load() / 1e6,
		CachedSnapshots: r.cache.len()}
	r.outMu.Lock()
	if r.out != nil {
		st.Mode, st.PendingWriteBack = "fallback", len(r.out.dirty)
	}
	r.outMu.Unlock()
	return st
}
