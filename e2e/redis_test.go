package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// hostsOn starts n `host serve` processes on the Redis plugin.
func hostsOn(t *testing.T, n int, env ...string) []*testutil.HostProc {
	t.Helper()
	dir := testutil.Binaries(t)
	var hs []*testutil.HostProc
	for range n {
		hs = append(hs, testutil.StartHost(t, dir, append([]string{"TOURNEY_PRIMARY=redis", "LOG_LEVEL=info"}, env...)...))
	}
	return hs
}

func TestConcurrentJoinsAcrossHostsFillExactlyTheSeats(t *testing.T) {
	r := testutil.StartRedis(t)
	hs := hostsOn(t, 3, r.Env()...)
	if _, err := hs[0].Client.Create(bg, tournament.CreateParams{ID: 64, Name: "Big Cup", MaxPlayers: 64, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	var joined, full atomic.Int64
	var wg sync.WaitGroup
	for u := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := hs[u%len(hs)].Client.AddPlayer(bg, 64, int64(1000+u))
			switch {
			case err == nil:
				joined.Add(1)
			case errors.Is(err, tournament.ErrFailedPrecondition):
				full.Add(1)
			default:
				t.Errorf("join %d: %v", u, err)
			}
		}()
	}
	wg.Wait()
	tr, err := hs[1].Client.Get(bg, 64)
	if err != nil || joined.Load() != 64 || full.Load() != 36 || len(tr.Players) != 64 || tr.Version != 65 {
		t.Fatalf("%d joined, %d refused; stored %d players at version %d (%v)", joined.Load(), full.Load(),
			len(tr.Players), tr.Version, err)
	}
}

func TestConcurrentDuplicateResultsAcrossHosts(t *testing.T) {
	r := testutil.StartRedis(t)
	hs := hostsOn(t, 2, r.Env()...)
	c := hs[0].Client
	c.Create(bg, tournament.CreateParams{ID: 9, Name: "Dup Cup", MaxPlayers: 64, CreatorID: 1})
	for u := range 64 {
		if _, err := c.AddPlayer(bg, 9, int64(u+1)); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := c.Start(bg, 9, true)
	if err != nil {
		t.Fatal(err)
	}
	for tr.Status == tournament.StatusActive {
		var wg sync.WaitGroup
		for _, g := range tr.ActiveGames() {
			for i := range 4 { // every result four times, through both hosts
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := hs[i%2].Client.Result(bg, 9, g.GameID, g.Player2, 0); err != nil {
						t.Errorf("game %d: %v", g.GameID, err)
					}
				}()
			}
		}
		wg.Wait()
		if tr, err = hs[1].Client.Get(bg, 9); err != nil {
			t.Fatal(err)
		}
	}
	if tr.GameCount() != 63 || tr.WinnerID == nil || tr.Status != tournament.StatusCompleted {
		t.Fatalf("%d games, winner %v, status %s", tr.GameCount(), tr.WinnerID, tr.Status)
	}
	n, _ := r.Client(1).XLen(context.Background(), "pong:tournament:{9}:events").Result()
	// created, 64 joins, started, 6 round_started, 63 game_created, 63 game_finished, 6 round_ended, completed
	want := int64(1 + 64 + 1 + 6 + 63 + 63 + 6 + 1)
	if n != want {
		t.Fatalf("%d events in the stream, want %d: some change was applied twice or lost", n, want)
	}
}

func TestRateLimitPerActorOverHTTP(t *testing.T) {
	r := testutil.StartRedis(t)
	// With a token the game server speaks for its players (X-Actor-ID).
	h := hostsOn(t, 1, append(r.Env(), "TOURNEY_RATE_LIMIT=2", "TOURNEY_RATE_BURST=2", "TOURNEY_API_TOKEN=tok")...)[0]
	alice, bob := httpapi.NewClient(h.Addr), httpapi.NewClient(h.Addr)
	alice.Actor, bob.Actor = "alice", "bob"
	alice.Token, bob.Token = "tok", "tok"
	alice.Create(bg, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 8, CreatorID: 1})
	alice.AddPlayer(bg, 1, 1)
	_, err := alice.AddPlayer(bg, 1, 2)
	var de *tournament.Error
	if !errors.As(err, &de) || de.Code != tournament.CodeRateLimited || de.RetryAfter < 1 {
		t.Fatalf("alice over the limit: %v", err)
	}
	if _, err := bob.AddPlayer(bg, 1, 3); err != nil {
		t.Fatalf("bob was limited by alice's calls: %v", err)
	}
	keys, _ := r.Client(1).Keys(context.Background(), "pong:rate:actor:*").Result()
	if len(keys) != 2 {
		t.Fatalf("rate keys %v, want one per actor", keys)
	}
}

