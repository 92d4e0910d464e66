package chaos

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/apicheck"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// TestFaultCampaign is a randomized fault campaign over real processes:
// two hosts on one Redis (AOF, appendfsync always), each reaching it
// through its own Toxiproxy; six workers, three on each host, each owning
// its tournaments and playing every format with corrections, walkovers,
// double forfeits and disqualifications; meanwhile random faults: Redis
// SIGKILLed or SIGSTOPped, a host SIGKILLed on Redis, on the fallback or
// about a second into failback, a host's plugin-redis SIGKILLed, one
// host's Redis traffic cut for 1.5-4 s. At the end, with every fault
// healed:
//
//   - every acknowledged answer of a tournament has a version above the one
//     before (two answers at one version are two histories: a lost write);
//   - the last acknowledged answer of each tournament is its final state,
//     on both hosts and in Redis;
//   - no conflict is recorded (no two hosts ever write one tournament);
//   - no call answered 500.
//
// CAMPAIGN_FAULTS sets the number of faults (make test: a few; make
// chaos-long: hundreds), CAMPAIGN_SEED replays a campaign (the seed is
// printed at the start and on failure).
func TestFaultCampaign(t *testing.T) {
	faults := envInt(t, "CAMPAIGN_FAULTS", 8)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CAMPAIGN_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("CAMPAIGN_SEED=%q: %v", s, err)
		}
	}
	t.Logf("fault campaign: %d faults, CAMPAIGN_SEED=%d", faults, seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay with: CAMPAIGN_SEED=%d CAMPAIGN_FAULTS=%d go test -race -run TestFaultCampaign ./chaos", seed, faults)
		}
	})
	c := newCampaign(t, seed)
	start := time.Now()
	for w := range 6 {
		c.wg.Add(1)
		go c.work(w)
	}
	for i := range faults {
		c.pause(300, 1500)
		c.fault(i)
	}
	c.heal()
	c.stop.Store(true)
	c.wg.Wait()
	c.verify()
	acked, tournaments := c.totals()
	verdict := "none lost"
	if t.Failed() {
		verdict = "FAILED (above)"
	}
	t.Logf("%d faults in %v over %d acknowledged answers in %d tournaments: %v; %s", faults,
		time.Since(start).Round(time.Second), acked, tournaments, c.faultCounts(), verdict)
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q is not a count", name, v)
	}
	return n
}

// campaign is the processes, the workers' histories and the faults.
type campaign struct {
	t     *testing.T
	rndMu sync.Mutex
	rnd   *rand.Rand
	redis *testutil.Redis
	hosts [2]*campaignHost
	stop  atomic.Bool
	wg    sync.WaitGroup

	mu      sync.Mutex
	history map[int64][]ack // tournament -> acknowledged answers, in order
	owner   map[int64]int   // tournament -> host index
	faults  map[string]int
}

// campaignHost is one host process on a fixed port, restarted in place.
type campaignHost struct {
	mu     sync.Mutex
	proc   *testutil.HostProc
	proxy  *proxy
	env    []string
	client *httpapi.Client
}

// ack is one acknowledged answer: the state's version and what players see.
type ack struct {
	version int64
	view    string
	what    string
}

