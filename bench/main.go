// Command bench is the benchmark harness behind `make bench` (docs/BENCHMARKS.md
// says what it measures). It starts its own redis-server, measures the raw go-redis round trip
// (PING and EVALSHA of a trivial script) in the same run, then the memory
// and Redis backends through the host's Go API (host -> gRPC plugin ->
// store) and through HTTP on loopback: p50/p99 per operation, Redis round
// trips per operation, and the throughput of concurrent full tournaments.
// It prints a table; with BENCH_JSON=path it also writes the figures.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/testutil"
	redisplugin "github.com/tourney/tourney/plugins/redis"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// Figures is what a run measured; BENCH_JSON gets it as JSON.
type Figures struct {
	When           time.Time           `json:"when"`
	Samples        int                 `json:"samples_per_op"`
	Raw            map[string]Latency  `json:"raw"`
	Ops            []OpFigure          `json:"ops"`
	Throughput     []Throughput        `json:"throughput"`
	Failover       map[string]any      `json:"failover,omitempty"`
	Failback       map[string]any      `json:"failback_under_load,omitempty"`
	Sizes          []SizeFigure        `json:"sizes,omitempty"`
	Participants   *ParticipantFigures `json:"participants,omitempty"`
	Replicas       *ReplicaFigures     `json:"replicas,omitempty"`
	Swiss          []SwissFigure       `json:"swiss_pairing,omitempty"`
	Subscribers    *SubscriberFigures  `json:"subscribers,omitempty"`
	PluginHop      *Latency            `json:"plugin_hop_floor,omitempty"`
	PluginHopNoTLS *Latency            `json:"plugin_hop_floor_without_tls,omitempty"`
	PluginHopUnary *Latency            `json:"plugin_hop_floor_unary,omitempty"`
	ReadCache      *ReadCacheFigures   `json:"read_cache,omitempty"`
	Environment    map[string]string   `json:"environment"`
}

// Latency is a distribution summary in microseconds.
type Latency struct {
	P50 float64 `json:"p50_us"`
	P99 float64 `json:"p99_us"`
}

// OpFigure is one operation through one surface on one backend.
type OpFigure struct {
	Backend string  `json:"backend"`
	Surface string  `json:"surface"`
	Op      string  `json:"op"`
	Latency         // embedded p50/p99
	Ratio   float64 `json:"p50_over_evalsha_p50"`
	// The EVALSHA p50 the ratio is to: measured just before this
	// backend and surface's operations, so that a slow spell of the
	// machine moves both.
	EvalshaP50 float64 `json:"evalsha_p50_us"`
	RoundTrips float64 `json:"redis_round_trips,omitempty"`
	Commands   float64 `json:"redis_commands,omitempty"`
}

// Throughput of the concurrent full-tournament workload.
type Throughput struct {
	Backend        string  `json:"backend"`
	Surface        string  `json:"surface"`
	Callers        int     `json:"callers"`
	Tournaments    int     `json:"tournaments"`
	TournamentsSec float64 `json:"tournaments_per_sec"`
	OpsSec         float64 `json:"ops_per_sec"`
}

type harness struct{}

func (harness) Helper()                   {}
func (harness) Fatal(a ...any)            { fmt.Fprintln(os.Stderr, a...); os.Exit(1) }
func (harness) Fatalf(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...); os.Exit(1) }
func (h *cleanup) Cleanup(f func())       { h.fns = append(h.fns, f) }
func (harness) TempDir() string {
	d, err := os.MkdirTemp("", "tourney-bench-")
	if err != nil {
		panic(err)
	}
	return d
}

type cleanup struct {
	harness
	fns []func()
}

func (h *cleanup) run() {
	for i := len(h.fns) - 1; i >= 0; i-- {
		h.fns[i]()
	}
}

func summarize(ds []time.Duration) Latency {
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Nanoseconds()) / 1e3
	}
	return Latency{P50: at(0.50), P99: at(0.99)}
}

func timed(n int, fn func(i int) error) []time.Duration {
	ds := make([]time.Duration, 0, n)
	for i := range n {
		start := time.Now()
		if err := fn(i); err != nil {
			harness{}.Fatalf("benchmark call failed: %v", err)
		}
		ds = append(ds, time.Since(start))
	}
	return ds
}

