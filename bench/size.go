package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// SizeFigure is the cost of operations on one tournament of Players
// players, Redis backend through the Go API, one caller.
type SizeFigure struct {
	Players        int     `json:"players"`
	AddPlayerP50   float64 `json:"add_player_p50_us"`
	ResultP50      float64 `json:"register_result_p50_us"`
	GetP50         float64 `json:"get_p50_us"`
	WholeMS        float64 `json:"whole_tournament_ms"` // the median of the tournaments played
	WholeMinMS     float64 `json:"whole_tournament_min_ms"`
	WholeMaxMS     float64 `json:"whole_tournament_max_ms"`
	ResultRatio    float64 `json:"register_result_x_8_players"`
	GetRatio       float64 `json:"get_x_8_players"`
	AddPlayerRatio float64 `json:"add_player_x_8_players"`
}

// sizes plays whole tournaments of each size (joins, start, every result,
// one caller) and times each operation: the cost of one call as the
// tournament grows. Every size is played at least three times, small ones
// more, so that every p50 rests on at least about 200 calls; the
// whole-tournament time is the median one (with the fastest and the
// slowest). Gets are timed on the tournament while it is active.
func sizes(c client, sizes []int) []SizeFigure {
	base := time.Now().UnixNano()%1_000_000_000*1000 + 900_000_000
	var out []SizeFigure
	for i, n := range sizes {
		var adds, results, gets, wholes []time.Duration
		for rep := range max(3, 256/n) {
			id := base + int64(i*1000+rep)
			var repGets []time.Duration
			w := playSized(c, id, n, &adds, &results, &repGets)
			gets = append(gets, repGets...)
			wholes = append(wholes, w)
		}
		slices.Sort(wholes)
		out = append(out, SizeFigure{Players: n, AddPlayerP50: summarize(adds).P50, ResultP50: summarize(results).P50,
			GetP50: summarize(gets).P50, WholeMS: ms(wholes[len(wholes)/2]), WholeMinMS: ms(wholes[0]), WholeMaxMS: ms(wholes[len(wholes)-1])})
	}
	for i := range out {
		out[i].ResultRatio = out[i].ResultP50 / out[0].ResultP50
		out[i].GetRatio = out[i].GetP50 / out[0].GetP50
		out[i].AddPlayerRatio = out[i].AddPlayerP50 / out[0].AddPlayerP50
	}
	return out
}

// playSized plays one tournament of n players, appending each call's time,
// and returns the whole tournament's time (gets excluded).
func playSized(c client, id int64, n int, adds, results, gets *[]time.Duration) time.Duration {
	start := time.Now()
	timedCall := func(into *[]time.Duration, fn func() (*tournament.Tournament, error)) *tournament.Tournament {
		t0 := time.Now()
		t, err := fn()
		*into = append(*into, time.Since(t0))
		if err != nil {
			harness{}.Fatalf("size %d: %v", n, err)
		}
		return t
	}
	var creates []time.Duration
	timedCall(&creates, func() (*tournament.Tournament, error) {
		return c.Create(ctx, tournament.CreateParams{ID: id, Name: "Size", MaxPlayers: n, CreatorID: 1})
	})
	for u := int64(1); u <= int64(n); u++ {
		timedCall(adds, func() (*tournament.Tournament, error) { return c.AddPlayer(ctx, id, u) })
	}
	var starts []time.Duration
	t := timedCall(&starts, func() (*tournament.Tournament, error) { return c.Start(ctx, id, false) })
	for t.Status == tournament.StatusActive {
		g := t.ActiveGames()[0]
		t = timedCall(results, func() (*tournament.Tournament, error) { return c.Result(ctx, id, g.GameID, g.Player1, 0) })
		if len(*gets) < 50 && len(*results)%max(1, n/100) == 0 {
			timedCall(gets, func() (*tournament.Tournament, error) { return c.Get(ctx, id) })
		}
	}
	return time.Since(start) - sum(*gets)
}

func sum(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
}

// pluginHop times the Health call of plugin-memory, launched as the host
// launches plugins (go-plugin, gRPC, AutoMTLS): it does no I/O, so it is
// the floor every call over a plugin connection pays.
//
// With unary set, the calls are unary gRPC calls and the plugin runs on
// every core (the settings before TOURNEY_PLUGIN_STREAMS and
// TOURNEY_PLUGIN_PROCS); otherwise they travel as the host sends them by
// default: over a kept-open stream, to a plugin on one core.
func pluginHop(dir string, n int, mtls, unary bool) *Latency {
	cmd := exec.Command(filepath.Join(dir, "plugin-memory"))
	if !unary {
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  shared.Handshake,
		VersionedPlugins: shared.PluginSetsWith(shared.BackendPlugin{UnaryCalls: unary}),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         mtls,
		Logger:           hclog.NewNullLogger(),
	})
	defer client.Kill()
	rpc, err := client.Client()
	if err != nil {
		harness{}.Fatalf("plugin hop: %v", err)
	}
	raw, err := rpc.Dispense(shared.PluginName)
	if err != nil {
		harness{}.Fatalf("plugin hop: %v", err)
	}
	b := raw.(shared.Backend)
	b.Health(ctx)
	l := summarize(timed(n, func(int) error { _, err := b.Health(ctx); return err }))
	return &l
}
