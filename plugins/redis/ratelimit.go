// The per-actor rate limits of mutating calls.

package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/tourney/tourney/tournament"
)

// admit applies the per-actor rate limits (GCRA, redis_rate, shared by
// every host): TOURNEY_RATE_LIMIT over every mutating call, then the
// operation's own limit from TOURNEY_RATE_LIMITS; each costs a round trip
// when set. With Redis down the call fails as unavailable, like the
// operation it guards would.
func (b *Backend) admit(ctx context.Context, actor, op string) error {
	if actor == "" {
		return nil
	}
	check := func(key string, rate, burst int, what string) error {
		if rate <= 0 {
			return nil
		}
		res, err := b.limiter.Allow(ctx, key, redis_rate.Limit{Rate: rate, Burst: max(burst, rate), Period: time.Second})
		if err != nil {
			return redisErr(err)
		}
		if res.Allowed == 0 {
			return &tournament.Error{Code: tournament.CodeRateLimited, RetryAfter: res.RetryAfter,
				Message: fmt.Sprintf("rate limit of %d %s per second exceeded for actor %q; retry after %v", rate, what,
					actor, res.RetryAfter.Round(time.Millisecond))}
		}
		return nil
	}
	if err := check("actor:"+actor, b.opts.RateLimit, b.opts.RateBurst, "calls"); err != nil {
		return err
	}
	return check("actor:"+actor+":"+op, b.opts.RateLimits[op], 0, op+" calls")
}
