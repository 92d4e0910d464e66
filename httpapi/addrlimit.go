package httpapi

import (
	"fmt"
	"sync"
	"time"

	"github.com/tourney/tourney/tournament"
	"golang.org/x/time/rate"
)

// addrLimiter limits calls per client address on this host (token buckets
// in memory). It bounds what one address can do whatever actor it claims;
// the per-actor limits, shared by every host, live in the backend.
type addrLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	pruned  time.Time
}

func newAddrLimiter(perSecond int) *addrLimiter {
	return &addrLimiter{limit: rate.Limit(perSecond), burst: perSecond, buckets: map[string]*rate.Limiter{}}
}

// admit spends one token of addr's bucket, or says when to retry.
func (l *addrLimiter) admit(addr string, now time.Time) error {
	if l.limit == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.pruned) > time.Minute {
		// A full bucket is the same as no bucket: forget it.
		for a, b := range l.buckets {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.buckets, a)
			}
		}
		l.pruned = now
	}
	b := l.buckets[addr]
	if b == nil {
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[addr] = b
	}
	res := b.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return &tournament.Error{Code: tournament.CodeRateLimited, RetryAfter: d,
			Message: fmt.Sprintf("rate limit of %d calls per second per client address exceeded; retry after %v",
				int(l.limit), d.Round(time.Millisecond))}
	}
	return nil
}