// redisCounter reads round trips (client reads processed) and commands
// (INFO commandstats, Lua-internal calls included) from the server.
type redisCounter struct{ c *goredis.Client }

func (r redisCounter) sample() (reads, commands float64) {
	s, _ := r.c.Info(context.Background(), "stats", "commandstats").Result()
	for _, l := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(l, "total_reads_processed:"); ok {
			reads, _ = strconv.ParseFloat(v, 64)
		}
		if rest, ok := strings.CutPrefix(l, "cmdstat_"); ok {
			if _, after, ok := strings.Cut(rest, "calls="); ok {
				n, _ := strconv.ParseFloat(strings.SplitN(after, ",", 2)[0], 64)
				commands += n
			}
		}
	}
	// The INFO call itself is one read and one command.
	return reads - 1, commands - 1
}

// client is the surface under test: the Go API or HTTP.
type client interface {
	Create(ctx context.Context, p tournament.CreateParams) (*tournament.Tournament, error)
	AddPlayer(ctx context.Context, id, user int64) (*tournament.Tournament, error)
	Start(ctx context.Context, id int64, shuffle bool) (*tournament.Tournament, error)
	Result(ctx context.Context, id, game, winner, loser int64) (*tournament.Tournament, error)
	Get(ctx context.Context, id int64) (*tournament.Tournament, error)
	List(ctx context.Context) ([]tournament.Summary, error)
}

// goAPI adapts *host.Host to client.
type goAPI struct{ h *host.Host }

func (g goAPI) Create(ctx context.Context, p tournament.CreateParams) (*tournament.Tournament, error) {
	return g.h.CreateTournament(ctx, p)
}
func (g goAPI) AddPlayer(ctx context.Context, id, u int64) (*tournament.Tournament, error) {
	return g.h.AddPlayer(ctx, id, u)
}
func (g goAPI) Start(ctx context.Context, id int64, s bool) (*tournament.Tournament, error) {
	return g.h.StartTournament(ctx, id, s)
}
func (g goAPI) Result(ctx context.Context, id, game, w, l int64) (*tournament.Tournament, error) {
	return g.h.RegisterResult(ctx, id, game, w, l)
}
func (g goAPI) Get(ctx context.Context, id int64) (*tournament.Tournament, error) {
	return g.h.GetTournament(ctx, id)
}
func (g goAPI) List(ctx context.Context) ([]tournament.Summary, error) {
	return g.h.ListTournaments(ctx)
}

var ctx = context.Background()