func TestStateSurvivesRestartingTheHosts(t *testing.T) {
	r := testutil.StartRedis(t)
	h := hostsOn(t, 1, r.Env()...)[0]
	h.Client.Create(bg, tournament.CreateParams{ID: 5, Name: "Durable", MaxPlayers: 4, CreatorID: 1})
	for u := int64(1); u <= 4; u++ {
		h.Client.AddPlayer(bg, 5, u)
	}
	before, _ := h.Client.Start(bg, 5, false)
	h.Kill()
	h2 := hostsOn(t, 1, r.Env()...)[0]
	after, err := h2.Client.Get(bg, 5)
	if err != nil || after.Version != before.Version || len(after.ActiveGames()) != 2 {
		t.Fatalf("after restart: %+v %v", after, err)
	}
	g := after.ActiveGames()[0]
	if _, err := h2.Client.Result(bg, 5, g.GameID, g.Player1, 0); err != nil {
		t.Fatal(err)
	}
}

func TestFullTournamentOnRedisCluster(t *testing.T) {
	cl := testutil.StartCluster(t, 3)
	h := hostsOn(t, 1, "REDIS_CLUSTER_ADDRS="+cl.Addrs())[0]
	c := h.Client
	for _, id := range []int64{11, 12, 13} { // spread over slots
		if _, err := c.Create(bg, tournament.CreateParams{ID: id, Name: "Cluster Cup", MaxPlayers: 6, CreatorID: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for u := int64(1); u <= 6; u++ {
		c.AddPlayer(bg, 12, u)
	}
	c.AddPlayer(bg, 13, 1)
	// The player index, written apart from the change on a cluster.
	if in, err := c.PlayerTournaments(bg, 1); err != nil || len(in) != 2 || in[0].ID != 12 || in[1].ID != 13 {
		t.Fatalf("player 1 on the cluster is in %+v (%v)", in, err)
	}
	tr, err := c.Start(bg, 12, false)
	if err != nil {
		t.Fatal(err)
	}
	for tr.Status == tournament.StatusActive {
		g := tr.ActiveGames()[0]
		if tr, err = c.Result(bg, 12, g.GameID, g.Player1, 0); err != nil {
			t.Fatal(err)
		}
	}
	if tr.GameCount() != 5 || *tr.WinnerID != 1 {
		t.Fatalf("%d games, winner %v", tr.GameCount(), tr.WinnerID)
	}
	list, err := c.List(bg)
	if err != nil || len(list) != 2 {
		t.Fatalf("list on the cluster: %+v %v", list, err)
	}
	if in, err := c.PlayerTournaments(bg, 1); err != nil || len(in) != 1 || in[0].ID != 13 {
		t.Fatalf("player 1 on the cluster after 12 completed is in %+v (%v)", in, err)
	}
	lines, err := c.Export(bg)
	if err != nil || strings.Count(string(lines), "\n") != 3 {
		t.Fatalf("export on the cluster: %v\n%s", err, lines)
	}
	cc := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: strings.Split(cl.Addrs(), ",")})
	defer cc.Close()
	slot := func(k string) int64 { s, _ := cc.ClusterKeySlot(context.Background(), k).Result(); return s }
	base := slot("pong:tournament:{12}")
	for _, k := range []string{":active_games", ":next_round", ":brackets", ":events"} {
		if s := slot("pong:tournament:{12}" + k); s != base {
			t.Fatalf("%s is in slot %d, the hash in %d", k, s, base)
		}
	}
	if s := slot("pong:tournament_lock:{12}"); s != base {
		t.Fatalf("the lock is in slot %d, the hash in %d", s, base)
	}
	if n, _ := cc.Exists(context.Background(), "pong:tournament:{12}:brackets").Result(); n != 1 {
		t.Fatal("brackets not stored on the cluster")
	}
}

// A wrong Redis password is a misconfiguration, not an outage: the host
// names it (log and /v1/status) and does not fail over to memory, where it
// would acknowledge writes that no other host sees.
func TestAWrongRedisPasswordIsNamedAndNotFailedOver(t *testing.T) {
	r := testutil.StartRedis(t, "--requirepass", "right")
	h := hostsOn(t, 1, append(r.Env(), "REDIS_PASSWORD=wrong")...)[0]
	var st host.Status
	ok := testutil.Eventually(5*time.Second, func() bool {
		st, _ = h.Client.Status(bg)
		return strings.Contains(st.Health, "WRONGPASS")
	})
	if !ok || st.Ready {
		t.Fatalf("status with a wrong password: %+v", st)
	}
	_, err := h.Client.Create(bg, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 2, CreatorID: 1})
	if !errors.Is(err, tournament.ErrInternal) {
		t.Fatalf("a write with a wrong password: %v, want internal", err)
	}
	time.Sleep(500 * time.Millisecond)
	if st, _ := h.Client.Status(bg); st.Failover.Failovers != 0 || st.Backend != "redis" {
		t.Fatalf("the host failed over on a misconfiguration: %+v", st.Failover)
	}
	if !strings.Contains(h.Logs(), "check its configuration") {
		t.Fatalf("the log does not name the misconfiguration:\n%s", h.Logs())
	}
}

