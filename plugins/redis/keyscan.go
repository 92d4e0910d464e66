package redis

import (
	"context"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
)

// Key scanning, bounded in cost: each housekeeping pass walks at most
// scanBudget of the store (SCAN ... COUNT scanCount under KEY_PREFIX, on
// every master of a cluster), and a full scan is spread over as many passes
// as it needs. What a full scan found is reported until the next one ends.
const (
	scanBudget = 50 * time.Millisecond
	scanCount  = 500
)

// keyScan is the state of the scan under way and the last complete one.
type keyScan struct {
	mu      sync.Mutex
	cursors map[string]uint64 // per node: where the scan under way stands
	done    map[string]bool   // nodes the scan under way has finished
	cur     shared.KeyStats
	last    *shared.KeyStats
}

func newKeyScan() *keyScan {
	s := &keyScan{}
	s.reset()
	return s
}

func (s *keyScan) reset() {
	s.cursors, s.done = map[string]uint64{}, map[string]bool{}
	s.cur = shared.KeyStats{ByKind: map[string]int64{}, Repaired: map[string]int64{}}
}

// kind names what a key (without the prefix) is, and the tournament hash
// it belongs to ("" for none).
func (k keyspace) kind(key string) (kind, owner string) {
	rest, ok := strings.CutPrefix(key, k.prefix)
	if !ok {
		return "other", ""
	}
	switch {
	case rest == "active_tournaments" || rest == "epoch":
		return "meta", ""
	case strings.HasPrefix(rest, "{webhooks}:"):
		return "webhook", ""
	case strings.HasPrefix(rest, "rate:"):
		return "rate", ""
	case strings.HasPrefix(rest, "player:{") && strings.HasSuffix(rest, "}:tournaments"):
		return "player_index", ""
	case strings.HasPrefix(rest, "tournament_lock:{"):
		return "lock", k.prefix + "tournament:" + strings.TrimPrefix(rest, "tournament_lock:")
	case strings.HasPrefix(rest, "tournament:{"):
		i := strings.Index(rest, "}")
		if i < 0 {
			return "other", ""
		}
		owner = k.prefix + rest[:i+1]
		switch suffix := rest[i+1:]; suffix {
		case "":
			return "tournament", ""
		case ":active_games", ":next_round", ":brackets", ":events", ":tombstone", ":conflicts":
			return suffix[1:], owner
		}
	}
	return "other", ""
}

// scanStep advances the key scan by at most scanBudget and returns the last
// complete scan's findings (nil before the first one ends). Projections
// whose tournament hash is gone are deleted (they can only have outlived it).
func (b *Backend) scanStep(ctx context.Context) (*shared.KeyStats, error) {
	s := b.scan
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	nodes := map[string]*goredis.Client{}
	var mu sync.Mutex
	collect := func(_ context.Context, c *goredis.Client) error {
		mu.Lock()
		nodes[c.Options().Addr] = c
		mu.Unlock()
		return nil
	}
	switch c := b.rdb.(type) {
	case *goredis.ClusterClient:
		if err := c.ForEachMaster(ctx, collect); err != nil {
			return s.last, redisErr(err)
		}
	case *goredis.Client:
		nodes[c.Options().Addr] = c
	default:
		return s.last, nil
	}
	for addr, c := range nodes {
		for !s.done[addr] && time.Since(start) < scanBudget {
			keys, next, err := c.Scan(ctx, s.cursors[addr], b.opts.KeyPrefix+"*", scanCount).Result()
			if err != nil {
				return s.last, redisErr(err)
			}
			if err := b.classify(ctx, c, keys); err != nil {
				return s.last, err
			}
			s.cursors[addr] = next
			s.done[addr] = next == 0
		}
	}
	s.cur.Duration += time.Since(start)
	all := true
	for addr := range nodes {
		all = all && s.done[addr]
	}
	if all {
		found := s.cur
		s.last = &found
		s.reset()
	}
	return s.last, nil
}

// classify counts one batch of keys of node c, in one round trip (PTTL of
// each, EXISTS of the hashes they belong to), and repairs orphans in one
// more when there are any.
func (b *Backend) classify(ctx context.Context, c *goredis.Client, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	type entry struct {
		kind, owner string
		pttl        *goredis.DurationCmd
		exists      *goredis.IntCmd
	}
	entries := make([]entry, len(keys))
	_, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, key := range keys {
			e := &entries[i]
			e.kind, e.owner = b.keys.kind(key)
			e.pttl = p.PTTL(ctx, key)
			if e.owner != "" {
				e.exists = p.Exists(ctx, e.owner)
			}
		}
		return nil
	})
	if err != nil {
		return redisErr(err)
	}
	st := &b.scan.cur
	var orphans []string
	for i, e := range entries {
		ttl, err := e.pttl.Result()
		if err != nil {
			continue // gone since the SCAN
		}
		if ttl == -2*time.Nanosecond || ttl == -2*time.Millisecond {
			continue
		}
		st.ByKind[e.kind]++
		if ttl < 0 && e.kind != "meta" && e.kind != "webhook" { // kept until deleted; the delivery log is bounded
			st.WithoutTTL++
		}
		if e.kind == "lock" && ttl > 0 && ttl < b.opts.LockTimeout/2 {
			st.LongHeldLocks++
		}
		if e.exists != nil && e.exists.Val() == 0 {
			switch e.kind {
			case "active_games", "next_round", "brackets":
				st.Orphans++
				orphans = append(orphans, keys[i])
			case "lock":
				st.Orphans++ // it expires by itself (LOCK_TIMEOUT)
			}
			// events, tombstones and conflicts outlive a removal on purpose.
		}
	}
	if len(orphans) > 0 {
		n, err := c.Del(ctx, orphans...).Result()
		if err != nil {
			return redisErr(err)
		}
		st.Repaired["orphan_projections"] += n
		b.logger.Info("deleted projections whose tournament is gone", "keys", n)
	}
	return nil
}
