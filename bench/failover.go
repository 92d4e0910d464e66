package main

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// failover measures, rounds times, Redis SIGKILLed -> first successful
// write (on the memory plugin) and Redis restarted (empty) -> the host on
// Redis again with its outage written back.
func failover(dir string, rounds int) map[string]any {
	h := &cleanup{}
	defer h.run()
	r := testutil.StartRedis(h)
	c, stop := open(dir, "redis", "go", r)
	defer stop()
	hst := c.(goAPI).h
	var over, back []time.Duration
	for i := range rounds {
		id := int64(900_000 + i)
		if _, err := c.Create(ctx, tournament.CreateParams{ID: id, Name: "failover", MaxPlayers: 1024, CreatorID: 1}); err != nil {
			harness{}.Fatalf("failover setup: %v", err)
		}
		r.Kill()
		killed := time.Now()
		for u := int64(1); ; u++ {
			_, err := c.AddPlayer(ctx, id, u)
			if err == nil {
				break
			}
			if !errors.Is(err, tournament.ErrUnavailable) || time.Since(killed) > 30*time.Second {
				harness{}.Fatalf("failover: %v", err)
			}
			time.Sleep(2 * time.Millisecond)
		}
		over = append(over, time.Since(killed))
		r.Start()
		restarted := time.Now()
		for hst.Status(ctx).Failover.Mode != "primary" {
			if time.Since(restarted) > 30*time.Second {
				harness{}.Fatal("failback did not happen within 30 s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		back = append(back, time.Since(restarted))
	}
	ms := func(ds []time.Duration) map[string]float64 {
		slices.Sort(ds)
		return map[string]float64{"median_ms": float64(ds[len(ds)/2].Microseconds()) / 1e3,
			"worst_ms": float64(ds[len(ds)-1].Microseconds()) / 1e3}
	}
	return map[string]any{"rounds": rounds, "redis_killed_to_first_write": ms(over), "redis_back_to_primary_reconciled": ms(back)}
}

// failbackUnderLoad measures the calls made while a host writes back an
// outage of n tournaments: Redis is killed, n tournaments are created on
// the fallback (each in the outage log), Redis is restarted empty, and
// callers read and join tournaments (pending write-back or not) until the
// host is on Redis again. It reports their latency and how long failback
// took.
func failbackUnderLoad(dir string, n, callers int) map[string]any {
	h := &cleanup{}
	defer h.run()
	r := testutil.StartRedis(h)
	c, stop := open(dir, "redis", "go", r)
	defer stop()
	hst := c.(goAPI).h
	r.Kill()
	for hst.Status(ctx).Failover.Mode != "fallback" {
		time.Sleep(5 * time.Millisecond)
	}
	var wg sync.WaitGroup
	for w := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := int64(w + 1); id <= int64(n); id += int64(callers) {
				if _, err := c.Create(ctx, tournament.CreateParams{ID: id, Name: "outage", MaxPlayers: 64, CreatorID: 1}); err != nil {
					harness{}.Fatalf("failback setup: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	r.Start()
	started := time.Now()
	var mu sync.Mutex
	var lat []time.Duration
	var failed int
	done := make(chan struct{})
	for w := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			for u := int64(1); ; u++ {
				select {
				case <-done:
					return
				default:
				}
				id := 1 + rnd.Int64N(int64(n))
				t0 := time.Now()
				var err error
				if u%2 == 0 {
					_, err = c.Get(ctx, id)
				} else {
					_, err = c.AddPlayer(ctx, id, int64(w)*1_000_000+u)
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					failed++
				}
				mu.Unlock()
			}
		}()
	}
	for hst.Status(ctx).Failover.State != "primary" {
		if time.Since(started) > 5*time.Minute {
			harness{}.Fatal("failback of the outage did not end within 5 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(started)
	close(done)
	wg.Wait()
	l := summarize(lat)
	return map[string]any{"tournaments": n, "callers": callers, "calls": len(lat), "failed": failed,
		"p50_ms": l.P50 / 1e3, "p99_ms": l.P99 / 1e3, "max_ms": float64(slices.Max(lat).Microseconds()) / 1e3,
		"failback_ms": float64(took.Microseconds()) / 1e3}
}
