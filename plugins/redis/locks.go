// The per-tournament lock: taken by acquire.lua when a change cannot be
// written in one trip, released by its commit or by release.lua.

package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	mrand "math/rand/v2"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/tournament"
)

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// acquire takes tournament id's lock and returns its state. While another
// holder has the lock it backs off (1 ms doubling to 32 ms, with jitter, never
// past the lock's remaining life) until ctx ends, then reports aborted.
func (b *Backend) acquire(ctx context.Context, id int64, token string) (*tournament.Tournament, error) {
	keys := []string{b.keys.lock(id), b.keys.tournament(id), b.keys.record(id)[3]}
	start, delay, contended := time.Now(), time.Millisecond, false
	busy := func() error {
		return tournament.Errorf(tournament.CodeAborted, "tournament %d is locked by another writer (waited %v); retry",
			id, time.Since(start).Round(time.Millisecond))
	}
	for {
		cached := b.states.lookup(id)
		res, err := acquireScript.Run(ctx, b.rdb, keys, token, b.opts.LockTimeout.Milliseconds(), cached.rev).Slice()
		if err != nil {
			b.orphan(id, token) // the lock may have been taken though the reply was lost
			if contended && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, busy()
			}
			return nil, redisErr(err)
		}
		switch code, _ := res[0].(int64); code {
		case 1:
			t, _, err := b.states.decode(id, cached, res)
			if err != nil {
				b.release(id, token)
				return nil, err
			}
			return t, nil
		case 2:
			return nil, notFound(id)
		}
		contended = true
		wait := delay/2 + time.Duration(mrand.Int64N(int64(delay)))
		if pttl, _ := res[1].(int64); pttl > 0 {
			wait = min(wait, time.Duration(pttl)*time.Millisecond)
		}
		delay = min(2*delay, 32*time.Millisecond)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+50*time.Millisecond {
			return nil, busy() // answer before the caller's deadline does
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil, ctx.Err()
			}
			return nil, busy()
		case <-time.After(wait):
		}
	}
}

// release gives the lock back (even when the caller's context is done).
func (b *Backend) release(id int64, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if err := releaseScript.Run(ctx, b.rdb, []string{b.keys.lock(id)}, token).Err(); err != nil {
		b.logger.Warn("releasing a lock failed; retrying when Redis answers", "tournament", id, "error", err)
		b.orphan(id, token)
	}
}

func (b *Backend) orphan(id int64, token string) {
	b.orphans.mu.Lock()
	b.orphans.byToken[token] = id
	b.orphans.mu.Unlock()
}

// releaseOrphans releases the locks this process may hold unknowingly.
// Each release compares the token first, so a lock since taken by another
// holder is left alone.
func (b *Backend) releaseOrphans(ctx context.Context) {
	b.orphans.mu.Lock()
	orphans := b.orphans.byToken
	b.orphans.byToken = map[string]int64{}
	b.orphans.mu.Unlock()
	if len(orphans) == 0 {
		return
	}
	cmds := map[string]*goredis.Cmd{}
	_, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		for token, id := range orphans {
			cmds[token] = releaseScript.EvalSha(ctx, p, []string{b.keys.lock(id)}, token)
		}
	})
	for token, c := range cmds {
		id := orphans[token]
		if err != nil || c.Err() != nil {
			b.orphan(id, token)
		} else if n, _ := c.Int(); n == 1 {
			b.logger.Info("released a lock left by a lost reply", "tournament", id)
		}
	}
}
