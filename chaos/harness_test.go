package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/plugins/redis"
	"github.com/tourney/tourney/tournament"
)

var bg = context.Background()

// startHost runs `host serve` on the Redis plugin at redisAddr.
func startHost(t *testing.T, redisAddr string, env ...string) *testutil.HostProc {
	t.Helper()
	host, port, _ := strings.Cut(redisAddr, ":")
	base := []string{"TOURNEY_PRIMARY=redis", "REDIS_HOST=" + host, "REDIS_PORT=" + port, "LOG_LEVEL=info",
		"TOURNEY_SWEEP_INTERVAL=1h"}
	return testutil.StartHost(t, testutil.Binaries(t), append(base, env...)...)
}

// retryable errors are those a client is told to retry.
func retryable(err error) bool {
	return errors.Is(err, tournament.ErrUnavailable) || errors.Is(err, tournament.ErrAborted)
}

// eventually retries fn until it succeeds (or fails with a final error) and
// returns when it first succeeded.
func eventually(t *testing.T, within time.Duration, fn func() error) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := fn()
		if err == nil {
			return time.Now()
		}
		if !retryable(err) {
			t.Fatalf("final error: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no success within %v: last error %v", within, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitMode waits until the host reports the given failover mode.
func waitMode(t *testing.T, h *testutil.HostProc, mode string, within time.Duration) time.Time {
	t.Helper()
	ok := testutil.Eventually(within, func() bool {
		st, err := h.Client.Status(bg)
		return err == nil && st.Failover.Mode == mode
	})
	if !ok {
		st, _ := h.Client.Status(bg)
		t.Fatalf("host did not reach mode %s within %v: %+v", mode, within, st)
	}
	return time.Now()
}

// game is a player's view of one tournament being played: every result the
// server acknowledged.
type game struct {
	t     *testing.T
	c     *httpapi.Client
	id    int64
	acked map[int64]int64 // game id -> acknowledged winner
	last  *tournament.Tournament
}

// newGame creates tournament id with n players and starts it.
func newGame(t *testing.T, c *httpapi.Client, id int64, n int) *game {
	t.Helper()
	g := &game{t: t, c: c, id: id, acked: map[int64]int64{}}
	eventually(t, 10*time.Second, func() error {
		_, err := c.Create(bg, tournament.CreateParams{ID: id, Name: "Chaos Cup " + strconv.FormatInt(id, 10), MaxPlayers: n, CreatorID: 1})
		if errors.Is(err, tournament.ErrAlreadyExists) {
			return nil
		}
		return err
	})
	for u := 1; u <= n; u++ {
		eventually(t, 10*time.Second, func() error {
			_, err := c.AddPlayer(bg, id, int64(u))
			if errors.Is(err, tournament.ErrAlreadyExists) {
				return nil
			}
			return err
		})
	}
	eventually(t, 10*time.Second, func() error {
		var err error
		g.last, err = c.Start(bg, id, false)
		if errors.Is(err, tournament.ErrFailedPrecondition) { // started by a retried call
			g.last, err = c.Get(bg, id)
		}
		return err
	})
	return g
}

// step registers one result (player_1 wins) and reports whether it was
// acknowledged.
func (g *game) step() error {
	if g.last.Status != tournament.StatusActive {
		return nil
	}
	gm := g.last.ActiveGames()[0]
	t, err := g.c.Result(bg, g.id, gm.GameID, gm.Player1, 0)
	if err != nil {
		return err
	}
	g.acked[gm.GameID] = gm.Player1
	g.last = t
	return nil
}

// finish plays the tournament to its end, retrying through faults.
func (g *game) finish(within time.Duration) {
	g.t.Helper()
	for g.last.Status == tournament.StatusActive {
		eventually(g.t, within, g.step)
	}
}

// check verifies that a state holds every acknowledged result, and that a
// finished tournament of n players took exactly the changes it should
// (1 create + n joins + 1 start + n-1 results: nothing applied twice).
func (g *game) check(st *tournament.Tournament, n int) {
	g.t.Helper()
	for gid, w := range g.acked {
		gm := st.Game(gid)
		if gm == nil || gm.WinnerID == nil || *gm.WinnerID != w {
			g.t.Fatalf("tournament %d: acknowledged result of game %d (winner %d) is lost: %+v", g.id, gid, w, gm)
		}
	}
	if st.Status == tournament.StatusCompleted && (st.Version != int64(2*n+1) || st.GameCount() != n-1) {
		g.t.Fatalf("tournament %d: version %d with %d games, want %d and %d", g.id, st.Version, st.GameCount(), 2*n+1, n-1)
	}
}

// redisState reads a tournament's state straight from Redis, as an
// operator would.
func redisState(t *testing.T, r *testutil.Redis, id int64) *tournament.Tournament {
	t.Helper()
	key := "pong:tournament:{" + strconv.FormatInt(id, 10) + "}"
	h, err := r.Client(1).HGetAll(bg, key).Result()
	if err != nil || len(h) == 0 {
		t.Fatalf("reading tournament %d from Redis: %v", id, err)
	}
	brackets, err := r.Client(1).HGetAll(bg, key+":brackets").Result()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := redis.DecodeStored(id, h, brackets)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// sameOutcome compares what players observe of a tournament (see view):
// not timestamps or deadlines, which a change replayed at failback (to
// merge it onto a primary that moved on) gets anew.
func sameOutcome(a, b *tournament.Tournament) bool { return view(a) == view(b) }

// sameState compares two snapshots exactly.
func sameState(a, b *tournament.Tournament) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// proxy is a Toxiproxy proxy run inside the test process.
type proxy struct {
	*toxiproxy.Proxy
	Addr string
}

func newProxy(t *testing.T, upstream string) *proxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	addr := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	p := toxiproxy.NewProxy(srv, "redis", addr, upstream)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return &proxy{Proxy: p, Addr: addr}
}

// toxic adds a toxic to both directions' downstream by JSON, e.g.
// {"type":"latency","attributes":{"latency":200}}.
func (p *proxy) toxic(t *testing.T, name, typ string, attrs string) func() {
	t.Helper()
	body := `{"name":"` + name + `","type":"` + typ + `","stream":"downstream","toxicity":1,"attributes":` + attrs + `}`
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := p.Toxics.RemoveToxic(context.Background(), name); err != nil {
			t.Fatal(err)
		}
	}
}
