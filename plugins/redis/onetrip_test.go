package redis

import (
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/tournament"
)

// A change computed from the copy the plugin holds at the stored revision
// is written in one round trip (one script); a copy another plugin made
// stale costs the locked path, and the change lands on the current state.
func TestAChangeOnACurrentCopyIsOneTrip(t *testing.T) {
	r := testutil.StartRedis(t)
	a, other := newBackend(t, r, Options{KeyPrefix: "o:"}), newBackend(t, r, Options{KeyPrefix: "o:"})
	play(t, a, 1, 0)
	info := r.Client(0)
	a.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 40}}) // loads the script
	before := scriptCalls(t, info)
	if _, err := a.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 50}}); err != nil {
		t.Fatal(err)
	}
	if n := scriptCalls(t, info) - before; n != 1 {
		t.Fatalf("a change on a current copy ran %d scripts, want 1", n)
	}
	if _, err := other.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 60}}); err != nil {
		t.Fatal(err)
	}
	before = scriptCalls(t, info)
	c, err := a.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 70}})
	if err != nil {
		t.Fatal(err)
	}
	if n := scriptCalls(t, info) - before; n != 3 {
		t.Fatalf("a change on a stale copy ran %d scripts, want 3 (refused one-trip write, acquire, commit)", n)
	}
	if got := c.Tournament.Players; len(got) != 4 || got[2] != 60 || got[3] != 70 || c.Tournament.Version != 5 {
		t.Fatalf("players %v version %d: the other plugin's change was lost", got, c.Tournament.Version)
	}
}

// While another writer holds the lock, a one-trip write waits for it: it
// never slips in between the holder's read and write.
func TestAOneTripWriteWaitsForTheLockHolder(t *testing.T) {
	r := testutil.StartRedis(t)
	holds, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	locked := newBackend(t, r, Options{KeyPrefix: "w:", LockTimeout: 5 * time.Second, LockEveryChange: true, BeforeCommit: func(int64) {
		once.Do(func() { close(holds); <-release })
	}})
	fast := newBackend(t, r, Options{KeyPrefix: "w:"})
	play(t, fast, 1, 0)
	done := make(chan error, 1)
	go func() {
		_, err := locked.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 100}})
		done <- err
	}()
	<-holds // the holder has read version 1 and holds the lock
	wrote := make(chan shared.Change, 1)
	go func() {
		c, err := fast.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 200}})
		if err != nil {
			t.Error(err)
		}
		wrote <- c
	}()
	select {
	case c := <-wrote:
		t.Fatalf("a one-trip write went through under another's lock: version %d", c.Tournament.Version)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the lock holder's write: %v", err)
	}
	c := <-wrote
	if got := c.Tournament.Players; len(got) != 2 || got[0] != 100 || got[1] != 200 || c.Tournament.Version != 3 {
		t.Fatalf("players %v version %d", got, c.Tournament.Version)
	}
}

// scriptCalls counts the scripts Redis ran (EVALSHA and EVAL).
func scriptCalls(t *testing.T, c *goredis.Client) int64 {
	return commandCalls(t, c, "evalsha", "eval")
}
