package failover

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/tourney/tourney/shared"
)

// Run probes the primary until ctx is done, driving the state machine when
// no traffic does: it trips the breaker when the primary stops answering,
// starts failback when it answers again, and notices a primary that came
// back with another data set. Failback runs until ctx is done too.
func (r *Router) Run(ctx context.Context) {
	tick := time.NewTicker(ProbeInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.Probe(ctx)
		}
	}
}

// Probe asks the primary for its health through the breaker once and acts
// on the answer (a failback it starts runs until ctx is done). It returns
// what the primary answered: nil when it is healthy.
func (r *Router) Probe(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	var rep shared.HealthReport
	_, err := r.cb.Execute(func() (struct{}, error) {
		b, err := r.src.primary(pctx)
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
				r.src.primaryName, "error", err)
		}
	}
	epochChanged := false
	if err == nil && rep.Epoch != "" {
		r.m.mu.Lock()
		epochChanged = r.m.epoch != "" && r.m.epoch != rep.Epoch
		r.m.epoch = rep.Epoch
		r.m.mu.Unlock()
	}
	switch s := r.State(); {
	case s != StateFallback && r.cb.State() == gobreaker.StateOpen:
		r.toFallback(err)
	case s == StateFallback && err == nil && r.cb.State() == gobreaker.StateClosed:
		if r.toFailingBack(epochChanged) {
			go r.runFailback(ctx)
		}
	case s == StatePrimary && epochChanged:
		if r.toFailingBack(true) {
			go r.runFailback(ctx)
		}
	case s == StateFailingBack && epochChanged:
		r.m.mu.Lock()
		r.m.restoreNeeded, r.m.checked = true, map[int64]bool{}
		r.m.mu.Unlock()
	}
	return err
}

// Serving describes the backend serving calls now: its name, whether it can
// serve, and its own word on its health.
type Serving struct {
	Backend string
	Ready   bool
	Health  string
}

// Serving reports which backend serves now and how it is (the primary as
// its last probe found it; the fallback asked now, within a second).
func (r *Router) Serving(ctx context.Context) Serving {
	if r.State() == StatePrimary {
		res, _ := r.lastProbe.Load().(probeResult)
		sv := Serving{Backend: r.src.primaryName, Ready: res.err == nil, Health: res.detail}
		if res.err != nil {
			sv.Health = res.err.Error()
		}
		return sv
	}
	if r.src.fallback == nil {
		return Serving{Backend: "none", Health: r.unavailable().Error()}
	}
	sv := Serving{Backend: r.src.fallbackName}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	b, err := r.src.fallback(ctx)
	if err == nil {
		var rep shared.HealthReport
		rep, err = b.Health(ctx)
		sv.Health = rep.Detail
	}
	sv.Ready = err == nil
	if err != nil {
		sv.Health = err.Error()
	}
	return sv
}
