package chaos

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// A host SIGKILLed while it serves from the fallback loses none of the
// writes it acknowledged there: a new host on the same TOURNEY_DATA_DIR
// finds them in the outage log and writes them back. Redis runs with AOF
// (what was on Redis before the outage survives its kill); half the trials
// bring Redis back before the new host starts, half after.
func TestHostKilledOnTheFallbackLosesNothing(t *testing.T) {
	const trials = 20
	r := testutil.StartRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	dataDir := t.TempDir()
	env := []string{"TOURNEY_DATA_DIR=" + dataDir}
	h := startHost(t, r.Addr(), env...)
	lost := 0
	for i := range trials {
		id := int64(1000 + i)
		g := newGame(t, h.Client, id, 8)
		eventually(t, 15*time.Second, g.step) // one result on Redis
		r.Kill()
		for range 3 { // three results acknowledged on the fallback
			eventually(t, 15*time.Second, g.step)
		}
		// A tournament created and joined during the outage, too.
		offline := newGame(t, h.Client, id+10_000, 4)
		eventually(t, 15*time.Second, offline.step)
		if st, _ := h.Client.Status(bg); st.Failover.Mode != "fallback" {
			t.Fatalf("trial %d: the writes were not on the fallback: %+v", i, st.Failover)
		}
		h.Kill()
		if i%2 == 0 {
			r.Start()
			h = startHost(t, r.Addr(), env...)
		} else {
			h = startHost(t, r.Addr(), env...)
			// Served from the outage log while Redis is still down.
			got, err := h.Client.Get(bg, id)
			if err != nil || got.Version != g.last.Version {
				t.Fatalf("trial %d: the restarted host serves %+v (%v), want version %d", i, got, err, g.last.Version)
			}
			r.Start()
		}
		waitMode(t, h, "primary", 20*time.Second)
		for _, gm := range []*game{g, offline} {
			stored := redisState(t, r, gm.id)
			for gid, w := range gm.acked {
				if s := stored.Game(gid); s == nil || s.WinnerID == nil || *s.WinnerID != w {
					lost++
					t.Errorf("trial %d: tournament %d lost the acknowledged result of game %d", i, gm.id, gid)
				}
			}
			if stored.Version != gm.last.Version {
				t.Errorf("trial %d: tournament %d is at version %d on Redis, the player saw %d", i, gm.id, stored.Version, gm.last.Version)
			}
		}
	}
	if st, _ := h.Client.Status(bg); st.Failover.Conflicts != 0 {
		t.Fatalf("%d conflicts recorded", st.Failover.Conflicts)
	}
	t.Logf("%d trials of kill -9 of the host on the fallback: %d acknowledged writes lost", trials, lost)
}

// Redis restarted from an older RDB snapshot (writes after the SAVE are not
// in it): the host brings what it saw forward; nothing acknowledged is
// silently gone.
func TestRedisBackFromAnOlderSnapshot(t *testing.T) {
	r := testutil.StartRedis(t, "--save", "", "--dir", t.TempDir())
	h := startHost(t, r.Addr())
	c := h.Client
	if _, err := c.Create(bg, tournament.CreateParams{ID: 1, Name: "rdb", MaxPlayers: 8, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddPlayer(bg, 1, 101); err != nil {
		t.Fatal(err)
	}
	if err := r.Client(0).Save(bg).Err(); err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{102, 103} {
		if _, err := c.AddPlayer(bg, 1, u); err != nil {
			t.Fatal(err)
		}
	}
	r.Kill()
	r.Start() // loads dump.rdb: players [101]
	ok := testutil.Eventually(15*time.Second, func() bool {
		st := redisState(t, r, 1)
		return len(st.Players) == 3
	})
	if !ok {
		t.Fatalf("Redis kept its older copy: players %v; host logs:\n%s", redisState(t, r, 1).Players, h.Logs())
	}
	waitMode(t, h, "primary", 15*time.Second)
	if got, err := c.Get(bg, 1); err != nil || len(got.Players) != 3 {
		t.Fatalf("the host serves %+v %v", got, err)
	}
}

// More tournaments changed in one outage than the host's snapshot cache
// holds: every one is written back.
func TestOutageLargerThanTheCache(t *testing.T) {
	r := testutil.StartRedis(t)
	h := startHost(t, r.Addr(), "TOURNEY_CACHE_SIZE=5")
	r.Kill()
	const n = 25
	for id := int64(1); id <= n; id++ {
		eventually(t, 15*time.Second, func() error {
			_, err := h.Client.Create(bg,
				tournament.CreateParams{ID: id, Name: "n" + strconv.FormatInt(id, 10), MaxPlayers: 4, CreatorID: 1})
			if errors.Is(err, tournament.ErrAlreadyExists) {
				return nil
			}
			return err
		})
	}
	r.Start()
	waitMode(t, h, "primary", 20*time.Second)
	for id := int64(1); id <= n; id++ {
		if n, _ := r.Client(1).Exists(bg, "pong:tournament:{"+strconv.FormatInt(id, 10)+"}").Result(); n != 1 {
			t.Fatalf("tournament %d created on the fallback is missing from Redis", id)
		}
	}
}
