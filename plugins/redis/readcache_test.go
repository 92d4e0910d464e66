package redis

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// cachedBackend is a backend with the read cache on, as a host's plugin.
func cachedBackend(t *testing.T, r *testutil.Redis) *Backend {
	return cachedBackendWith(t, r, Options{KeyEvents: true})
}

func cachedBackendWith(t *testing.T, r *testutil.Redis, opts Options) *Backend {
	t.Helper()
	cfg := config.Default()
	cfg.Redis.Host, cfg.Redis.Port = "127.0.0.1", r.Port
	rdb, _ := NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	subs, _ := NewSubscriberClient(cfg.Redis, cfg.Store.ConnectTimeout)
	opts.KeyPrefix, opts.Subscriber, opts.ReadCache = "rc:", subs, true
	b := New(rdb, opts)
	t.Cleanup(func() { _ = b.Close() })
	if !testutil.Eventually(5*time.Second, func() bool { b.states.mu.Lock(); defer b.states.mu.Unlock(); return b.states.live }) {
		t.Fatal("the change subscription did not come up")
	}
	return b
}

// dataCommands counts the commands a Get or a change would run (scripts
// and reads; the subscribers' pings are not among them).
func dataCommands(t *testing.T, c *goredis.Client) int64 {
	return commandCalls(t, c, "evalsha", "eval", "hget", "hgetall")
}

// commandCalls sums the calls of the named commands (INFO commandstats;
// commands run inside scripts included).
func commandCalls(t *testing.T, c *goredis.Client, names ...string) int64 {
	t.Helper()
	s, err := c.Info(ctx, "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, line := range strings.Split(s, "\n") {
		for _, cmd := range names {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":calls="); ok {
				n, _ := strconv.ParseInt(rest[:strings.Index(rest, ",")], 10, 64)
				total += n
			}
		}
	}
	return total
}

// A host reads its own writes from memory at once (no Redis command), and
// another host's write within the publish delay.
func TestReadCacheIsCurrentForOwnWritesAndSoonForOthers(t *testing.T) {
	r := testutil.StartRedis(t)
	a, other := cachedBackend(t, r), cachedBackend(t, r)
	if _, err := a.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "rc", MaxPlayers: 8, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	c, err := a.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 5}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // a's own announcement arrives
	info := r.Client(0)
	before := dataCommands(t, info)
	got, err := a.Get(ctx, 1)
	if err != nil || got.Version != c.Tournament.Version {
		t.Fatalf("own write: %+v %v", got, err)
	}
	if n := dataCommands(t, info) - before; n != 0 {
		t.Fatalf("a cached Get ran %d Redis commands", n)
	}
	changed, err := other.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 6}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if !testutil.Eventually(time.Second, func() bool {
		got, err := a.Get(ctx, 1)
		return err == nil && got.Version == changed.Tournament.Version
	}) {
		t.Fatal("another host's write was not seen within a second")
	}
	t.Logf("another host's write seen after %v", time.Since(start).Round(time.Microsecond))
}

// While the change subscription is down, nothing is served from memory; a
// change made meanwhile is never read stale.
func TestReadCacheServesNothingWithoutItsSubscription(t *testing.T) {
	r := testutil.StartRedis(t)
	a, other := cachedBackend(t, r), cachedBackend(t, r)
	a.Create(ctx, shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "rc", MaxPlayers: 8, CreatorID: 1}})
	if _, err := a.Get(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		// Kill every subscriber connection and wait until a noticed (its
		// receiving goroutine saw the connection close: a copy cached across
		// a loss that is not yet noticed is the one window the cache has),
		// then change the tournament before a can have resubscribed: a must
		// not serve its old copy.
		a.states.mu.Lock()
		epoch := a.states.epoch
		a.states.mu.Unlock()
		r.Client(0).Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub")
		if !testutil.Eventually(time.Second, func() bool {
			a.states.mu.Lock()
			defer a.states.mu.Unlock()
			return a.states.epoch != epoch
		}) {
			t.Fatal("the plugin did not notice its subscription was cut")
		}
		c, err := other.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: int64(100 + r.Port%7)}})
		if err != nil {
			c, err = other.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.RemovePlayer{UserID: int64(100 + r.Port%7)}})
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Get(ctx, 1)
		if err != nil || got.Version != c.Tournament.Version {
			t.Fatalf("after the subscription was cut: version %d, want %d (%v)", got.Version, c.Tournament.Version, err)
		}
	}
}

// completed creates tournament 1 and plays it to the end (a state the
// sweeper no longer keeps alive), then reads it once so that it is cached.
func completed(t *testing.T, b *Backend) *tournament.Tournament {
	t.Helper()
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "ttl", MaxPlayers: 2, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []tournament.Command{tournament.AddPlayer{UserID: 5}, tournament.AddPlayer{UserID: 6}, tournament.Start{},
		tournament.RegisterResult{GameID: 1, WinnerID: 5}} {
		if _, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: cmd}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Get(ctx, 1)
	if err != nil || got.Status != tournament.StatusCompleted || b.states.fresh(1) == nil {
		t.Fatalf("completed and cached: %+v %v", got, err)
	}
	return got
}

// A tournament whose keys expired on Redis is not served from the cache
// past its TTL, even when nothing announces the expiry (keyspace
// notifications off).
func TestReadCacheStopsServingATournamentWhoseKeysExpired(t *testing.T) {
	r := testutil.StartRedis(t)
	b := cachedBackendWith(t, r, Options{TournamentTTL: 700 * time.Millisecond, BracketTTL: 700 * time.Millisecond})
	completed(t, b)
	if !testutil.Eventually(3*time.Second, func() bool {
		_, err := b.Get(ctx, 1)
		return errors.Is(err, tournament.ErrNotFound)
	}) {
		t.Fatal("the cache serves a tournament whose keys expired on Redis")
	}
	if n, _ := r.Client(0).Exists(ctx, "rc:tournament:{1}").Result(); n != 0 {
		t.Fatal("the key did not expire")
	}
}

// With keyspace notifications (the plugin turns them on when its user may),
// a tournament whose key vanished before its TTL (an eviction, or an
// operator's shorter PEXPIRE) stops being served at once.
func TestReadCacheHearsOfExpiredAndEvictedKeys(t *testing.T) {
	r := testutil.StartRedis(t)
	b := cachedBackend(t, r)
	if !testutil.Eventually(3*time.Second, func() bool {
		flags, _ := r.Client(0).ConfigGet(ctx, "notify-keyspace-events").Result()
		return strings.Contains(flags["notify-keyspace-events"], "x") && strings.Contains(flags["notify-keyspace-events"], "e")
	}) {
		t.Fatal("the plugin did not turn on keyspace notifications")
	}
	completed(t, b)
	r.Client(1).PExpire(ctx, "rc:tournament:{1}", 50*time.Millisecond) // REDIS_CACHE_DB 1
	if !testutil.Eventually(time.Second, func() bool { return b.states.fresh(1) == nil }) {
		t.Fatal("the cache did not hear that the tournament's key expired")
	}
	if _, err := b.Get(ctx, 1); !errors.Is(err, tournament.ErrNotFound) {
		t.Fatalf("get after the key expired: %v", err)
	}
}