func main() {
	n := flag.Int("n", 400, "samples per operation")
	callers := flag.Int("callers", 16, "concurrent callers in the workload")
	tournaments := flag.Int("tournaments", 200, "8-player tournaments in the workload")
	bin := flag.String("bin", "bin", "directory with host and plugin binaries")
	rounds := flag.Int("failovers", 5, "Redis kill/restart rounds for the failover figures")
	outage := flag.Int("outage", 10000, "tournaments changed during the outage of the failback-under-load figure")
	only := flag.String("only", "", "run one part only: ops, failback, sizes, participants, replicas, swiss, subscribers, readcache or hop")
	subs := flag.Int("subscribers", 1000, "WebSocket subscribers on one tournament")
	unary := flag.Bool("unary", false, "with -only sizes or swiss: plugin calls as unary gRPC calls (TOURNEY_PLUGIN_STREAMS=off)")
	flag.Parse()
	h := &cleanup{}
	defer h.run()
	dir, _ := filepath.Abs(*bin)
	if *only == "hop" {
		print(Figures{When: time.Now().UTC(), PluginHop: pluginHop(dir, *n, true, false), PluginHopUnary: pluginHop(dir, *n, true, true),
			PluginHopNoTLS: pluginHop(dir, *n, false, false)})
		return
	}
	if *only == "replicas" {
		r := replicas(dir, *n)
		print(Figures{When: time.Now().UTC(), Replicas: &r})
		return
	}
	if *only == "failback" {
		f := Figures{When: time.Now().UTC(), Failback: failbackUnderLoad(dir, *outage, 8)}
		print(f)
		return
	}
	r := testutil.StartRedis(h)
	if *only == "readcache" {
		counter := redisCounter{goredis.NewClient(&goredis.Options{Addr: r.Addr()})}
		rc := readCache(dir, r, counter, *n)
		print(Figures{When: time.Now().UTC(), ReadCache: &rc})
		return
	}
	if *only == "subscribers" {
		s := subscribers(dir, r, *subs, 50)
		print(Figures{When: time.Now().UTC(), Subscribers: &s})
		return
	}
	goSurface := "go"
	if *unary {
		goSurface = "unary"
	}
	if *only == "swiss" {
		c, stop := open(dir, "redis", goSurface, r)
		f := Figures{When: time.Now().UTC(), Swiss: swissPairing(c, []int{256, 1024})}
		stop()
		print(f)
		return
	}
	raw := goredis.NewClient(&goredis.Options{Addr: r.Addr(), DB: 1})
	counter := redisCounter{goredis.NewClient(&goredis.Options{Addr: r.Addr()})}
	if *only == "sizes" || *only == "participants" {
		c, stop := open(dir, "redis", goSurface, r)
		f := Figures{When: time.Now().UTC()}
		if *only == "sizes" {
			f.Sizes = sizes(c, []int{8, 64, 256, 1024})
		}
		p := participantCost(c, counter, 1024, 300)
		f.Participants = &p
		stop()
		print(f)
		return
	}
	if *only == "ops" {
		// The Redis plugin through the Go API only, next to the raw round
		// trip and the hop: the figures a change to the call path moves.
		f := Figures{When: time.Now().UTC(), Samples: *n, Raw: map[string]Latency{}}
		adjacent := f.measureRaw(raw, *n)
		f.PluginHop, f.PluginHopUnary = pluginHop(dir, *n, true, false), pluginHop(dir, *n, true, true)
		for _, surface := range []string{"go", "unary"} {
			c, stop := open(dir, "redis", surface, r)
			f.measureSurface(c, "redis", surface, adjacent(), *n, counter, *callers, *tournaments)
			stop()
		}
		c, stop := openEmbedded(r)
		f.measureSurface(c, "redis", "embed", adjacent(), *n, counter, *callers, *tournaments)
		stop()
		print(f)
		return
	}

	f := Figures{When: time.Now().UTC(), Samples: *n, Raw: map[string]Latency{}, Environment: map[string]string{
		"redis": r.Addr(), "cpus": strconv.Itoa(numCPU())}}
	raw.Ping(ctx)
	adjacent := f.measureRaw(raw, *n)

	f.PluginHop = pluginHop(dir, *n, true, false)
	f.PluginHopUnary = pluginHop(dir, *n, true, true)
	f.PluginHopNoTLS = pluginHop(dir, *n, false, false)
	rc := readCache(dir, r, counter, *n)
	f.ReadCache = &rc
	for _, backend := range []string{"memory", "redis"} {
		surfaces := []string{"go", "http"}
		if backend == "redis" {
			surfaces = []string{"go", "unary", "http"}
		}
		for _, surface := range surfaces {
			c, stop := open(dir, backend, surface, r)
			if backend == "redis" && surface == "go" {
				f.Sizes = sizes(c, []int{8, 64, 256, 1024})
				p := participantCost(c, counter, 1024, 300)
				f.Participants = &p
				f.Swiss = swissPairing(c, []int{256, 1024})
			}
			f.measureSurface(c, backend, surface, adjacent(), *n, counter, *callers, *tournaments)
			stop()
		}
	}
	// The Redis backend linked into the host process (the Go library's
	// embedded mode): no plugin hop, so the hop's share is visible.
	c, stop := openEmbedded(r)
	f.measureSurface(c, "redis", "embed", adjacent(), *n, counter, *callers, *tournaments)
	stop()
	s := subscribers(dir, r, *subs, 50)
	f.Subscribers = &s
	f.Failover = failover(dir, *rounds)
	rp := replicas(dir, *n)
	f.Replicas = &rp
	f.Failback = failbackUnderLoad(dir, *outage, 8)
	print(f)
	if path := os.Getenv("BENCH_JSON"); path != "" {
		b, _ := json.MarshalIndent(f, "", "  ")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			harness{}.Fatalf("BENCH_JSON: %v", err)
		}
		fmt.Println("figures written to", path)
	}
}

