package host

import (
	"context"
	"time"

	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// sweep runs every TOURNEY_SWEEP_INTERVAL until Close: it warns the players
// of games whose deadline is within TOURNEY_DEADLINE_WARNING, resolves games
// past their deadline with TOURNEY_TIMEOUT_POLICY and runs the backend's
// housekeeping (TTL extension and expiry).
func (h *Host) sweep() {
	defer h.life.wg.Done()
	tick := time.NewTicker(h.cfg.Host.SweepInterval)
	defer tick.Stop()
	for {
		select {
		case <-h.life.stop:
			return
		case <-tick.C:
			h.SweepOnce(context.Background())
		}
	}
}

// SweepOnce runs one sweep now and returns how many tournaments had overdue
// games resolved. The sweeper calls it on its own; tests and tools may too.
func (h *Host) SweepOnce(ctx context.Context) int {
	err := h.call(ctx, failover.Call{Kind: failover.Housekeeping}, func(ctx context.Context, b shared.Backend) (failover.Result, error) {
		rep, err := b.Maintain(ctx)
		if err == nil && rep.Expired > 0 {
			h.logger.Info("expired tournaments forgotten", "count", rep.Expired)
		}
		if err == nil {
			h.housekeeping.Store(&rep)
		}
		return failover.Result{}, err
	})
	if err != nil {
		h.logger.Warn("backend housekeeping failed", "error", err)
	}
	list, err := h.ListTournaments(ctx)
	if err != nil {
		h.logger.Warn("sweep failed", "error", err)
		return 0
	}
	resolved := 0
	now := time.Now()
	for _, s := range list {
		if s.NextDeadline == nil {
			continue
		}
		if lead := h.cfg.Host.DeadlineWarn; lead > 0 && s.NextDeadline.After(now) && !s.NextDeadline.After(now.Add(lead)) {
			if _, err := h.apply(ctx, s.ID, tournament.WarnDeadlines{Lead: lead}); err != nil {
				h.logger.Warn("warning players of a near deadline failed", "tournament", s.ID, "error", err)
			}
		}
		if s.NextDeadline.After(now) {
			continue
		}
		prev := s.Version
		t, err := h.apply(ctx, s.ID, tournament.ResolveTimeouts{Policy: h.cfg.Host.TimeoutPolicy})
		if err != nil {
			h.logger.Warn("resolving overdue games failed", "tournament", s.ID, "error", err)
			continue
		}
		if t.Version != prev {
			resolved++
			h.logger.Info("overdue games resolved", "tournament", s.ID, "policy", h.cfg.Host.TimeoutPolicy, "version", t.Version)
		}
	}
	return resolved
}
