package chaos

import (
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
)

// A host started while Redis is down serves from memory at once, and moves
// what it created to Redis when Redis appears.
func TestStartWithRedisDown(t *testing.T) {
	r := testutil.StartRedis(t)
	r.Kill()
	h := startHost(t, r.Addr())
	if st, _ := h.Client.Status(bg); st.Backend != "memory" || !st.Ready {
		t.Fatalf("started with Redis down: %+v", st)
	}
	g := newGame(t, h.Client, 7, 4)
	eventually(t, 5*time.Second, g.step)
	r.Start()
	waitMode(t, h, "primary", 15*time.Second)
	g.finish(10 * time.Second)
	stored := redisState(t, r, 7)
	g.check(stored, 4)
	if !sameOutcome(stored, g.last) {
		t.Fatalf("Redis has version %d, the player saw %d", stored.Version, g.last.Version)
	}
}
