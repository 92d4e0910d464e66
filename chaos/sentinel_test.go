package chaos

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// A real Sentinel failover: a master, a replica and three sentinels; two
// hosts write through them; the replica falls behind (stopped, its link
// cut) while the master takes more writes, then the master is SIGKILLed and the sentinels
// promote the replica, which lacks those writes. With replica
// acknowledgement (TOURNEY_REDIS_MIN_REPLICAS=1) no write the replica
// missed was ever acknowledged by Redis (the hosts took them on their
// fallback instead); without it the hosts bring forward what the promoted
// replica lost. Either way no acknowledged write is lost. Then the old
// master comes back (from its AOF, with its writes) and the sentinels make
// it a replica of the new master: Redis discards its writes; the hosts
// still have them.
func TestSentinelFailoverLosesNoAcknowledgedWrite(t *testing.T) {
	for _, tc := range []struct {
		name        string
		minReplicas int
	}{{"replica acknowledgement off", 0}, {"replica acknowledgement on", 1}} {
		t.Run(tc.name, func(t *testing.T) { sentinelFailover(t, tc.minReplicas) })
	}
}

// writer joins players to its tournaments one after another, retrying each
// call until it is answered, and keeps what was acknowledged.
type writer struct {
	mu    sync.Mutex
	acked map[int64][]int64 // tournament -> players acknowledged, in order
	calls int
}

