package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// Every operation works for an ACL user limited to the key prefix: one
// denied SORT altogether (-@dangerous: NOPERM), and one allowed SORT but
// not its GET patterns, which Redis refuses with a plain ERR reply.
func TestEveryOperationWorksForAUserLimitedToThePrefix(t *testing.T) {
	for name, acl := range map[string][]string{
		"without dangerous commands": {"~pong:*", "&pong:*", "+@all", "-@dangerous", "+info"},
		"with every command":         {"~pong:*", "&*", "+@all"},
	} {
		t.Run(name, func(t *testing.T) { everyOperationAs(t, acl) })
	}
}

func everyOperationAs(t *testing.T, acl []string) {
	r := testutil.StartRedis(t, append([]string{"--user", "game", "on", ">pw"}, acl...)...)
	cfg := config.Default()
	cfg.Redis.URL = fmt.Sprintf("redis://game:pw@%s/1", r.Addr())
	rdb, err := NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	if err != nil {
		t.Fatal(err)
	}
	b := New(rdb, Options{KeyPrefix: "pong:", RateLimit: 100})
	defer b.Close()
	if _, err := b.Create(ctx,
		shared.CreateRequest{Actor: "a", Params: tournament.CreateParams{ID: 1, Name: "acl", MaxPlayers: 4, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{10, 11} {
		if _, err := b.Apply(ctx, shared.ApplyRequest{Actor: "a", TournamentID: 1, Command: tournament.AddPlayer{UserID: u}}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := b.List(ctx)
	if err != nil || len(list) != 1 || list[0].PlayerCount != 2 {
		t.Fatalf("list as a prefix-limited user: %+v %v", list, err)
	}
	if _, err := b.Health(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	if _, err := b.Maintain(ctx); err != nil {
		t.Fatalf("maintain: %v", err)
	}
	var snaps []*tournament.Tournament
	if err := b.Export(ctx, func(t *tournament.Tournament) error { snaps = append(snaps, t); return nil }); err != nil || len(snaps) != 1 {
		t.Fatalf("export: %d %v", len(snaps), err)
	}
	if _, err := b.Import(ctx, snaps); err != nil {
		t.Fatalf("import: %v", err)
	}
	if _, err := b.Reconcile(ctx,
		shared.ReconcileRequest{TournamentID: 1, Snapshot: snaps[0], BaseVersion: snaps[0].Version,
			Mode: shared.ReconcileCAS}); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if _, err := b.Remove(ctx, shared.RemoveRequest{ID: 1}); err != nil {
		t.Fatalf("remove: %v", err)
	}
}

// An import cut off half-way (the connection dies mid-transfer) leaves
// nothing behind.
func TestAnImportCutOffLeavesNothing(t *testing.T) {
	r := testutil.StartRedis(t)
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	addr := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	p := toxiproxy.NewProxy(srv, "redis", addr, r.Addr())
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	cfg := config.Default()
	cfg.Redis.URL = "redis://" + addr + "/1"
	rdb, err := NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	if err != nil {
		t.Fatal(err)
	}
	b := New(rdb, Options{KeyPrefix: "cut:"})
	defer b.Close()
	if _, err := b.Health(ctx); err != nil { // connect before the toxic
		t.Fatal(err)
	}
	var snaps []*tournament.Tournament
	now := time.Now().UTC()
	for id := int64(1); id <= 1500; id++ {
		tr, _, _ := tournament.New(tournament.CreateParams{ID: id, Name: "imported", MaxPlayers: 8, CreatorID: 1}, tournament.Env{Now: now})
		snaps = append(snaps, tr)
	}
	body := `{"name":"cut","type":"limit_data","stream":"upstream","toxicity":1,"attributes":{"bytes":400000}}`
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Import(ctx, snaps); err == nil {
		t.Fatal("an import over a connection cut at 400 kB succeeded")
	}
	if n, _ := r.Client(1).Exists(ctx, "cut:tournament:{1}").Result(); n != 0 {
		t.Fatal("a failed import left tournaments behind")
	}
	if n, _ := r.Client(1).SCard(ctx, "cut:active_tournaments").Result(); n != 0 {
		t.Fatalf("a failed import left %d ids in active_tournaments", n)
	}
}

// A full Redis (maxmemory, noeviction) refuses writes as unavailable with
// ReasonStoreFull, which the host does not fail over on; nothing is
// written and nothing is acknowledged.
func TestAFullRedisRefusesWritesAsStoreFull(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "oom:"})
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "before", MaxPlayers: 4, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	admin := r.Client(0)
	if err := admin.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Fatal(err)
	}
	defer admin.ConfigSet(ctx, "maxmemory", "0")
	_, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 5}})
	var de *tournament.Error
	if !errors.As(err, &de) || de.Code != tournament.CodeUnavailable || de.Reason != shared.ReasonStoreFull {
		t.Fatalf("a write to a full Redis: %#v, want unavailable with reason %s", err, shared.ReasonStoreFull)
	}
	_, err = b.Create(ctx, shared.CreateRequest{Params: tournament.CreateParams{ID: 2, Name: "after", MaxPlayers: 4, CreatorID: 1}})
	if !errors.As(err, &de) || de.Reason != shared.ReasonStoreFull {
		t.Fatalf("a create on a full Redis: %v", err)
	}
	if got, err := b.Get(ctx, 1); err != nil || len(got.Players) != 0 {
		t.Fatalf("reads still work and nothing was written: %+v %v", got, err)
	}
}