// TTL profiles through the HTTP API with the real binaries on Redis: the
// profile is shown, applies to the keys, and an unknown one is a 400.
func TestTTLProfileOverHTTP(t *testing.T) {
	r := testutil.StartRedis(t)
	h := hostsOn(t, 1, append(r.Env(), "TOURNEY_TTL_PROFILES=casual:tournament=20m,active_games=2m")...)[0]
	got, err := h.Client.Create(bg, tournament.CreateParams{ID: 7, Name: "casual", MaxPlayers: 2, CreatorID: 1, TTLProfile: "casual"})
	if err != nil || got.TTLProfile != "casual" {
		t.Fatalf("create with a profile: %+v %v", got, err)
	}
	if ttl, _ := r.Client(1).TTL(bg, "pong:tournament:{7}").Result(); ttl <= 19*time.Minute || ttl > 20*time.Minute {
		t.Fatalf("the tournament's TTL is %v, want 20m", ttl)
	}
	_, err = h.Client.Create(bg, tournament.CreateParams{ID: 8, Name: "x", MaxPlayers: 2, CreatorID: 1, TTLProfile: "ranked"})
	if !errors.Is(err, tournament.ErrInvalidArgument) || !strings.Contains(err.Error(), "ranked") {
		t.Fatalf("an unknown profile: %v", err)
	}
}

