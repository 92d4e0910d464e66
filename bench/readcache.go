package main

import (
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// ReadCacheFigures compares GET of a hot tournament with the read cache on
// and off, and measures how stale a cached read on one host can be after a
// write on another.
type ReadCacheFigures struct {
	GetOn        Latency `json:"get_cache_on"`
	GetOff       Latency `json:"get_cache_off"`
	RoundTripsOn float64 `json:"round_trips_per_get_cache_on"`
	RoundTripsOf float64 `json:"round_trips_per_get_cache_off"`
	Staleness    Latency `json:"staleness_between_hosts"`
}

func hostOn(dir string, r *testutil.Redis, prefix string, readCache bool) (goAPI, func()) {
	cfg := config.Default()
	cfg.Host.PluginDir, cfg.Host.Primary, cfg.Redis.Host, cfg.Redis.Port = dir, "redis", "127.0.0.1", r.Port
	cfg.Host.SweepInterval, cfg.Log.Level, cfg.Redis.KeyPrefix, cfg.Redis.ReadCache = time.Hour, "error", prefix, readCache
	cfg.Host.DataDir = harness{}.TempDir()
	h, err := host.New(host.Options{Config: cfg, Logger: hclog.NewNullLogger()})
	if err != nil {
		harness{}.Fatalf("starting a host: %v", err)
	}
	return goAPI{h}, func() { h.Close() }
}

func readCache(dir string, r *testutil.Redis, counter redisCounter, n int) ReadCacheFigures {
	var f ReadCacheFigures
	for _, on := range []bool{true, false} {
		c, stop := hostOn(dir, r, "bench-rc:", on)
		id := int64(7_000_000)
		if on {
			id++
		}
		c.Create(ctx, tournament.CreateParams{ID: id, Name: "hot", MaxPlayers: 64, CreatorID: 1})
		for u := int64(1); u <= 32; u++ {
			c.AddPlayer(ctx, id, u)
		}
		c.Get(ctx, id)
		time.Sleep(100 * time.Millisecond) // the change subscription is up
		r0, _ := counter.sample()
		lat := summarize(timed(n, func(int) error { _, err := c.Get(ctx, id); return err }))
		r1, _ := counter.sample()
		rt := (r1 - r0 - 1) / float64(n)
		if on {
			f.GetOn, f.RoundTripsOn = lat, max(rt, 0)
		} else {
			f.GetOff, f.RoundTripsOf = lat, rt
		}
		stop()
	}
	// Two hosts with the cache on: a writes, b reads until it sees it.
	a, stopA := hostOn(dir, r, "bench-rc2:", true)
	defer stopA()
	b, stopB := hostOn(dir, r, "bench-rc2:", true)
	defer stopB()
	id := int64(7_100_000)
	a.Create(ctx, tournament.CreateParams{ID: id, Name: "stale", MaxPlayers: 8, CreatorID: 1})
	b.Get(ctx, id)
	time.Sleep(100 * time.Millisecond)
	var delays []time.Duration
	for i := range 200 {
		var t *tournament.Tournament
		var err error
		if i%2 == 0 {
			t, err = a.AddPlayer(ctx, id, 5)
		} else {
			t, err = a.h.RemovePlayer(ctx, id, 5)
		}
		if err != nil {
			harness{}.Fatalf("staleness: %v", err)
		}
		start := time.Now()
		for {
			got, err := b.Get(ctx, id)
			if err == nil && got.Version >= t.Version {
				break
			}
			if time.Since(start) > 5*time.Second {
				harness{}.Fatal("staleness: the other host never saw the write")
			}
		}
		delays = append(delays, time.Since(start))
	}
	f.Staleness = summarize(delays)
	return f
}