// measureRaw times the raw round trips (PING, and EVALSHA of a trivial
// script) into f.Raw, and returns a function that times EVALSHA again: the
// yardstick measured next to each backend and surface.
func (f *Figures) measureRaw(raw *goredis.Client, n int) func() float64 {
	trivial := goredis.NewScript("return 1")
	trivial.Load(ctx, raw)
	evalsha := func(int) error { return trivial.EvalSha(ctx, raw, nil).Err() }
	f.Raw["ping"] = summarize(timed(n, func(int) error { return raw.Ping(ctx).Err() }))
	f.Raw["evalsha"] = summarize(timed(n, evalsha))
	return func() float64 { return summarize(timed(n, evalsha)).P50 }
}

// measureSurface times each operation through c, with its ratio to
// evalsha (the EVALSHA p50 measured just before), then the workload.
func (f *Figures) measureSurface(c client, backend, surface string, evalsha float64, n int, counter redisCounter,
	callers, tournaments int) {
	for _, op := range measure(c, n, backend == "redis", counter) {
		op.Backend, op.Surface, op.Ratio, op.EvalshaP50 = backend, surface, op.P50/evalsha, evalsha
		f.Ops = append(f.Ops, op)
	}
	f.Throughput = append(f.Throughput, workload(c, backend, surface, callers, tournaments))
}

// openEmbedded starts a host whose Redis backend runs in its own process,
// as a game server embedding the host package may run it.
func openEmbedded(r *testutil.Redis) (client, func()) {
	cfg := config.Default()
	cfg.Redis.Host, cfg.Redis.Port, cfg.Redis.KeyPrefix = "127.0.0.1", r.Port, "bench-embed:"
	cfg.Host.SweepInterval, cfg.Log.Level, cfg.Host.DataDir = time.Hour, "error", harness{}.TempDir()
	rdb, err := redisplugin.NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	if err != nil {
		harness{}.Fatal(err)
	}
	opts := redisplugin.OptionsFromConfig(cfg.Redis, cfg.Store)
	if opts.Subscriber, err = redisplugin.NewSubscriberClient(cfg.Redis, cfg.Store.ConnectTimeout); err != nil {
		harness{}.Fatal(err)
	}
	hst, err := host.New(host.Options{Config: cfg, Logger: hclog.NewNullLogger(), Backend: redisplugin.New(rdb, opts)})
	if err != nil {
		harness{}.Fatal(err)
	}
	return goAPI{hst}, func() { hst.Close() }
}

// open starts a host on backend (its plugin launched from dir) and returns
// the surface to call it through.
func open(dir, backend, surface string, r *testutil.Redis) (client, func()) {
	cfg := config.Default()
	cfg.Host.PluginDir, cfg.Host.Primary, cfg.Redis.Host, cfg.Redis.Port = dir, backend, "127.0.0.1", r.Port
	cfg.Host.SweepInterval, cfg.Log.Level, cfg.Redis.KeyPrefix = time.Hour, "error", "bench-"+surface+":"
	cfg.Host.DataDir = harness{}.TempDir()
	if surface == "unary" { // the Go API on the call path before streams: unary calls, the plugin on every core
		cfg.Host.PluginStreams, cfg.Host.PluginProcs = false, 0
	}
	hst, err := host.New(host.Options{Config: cfg, Logger: hclog.NewNullLogger()})
	if err != nil {
		harness{}.Fatalf("starting a host on %s (run make build first): %v", backend, err)
	}
	if surface == "go" || surface == "unary" {
		return goAPI{hst}, func() { hst.Close() }
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		harness{}.Fatal(err)
	}
	srv := &http.Server{Handler: httpapi.NewHandler(hst, httpapi.Options{})}
	go srv.Serve(ln)
	cl := httpapi.NewClient(ln.Addr().String())
	cl.HTTP.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	return cl, func() { srv.Close(); hst.Close() }
}