// Subscribers block on their own connections: thirty of them leave the
// data path's pool (twenty connections here) free for calls.
func TestSubscribersDoNotStarveThePool(t *testing.T) {
	r := testutil.StartRedis(t)
	cfg := config.Default()
	cfg.Redis.Host, cfg.Redis.Port = "127.0.0.1", r.Port
	rdb, _ := NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	subs, _ := NewSubscriberClient(cfg.Redis, cfg.Store.ConnectTimeout)
	b := New(rdb, Options{KeyPrefix: "subs:", Subscriber: subs})
	defer b.Close()
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "watched", MaxPlayers: 4, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range 30 {
		go func() {
			_ = b.Subscribe(sctx, shared.SubscribeRequest{TournamentID: 1}, func(shared.StreamEvent) error { return nil })
		}()
	}
	time.Sleep(300 * time.Millisecond)
	for i := range 10 {
		if _, err := b.Get(ctx, 1); err != nil {
			t.Fatalf("get %d with 30 subscribers: %v", i, err)
		}
	}
}

// A tournament created with a TTL profile has that profile's TTLs on every
// key, keeps them through housekeeping, shows the profile in its JSON and
// keeps it through export and import; an unknown profile is refused.
func TestTTLProfilesApplyToEveryKey(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "p:", TTLProfiles: map[string]config.TTLProfile{
		"casual": {Tournament: 30 * time.Minute, ActiveGames: 3 * time.Minute, RoundData: 5 * time.Minute, Bracket: 30 * time.Minute}}})
	c, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "c", MaxPlayers: 2, CreatorID: 1, TTLProfile: "casual"}})
	if err != nil || c.Tournament.TTLProfile != "casual" {
		t.Fatalf("create: %+v %v", c.Tournament, err)
	}
	for _, u := range []int64{1, 2} {
		b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: u}})
	}
	if _, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.Start{}}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for key, want := range map[string]time.Duration{"p:tournament:{1}": 30 * time.Minute,
			"p:tournament:{1}:active_games": 3 * time.Minute,
			"p:tournament:{1}:brackets":     30 * time.Minute, "p:tournament:{1}:events": 30 * time.Minute} {
			if ttl, _ := r.Client(1).TTL(ctx, key).Result(); ttl <= want-time.Minute || ttl > want {
				t.Errorf("%s: %s has TTL %v, want %v", when, key, ttl, want)
			}
		}
	}
	check("after start")
	if _, err := b.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	check("after housekeeping")
	var snaps []*tournament.Tournament
	b.Export(ctx, func(t *tournament.Tournament) error { snaps = append(snaps, t); return nil })
	if len(snaps) != 1 || snaps[0].TTLProfile != "casual" || !strings.Contains(string(snaps[0].AppendJSON(nil)), `"ttl_profile":"casual"`) {
		t.Fatalf("export: %+v", snaps)
	}
	if _, err := b.Import(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	check("after import")
	_, err = b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 2, Name: "c", MaxPlayers: 2, CreatorID: 1, TTLProfile: "ranked"}})
	if !errors.Is(err, tournament.ErrInvalidArgument) || !strings.Contains(err.Error(),
		`"ranked"`) || !strings.Contains(err.Error(), "casual") {
		t.Fatalf("an unknown profile: %v", err)
	}
}

