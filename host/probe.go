package host

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/tourney/tourney/shared"
)

// probe drives the state machine when no traffic does: it trips the
// breaker when the primary stops answering, starts failback when it answers
// again, and notices a primary that came back with another data set.
func (r *router) probe(ctx context.Context) {
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.probeOnce(ctx)
		}
	}
}

// probeOnce asks the primary for its health through the breaker and acts
// on the answer.
func (r *router) probeOnce(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	var rep shared.HealthReport
	_, err := r.cb.Execute(func() (struct{}, error) {
		b, err := r.primary(pctx)
		if err == nil {
			rep, err = b.Health(pctx)
		}
		return struct{}{}, err
	})
	cancel()
	if !errors.Is(err, gobreaker.ErrOpenState) && !errors.Is(err, gobreaker.ErrTooManyRequests) {
		prev, _ := r.lastProbe.Load().(probeResult)
		r.lastProbe.Store(probeResult{err, rep.Detail})
		if err != nil && !isBackendFailure(err) && (prev.err == nil || prev.err.Error() != err.Error()) {
			// Misconfiguration or a bug: failing over would not help.
			r.logger.Error("the primary backend answers but refuses to serve; check its configuration", "primary",
				r.primaryName, "error", err)
		}
	}
	epochChanged := false
	if err == nil && rep.Epoch != "" {
		r.mu.Lock()
		epochChanged = r.epoch != "" && r.epoch != rep.Epoch
		r.epoch = rep.Epoch
		r.mu.Unlock()
	}
	switch s := r.state(); {
	case s != stateFallback && r.cb.State() == gobreaker.StateOpen:
		r.toFallback(err)
	case s == stateFallback && err == nil && r.cb.State() == gobreaker.StateClosed:
		if r.toFailingBack(epochChanged) {
			go r.runFailback(ctx)
		}
	case s == statePrimary && epochChanged:
		if r.toFailingBack(true) {
			go r.runFailback(ctx)
		}
	case s == stateFailingBack && epochChanged:
		r.mu.Lock()
		r.restoreNeeded, r.checked = true, map[int64]bool{}
		r.mu.Unlock()
	}
}
