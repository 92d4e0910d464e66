package chaos

import (
	"os"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
)

// Faults between the Redis plugin and Redis, injected with Toxiproxy. Each
// case says whether it must trip the breaker; in every case no
// acknowledged result is lost and none is applied twice.
func TestNetworkFaultsBetweenPluginAndRedis(t *testing.T) {
	for _, tc := range []struct {
		name  string
		trips bool
		fault func(t *testing.T, p *proxy) (heal func())
	}{
		{"latency 200ms", false, func(t *testing.T, p *proxy) func() {
			return p.toxic(t, "slow", "latency", `{"latency":200}`)
		}},
		{"blackhole", true, func(t *testing.T, p *proxy) func() {
			return p.toxic(t, "hole", "timeout", `{"timeout":0}`)
		}},
		{"reset_peer", true, func(t *testing.T, p *proxy) func() {
			return p.toxic(t, "reset", "reset_peer", `{"timeout":0}`)
		}},
		{"proxy disabled", true, func(t *testing.T, p *proxy) func() {
			p.Stop()
			return func() {
				if err := p.Start(); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testutil.StartRedis(t)
			p := newProxy(t, r.Addr())
			h := startHost(t, p.Addr)
			g := newGame(t, h.Client, 1, 8)
			eventually(t, 10*time.Second, g.step)
			heal := tc.fault(t, p)
			faulted := time.Now()
			for range 3 {
				eventually(t, 20*time.Second, g.step)
			}
			st, _ := h.Client.Status(bg)
			tripped := st.Failover.Failovers > 0
			if tripped != tc.trips {
				t.Fatalf("breaker tripped: %v, want %v (status %+v)", tripped, tc.trips, st)
			}
			t.Logf("%s: three results acknowledged %v after the fault; on %s", tc.name,
				time.Since(faulted).Round(time.Millisecond), st.Backend)
			heal()
			healed := time.Now()
			waitMode(t, h, "primary", 15*time.Second)
			t.Logf("%s: back on Redis %v after healing", tc.name, time.Since(healed).Round(time.Millisecond))
			// Writes work at once: no lock left behind by a lost reply blocks
			// the tournament for LOCK_TIMEOUT (30 s).
			eventually(t, 5*time.Second, g.step)
			g.finish(20 * time.Second)
			fromHost, err := h.Client.Get(bg, 1)
			if err != nil {
				t.Fatal(err)
			}
			g.check(fromHost, 8)
			if stored := redisState(t, r, 1); !sameState(stored, fromHost) {
				t.Fatalf("Redis holds version %d, the host reports %d", stored.Version, fromHost.Version)
			}
			if os.Getenv("CHAOS_LOGS") != "" {
				t.Log(h.Logs())
			}
			if cs, _ := h.Client.Conflicts(bg, 1); len(cs) != 0 {
				t.Fatalf("a single host recorded conflicts: %+v", cs)
			}
		})
	}
}
