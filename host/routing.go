package host

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// call describes a call for routing: which tournament it concerns and what
// it does.
type call struct {
	id      int64 // 0: not about one tournament (list, export, import, housekeeping)
	write   bool
	create  *tournament.CreateParams // a create
	cmd     tournament.Command       // an apply
	remove  bool                     // a removal
	all     bool                     // needs every known tournament (list, export)
	primary bool                     // the primary only (import): refused on the fallback
	op      string                   // an apply's name on the primary (shared.ApplyRequest.OpID)
}

// result is what a successful call tells the router about state.
type result struct {
	changed bool // the call changed state (it emitted events)
	snaps   []*tournament.Tournament
	removed int64 // id of a tournament removed by the call
	version int64 // the version it was removed at
}

type callFunc func(context.Context, shared.Backend) (result, error)

func (r *router) stripe(id int64) int { return int(uint64(id) % uint64(len(r.idLocks))) }

// do runs fn, bounded by OPERATION_TIMEOUT, on the backend that serves c.
func (r *router) do(ctx context.Context, c call, fn callFunc) error {
	opCtx, cancel := context.WithTimeout(ctx, r.cfg.OperationTimeout)
	defer cancel()
	for {
		switch r.state() {
		case stateFallback:
			if err, retry := r.onFallback(opCtx, c, fn); !retry {
				return err
			}
			continue
		case stateFailingBack:
			if c.all || c.primary || c.id == 0 {
				// Wait until everything is written back: a listing must
				// not miss what is still pending.
				if err := r.waitFailback(opCtx); err != nil {
					return err
				}
				continue
			}
			pending, err := r.settleFor(opCtx, c.id)
			if isBackendFailure(err) {
				r.toFallback(err)
				continue
			}
			if pending {
				// It could not be written back yet (a full store): the
				// fallback keeps serving it.
				if err, retry := r.onFallback(opCtx, c, fn); !retry {
					return err
				}
				continue
			}
		}
		err, retry := r.onPrimary(ctx, opCtx, c, fn)
		if !retry {
			return err
		}
	}
}

// onPrimary runs fn on the primary through the breaker. retry says the call
// did not run there and the state changed: route it again.
func (r *router) onPrimary(ctx, opCtx context.Context, c call, fn callFunc) (err error, retry bool) {
	var res result
	executed := false
	_, err = r.cb.Execute(func() (struct{}, error) {
		executed = true
		wait, cancel := context.WithTimeout(opCtx, primaryWait)
		b, err := r.primary(wait)
		cancel()
		if err == nil {
			res, err = fn(opCtx, b)
		}
		if err != nil && ctx.Err() != nil {
			err = callerGaveUp{err}
		}
		return struct{}{}, err
	})
	if gave := (callerGaveUp{}); errors.As(err, &gave) {
		err = gave.err
	}
	if r.cb.State() == gobreaker.StateOpen && r.state() != stateFallback {
		r.toFallback(err)
	}
	if err == nil {
		r.observe(c, res, false)
		if c.write && c.id != 0 {
			r.clearUncertain(c.id)
		}
		return nil, false
	}
	if !executed && r.state() != stateFallback {
		// The breaker refused the call (open, or half-open and busy).
		return Refused("the %s backend is failing; retry shortly", r.primaryName), false
	}
	if executed && c.write && c.op != "" && isBackendFailure(err) {
		// The primary may have taken the change without its answer
		// reaching this host: remember it as this host's own, should it
		// turn up there after the outage.
		r.noteUncertain(c.id, c.op)
	}
	if r.state() != stateFallback {
		return err, false
	}
	if executed && (c.write || !isBackendFailure(err)) {
		// A write whose outcome is unknown is not replayed elsewhere: the
		// caller retries (results and joins are idempotent or say so).
		return err, false
	}
	// Not executed (the breaker is open), or a read on a backend that just
	// failed: the fallback serves it.
	return nil, true
}

// onFallback runs fn on the fallback, after importing what it needs. A
// write is in the outage log, on disk, before onFallback returns. retry
// says the call did not run: the state changed, route it again.
func (r *router) onFallback(ctx context.Context, c call, fn callFunc) (err error, retry bool) {
	if r.fallback == nil || (r.readonly && c.write) {
		return r.unavailable(), false
	}
	if c.primary {
		return Refused("import is refused while the %s backend is unavailable; retry when it is back", r.primaryName), false
	}
	r.fbMu.RLock()
	defer r.fbMu.RUnlock()
	if c.id != 0 {
		l := &r.idLocks[r.stripe(c.id)]
		l.RLock()
		defer l.RUnlock()
	}
	// Settling may have run between routing and these locks: route again
	// (after letting go of them) rather than write on the fallback what is
	// already written back.
	if s := r.state(); s == statePrimary || (s == stateFailingBack && (c.id == 0 || r.log == nil || !r.log.has(c.id))) {
		return nil, true
	}
	b, err := r.fallback(ctx)
	if err != nil {
		return err, false
	}
	if err := r.prepare(ctx, b, c); err != nil {
		return err, false
	}
	res, err := fn(ctx, b)
	if err != nil {
		return err, false
	}
	return r.observe(c, res, true), false
}

