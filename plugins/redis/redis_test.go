package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/backendtest"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

func newBackend(t testing.TB, r *testutil.Redis, opts Options) *Backend {
	t.Helper()
	cfg := config.Default()
	cfg.Redis.Host, cfg.Redis.Port = "127.0.0.1", r.Port
	rdb, err := NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	if err != nil {
		t.Fatal(err)
	}
	b := New(rdb, opts)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

var _ backendtest.ProjectionChecker = (*Backend)(nil)

// The conformance suite, for both record layouts: rounds kept in
// :brackets only (BRACKET_TTL >= TOURNAMENT_TTL, the default) and rounds
// kept in the state too (a shorter BRACKET_TTL).
func TestConformance(t *testing.T) {
	r := testutil.StartRedis(t)
	var n atomic.Int64
	for name, bracketTTL := range map[string]time.Duration{"rounds in brackets": 0, "rounds in the state": time.Hour} {
		t.Run(name, func(t *testing.T) {
			backendtest.Run(t, func(t *testing.T, s backendtest.Settings) shared.Backend {
				return newBackend(t, r, Options{KeyPrefix: fmt.Sprintf("c%d:", n.Add(1)), RateLimit: s.RateLimit,
					RateBurst: s.RateBurst, RateLimits: s.RateLimits, GameTimeout: s.GameTimeout, BracketTTL: bracketTTL})
			})
		})
	}
}

var ctx = context.Background()

func play(t *testing.T, b shared.Backend, id int64, players int) *tournament.Tournament {
	t.Helper()
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: id, Name: "Keys Cup", MaxPlayers: 8, CreatorID: 3}}); err != nil {
		t.Fatal(err)
	}
	var c shared.Change
	var err error
	for u := range players {
		if c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: tournament.AddPlayer{UserID: int64(10 + u)}}); err != nil {
			t.Fatal(err)
		}
	}
	if players >= 2 {
		if c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: tournament.Start{}}); err != nil {
			t.Fatal(err)
		}
	}
	return c.Tournament
}

// The documented key layout (README, Keys), read back as an operator would with redis-cli.
func TestKeysTypesAndTTLsMatchTheSpec(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "pong:", TournamentTTL: 2 * time.Hour, ActiveGamesTTL: 6 * time.Minute,
		RoundDataTTL: 30 * time.Minute, BracketTTL: 90 * time.Minute, LockTimeout: 30 * time.Second})
	tr := play(t, b, 123, 5)
	for range 2 { // game 1 ends round 1; game 2 is the first of round 2
		g := tr.ActiveGames()[0]
		c, err := b.Apply(ctx,
			shared.ApplyRequest{TournamentID: 123, Command: tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player1}})
		if err != nil {
			t.Fatal(err)
		}
		tr = c.Tournament
	}
	rc := r.Client(1) // REDIS_CACHE_DB
	for key, want := range map[string]struct {
		typ string
		ttl time.Duration
	}{
		"pong:tournament:{123}":              {"hash", 2 * time.Hour},
		"pong:tournament:{123}:active_games": {"hash", 6 * time.Minute},
		"pong:tournament:{123}:next_round":   {"list", 30 * time.Minute},
		"pong:tournament:{123}:brackets":     {"hash", 90 * time.Minute},
		"pong:tournament:{123}:events":       {"stream", 2 * time.Hour},
		"pong:active_tournaments":            {"set", -1},
	} {
		typ, _ := rc.Type(ctx, key).Result()
		ttl, _ := rc.TTL(ctx, key).Result()
		if typ != want.typ {
			t.Errorf("%s is a %q, want %s", key, typ, want.typ)
		}
		if want.ttl < 0 && ttl != -1 || want.ttl > 0 && (ttl <= want.ttl-time.Minute || ttl > want.ttl) {
			t.Errorf("%s has TTL %v, want %v", key, ttl, want.ttl)
		}
	}
	h, _ := rc.HGetAll(ctx, "pong:tournament:{123}").Result()
	for f, want := range map[string]string{"name": "Keys Cup", "max_players": "8", "creator_id": "3", "status": "active",
		"players": "[10,11,12,13,14]", "nbr_player": "5", "initialized": "1", "is_complete": "0", "current_round": "2",
		"winner": "", "version": "9"} {
		if h[f] != want {
			t.Errorf("field %s = %q, want %q", f, h[f], want)
		}
	}
	if h["state"] == "" || h["created_at"] == "" {
		t.Error("state or created_at missing")
	}
	games, _ := rc.HKeys(ctx, "pong:tournament:{123}:active_games").Result()
	next, _ := rc.LRange(ctx, "pong:tournament:{123}:next_round", 0, -1).Result()
	rounds, _ := rc.HKeys(ctx, "pong:tournament:{123}:brackets").Result()
	if len(games) != 1 || games[0] != "3" || len(next) != 1 || len(rounds) != 2 {
		t.Errorf("active_games %v, next_round %v, brackets %v", games, next, rounds)
	}
	if m, _ := rc.SMembers(ctx, "pong:active_tournaments").Result(); len(m) != 1 || m[0] != "123" {
		t.Errorf("active_tournaments = %v", m)
	}
	if n, _ := rc.Exists(ctx, "pong:tournament_lock:{123}").Result(); n != 0 {
		t.Error("a lock outlived its change")
	}
	// Finishing removes the id from the active set.
	for tr.Status == tournament.StatusActive {
		got, _ := b.Get(ctx, 123)
		if got.Status != tournament.StatusActive {
			break
		}
		g := got.ActiveGames()[0]
		c, err := b.Apply(ctx,
			shared.ApplyRequest{TournamentID: 123, Command: tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player1}})
		if err != nil {
			t.Fatal(err)
		}
		tr = c.Tournament
	}
	if m, _ := rc.SMembers(ctx, "pong:active_tournaments").Result(); len(m) != 0 {
		t.Errorf("a completed tournament stays in active_tournaments: %v", m)
	}
	if v, _ := rc.HGet(ctx, "pong:tournament:{123}", "is_complete").Result(); v != "1" {
		t.Errorf("is_complete = %q", v)
	}
}

