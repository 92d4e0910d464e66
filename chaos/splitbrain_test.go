package chaos

import (
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// Two hosts on one Redis; host A is cut off (its proxy disabled) while host
// B goes on writing the same tournament. On heal, A's conflicting change
// loses to Redis and is recorded; A's other change to that tournament (a
// game B did not touch) is merged; A's change to a tournament nobody else
// touched is written back. Every acknowledged write is present or
// recorded: nothing is lost silently.
func TestSplitBrainRecordsTheConflict(t *testing.T) {
	r := testutil.StartRedis(t)
	p := newProxy(t, r.Addr())
	a, b := startHost(t, p.Addr), startHost(t, r.Addr())

	shared := newGame(t, b.Client, 1, 4) // game 1: players 1 and 4
	only := newGame(t, b.Client, 2, 4)
	for _, id := range []int64{1, 2} { // A learns both tournaments
		if _, err := a.Client.Get(bg, id); err != nil {
			t.Fatal(err)
		}
	}
	base := shared.last.Version

	p.Stop()
	waitMode(t, a, "fallback", 5*time.Second)
	if _, err := a.Client.Result(bg, 1, 1, 1, 4); err != nil { // A: player 1 wins game 1
		t.Fatalf("A on memory: %v", err)
	}
	onA, err := a.Client.Result(bg, 1, 2, 2, 3) // A: player 2 wins game 2, which B leaves alone
	if err != nil {
		t.Fatalf("A on memory: %v", err)
	}
	onlyA := &game{t: t, c: a.Client, id: 2, acked: map[int64]int64{}, last: only.last}
	eventually(t, 5*time.Second, onlyA.step)
	onB, err := b.Client.Result(bg, 1, 1, 4, 1) // B: player 4 wins game 1
	if err != nil {
		t.Fatalf("B on Redis: %v", err)
	}

	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	waitMode(t, a, "primary", 15*time.Second)

	stored := redisState(t, r, 1)
	if *stored.Game(1).WinnerID != 4 || stored.Version <= onB.Version {
		t.Fatalf("Redis lost B's change: game 1 winner %d, version %d", *stored.Game(1).WinnerID, stored.Version)
	}
	if g2 := stored.Game(2); g2.WinnerID == nil || *g2.WinnerID != 2 {
		t.Fatalf("A's result for game 2, which nobody contested, is lost: %+v", g2)
	}
	cs, err := a.Client.Conflicts(bg, 1)
	if err != nil || len(cs) != 1 {
		t.Fatalf("conflicts: %+v %v", cs, err)
	}
	c := cs[0]
	if c.BaseVersion != base || c.Snapshot == nil || c.Snapshot.Version != onA.Version ||
		*c.Snapshot.Game(1).WinnerID != 1 || c.Origin == "" || len(c.Rejected) != 1 {
		t.Fatalf("conflict record %+v does not keep A's losing change", c)
	}
	st, _ := a.Client.Status(bg)
	if st.Failover.Conflicts != 1 {
		t.Fatalf("A counts %d conflicts", st.Failover.Conflicts)
	}
	if now, _ := a.Client.Get(bg, 1); !sameState(now, stored) {
		t.Fatal("after failback A still reports its losing state")
	}
	// A's change nobody else made is written back.
	onlyA.check(redisState(t, r, 2), 4)
	if got := redisState(t, r, 2); got.Version != onlyA.last.Version {
		t.Fatalf("A's uncontested change: Redis has version %d, A acknowledged %d", got.Version, onlyA.last.Version)
	}
	// The tournament goes on from Redis's state, through either host.
	if _, err := a.Client.Result(bg, 1, 2, 2, 3); err != nil {
		t.Fatal(err)
	}
	if tr, _ := b.Client.Get(bg, 1); tr.Status != tournament.StatusActive || tr.CurrentRound != 2 {
		t.Fatalf("after the conflict the tournament is %s in round %d", tr.Status, tr.CurrentRound)
	}
}
