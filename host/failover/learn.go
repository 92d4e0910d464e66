package failover

import (
	"time"

	"github.com/tourney/tourney/tournament"
)

// learn records what a call's result tells this host: the snapshot cache
// takes its states and removals, the fallback's contents what it now holds
// (or no longer holds, when the primary moved on), and the outage log the
// removals this host saw (tombstones).
func (r *Router) learn(c Call, res Result, onFallback bool) {
	for _, s := range res.Snaps {
		r.cache.put(s)
		if onFallback {
			r.markImported(s.ID, s.Version) // what the fallback holds now
		} else {
			r.outdateImport(s)
		}
	}
	if res.Removed != 0 {
		r.cache.remove(res.Removed, res.RemovedVersion)
		if onFallback {
			r.forgetImported(res.Removed)
		}
	}
	if r.log != nil && c.write() {
		if res.Removed != 0 {
			if err := r.log.tombstone(res.Removed, res.RemovedVersion, time.Now().Add(r.cfg.TournamentTTL)); err != nil {
				r.logger.Warn("recording a removal in the outage log failed", "tournament", res.Removed, "error", err)
			}
		} else if c.Kind == Create && r.log.removed(c.ID, time.Now()) {
			_ = r.log.untombstone(c.ID)
		}
	}
}

// learnOnFallback learns from a call the fallback served and, for a
// change, appends it to the outage log: on disk before the call is
// answered, or the call fails.
func (r *Router) learnOnFallback(c Call, res Result) error {
	logIt := c.write() && c.tournament() != 0 && res.Changed && r.log != nil
	var base *tournament.Tournament
	if logIt && c.Kind != Create && !r.log.has(c.ID) {
		// The first change of the outage: its base is the state imported
		// into the fallback, which the cache still holds.
		base, _ = r.cache.get(c.ID)
	}
	r.learn(c, res, true)
	if !logIt {
		return nil
	}
	var e logEntry
	var latest *tournament.Tournament
	if len(res.Snaps) > 0 {
		latest = res.Snaps[0]
	}
	switch c.Kind {
	case Create:
		e.Create = c.Create
	case Remove:
		e.Remove = true
	case Apply:
		enc, err := tournament.MarshalCommand(tournament.Decided(c.Cmd, nil, latest))
		if err != nil {
			return err
		}
		e.Command = enc
	}
	var baseVersion int64
	if base != nil {
		baseVersion = base.Version
	}
	if err := r.log.record(c.ID, base, baseVersion, e, latest, c.Kind == Remove, r.unsure.ops(c.ID)); err != nil {
		r.logger.Error("the outage log could not be written; the change is on the fallback only", "tournament", c.ID, "error", err)
		return tournament.Errorf(tournament.CodeUnavailable, "the change could not be logged on disk (TOURNEY_DATA_DIR): %v", err)
	}
	return nil
}
