package chaos

import (
	"slices"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
)

// killCycles SIGKILLs Redis mid-tournament `rounds` times: writes must go on
// on the memory plugin, the tournament must finish, and once Redis is back
// the host must fail back and Redis must hold exactly the state the host
// reports.
func killCycles(t *testing.T, rounds int, redisArgs ...string) {
	r := testutil.StartRedis(t, redisArgs...)
	h := startHost(t, r.Addr())
	var failovers, failbacks []time.Duration
	for i := range rounds {
		id := int64(100 + i)
		g := newGame(t, h.Client, id, 8)
		for range 2 { // two results on Redis, then the fault
			eventually(t, 15*time.Second, g.step)
		}
		killed := time.Now()
		r.Kill()
		firstWrite := eventually(t, 15*time.Second, g.step)
		failovers = append(failovers, firstWrite.Sub(killed))
		g.finish(15 * time.Second)
		if st, _ := h.Client.Status(bg); st.Failover.Mode != "fallback" || st.Backend != "memory" {
			t.Fatalf("round %d: the tournament finished but the host is not on memory: %+v", i, st)
		}
		restarted := time.Now()
		r.Start()
		back := waitMode(t, h, "primary", 15*time.Second)
		failbacks = append(failbacks, back.Sub(restarted))

		fromHost, err := h.Client.Get(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		g.check(fromHost, 8)
		if stored := redisState(t, r, id); !sameState(stored, fromHost) || !sameOutcome(stored, g.last) {
			t.Fatalf("round %d: Redis holds version %d, the host reports %d, the player saw %d", i, stored.Version,
				fromHost.Version, g.last.Version)
		}
	}
	// Every tournament of earlier rounds is still there and intact.
	for i := range rounds {
		if _, err := h.Client.Get(bg, int64(100+i)); err != nil {
			t.Fatalf("tournament %d after %d outages: %v", 100+i, rounds, err)
		}
	}
	slices.Sort(failovers)
	slices.Sort(failbacks)
	t.Logf("Redis killed -> first write on memory: median %v, worst %v", failovers[len(failovers)/2], failovers[len(failovers)-1])
	t.Logf("Redis back -> host on Redis, reconciled: median %v, worst %v", failbacks[len(failbacks)/2], failbacks[len(failbacks)-1])
}

func TestRedisKilledWithoutPersistence(t *testing.T) { killCycles(t, 5) }

func TestRedisKilledWithAOF(t *testing.T) {
	killCycles(t, 3, "--appendonly", "yes", "--appendfsync", "always")
}
