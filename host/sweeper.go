package host

import (
	"context"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/tournament"
)

// sweep runs every TOURNEY_SWEEP_INTERVAL until Close: it resolves games
// past their deadline with TOURNEY_TIMEOUT_POLICY and runs the backend's
// housekeeping (TTL extension and expiry).
func (h *Host) sweep() {
	defer h.wg.Done()
	tick := time.NewTicker(h.cfg.SweepInterval)
	defer tick.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
			h.SweepOnce(context.Background())
		}
	}
}

// SweepOnce runs one sweep now and returns how many tournaments had overdue
// games resolved. The sweeper calls it on its own; tests and tools may too.
func (h *Host) SweepOnce(ctx context.Context) int {
	resolved := 0
	err := h.call(ctx, func(ctx context.Context, b shared.Backend) error {
		rep, err := b.Maintain(ctx)
		if err != nil {
			return err
		}
		if rep.Expired > 0 {
			h.logger.Info("expired tournaments forgotten", "count", rep.Expired)
		}
		list, err := b.List(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		for _, s := range list {
			if s.NextDeadline == nil || s.NextDeadline.After(now) {
				continue
			}
			c, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: s.ID, Command: tournament.ResolveTimeouts{Policy: h.cfg.TimeoutPolicy}})
			if err != nil {
				h.logger.Warn("resolving overdue games failed", "tournament", s.ID, "error", err)
				continue
			}
			if len(c.Events) > 0 {
				resolved++
				h.logger.Info("overdue games resolved", "tournament", s.ID, "policy", h.cfg.TimeoutPolicy, "version", c.Tournament.Version)
			}
		}
		return nil
	})
	if err != nil {
		h.logger.Warn("sweep failed", "error", err)
	}
	return resolved
}