// prepare makes sure the fallback holds what the call needs: a tournament
// this host knows (from its outage log, else its snapshot cache) is
// imported before its first call there, and again after the fallback
// plugin restarted empty.
func (r *router) prepare(ctx context.Context, b shared.Backend, c call) error {
	if c.all {
		return r.prepareAll(ctx, b)
	}
	if c.id == 0 {
		return nil
	}
	l := &r.importLocks[r.stripe(c.id)]
	l.Lock()
	defer l.Unlock()
	snap, known, err := r.knownState(c.id)
	if err != nil {
		return err
	}
	if v, ok := r.importedVersion(c.id); ok && (snap == nil || v == snap.Version) {
		// The fallback holds what this host knows. A copy imported before
		// the primary moved on (the host wrote there since, while failing
		// back) is not: it is imported again.
		return nil
	}
	var version int64
	switch {
	case snap != nil:
		if _, err := b.Import(ctx, []*tournament.Tournament{snap}); err != nil {
			return err
		}
		version = snap.Version
	case known && c.create == nil:
		return tournament.Errorf(tournament.CodeNotFound, "tournament %d not found", c.id)
	case !known && c.create == nil:
		return Refused(
			"tournament %d is not known to this host and the %s backend is unavailable; retry when it is back", c.id, r.primaryName)
	}
	r.markImported(c.id, version)
	return nil
}

// knownState is this host's latest state of id: the outage log's when it
// holds changes of id, else the snapshot cache's. known is false when the
// host has never seen id; a known id with a nil snapshot was removed.
func (r *router) knownState(id int64) (snap *tournament.Tournament, known bool, err error) {
	if r.log != nil {
		rec, err := r.log.load(id)
		if err != nil {
			return nil, false, err
		}
		if rec != nil {
			return rec.latest, true, nil
		}
	}
	snap, known = r.cache.get(id)
	return snap, known, nil
}

// prepareAll imports every tournament the host knows and the fallback does
// not hold yet. It holds every import stripe, so that no single import
// races it.
func (r *router) prepareAll(ctx context.Context, b shared.Backend) error {
	r.mu.Lock()
	r.syncFallbackGen()
	done := r.fallbackLoaded.all
	r.mu.Unlock()
	if done {
		return nil
	}
	for i := range r.importLocks {
		r.importLocks[i].Lock()
		defer r.importLocks[i].Unlock()
	}
	var load []*tournament.Tournament
	seen := map[int64]bool{}
	if r.log != nil {
		ids, err := r.log.pending()
		if err != nil {
			return err
		}
		for _, id := range ids {
			seen[id] = true
			rec, err := r.log.load(id)
			if err != nil {
				return err
			}
			if rec != nil && rec.latest != nil && !r.holds(rec.latest) {
				load = append(load, rec.latest)
			}
		}
	}
	for _, s := range r.cache.snapshots() {
		if !seen[s.ID] && !r.holds(s) {
			load = append(load, s)
		}
	}
	if len(load) > 0 {
		if _, err := b.Import(ctx, load); err != nil {
			return err
		}
	}
	r.mu.Lock()
	for _, s := range load {
		r.setImported(s.ID, s.Version)
	}
	r.fallbackLoaded.all = true
	r.mu.Unlock()
	return nil
}

// holds reports whether the fallback holds snapshot s's version of it.
func (r *router) holds(s *tournament.Tournament) bool {
	v, ok := r.importedVersion(s.ID)
	return ok && v == s.Version
}

// syncFallbackGen forgets what was imported when the fallback plugin was
// relaunched (it starts empty). The caller holds r.mu.
func (r *router) syncFallbackGen() {
	if gen := r.fallbackGen(); gen != r.fallbackLoaded.gen {
		r.emptyFallbackContents(gen)
	}
}

// emptyFallbackContents records that the fallback (launch gen) holds
// nothing. The caller holds r.mu.
func (r *router) emptyFallbackContents(gen uint64) {
	r.fallbackLoaded = fallbackContents{gen: gen, imported: map[int64]int64{}}
	r.fallbackHolds.Store(false)
}

// importedVersion is the version of id the fallback holds, if any.
func (r *router) importedVersion(id int64) (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.syncFallbackGen()
	v, ok := r.fallbackLoaded.imported[id]
	return v, ok
}

func (r *router) markImported(id, version int64) {
	r.mu.Lock()
	r.setImported(id, version)
	r.mu.Unlock()
}

// setImported records that the fallback holds version of id. The caller
// holds r.mu.
func (r *router) setImported(id, version int64) {
	r.fallbackLoaded.imported[id] = version
	r.fallbackHolds.Store(true)
}

// forgetImported makes the next fallback call about id import it again
// (it was written back, and the primary may move on from there).
func (r *router) forgetImported(id int64) {
	r.mu.Lock()
	delete(r.fallbackLoaded.imported, id)
	r.fallbackLoaded.all = false
	r.mu.Unlock()
}