// The key scan counts keys by kind, finds leaks (no TTL), orphans, long-held
// locks and stale ids, and repairs what is safe to repair.
func TestTheKeyScanFindsLeaksAndOrphans(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "k:", LockTimeout: 30 * time.Second})
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "fine", MaxPlayers: 4, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	rc := r.Client(1)
	rc.HSet(ctx, "k:tournament:{99}:active_games", "1", "{}")    // an orphan projection, no TTL
	rc.HSet(ctx, "k:tournament:{98}", "status", "pending")       // a hash without TTL
	rc.Set(ctx, "k:tournament_lock:{1}", "token", 5*time.Second) // held for 25 of its 30 s
	rc.SAdd(ctx, "k:active_tournaments", 77)                     // a stale id
	rc.Set(ctx, "elsewhere", "x", 0)                             // not ours: never counted
	if err := b.PutWebhook(ctx, shared.Webhook{ID: "wh_1", URL: "http://127.0.0.1:1/", Secret: "s"}); err != nil {
		t.Fatal(err) // kept until deleted: counted, but not a leak
	}
	var keys *shared.KeyStats
	for range 10 {
		rep, err := b.Maintain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if keys = rep.Keys; keys != nil {
			break
		}
	}
	if keys == nil {
		t.Fatal("no complete scan after 10 passes")
	}
	if keys.ByKind["tournament"] != 2 || keys.ByKind["active_games"] != 1 || keys.ByKind["lock"] != 1 || keys.ByKind["meta"] != 1 || keys.ByKind["webhook"] != 1 {
		t.Errorf("by kind: %v", keys.ByKind)
	}
	if keys.WithoutTTL != 2 || keys.Orphans != 1 || keys.LongHeldLocks != 1 {
		t.Errorf("without TTL %d, orphans %d, long-held locks %d", keys.WithoutTTL, keys.Orphans, keys.LongHeldLocks)
	}
	if keys.Repaired["orphan_projections"] != 1 || keys.Repaired["stale_active_ids"] != 1 {
		t.Errorf("repaired %v", keys.Repaired)
	}
	if n, _ := rc.Exists(ctx, "k:tournament:{99}:active_games").Result(); n != 0 {
		t.Error("the orphan projection is still there")
	}
	if ok, _ := rc.SIsMember(ctx, "k:active_tournaments", 77).Result(); ok {
		t.Error("the stale id is still listed")
	}
}

// A removed tournament's tombstone lasts as long as the tournament could
// have: its profile's TTL when that is longer than TOURNAMENT_TTL, so that no
// host holding it from an outage brings it back after the default expiry.
func TestTombstoneLastsTheTournamentsOwnTTL(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "g:", TournamentTTL: time.Hour, TTLProfiles: map[string]config.TTLProfile{
		"long": {Tournament: 48 * time.Hour}}})
	for id, profile := range map[int64]string{1: "long", 2: ""} {
		if _, err := b.Create(ctx,
			shared.CreateRequest{Params: tournament.CreateParams{ID: id, Name: "c", MaxPlayers: 2, CreatorID: 1,
				TTLProfile: profile}}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Remove(ctx, shared.RemoveRequest{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[int64]time.Duration{1: 48 * time.Hour, 2: time.Hour} {
		if ttl, _ := r.Client(1).TTL(ctx, b.keys.tombstone(id)).Result(); ttl <= want-time.Minute || ttl > want {
			t.Errorf("tournament %d: tombstone TTL %v, want %v", id, ttl, want)
		}
	}
}