// The key scan's findings reach /metrics through housekeeping.
func TestKeyScanMetrics(t *testing.T) {
	r := testutil.StartRedis(t)
	h := hostsOn(t, 1, append(r.Env(), "TOURNEY_SWEEP_INTERVAL=200ms")...)[0]
	if _, err := h.Client.Create(bg, tournament.CreateParams{ID: 1, Name: "scanned", MaxPlayers: 2, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	r.Client(1).HSet(bg, "pong:tournament:{9}:brackets", "1", "{}") // an orphan
	var body string
	ok := testutil.Eventually(10*time.Second, func() bool {
		resp, err := http.Get("http://" + h.Addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, `tourney_store_repaired{what="orphan_projections"} 1`)
	})
	if !ok || !strings.Contains(body, `tourney_store_keys{kind="tournament"} 1`) || !strings.Contains(body,
		"tourney_oldest_live_tournament_age_seconds") {
		t.Fatalf("metrics after a scan:\n%s", grepLines(body, "tourney_store", "tourney_oldest"))
	}
}

func grepLines(s string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}

// Every format plays to the end through the HTTP API of two hosts on the
// Redis plugin (calls alternate between them), the standings agree with
// the winner, and Redis holds every round of every bracket in :brackets.
func TestEveryFormatOverHTTPOnRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	hs := hostsOn(t, 2, r.Env()...)
	for i, c := range []struct {
		format tournament.Format
		opts   tournament.Options
	}{
		{tournament.SingleElimination, tournament.Options{ThirdPlaceMatch: true}},
		{tournament.DoubleElimination, tournament.Options{}},
		{tournament.RoundRobin, tournament.Options{Rounds: 2}},
		{tournament.Swiss, tournament.Options{Rounds: 4}},
	} {
		t.Run(string(c.format), func(t *testing.T) {
			id := int64(500 + i)
			if _, err := hs[0].Client.Create(bg,
				tournament.CreateParams{ID: id, Name: string(c.format), MaxPlayers: 16, CreatorID: 1, Format: c.format,
					Options: c.opts}); err != nil {
				t.Fatal(err)
			}
			for u := range 9 {
				if _, err := hs[u%2].Client.AddPlayer(bg, id, int64(10+u)); err != nil {
					t.Fatal(err)
				}
			}
			tr, err := hs[1].Client.Start(bg, id, true)
			if err != nil {
				t.Fatal(err)
			}
			for n := 0; tr.Status == tournament.StatusActive; n++ {
				g := tr.ActiveGames()[n%len(tr.ActiveGames())]
				if tr, err = hs[n%2].Client.Result(bg, id, g.GameID, []int64{g.Player1, g.Player2}[n%3%2], 0); err != nil {
					t.Fatal(err)
				}
			}
			st, err := hs[0].Client.Standings(bg, id)
			if err != nil || !st.Final || st.Format != c.format || len(st.Standings) != 9 || st.Standings[0].PlayerID != *tr.WinnerID {
				t.Fatalf("standings %+v (%v), winner %d", st, err, *tr.WinnerID)
			}
			brackets, err := r.Client(1).HGetAll(bg, fmt.Sprintf("pong:tournament:{%d}:brackets", id)).Result()
			if err != nil || len(brackets) != len(tr.Rounds) {
				t.Fatalf(":brackets holds %d rounds, the tournament %d (%v)", len(brackets), len(tr.Rounds), err)
			}
			for _, rd := range tr.Rounds {
				if got := brackets[fmt.Sprint(rd.Round)]; got != string(rd.AppendJSON(nil)) || !strings.Contains(got,
					`"bracket":"`+rd.Bracket+`"`) {
					t.Fatalf(":brackets round %d is %s", rd.Round, got)
				}
			}
		})
	}
}

// A correction previewed through one host and applied through another on
// Redis: the games after it are reset, the tournament reopens, Redis's
// projections follow (the final leaves :brackets and the semi-final is
// back in :active_games), and it can be played to the end again.
func TestCorrectionOverHTTPOnRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	hs := hostsOn(t, 2, r.Env()...)
	a, b := hs[0].Client, hs[1].Client
	if _, err := a.Create(bg, tournament.CreateParams{ID: 9, Name: "fix", MaxPlayers: 8, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 8; u++ {
		if _, err := a.AddPlayer(bg, 9, u); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := a.Start(bg, 9, false)
	for err == nil && tr.Status == tournament.StatusActive {
		g := tr.ActiveGames()[0]
		tr, err = a.Result(bg, 9, g.GameID, g.Player1, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	dry, err := b.Correct(bg, 9, 1, 8, 0, true)
	if err != nil || !dry.Impact.Reopens || len(dry.Impact.Reset) != 1 || len(dry.Impact.Removed) != 1 {
		t.Fatalf("dry run: %+v %v", dry.Impact, err)
	}
	done, err := b.Correct(bg, 9, 1, 8, dry.Impact.Version, false)
	if err != nil || done.Tournament.Status != tournament.StatusActive {
		t.Fatalf("correction: %+v %v", done, err)
	}
	rdb := r.Client(1)
	if n, _ := rdb.HLen(bg, "pong:tournament:{9}:brackets").Result(); n != 2 {
		t.Fatalf(":brackets holds %d rounds after the final was removed, want 2", n)
	}
	if ok, _ := rdb.HExists(bg, "pong:tournament:{9}:active_games", "5").Result(); !ok {
		t.Fatal("the reset semi-final is not back in :active_games")
	}
	if _, err := a.Correct(bg, 9, 1, 1, dry.Impact.Version, false); !errors.Is(err, tournament.ErrFailedPrecondition) {
		t.Fatalf("a correction at a stale version: %v", err)
	}
	tr = done.Tournament
	for err == nil && tr.Status == tournament.StatusActive {
		g := tr.ActiveGames()[0]
		tr, err = a.Result(bg, 9, g.GameID, g.Player1, 0)
	}
	if err != nil || *tr.WinnerID != 8 {
		t.Fatalf("played again: winner %v, %v", tr.WinnerID, err)
	}
}

// An event run through the HTTP API of a host on the Redis plugin:
// check-in, series with scores, a called and started game, a forfeit, a
// disqualification, a double forfeit, a correction of scores, the end.
func TestRunningAnEventOverHTTPOnRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	c := hostsOn(t, 1, r.Env()...)[0].Client
	if _, err := c.Create(bg,
		tournament.CreateParams{ID: 11, Name: "event", MaxPlayers: 8, CreatorID: 1, CheckIn: "30m", BestOf: 3,
			Format: tournament.Swiss}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 7; u++ {
		if _, err := c.AddPlayer(bg, 11, u); err != nil {
			t.Fatal(err)
		}
		if u != 7 {
			if _, err := c.CheckIn(bg, 11, u); err != nil {
				t.Fatal(err)
			}
		}
	}
	tr, err := c.Start(bg, 11, false)
	if err != nil || len(tr.Players) != 6 {
		t.Fatalf("start: %v %v", tr, err)
	}
	g := tr.ActiveGames()
	must := func(tr *tournament.Tournament, err error) *tournament.Tournament {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	must(c.CallGame(bg, 11, g[0].GameID))
	tr = must(c.StartGame(bg, 11, g[0].GameID))
	if tr.Game(g[0].GameID).State != tournament.StateInProgress {
		t.Fatalf("game %+v", tr.Game(g[0].GameID))
	}
	must(c.ResultWithScores(bg, 11, g[0].GameID, g[0].Player1, [][2]int{{11, 4}, {11, 6}}))
	must(c.Forfeit(bg, 11, g[1].GameID, g[1].Player2))
	tr = must(c.Disqualify(bg, 11, g[2].Player1))
	if len(tr.Dropped) != 1 || !tr.Game(g[2].GameID).Forfeit || len(tr.Rounds) != 2 {
		t.Fatalf("after the disqualification: %s", tr.AppendJSON(nil))
	}
	next := tr.ActiveGames()
	tr = must(c.Forfeit(bg, 11, next[0].GameID, 0))
	if d := tr.Game(next[0].GameID); d.WinnerID != nil || !d.Forfeit {
		t.Fatalf("double forfeit %+v", d)
	}
	if _, err := c.Correct(bg, 11, g[0].GameID, g[0].Player1, 0, false, [2]int{11, 4}, [2]int{9, 11}, [2]int{11, 2}); err != nil {
		t.Fatal(err)
	}
	tr = must(c.End(bg, 11))
	if !tr.Ended || tr.Status != tournament.StatusCompleted {
		t.Fatalf("end: %s", tr.Status)
	}
	st, err := c.Standings(bg, 11)
	if err != nil || !st.Final || st.Standings[len(st.Standings)-1].Dropped != tournament.DropDisqualified {
		t.Fatalf("standings %+v %v", st, err)
	}
	if n, _ := r.Client(1).HLen(bg, "pong:tournament:{11}:active_games").Result(); n != 0 {
		t.Fatalf(":active_games holds %d games of an ended tournament", n)
	}
}

// The player index over HTTP on Redis: a set per player, seen with
// redis-cli's eyes, counted by the key scan as its own kind.
func TestPlayerIndexOverHTTPOnRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	c := hostsOn(t, 1, r.Env()...)[0].Client
	for _, id := range []int64{21, 22} {
		if _, err := c.Create(bg, tournament.CreateParams{ID: id, Name: "i", MaxPlayers: 4, CreatorID: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddPlayer(bg, id, 77); err != nil {
			t.Fatal(err)
		}
	}
	list, err := c.PlayerTournaments(bg, 77)
	if err != nil || len(list) != 2 || list[0].ID != 21 || list[1].ID != 22 {
		t.Fatalf("player 77 in %+v (%v)", list, err)
	}
	members, _ := r.Client(1).SMembers(bg, "pong:player:{77}:tournaments").Result()
	if ttl, _ := r.Client(1).TTL(bg, "pong:player:{77}:tournaments").Result(); len(members) != 2 || ttl <= 0 {
		t.Fatalf("the index key holds %v with TTL %v", members, ttl)
	}
	if _, err := c.RemovePlayer(bg, 22, 77); err != nil {
		t.Fatal(err)
	}
	if list, err = c.PlayerTournaments(bg, 77); err != nil || len(list) != 1 || list[0].ID != 21 {
		t.Fatalf("after leaving 22: %+v (%v)", list, err)
	}
	if list, err = c.PlayerTournaments(bg, 78); err != nil || len(list) != 0 {
		t.Fatalf("a player in nothing: %+v (%v)", list, err)
	}
}
