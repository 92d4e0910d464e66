package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// TOURNEY_PLUGIN_PROCS becomes the plugin process's GOMAXPROCS (1 unless
// set; 0 leaves Go's default), and a host plays with either way of calling
// its plugin (TOURNEY_PLUGIN_STREAMS).
func TestPluginProcsAndCallSettings(t *testing.T) {
	for _, c := range []struct {
		name  string
		env   []string
		want  string // the GOMAXPROCS line the plugin sees ("": none)
		calls string // how /v1/status says calls travel
		procs int    // tourney_plugin_procs
	}{
		{"defaults", nil, "GOMAXPROCS=1", "streams", 1},
		{"three cores", []string{"TOURNEY_PLUGIN_PROCS=3"}, "GOMAXPROCS=3", "streams", 3},
		{"every core", []string{"TOURNEY_PLUGIN_PROCS=0"}, "", "streams", runtime.NumCPU()},
		{"unary calls", []string{"TOURNEY_PLUGIN_STREAMS=off"}, "GOMAXPROCS=1", "unary", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := binariesCopy(t)
			envFile := recordPluginEnv(t, dir)
			h := testutil.StartHost(t, dir, append([]string{"TOURNEY_PLUGIN_VERIFY=off", "GOMAXPROCS="}, c.env...)...)
			b, err := os.ReadFile(envFile)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "GOMAXPROCS=") && line != "GOMAXPROCS=" {
					got = line
				}
			}
			if got != c.want {
				t.Fatalf("the plugin ran with %q, want %q", got, c.want)
			}
			cl := httpapi.NewClient(h.Addr)
			playSmallTournament(t, cl)
			st, err := cl.Status(context.Background())
			if err != nil || len(st.Plugins) == 0 {
				t.Fatalf("status: %v %+v", err, st)
			}
			for _, p := range st.Plugins {
				if p.Calls != c.calls {
					t.Fatalf("plugin %s: calls %q, want %q", p.Name, p.Calls, c.calls)
				}
			}
			// /metrics: the cores the plugin may use, and the CPU it used.
			resp, err := http.Get("http://" + h.Addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := fmt.Sprintf(`tourney_plugin_procs{plugin="memory"} %d`, c.procs); !strings.Contains(string(body), want+"\n") {
				t.Fatalf("metrics lack %s:\n%s", want, grepLines(string(body), "tourney_plugin"))
			}
			if !strings.Contains(string(body), `tourney_plugin_cpu_seconds_total{plugin="memory"} `) {
				t.Fatalf("metrics lack the plugin's CPU time:\n%s", grepLines(string(body), "tourney_plugin"))
			}
		})
	}
}

func playSmallTournament(t *testing.T, c *httpapi.Client) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Create(ctx, tournament.CreateParams{ID: 7, Name: "Cup", MaxPlayers: 4, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 4; u++ {
		if _, err := c.AddPlayer(ctx, 7, u); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := c.Start(ctx, 7, false)
	for err == nil && tr.Status == tournament.StatusActive {
		g := tr.ActiveGames()[0]
		tr, err = c.Result(ctx, 7, g.GameID, g.Player1, 0)
	}
	if err != nil || tr.WinnerID == nil {
		t.Fatalf("the tournament ended with %v, status %s", err, tr.Status)
	}
	if _, err := c.Get(ctx, 8); tournament.CodeOf(err) != tournament.CodeNotFound {
		t.Fatalf("a missing tournament: %v, want not_found", err)
	}
}