// measure times each operation n times over n fresh 4-player tournaments.
func measure(c client, n int, onRedis bool, counter redisCounter) []OpFigure {
	base := time.Now().UnixNano() % 1_000_000_000 * 1000
	var out []OpFigure
	step := func(op string, count int, fn func(i int) error) {
		r0, c0 := counter.sample()
		lat := summarize(timed(count, fn))
		r1, c1 := counter.sample()
		fig := OpFigure{Op: op, Latency: lat}
		if onRedis {
			fig.RoundTrips, fig.Commands = (r1-r0-1)/float64(count), (c1-c0-1)/float64(count)
		}
		out = append(out, fig)
	}
	// Warm up connections and script caches.
	c.Create(ctx, tournament.CreateParams{ID: base - 1, Name: "warm", MaxPlayers: 2, CreatorID: 1})
	c.AddPlayer(ctx, base-1, 1)
	c.Get(ctx, base-1)
	step("create", n, func(i int) error {
		_, err := c.Create(ctx, tournament.CreateParams{ID: base + int64(i), Name: "Bench Cup", MaxPlayers: 4, CreatorID: 1})
		return err
	})
	step("add_player", 4*n, func(i int) error { _, err := c.AddPlayer(ctx, base+int64(i/4), int64(i%4+1)); return err })
	step("get", n, func(i int) error { _, err := c.Get(ctx, base+int64(i)); return err })
	step("start", n, func(i int) error { _, err := c.Start(ctx, base+int64(i), false); return err })
	// Round 1 of every tournament: games 1 (1 v 4) and 2 (2 v 3).
	step("register_result", 2*n, func(i int) error {
		_, err := c.Result(ctx, base+int64(i/2), int64(i%2+1), int64(i%2+1), 0)
		return err
	})
	step("register_result_retry", n, func(i int) error { _, err := c.Result(ctx, base+int64(i), 1, 1, 0); return err })
	step("list", 50, func(int) error { _, err := c.List(ctx); return err })
	return out
}

// workload plays full 8-player tournaments with concurrent callers.
func workload(c client, backend, surface string, callers, total int) Throughput {
	base := time.Now().UnixNano()%1_000_000_000*1000 + 500_000_000
	var ops, next int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				id := base + next
				next++
				mu.Unlock()
				if id-base >= int64(total) {
					return
				}
				n := playOne(c, id)
				mu.Lock()
				ops += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	return Throughput{Backend: backend, Surface: surface, Callers: callers, Tournaments: total,
		TournamentsSec: float64(total) / secs, OpsSec: float64(ops) / secs}
}

func playOne(c client, id int64) int64 {
	must := func(t *tournament.Tournament, err error) *tournament.Tournament {
		if err != nil {
			harness{}.Fatalf("workload: %v", err)
		}
		return t
	}
	must(c.Create(ctx, tournament.CreateParams{ID: id, Name: "Load", MaxPlayers: 8, CreatorID: 1}))
	for u := int64(1); u <= 8; u++ {
		must(c.AddPlayer(ctx, id, u))
	}
	t := must(c.Start(ctx, id, false))
	ops := int64(10)
	for t.Status == tournament.StatusActive {
		g := t.ActiveGames()[0]
		t = must(c.Result(ctx, id, g.GameID, g.Player1, 0))
		ops++
	}
	return ops
}

