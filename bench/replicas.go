package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// ReplicaFigures are the cost of replica acknowledgement (WAIT in each
// write's round trip) on a master with one replica, and a Sentinel
// failover as a caller sees it.
type ReplicaFigures struct {
	AddPlayerOff       float64 `json:"add_player_p50_us_without_ack"`
	AddPlayerOn        float64 `json:"add_player_p50_us_with_ack"`
	ResultOff          float64 `json:"register_result_p50_us_without_ack"`
	ResultOn           float64 `json:"register_result_p50_us_with_ack"`
	SentinelPromotedMS float64 `json:"sentinel_master_killed_to_promoted_ms"`
	SentinelWriteMS    float64 `json:"sentinel_master_killed_to_first_write_on_the_new_master_ms"`
}

// replicas measures them: the Go API on plugin-redis, with
// TOURNEY_REDIS_MIN_REPLICAS 0 and 1, n calls each; then a master, a
// replica and three sentinels, the master SIGKILLed under a host without a
// fallback (TOURNEY_FALLBACK=off), so that the first write that succeeds
// is one the new master took.
func replicas(dir string, n int) ReplicaFigures {
	h := &cleanup{}
	defer h.run()
	master := testutil.StartRedis(h)
	testutil.StartRedis(h, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	for !strings.Contains(must(master.Client(0).Info(ctx, "replication").Result()), "state=online") {
		time.Sleep(10 * time.Millisecond)
	}
	var out ReplicaFigures
	for _, min := range []int{0, 1} {
		cfg := config.Default()
		cfg.Host.PluginDir, cfg.Redis.Host, cfg.Redis.Port = dir, "127.0.0.1", master.Port
		cfg.Host.SweepInterval, cfg.Log.Level, cfg.Redis.KeyPrefix = time.Hour, "error", fmt.Sprintf("bench-ack%d:", min)
		cfg.Host.DataDir, cfg.Redis.MinReplicas = harness{}.TempDir(), min
		hst, err := host.New(host.Options{Config: cfg, Logger: hclog.NewNullLogger()})
		if err != nil {
			harness{}.Fatalf("replicas: %v", err)
		}
		adds, results := replicaOps(goAPI{hst}, n, int64(min))
		hst.Close()
		if min == 0 {
			out.AddPlayerOff, out.ResultOff = adds, results
		} else {
			out.AddPlayerOn, out.ResultOn = adds, results
		}
	}
	out.SentinelPromotedMS, out.SentinelWriteMS = sentinelFailover(dir)
	return out
}

// replicaOps times n joins and n results (over 16-player tournaments).
func replicaOps(c client, n int, salt int64) (adds, results float64) {
	base := 800_000_000 + salt*1_000_000 + time.Now().UnixNano()%1000*1000
	var a, r []time.Duration
	for k := int64(0); len(r) < n; k++ {
		id := base + k
		if _, err := c.Create(ctx, tournament.CreateParams{ID: id, Name: "acked", MaxPlayers: 16, CreatorID: 1}); err != nil {
			harness{}.Fatalf("replicas: %v", err)
		}
		for u := int64(1); u <= 16; u++ {
			t0 := time.Now()
			if _, err := c.AddPlayer(ctx, id, u); err != nil {
				harness{}.Fatalf("replicas: %v", err)
			}
			a = append(a, time.Since(t0))
		}
		t, err := c.Start(ctx, id, false)
		for err == nil && t.Status == tournament.StatusActive {
			g := t.ActiveGames()[0]
			t0 := time.Now()
			t, err = c.Result(ctx, id, g.GameID, g.Player1, 0)
			r = append(r, time.Since(t0))
		}
		if err != nil {
			harness{}.Fatalf("replicas: %v", err)
		}
	}
	return summarize(a).P50, summarize(r).P50
}

// sentinelFailover kills the master of a Sentinel group and times the
// promotion and the first write through a host on the new master.
func sentinelFailover(dir string) (promotedMS, writeMS float64) {
	h := &cleanup{}
	defer h.run()
	g := testutil.StartSentinelGroup(h)
	cfg := config.Default()
	for _, kv := range g.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k == "REDIS_SENTINEL_ADDRS" {
			cfg.Redis.SentinelAddrs = strings.Split(v, ",")
		}
	}
	cfg.Redis.SentinelMaster, cfg.Host.Fallback = testutil.SentinelMaster, "off"
	cfg.Host.PluginDir, cfg.Host.SweepInterval, cfg.Log.Level = dir, time.Hour, "error"
	cfg.Host.DataDir = harness{}.TempDir()
	hst, err := host.New(host.Options{Config: cfg, Logger: hclog.NewNullLogger()})
	if err != nil {
		harness{}.Fatalf("sentinel: %v", err)
	}
	defer hst.Close()
	c := goAPI{hst}
	if _, err := c.Create(ctx, tournament.CreateParams{ID: 1, Name: "sentinel", MaxPlayers: 1024, CreatorID: 1}); err != nil {
		harness{}.Fatalf("sentinel: %v", err)
	}
	old := g.Servers[0]
	old.Kill()
	killed := time.Now()
	var promoted time.Duration
	for u := int64(1); ; u++ {
		if promoted == 0 && g.MasterPort() != old.Port {
			promoted = time.Since(killed)
		}
		_, err := c.AddPlayer(ctx, 1, u)
		if err == nil && promoted > 0 {
			break
		}
		if err != nil && !errors.Is(err, tournament.ErrUnavailable) || time.Since(killed) > 60*time.Second {
			harness{}.Fatalf("sentinel failover: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return float64(promoted.Microseconds()) / 1e3, float64(time.Since(killed).Microseconds()) / 1e3
}

func must[T any](v T, err error) T {
	if err != nil {
		harness{}.Fatal(err)
	}
	return v
}

func printReplicas(r *ReplicaFigures) {
	if r == nil {
		return
	}
	fmt.Printf("\nreplica acknowledgement (Go API, plugin-redis, a master with one replica on loopback; p50 us):\n")
	fmt.Printf("  add_player       without %.0f  with TOURNEY_REDIS_MIN_REPLICAS=1 %.0f (%.2fx)\n", r.AddPlayerOff, r.AddPlayerOn,
		r.AddPlayerOn/r.AddPlayerOff)
	fmt.Printf("  register_result  without %.0f  with TOURNEY_REDIS_MIN_REPLICAS=1 %.0f (%.2fx)\n", r.ResultOff, r.ResultOn,
		r.ResultOn/r.ResultOff)
	fmt.Printf("Sentinel failover (3 sentinels, down-after 1 s; a host without fallback): master killed -> promoted %.0f ms, "+
		"-> first write on the new master %.0f ms\n", r.SentinelPromotedMS, r.SentinelWriteMS)
}