func TestMaintainExtendsLiveAndForgetsExpired(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r,
		Options{KeyPrefix: "m:", TournamentTTL: time.Hour, ActiveGamesTTL: time.Hour, RoundDataTTL: time.Hour, BracketTTL: time.Hour})
	play(t, b, 1, 4)
	play(t, b, 2, 0)
	rc := r.Client(1)
	rc.Expire(ctx, "m:tournament:{1}", 10*time.Second)
	rc.Del(ctx, "m:tournament:{2}") // as if it had expired
	if list, err := b.List(ctx); err != nil || len(list) != 1 || list[0].ID != 1 || list[0].PlayerCount != 4 {
		t.Fatalf("list with an expired member in active_tournaments: %+v %v", list, err)
	}
	rep, err := b.Maintain(ctx)
	if err != nil || rep.Extended != 1 || rep.Expired != 1 {
		t.Fatalf("maintain: %+v %v", rep, err)
	}
	if ttl, _ := rc.TTL(ctx, "m:tournament:{1}").Result(); ttl < 59*time.Minute {
		t.Fatalf("live tournament's TTL not extended: %v", ttl)
	}
	if m, _ := rc.SMembers(ctx, "m:active_tournaments").Result(); len(m) != 1 || m[0] != "1" {
		t.Fatalf("active_tournaments = %v", m)
	}
}

// A lock holder stalled past LOCK_TIMEOUT cannot write: its commit is
// refused, another writer's change stands, and the state stays consistent.
func TestFencingStopsAStalledLockHolder(t *testing.T) {
	r := testutil.StartRedis(t)
	var stalled sync.Once
	release := make(chan struct{})
	slow := newBackend(t, r,
		Options{KeyPrefix: "f:", LockTimeout: 100 * time.Millisecond, LockEveryChange: true, BeforeCommit: func(int64) {
			stalled.Do(func() { <-release })
		}})
	fast := newBackend(t, r, Options{KeyPrefix: "f:", LockTimeout: 100 * time.Millisecond})
	play(t, fast, 1, 0)
	errc := make(chan error, 1)
	go func() {
		_, err := slow.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 100}})
		errc <- err
	}()
	time.Sleep(250 * time.Millisecond) // the slow holder's lock has expired
	if _, err := fast.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 200}}); err != nil {
		t.Fatalf("the second writer could not take the expired lock: %v", err)
	}
	close(release)
	if err := <-errc; !errors.Is(err, tournament.ErrAborted) {
		t.Fatalf("stalled holder's write: %v, want aborted", err)
	}
	got, _ := fast.Get(ctx, 1)
	if len(got.Players) != 1 || got.Players[0] != 200 || got.Version != 2 {
		t.Fatalf("state after the fenced write: players %v version %d", got.Players, got.Version)
	}
	if v, _ := r.Client(1).HGet(ctx, "f:tournament:{1}", "version").Result(); v != "2" {
		t.Fatalf("hash version %q", v)
	}
}

