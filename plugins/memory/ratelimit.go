package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tourney/tourney/shared/tournament"
	"golang.org/x/time/rate"
)

// actorLimiter limits mutating calls per actor. A token bucket of rate r and
// burst b admits exactly what GCRA (redis_rate, used by the Redis backend)
// with the same rate and burst admits.
type actorLimiter struct {
	limit rate.Limit
	burst int

	mu     sync.Mutex
	actors map[string]*rate.Limiter
}

func newActorLimiter(perSecond, burst int) *actorLimiter {
	if burst <= 0 {
		burst = perSecond
	}
	return &actorLimiter{limit: rate.Limit(perSecond), burst: burst, actors: map[string]*rate.Limiter{}}
}

// admit reports rate_limited with the retry-after when actor is over its
// limit. An empty actor, or a zero rate, is never limited.
func (b *Backend) admit(ctx context.Context, actor string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := b.limiter
	if l.limit == 0 || actor == "" {
		return nil
	}
	now := b.opts.Now()
	l.mu.Lock()
	lim := l.actors[actor]
	if lim == nil {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.actors[actor] = lim
	}
	res := lim.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if delay > 0 {
		res.CancelAt(now)
	}
	l.mu.Unlock()
	if delay > 0 {
		return &tournament.Error{Code: tournament.CodeRateLimited, RetryAfter: delay,
			Message: fmt.Sprintf("rate limit of %v calls per second exceeded for actor %q; retry after %v", float64(l.limit), actor, delay.Round(time.Millisecond))}
	}
	return nil
}

// prune forgets actors whose bucket is full again: they are
// indistinguishable from new ones.
func (l *actorLimiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for a, lim := range l.actors {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.actors, a)
		}
	}
}