func newCampaign(t *testing.T, seed uint64) *campaign {
	c := &campaign{t: t, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), history: map[int64][]ack{},
		owner: map[int64]int{}, faults: map[string]int{}}
	c.redis = testutil.StartRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	for i := range c.hosts {
		p := newProxy(t, c.redis.Addr())
		port := testutil.FreePort(t)
		h := &campaignHost{proxy: p, env: []string{"TOURNEY_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(port), "TOURNEY_DATA_DIR=" + t.TempDir()}}
		h.client = httpapi.NewClient("127.0.0.1:" + strconv.Itoa(port))
		h.client.HTTP = &http.Client{Transport: apicheck.Transport(t, nil), Timeout: 20 * time.Second}
		h.proc = startHost(t, p.Addr, h.env...)
		c.hosts[i] = h
	}
	return c
}

func (c *campaign) intn(n int) int {
	c.rndMu.Lock()
	defer c.rndMu.Unlock()
	return c.rnd.IntN(n)
}

func (c *campaign) pause(minMS, maxMS int) {
	time.Sleep(time.Duration(minMS+c.intn(maxMS-minMS+1)) * time.Millisecond)
}

// restart kills host i and starts it again on the same port and data.
func (c *campaign) restart(i int) {
	h := c.hosts[i]
	h.mu.Lock()
	defer h.mu.Unlock()
	h.proc.Kill()
	c.pause(0, 500)
	h.proc = startHost(c.t, h.proxy.Addr, h.env...)
}

func (c *campaign) mode(i int) string {
	st, err := c.hosts[i].client.Status(bg)
	if err != nil {
		return ""
	}
	return st.Failover.State
}

func (c *campaign) waitState(i int, state string, within time.Duration) bool {
	return testutil.Eventually(within, func() bool { return c.mode(i) == state })
}

// fault injects one random fault and heals it.
func (c *campaign) fault(n int) {
	i := c.intn(2)
	kinds := []string{"redis_kill", "redis_pause", "host_kill", "host_kill_on_fallback", "host_kill_in_failback",
		"plugin_kill", "partition"}
	kind := kinds[c.intn(len(kinds))]
	c.mu.Lock()
	c.faults[kind]++
	c.mu.Unlock()
	c.t.Logf("fault %d: %s (host %d)", n, kind, i)
	switch kind {
	case "redis_kill":
		c.redis.Kill()
		c.pause(300, 3000)
		c.redis.Start()
	case "redis_pause":
		c.redis.Signal(syscall.SIGSTOP)
		c.pause(500, 3000)
		c.redis.Signal(syscall.SIGCONT)
	case "host_kill":
		c.restart(i)
	case "host_kill_on_fallback":
		c.redis.Kill()
		c.waitState(i, "fallback", 5*time.Second)
		c.pause(300, 1500) // writes land on the fallback
		if c.intn(2) == 0 {
			c.restart(i)
			c.redis.Start()
		} else {
			c.hosts[i].mu.Lock()
			c.hosts[i].proc.Kill()
			c.hosts[i].mu.Unlock()
			c.redis.Start()
			c.pause(0, 1000)
			c.hosts[i].mu.Lock()
			c.hosts[i].proc = startHost(c.t, c.hosts[i].proxy.Addr, c.hosts[i].env...)
			c.hosts[i].mu.Unlock()
		}
	case "host_kill_in_failback":
		c.redis.Kill()
		c.waitState(i, "fallback", 5*time.Second)
		c.pause(300, 1500)
		c.redis.Start()
		c.pause(600, 1400) // about a second into failback
		c.restart(i)
	case "plugin_kill":
		if pid := c.hosts[i].proc.PluginPIDs(c.t)["redis"]; pid != 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	case "partition":
		c.hosts[i].proxy.Stop()
		c.pause(1500, 4000)
		if err := c.hosts[i].proxy.Start(); err != nil {
			c.t.Fatal(err)
		}
	}
}

// heal waits until both hosts serve from Redis again, and stay there: a
// fault just injected (a plugin killed) may not be noticed yet when a host
// is first asked.
func (c *campaign) heal() {
	deadline := time.Now().Add(60 * time.Second)
	for stable := 0; stable < 3; {
		if time.Now().After(deadline) {
			for i := range c.hosts {
				st, _ := c.hosts[i].client.Status(bg)
				c.t.Logf("host %d: %+v", i, st.Failover)
			}
			c.t.Fatal("the hosts did not settle back on Redis within 60s")
		}
		if c.mode(0) == "primary" && c.mode(1) == "primary" {
			stable++
		} else {
			stable = 0
		}
		time.Sleep(time.Second)
	}
}

// work plays tournaments on one host until the campaign stops.
func (c *campaign) work(w int) {
	defer c.wg.Done()
	defer func() {
		if r := recover(); r != nil {
			c.t.Errorf("worker %d: %v", w, r)
		}
	}()
	hi := w % 2
	for k := 0; !c.stop.Load(); k++ {
		id := int64(w*10_000 + k + 1)
		c.mu.Lock()
		c.owner[id] = hi
		c.mu.Unlock()
		c.play(hi, id)
	}
}

// play creates tournament id on host hi and plays it until it completes or
// the campaign stops; every call is retried until it is answered.
func (c *campaign) play(hi int, id int64) {
	cl := c.hosts[hi].client
	formats := []tournament.Format{tournament.SingleElimination, tournament.DoubleElimination, tournament.RoundRobin, tournament.Swiss}
	f := formats[c.intn(len(formats))]
	n := 4 + c.intn(5)
	p := tournament.CreateParams{ID: id, Name: fmt.Sprintf("campaign %d", id), MaxPlayers: n, CreatorID: 1, Format: f}
	c.do(hi, id, "create", func() (*tournament.Tournament, error) { return cl.Create(bg, p) })
	for u := 1; u <= n; u++ {
		e := tournament.Entrant{UserID: int64(u)}
		if c.intn(2) == 0 { // half of them with a record
			rating := float64(1000 + c.intn(1000))
			e.Name, e.Rating, e.Meta = fmt.Sprintf("P%d of %d", u, id), &rating, []byte(`{"club":"chaos"}`)
		}
		c.do(hi, id, fmt.Sprintf("join %d", u), func() (*tournament.Tournament, error) { return cl.AddParticipant(bg, id, e) })
	}
	seeding := []string{"", tournament.SeedingRandom, tournament.SeedingRating}[c.intn(3)]
	last := c.do(hi, id, "start", func() (*tournament.Tournament, error) { return cl.StartSeeded(bg, id, seeding, nil) })
	for last.Status == tournament.StatusActive && !c.stop.Load() {
		last = c.move(hi, id, last)
	}
}

// move makes one random change to the tournament as last shows it.
func (c *campaign) move(hi int, id int64, last *tournament.Tournament) *tournament.Tournament {
	cl := c.hosts[hi].client
	act := last.ActiveGames()
	var decided []tournament.Game
	for _, r := range last.Rounds {
		for _, g := range r.Games {
			if g.Status != tournament.GameActive && g.Status != tournament.GameCancelled && !g.ByDeparture {
				decided = append(decided, g)
			}
		}
	}
	switch roll := c.intn(100); {
	case roll < 6 && len(decided) > 0:
		g := decided[c.intn(len(decided))]
		winner := g.Player1
		if g.WinnerID != nil && *g.WinnerID == g.Player1 {
			winner = g.Player2
		}
		body := httpapi.CorrectRequest{WinnerID: winner, ExpectedVersion: last.Version}
		if c.intn(5) == 0 {
			body = httpapi.CorrectRequest{Forfeit: true, ExpectedVersion: last.Version} // to a double forfeit
		}
		return c.do(hi, id, fmt.Sprintf("correct game %d", g.GameID), func() (*tournament.Tournament, error) {
			r, err := cl.CorrectResult(bg, id, g.GameID, body)
			return r.Tournament, err
		})
	case roll < 9:
		var in []int64
		for _, s := range last.Seeds {
			if !slices.ContainsFunc(last.Dropped, func(d tournament.Drop) bool { return d.PlayerID == s }) {
				in = append(in, s)
			}
		}
		if len(in) <= 2 {
			break
		}
		u := in[c.intn(len(in))]
		return c.do(hi, id, fmt.Sprintf("disqualify %d", u), func() (*tournament.Tournament, error) { return cl.Disqualify(bg, id, u) })
	case roll < 12 && len(act) > 0:
		g := act[c.intn(len(act))]
		return c.do(hi, id, fmt.Sprintf("double forfeit %d", g.GameID),
			func() (*tournament.Tournament, error) { return cl.Forfeit(bg, id, g.GameID, 0) })
	case roll < 14:
		u := last.Players[c.intn(len(last.Players))]
		name := fmt.Sprintf("renamed %d at v%d", u, last.Version)
		return c.do(hi, id, fmt.Sprintf("rename %d", u), func() (*tournament.Tournament, error) {
			return cl.UpdateParticipant(bg, id, u, httpapi.ParticipantPatch{Name: &name})
		})
	}
	if len(act) == 0 {
		return c.do(hi, id, "get", func() (*tournament.Tournament, error) { return cl.Get(bg, id) })
	}
	g := act[c.intn(len(act))]
	w := []int64{g.Player1, g.Player2}[c.intn(2)]
	if c.intn(10) == 0 {
		return c.do(hi, id, fmt.Sprintf("walkover %d", g.GameID),
			func() (*tournament.Tournament, error) { return cl.Forfeit(bg, id, g.GameID, w) })
	}
	return c.do(hi, id, fmt.Sprintf("result %d", g.GameID),
		func() (*tournament.Tournament, error) { return cl.Result(bg, id, g.GameID, w, 0) })
}

// do runs a call until it is answered and records the answer: a state, or
// for a call refused as done already (or otherwise refused by the rules),
// the state read after it. A call whose outcome was unknown (a host or
// Redis fault) is retried as it is: every call here is safe to repeat.
func (c *campaign) do(hi int, id int64, what string, call func() (*tournament.Tournament, error)) *tournament.Tournament {
	deadline := time.Now().Add(90 * time.Second)
	for {
		st, err := call()
		switch {
		case err == nil && st != nil:
			c.record(id, what, st)
			return st
		case tournament.CodeOf(err) == tournament.CodeInternal:
			c.t.Errorf("tournament %d: %s answered 500: %v", id, what, err)
			panic("a 500")
		case err != nil && !retryable(err) && tournament.CodeOf(err) != tournament.CodeRateLimited:
			// Done already (a create, join or start retried after its
			// answer was lost), or refused by the rules: read the state.
			refused := fmt.Sprintf("%s (refused: %v; then get)", what, err)
			return c.do(hi, id, refused, func() (*tournament.Tournament, error) { return c.hosts[hi].client.Get(bg, id) })
		}
		if time.Now().After(deadline) {
			c.t.Errorf("tournament %d: %s not answered within 90s: %v", id, what, err)
			panic("no answer")
		}
		time.Sleep(time.Duration(20+c.intn(80)) * time.Millisecond)
	}
}

func (c *campaign) record(id int64, what string, st *tournament.Tournament) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.history[id]
	a := ack{version: st.Version, view: campaignView(st), what: what}
	if n := len(h); n > 0 {
		prev := h[n-1]
		switch {
		case a.version < prev.version:
			c.t.Errorf("tournament %d: %s answered version %d after %s answered %d: an acknowledged write is gone", id,
				what, a.version, prev.what, prev.version)
		case a.version == prev.version && a.view != prev.view:
			c.t.Errorf("tournament %d: %s and %s both answered version %d with other states (two histories: a lost write):\n%s\n%s",
				id, prev.what, what, a.version, prev.view, a.view)
		}
	}
	c.history[id] = append(h, a)
}