func print(f Figures) {
	fmt.Printf("\ntourney benchmark, %s, %d samples per op, redis-server on %s\n\n", f.When.Format(time.RFC3339),
		f.Samples, f.Environment["redis"])
	fmt.Printf("raw go-redis round trip:  PING p50 %.0f us p99 %.0f us   EVALSHA p50 %.0f us p99 %.0f us\n\n",
		f.Raw["ping"].P50, f.Raw["ping"].P99, f.Raw["evalsha"].P50, f.Raw["evalsha"].P99)
	fmt.Printf("x EVALSHA: p50 over the EVALSHA p50 measured just before each backend and surface (EVALSHA us)\n")
	fmt.Printf("%-7s %-5s %-22s %9s %9s %9s %8s %7s %9s\n", "backend", "via", "op", "p50 us", "p99 us", "x EVALSHA",
		"EVALSHA", "RT/op", "cmds/op")
	for _, o := range f.Ops {
		rt, cmds := "-", "-"
		if o.Backend == "redis" {
			rt, cmds = fmt.Sprintf("%.2f", o.RoundTrips), fmt.Sprintf("%.1f", o.Commands)
		}
		fmt.Printf("%-7s %-5s %-22s %9.0f %9.0f %9.1f %8.0f %7s %9s\n", o.Backend, o.Surface, o.Op, o.P50, o.P99,
			o.Ratio, o.EvalshaP50, rt, cmds)
	}
	fmt.Printf("\nworkload: full 8-player tournaments (1 create, 8 joins, 1 start, 7 results)\n")
	for _, t := range f.Throughput {
		fmt.Printf("%-7s %-5s %3d callers  %5.0f tournaments/s  %7.0f ops/s\n", t.Backend, t.Surface, t.Callers, t.TournamentsSec, t.OpsSec)
	}
	if f.PluginHop != nil {
		fmt.Printf("\nplugin hop floor (Health of plugin-memory: a call that does nothing, over the same go-plugin gRPC + AutoMTLS connection): p50 %.0f us p99 %.0f us\n",
			f.PluginHop.P50, f.PluginHop.P99)
	}
	if f.PluginHopUnary != nil {
		fmt.Printf("the same as unary gRPC calls to a plugin on every core (the call path before): p50 %.0f us p99 %.0f us\n",
			f.PluginHopUnary.P50, f.PluginHopUnary.P99)
	}
	if f.PluginHopNoTLS != nil {
		fmt.Printf("the same without TLS (for comparison only; the host always uses AutoMTLS): p50 %.0f us p99 %.0f us\n",
			f.PluginHopNoTLS.P50, f.PluginHopNoTLS.P99)
	}
	if rc := f.ReadCache; rc != nil {
		fmt.Printf("\nread cache (Go API, Redis, a hot 32-player tournament):\n")
		fmt.Printf("  GET with the cache on:  p50 %.0f us  p99 %.0f us  %.2f Redis round trips\n", rc.GetOn.P50,
			rc.GetOn.P99, rc.RoundTripsOn)
		fmt.Printf("  GET with the cache off: p50 %.0f us  p99 %.0f us  %.2f Redis round trips\n", rc.GetOff.P50,
			rc.GetOff.P99, rc.RoundTripsOf)
		fmt.Printf("  a write on one host seen by a cached GET on another after: p50 %.0f us  p99 %.0f us\n",
			rc.Staleness.P50, rc.Staleness.P99)
	}
	if len(f.Sizes) > 0 {
		fmt.Printf("\ncost per operation as a tournament grows (Redis, Go API, one caller; p50 us and ratio to 8 players; whole: the median of 3 or more):\n")
		fmt.Printf("%8s %22s %22s %18s %14s %16s\n", "players", "add_player", "register_result", "get", "whole (ms)", "fastest-slowest")
		for _, s := range f.Sizes {
			fmt.Printf("%8d %12.0f (%4.1fx) %12.0f (%4.1fx) %8.0f (%4.1fx) %14.0f %7.0f-%-8.0f\n", s.Players,
				s.AddPlayerP50, s.AddPlayerRatio,
				s.ResultP50, s.ResultRatio, s.GetP50, s.GetRatio, s.WholeMS, s.WholeMinMS, s.WholeMaxMS)
		}
	}
	printParticipants(f.Participants)
	printReplicas(f.Replicas)
	printSwiss(f.Swiss)
	printSubscribers(f.Subscribers)
	if b := f.Failback; b != nil {
		fmt.Printf("\ncalls during failback of %v tournaments changed in one outage (%v callers, Go API, Redis restarted empty):\n", b["tournaments"], b["callers"])
		fmt.Printf("  %v calls (%v failed): p50 %.1f ms  p99 %.1f ms  max %.1f ms; failback took %.0f ms\n",
			b["calls"], b["failed"], b["p50_ms"], b["p99_ms"], b["max_ms"], b["failback_ms"])
	}
	if f.Failover != nil {
		k, b := f.Failover["redis_killed_to_first_write"].(map[string]float64), f.Failover["redis_back_to_primary_reconciled"].(map[string]float64)
		fmt.Printf("\nfailover over %d rounds (Go API, host with plugin-redis and plugin-memory):\n", f.Failover["rounds"])
		fmt.Printf("  Redis SIGKILLed -> first successful write:        median %6.0f ms  worst %6.0f ms\n", k["median_ms"], k["worst_ms"])
		fmt.Printf("  Redis restarted -> on Redis, outage written back: median %6.0f ms  worst %6.0f ms\n", b["median_ms"], b["worst_ms"])
	}
}