// outdateImport forgets the fallback's copy of s's tournament when the
// primary gave this host a newer state of it: the next fallback call
// imports what the host knows then. Nearly free while the fallback holds
// nothing (no outage since the last failback).
func (r *router) outdateImport(s *tournament.Tournament) {
	if !r.fallbackHolds.Load() {
		return
	}
	r.mu.Lock()
	if v, ok := r.fallbackLoaded.imported[s.ID]; ok && v != s.Version {
		delete(r.fallbackLoaded.imported, s.ID)
		r.fallbackLoaded.all = false
	}
	r.mu.Unlock()
}

// observe updates the snapshot cache, the removals this host has seen, and
// on the fallback the outage log (on disk before the call is answered).
func (r *router) observe(c call, res result, onFallback bool) error {
	var base *tournament.Tournament
	logIt := onFallback && c.write && c.id != 0 && res.changed && r.log != nil
	if logIt && c.create == nil && !r.log.has(c.id) {
		// The first change of the outage: its base is the state imported
		// into the fallback, which the cache still holds.
		base, _ = r.cache.get(c.id)
	}
	for _, s := range res.snaps {
		r.cache.put(s)
		if onFallback {
			r.markImported(s.ID, s.Version) // what the fallback holds now
		} else {
			r.outdateImport(s)
		}
	}
	if res.removed != 0 {
		r.cache.remove(res.removed, res.version)
		if onFallback {
			r.forgetImported(res.removed)
		}
	}
	if r.log != nil && c.write {
		if res.removed != 0 {
			if err := r.log.tombstone(res.removed, res.version, time.Now().Add(r.cfg.TournamentTTL)); err != nil {
				r.logger.Warn("recording a removal in the outage log failed", "tournament", res.removed, "error", err)
			}
		} else if c.create != nil && r.log.removed(c.id, time.Now()) {
			_ = r.log.untombstone(c.id)
		}
	}
	if !logIt {
		return nil
	}
	var e logEntry
	var latest *tournament.Tournament
	if len(res.snaps) > 0 {
		latest = res.snaps[0]
	}
	switch {
	case c.create != nil:
		e.Create = c.create
	case c.remove:
		e.Remove = true
	case c.cmd != nil:
		enc, err := tournament.MarshalCommand(tournament.Decided(c.cmd, nil, latest))
		if err != nil {
			return err
		}
		e.Command = enc
	}
	var baseVersion int64
	if base != nil {
		baseVersion = base.Version
	}
	if err := r.log.record(c.id, base, baseVersion, e, latest, c.remove, r.uncertainOps(c.id)); err != nil {
		r.logger.Error("the outage log could not be written; the change is on the fallback only", "tournament", c.id, "error", err)
		return tournament.Errorf(tournament.CodeUnavailable, "the change could not be logged on disk (TOURNEY_DATA_DIR): %v", err)
	}
	return nil
}

// current returns the backend a long-lived call (a subscription) should
// use, prepared, the tag of its event ids, and a channel closed at the next
// transition.
func (r *router) current(ctx context.Context, c call) (shared.Backend, <-chan struct{}, string, error) {
	r.mu.Lock()
	switched := r.switched
	r.syncFallbackGen()
	tag := fmt.Sprintf("f%x", r.fallbackLoaded.gen<<16^uint64(r.launch&0xffff))
	r.mu.Unlock()
	if r.state() != stateFallback {
		b, err := r.primary(ctx)
		return b, switched, "p", err
	}
	if r.fallback == nil {
		return nil, nil, "", r.unavailable()
	}
	b, err := r.fallback(ctx)
	if err == nil {
		err = r.prepare(ctx, b, c)
	}
	return b, switched, tag, err
}

// uncertainTracked bounds the tournaments whose unanswered primary
// changes are remembered.
const uncertainTracked = 4096

// noteUncertain remembers that change op of tournament id went to the
// primary and its outcome is unknown (the primary failed before
// answering). Should the primary turn out to hold it after the outage, it
// is this host's own change, which the caller was never told of and
// retried (on the fallback): the outage's acknowledged changes replace it
// rather than conflict with it (writeBack).
func (r *router) noteUncertain(id int64, op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.uncertain == nil {
		r.uncertain = map[int64][]string{}
	}
	if _, ok := r.uncertain[id]; !ok && len(r.uncertain) >= uncertainTracked {
		for victim := range r.uncertain { // any one: a lost entry only costs a conflict record
			delete(r.uncertain, victim)
			break
		}
	}
	ops := append(r.uncertain[id], op)
	r.uncertain[id] = ops[max(0, len(ops)-4):]
	r.uncertainN.Store(int64(len(r.uncertain)))
}

// clearUncertain forgets id's unanswered changes once a change of it is
// answered on the primary (whatever they did is behind it now).
func (r *router) clearUncertain(id int64) {
	if r.uncertainN.Load() == 0 {
		return
	}
	r.mu.Lock()
	delete(r.uncertain, id)
	r.uncertainN.Store(int64(len(r.uncertain)))
	r.mu.Unlock()
}

// uncertainOps returns id's unanswered changes (see noteUncertain).
func (r *router) uncertainOps(id int64) []string {
	if r.uncertainN.Load() == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.uncertain[id])
}
