package main

import (
	"errors"
	"slices"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared/tournament"
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
		return map[string]float64{"median_ms": float64(ds[len(ds)/2].Microseconds()) / 1e3, "worst_ms": float64(ds[len(ds)-1].Microseconds()) / 1e3}
	}
	return map[string]any{"rounds": rounds, "redis_killed_to_first_write": ms(over), "redis_back_to_primary_reconciled": ms(back)}
}