// The token check itself: the stalled holder's lock has passed to a second
// holder that has not written yet (the version has not moved), so only the
// token tells the stalled holder's write apart. It is refused; the second
// holder's write stands.
func TestFencingByTokenWhileTheVersionIsUnchanged(t *testing.T) {
	r := testutil.StartRedis(t)
	releaseSlow, releaseFast, fastHolds := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var slowOnce, fastOnce sync.Once
	slow := newBackend(t, r,
		Options{KeyPrefix: "t:", LockTimeout: 100 * time.Millisecond, LockEveryChange: true, BeforeCommit: func(int64) {
			slowOnce.Do(func() { <-releaseSlow })
		}})
	fast := newBackend(t, r, Options{KeyPrefix: "t:", LockTimeout: 5 * time.Second, LockEveryChange: true, BeforeCommit: func(int64) {
		fastOnce.Do(func() { close(fastHolds); <-releaseFast })
	}})
	play(t, fast, 1, 0)
	slowErr, fastErr := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := slow.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 100}})
		slowErr <- err
	}()
	time.Sleep(250 * time.Millisecond) // the slow holder's lock expires
	go func() {
		_, err := fast.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 200}})
		fastErr <- err
	}()
	<-fastHolds
	close(releaseSlow)
	if err := <-slowErr; !errors.Is(err, tournament.ErrAborted) {
		t.Fatalf("the stalled holder wrote under another's lock: %v", err)
	}
	close(releaseFast)
	if err := <-fastErr; err != nil {
		t.Fatalf("the lock's holder could not write: %v", err)
	}
	if got, _ := fast.Get(ctx, 1); len(got.Players) != 1 || got.Players[0] != 200 || got.Version != 2 {
		t.Fatalf("players %v version %d", got.Players, got.Version)
	}
}

// A retried commit (as go-redis retries after a lost reply) is not applied twice.
func TestCommitIsIdempotentUnderRetry(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "i:"})
	play(t, b, 1, 0)
	token := newToken()
	tr, err := b.acquire(ctx, 1, token)
	if err != nil {
		t.Fatal(err)
	}
	next, evs, _ := tournament.Apply(tr, tournament.AddPlayer{UserID: 5}, b.env())
	keys := append(b.keys.record(1), b.keys.lock(1))
	head, tail, _ := b.recordArgs(next, tr, 1, evs, "last_token", token)
	args := append(append(head, token, strconv.FormatInt(tr.Version, 10)), tail...)
	for i, want := range []int{1, 2} {
		if got, err := commitScript.Run(ctx, b.rdb, keys, args...).Int(); err != nil || got != want {
			t.Fatalf("commit %d = %d %v, want %d", i, got, err, want)
		}
	}
	if n, _ := b.rdb.XLen(ctx, b.keys.events(1)).Result(); n != 2 {
		t.Fatalf("%d events in the stream, want 2 (created, joined once)", n)
	}
}

func TestWaitersGiveUpWithAborted(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "w:", OperationTimeout: 200 * time.Millisecond})
	play(t, b, 1, 0)
	r.Client(1).Set(ctx, "w:tournament_lock:{1}", "someone-else", time.Minute)
	_, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 1}})
	if !errors.Is(err, tournament.ErrAborted) {
		t.Fatalf("waiting on a held lock: %v, want aborted", err)
	}
}

func TestRedisDownIsUnavailable(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "d:"})
	play(t, b, 1, 0)
	r.Kill()
	start := time.Now()
	_, err := b.Get(ctx, 1)
	if !errors.Is(err, tournament.ErrUnavailable) || time.Since(start) > 2*time.Second {
		t.Fatalf("get with Redis dead: %v after %v", err, time.Since(start))
	}
	if _, err := b.Health(ctx); !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("health: %v", err)
	}
	r.Start() // empty: no persistence; scripts must be reloaded
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 2, Name: "x", MaxPlayers: 2, CreatorID: 1}}); err != nil {
		t.Fatalf("create after the restart: %v", err)
	}
}