// verify checks the final states against the last acknowledged answers, on
// both hosts and in Redis, and that nobody recorded a conflict.
func (c *campaign) verify() {
	t := c.t
	for i, h := range c.hosts {
		st, err := h.client.Status(bg)
		if err != nil {
			t.Fatalf("host %d: %v", i, err)
		}
		if st.Failover.Conflicts != 0 || st.Failover.SetAside != 0 {
			t.Errorf("host %d recorded %d conflicts (%d set aside) though no two hosts wrote one tournament", i,
				st.Failover.Conflicts, st.Failover.SetAside)
		}
	}
	for id, h := range c.history {
		last := h[len(h)-1]
		for i, host := range c.hosts {
			var got *tournament.Tournament
			err := retryFor(10*time.Second, func() (err error) { got, err = host.client.Get(bg, id); return err })
			if err != nil {
				t.Errorf("tournament %d on host %d: %v", id, i, err)
				continue
			}
			if v := campaignView(got); v != last.view {
				t.Errorf("tournament %d: host %d holds\n%s\nbut the last acknowledged answer (%s) was\n%s", id, i, v, last.what, last.view)
			}
		}
		if v := campaignView(redisState(t, c.redis, id)); v != last.view {
			t.Errorf("tournament %d: Redis holds\n%s\nbut the last acknowledged answer (%s) was\n%s", id, v, last.what, last.view)
		}
		if cs, err := c.hosts[c.owner[id]].client.Conflicts(bg, id); err == nil && len(cs) > 0 {
			t.Errorf("tournament %d has %d conflict records", id, len(cs))
		}
	}
}