func sentinelFailover(t *testing.T, minReplicas int) {
	g := testutil.StartSentinelGroup(t)
	oldMaster, replica := g.Servers[0], g.Servers[1]
	env := append(g.Env(), "TOURNEY_PRIMARY=redis", "LOG_LEVEL=info", "TOURNEY_SWEEP_INTERVAL=1h")
	if minReplicas > 0 {
		env = append(env, fmt.Sprintf("TOURNEY_REDIS_MIN_REPLICAS=%d", minReplicas), "TOURNEY_REDIS_REPLICA_TIMEOUT=100ms")
	}
	dir := testutil.Binaries(t)
	hosts := []*testutil.HostProc{testutil.StartHost(t, dir, env...), testutil.StartHost(t, dir, env...)}
	for _, h := range hosts {
		waitPrimaryOn(t, h, g.MasterPort, 20*time.Second)
	}
	if st, err := hosts[0].Client.Status(bg); err != nil ||
		!strings.Contains(st.Health, fmt.Sprintf("master %s at 127.0.0.1:%d", testutil.SentinelMaster, oldMaster.Port)) {
		t.Fatalf("status names no master: %+v %v", st.Health, err)
	}
	const perHost = 10
	w := &writer{acked: map[int64][]int64{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for hi, h := range hosts {
		for k := range perHost {
			id := int64(100*(hi+1) + k)
			eventually(t, 20*time.Second, func() error {
				_, err := h.Client.Create(bg, tournament.CreateParams{ID: id, Name: "sentinel", MaxPlayers: 1024, CreatorID: 1})
				if errors.Is(err, tournament.ErrAlreadyExists) {
					return nil
				}
				return err
			})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := int64(1); ; u++ {
				for k := range perHost {
					select {
					case <-stop:
						return
					default:
					}
					id := int64(100*(hi+1) + k)
					for {
						_, err := h.Client.AddPlayer(bg, id, u)
						w.mu.Lock()
						w.calls++
						w.mu.Unlock()
						if err == nil || errors.Is(err, tournament.ErrAlreadyExists) { // a retry of a join that landed
							w.mu.Lock()
							w.acked[id] = append(w.acked[id], u)
							w.mu.Unlock()
							break
						}
						if !retryable(err) {
							t.Errorf("tournament %d, join %d: %v", id, u, err)
							return
						}
						time.Sleep(20 * time.Millisecond)
					}
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	// The replica falls behind: stopped, its replication link cut by the
	// master (what was sent before stays in its socket and arrives); the
	// master takes writes alone.
	replica.Signal(syscall.SIGSTOP)
	if err := oldMaster.Client(0).Do(bg, "CLIENT", "KILL", "TYPE", "replica").Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	killed := time.Now()
	oldMaster.Kill()
	w.mu.Lock()
	atKill := map[int64][]int64{}
	for id, p := range w.acked {
		atKill[id] = slices.Clone(p)
	}
	w.mu.Unlock()
	replica.Signal(syscall.SIGCONT)
	if !testutil.Eventually(30*time.Second, func() bool { return g.MasterPort() == replica.Port }) {
		t.Fatal("the sentinels did not promote the replica")
	}
	promoted := time.Now()
	// What the promoted replica lacks of what was acknowledged before the
	// kill (read at once, before the hosts bring anything forward).
	missed := 0
	for id, players := range atKill {
		var have []int64 // nothing when the replica lacks the tournament itself
		key := "pong:tournament:{" + strconv.FormatInt(id, 10) + "}"
		if h, err := replica.Client(1).HGetAll(bg, key).Result(); err == nil && len(h) > 0 {
			have = redisState(t, replica, id).Players
		}
		for _, u := range players {
			if !slices.Contains(have, u) {
				missed++
			}
		}
	}
	if minReplicas > 0 {
		// A master without a replica cannot confirm a write: the hosts stay
		// on their fallback until the old master is back, as a replica.
		oldMaster.Start()
	}
	backs := make([]time.Time, len(hosts))
	for i, h := range hosts {
		// The master the sentinels name by then (the promoted replica; with
		// the old master back early, whatever they settled on).
		backs[i] = waitPrimaryOn(t, h, g.MasterPort, 30*time.Second)
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	for _, h := range hosts {
		waitMode(t, h, "primary", 30*time.Second)
	}
	check := func(when string) (restored, conflicts int64) {
		t.Helper()
		master := g.Master()
		lost := 0
		for id, players := range w.acked {
			st := redisState(t, master, id)
			for _, u := range players {
				if !slices.Contains(st.Players, u) {
					lost++
					t.Errorf("%s: tournament %d lost acknowledged join %d (stored players %v)", when, id, u, st.Players)
				}
			}
		}
		for _, h := range hosts {
			st, err := h.Client.Status(bg)
			if err != nil {
				t.Fatal(err)
			}
			restored += st.Failover.Restored
			conflicts += st.Failover.Conflicts
		}
		return restored, conflicts
	}
	restored, conflicts := check("after the promotion")
	joins := 0
	for _, p := range w.acked {
		joins += len(p)
	}
	t.Logf("min replicas %d: %d acknowledged joins (%d calls); the sentinels promoted the replica %v after the master was killed; "+
		"it lacked %d joins acknowledged before the kill (with replica acknowledgement: joins the hosts' fallbacks acknowledged, "+
		"Redis having refused them); the hosts were on the new master %v and %v after the promotion; "+
		"restored by the hosts: %d tournaments; conflicts: %d; lost: 0",
		minReplicas, joins, w.calls, promoted.Sub(killed).Round(10*time.Millisecond), missed, backs[0].Sub(promoted).Round(10*time.Millisecond),
		backs[1].Sub(promoted).Round(10*time.Millisecond), restored, conflicts)
	if minReplicas > 0 {
		return // the old master is back already
	}

	// The old master comes back from its AOF, with the writes its replica
	// missed, and the sentinels make it a replica of the new master (Redis
	// discards its data for the new master's): nothing the hosts
	// acknowledged goes.
	oldMaster.Start()
	if !testutil.Eventually(30*time.Second, func() bool {
		role, err := oldMaster.Client(0).Do(bg, "ROLE").Slice()
		return err == nil && len(role) > 0 && role[0] == "slave"
	}) {
		t.Fatal("the old master did not become a replica")
	}
	time.Sleep(2 * time.Second)
	check("after the old master came back as a replica")
}

// waitPrimaryOn waits until host h serves from the Redis master the
// sentinels name (port, asked again each time).
func waitPrimaryOn(t *testing.T, h *testutil.HostProc, port func() int, within time.Duration) time.Time {
	t.Helper()
	want := ""
	if !testutil.Eventually(within, func() bool {
		want = fmt.Sprintf("127.0.0.1:%d", port())
		st, err := h.Client.Status(bg)
		return err == nil && st.Failover.Mode == "primary" && strings.Contains(st.Health, want+" ")
	}) {
		st, _ := h.Client.Status(bg)
		t.Fatalf("the host is not on the master at %s: %+v\n%s", want, st, h.Logs())
	}
	return time.Now()
}
