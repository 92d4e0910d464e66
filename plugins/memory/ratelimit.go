package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tourney/tourney/tournament"
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
// limit: the overall one, then the operation's own (TOURNEY_RATE_LIMITS).
// An empty actor, or a zero rate, is never limited.
func (b *Backend) admit(ctx context.Context, actor, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if actor == "" {
		return nil
	}
	now := b.opts.Now()
	if err := b.limiter.take(now, actor, actor, "calls"); err != nil {
		return err
	}
	if rate := b.opts.RateLimits[op]; rate > 0 {
		b.limiterMu.Lock()
		l := b.opLimiter[op]
		if l == nil {
			l = newActorLimiter(rate, rate)
			b.opLimiter[op] = l
		}
		b.limiterMu.Unlock()
		return l.take(now, actor+":"+op, actor, op+" calls")
	}
	return nil
}

// take spends one token of key's bucket, or says when to retry.
func (l *actorLimiter) take(now time.Time, key, actor, what string) error {
	if l.limit == 0 {
		return nil
	}
	l.mu.Lock()
	lim := l.actors[key]
	if lim == nil {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.actors[key] = lim
	}
	res := lim.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if delay > 0 {
		res.CancelAt(now)
	}
	l.mu.Unlock()
	if delay > 0 {
		return &tournament.Error{Code: tournament.CodeRateLimited, RetryAfter: delay,
			Message: fmt.Sprintf("rate limit of %v %s per second exceeded for actor %q; retry after %v",
				float64(l.limit), what, actor, delay.Round(time.Millisecond))}
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