func (c *campaign) totals() (acked, tournaments int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.history {
		acked += len(h)
	}
	return acked, len(c.history)
}

func (c *campaign) faultCounts() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var parts []string
	for k, n := range c.faults {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// campaignView is what players see of a tournament: every game's players
// and result, the departures, the participants' records, the standing of
// the whole; not timestamps
// (a change merged at failback gets new deadlines).
func campaignView(t *tournament.Tournament) string {
	type game struct {
		ID, P1, P2 int64
		Status     tournament.GameStatus
		W          int64
		Forfeit    bool
		Scores     [][2]int
	}
	var games []game
	for _, r := range t.Rounds {
		for _, x := range r.Games {
			w := int64(0)
			if x.WinnerID != nil {
				w = *x.WinnerID
			}
			games = append(games, game{x.GameID, x.Player1, x.Player2, x.Status, w, x.Forfeit, x.Scores})
		}
	}
	var dropped []int64
	for _, d := range t.Dropped {
		dropped = append(dropped, d.PlayerID)
	}
	b, _ := json.Marshal([]any{t.Status, t.Players, t.Seeds, games, t.WinnerID, t.Version, dropped, len(t.ResetResults),
		t.Participants})
	return string(b)
}

// retryFor calls fn until it succeeds, fails with an error not to retry,
// or within has passed.
func retryFor(within time.Duration, fn func() error) error {
	deadline := time.Now().Add(within)
	for {
		err := fn()
		if err == nil || !retryable(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
