package redis

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
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
	before, reads := scriptCalls(t, info), readsProcessed(t, info)
	if _, err := a.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 50}}); err != nil {
		t.Fatal(err)
	}
	// One round trip (the INFO calls around it are one each), the player
	// index included.
	if n := readsProcessed(t, info) - reads - 1; n != 1 {
		t.Fatalf("a join on a current copy took %d round trips, want 1", n)
	}
	if n := scriptCalls(t, info) - before; n != 1 {
		t.Fatalf("a change on a current copy ran %d scripts, want 1", n)
	}
	if in, _ := r.Client(1).SMembers(ctx, "o:player:{50}:tournaments").Result(); len(in) != 1 || in[0] != "1" {
		t.Fatalf("the join's player index holds %v", in)
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

// next_round is written by difference when a change only adds players to
// it, and whole otherwise.
func TestNextRoundArgument(t *testing.T) {
	prev := func(ids ...int64) *tournament.Tournament {
		// An active 8-player round whose decided games give ids, in order.
		tr := &tournament.Tournament{Status: tournament.StatusActive, CurrentRound: 1}
		r := tournament.Round{Round: 1}
		for k, id := range ids {
			w := id
			r.Games = append(r.Games,
				tournament.Game{GameID: int64(k + 1), Round: 1, Player1: id, Player2: 100 + id,
					Status: tournament.GameFinished, WinnerID: &w})
			r.Slots = append(r.Slots, id, 100+id)
		}
		tr.Rounds = []tournament.Round{r}
		return tr
	}
	for _, c := range []struct {
		name string
		prev *tournament.Tournament
		next []int64
		want string
	}{
		{"a new record", nil, []int64{1, 2}, "W"},
		{"an insertion inside", prev(1, 3), []int64{1, 2, 3}, `~2~["2","3"]~W`},
		{"an insertion at the end", prev(1, 3), []int64{1, 3, 4}, `~2~["4",""]~W`},
		{"two insertions", prev(3), []int64{1, 3, 4}, `~1~["1","3","4",""]~W`},
		{"nothing before", prev(), []int64{1}, "W"},
		{"a removal", prev(1, 3), []int64{3, 4}, "W"},
		{"a new round", prev(1, 3), []int64{1}, "W"},
	} {
		if got := nextRoundArg(c.prev, c.next, "W"); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// When the stored next_round is not the list the change started from (it
// expired, or an operator deleted it), the script writes it whole.
func TestNextRoundIsWholeAgainAfterItWasLost(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "n:"})
	tr := play(t, b, 1, 8)
	rc := r.Client(1)
	key := b.keys.record(1)[2]
	for i, del := range []bool{false, true, false} {
		if del {
			rc.Del(ctx, key)
		}
		g := tr.ActiveGames()[0]
		c, err := b.Apply(ctx,
			shared.ApplyRequest{TournamentID: 1, Command: tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}})
		if err != nil {
			t.Fatal(err)
		}
		tr = c.Tournament
		got, _ := rc.LRange(ctx, key, 0, -1).Result()
		var want []string
		for _, id := range tr.NextRound() {
			want = append(want, strconv.FormatInt(id, 10))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("result %d (list deleted before: %v): next_round %v, want %v", i, del, got, want)
		}
	}
}

// readsProcessed is the server's count of client reads (round trips).
func readsProcessed(t *testing.T, c *goredis.Client) int64 {
	t.Helper()
	s, err := c.Info(ctx, "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_reads_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatal("no total_reads_processed in INFO stats")
	return 0
}
