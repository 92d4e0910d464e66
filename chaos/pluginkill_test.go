package chaos

import (
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// kill -9 of plugin-redis and of plugin-memory, three times each, while
// four players keep playing tournaments: every tournament finishes, every
// acknowledged result is in Redis at the end, nothing is applied twice.
func TestPluginKillsUnderLoad(t *testing.T) {
	r := testutil.StartRedis(t)
	h := startHost(t, r.Addr())
	var stop atomic.Bool
	var mu sync.Mutex
	var played []*game
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				g := newGame(t, h.Client, int64(1000+p*1000+i), 8)
				g.finish(30 * time.Second)
				mu.Lock()
				played = append(played, g)
				mu.Unlock()
			}
		}()
	}
	kills := map[string]int{}
	for i := range 6 {
		time.Sleep(300 * time.Millisecond)
		name := []string{"redis", "memory"}[i%2]
		ok := testutil.Eventually(5*time.Second, func() bool {
			pid := h.PluginPIDs(t)[name]
			return pid != 0 && syscall.Kill(pid, syscall.SIGKILL) == nil
		})
		if ok {
			kills[name]++
		}
	}
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if kills["redis"] != 3 || kills["memory"] != 3 {
		t.Fatalf("kills: %v", kills)
	}
	waitMode(t, h, "primary", 15*time.Second)
	for _, g := range played {
		stored := redisState(t, r, g.id)
		g.check(stored, 8)
		if stored.Status != tournament.StatusCompleted || !sameOutcome(stored, g.last) {
			t.Fatalf("tournament %d: Redis has version %d (%s), the player saw %d", g.id, stored.Version, stored.Status, g.last.Version)
		}
	}
	st, _ := h.Client.Status(bg)
	t.Logf("%d tournaments finished through %v plugin kills; %d failovers, %d failbacks, %d conflicts",
		len(played), kills, st.Failover.Failovers, st.Failover.Failbacks, st.Failover.Conflicts)
	if st.Failover.Conflicts != 0 {
		t.Fatalf("%d conflicts with a single host", st.Failover.Conflicts)
	}
}
