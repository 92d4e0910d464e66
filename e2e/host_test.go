package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

var bg = context.Background()

func TestFullTournamentOfSevenOverHTTP(t *testing.T) {
	h := testutil.StartHost(t, testutil.Binaries(t))
	c := h.Client
	if _, err := c.Create(bg, tournament.CreateParams{ID: 77, Name: "Odd Cup", MaxPlayers: 8, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 7; u++ {
		if _, err := c.AddPlayer(bg, 77, u); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := c.Start(bg, 77, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Rounds[0].Byes) != 1 || tr.Rounds[0].Byes[0] != 1 || len(tr.ActiveGames()) != 3 {
		t.Fatalf("round 1: byes %v, %d games", tr.Rounds[0].Byes, len(tr.ActiveGames()))
	}
	for tr.Status == tournament.StatusActive {
		g := tr.ActiveGames()[0]
		if tr, err = c.Result(bg, 77, g.GameID, g.Player2, g.Player1); err != nil {
			t.Fatal(err)
		}
	}
	if tr.GameCount() != 6 || tr.WinnerID == nil {
		t.Fatalf("%d games, winner %v", tr.GameCount(), tr.WinnerID)
	}
	got, err := c.Get(bg, 77)
	if err != nil || got.Status != tournament.StatusCompleted || *got.WinnerID != *tr.WinnerID {
		t.Fatalf("get after completion: %+v %v", got, err)
	}
	if list, _ := c.List(bg); len(list) != 0 {
		t.Fatalf("completed tournament still listed: %+v", list)
	}
}

func TestBadInputOverRealServerNeverAnswers5xx(t *testing.T) {
	h := testutil.StartHost(t, testutil.Binaries(t))
	base := "http://" + h.Addr
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/v1/tournaments", `{"id":`},
		{"POST", "/v1/tournaments", `{"id":1,"name":"x","max_players":4,"creator_id":1,"extra":1}`},
		{"POST", "/v1/tournaments", strings.Repeat(" ", 2<<20)},
		{"POST", "/v1/tournaments", `{"id":1,"name":"x","max_players":5000,"creator_id":1}`},
		{"POST", "/v1/tournaments/1/games/1/result", `{"winner_id":5}`},
		{"DELETE", "/v1/tournaments/-1", ``},
		{"POST", "/v1/import", "{}\n"},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(string(b), `"error"`) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, resp.StatusCode, b)
		}
	}
}

// A plugin built apart from the host is used by the already-built host
// through configuration alone.
func TestPluginSwapWithoutRebuild(t *testing.T) {
	dir := testutil.Binaries(t)
	own := t.TempDir()
	if err := testutil.GoBuild(testutil.RepoRoot(), "./examples/plugin-audit", filepath.Join(own, "plugin-audit")); err != nil {
		t.Fatal(err)
	}
	if err := host.WriteManifest(own); err != nil {
		t.Fatal(err)
	}
	h := testutil.StartHost(t, dir, "TOURNEY_PRIMARY="+filepath.Join(own, "plugin-audit"))
	if _, err := h.Client.Create(bg, tournament.CreateParams{ID: 1, Name: "audited", MaxPlayers: 2, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	ok := testutil.Eventually(5*time.Second, func() bool { // the prober refreshes health every 200 ms
		st, err := h.Client.Status(bg)
		return err == nil && st.Ready && st.Backend == "audit" && st.Health == "1 events audited"
	})
	if !ok {
		st, err := h.Client.Status(bg)
		t.Fatalf("status %+v %v: the audit plugin is not the one serving", st, err)
	}
	audited := func() bool { // go-plugin re-levels the plugin's JSON lines; field order varies
		for _, line := range strings.Split(h.Logs(), "\n") {
			if strings.Contains(line, "tourney.audit.plugin-audit: audit:") && strings.Contains(line, "event=tournament_created") {
				return true
			}
		}
		return false
	}
	if !testutil.Eventually(5*time.Second, audited) {
		t.Fatalf("the plugin's log did not reach the host's:\n%s", h.Logs())
	}
}

func TestChecksumIsEnforced(t *testing.T) {
	dir := testutil.Binaries(t)
	b, _ := os.ReadFile(filepath.Join(dir, "plugin-memory"))
	sum := sha256.Sum256(b)
	testutil.StartHost(t, dir, "TOURNEY_PRIMARY_SHA256="+hex.EncodeToString(sum[:]))

	cmd := exec.Command(filepath.Join(dir, "host"), "serve")
	cmd.Env = append(os.Environ(), "TOURNEY_HTTP_ADDR=127.0.0.1:0", "TOURNEY_PLUGIN_DIR="+dir, "TOURNEY_PRIMARY=memory",
		"TOURNEY_PRIMARY_SHA256="+strings.Repeat("ab", 32))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "checksum") {
		t.Fatalf("a wrong checksum did not stop the host: %v\n%s", err, out)
	}
}

func TestBadConfigurationStopsStartupNamingTheVariable(t *testing.T) {
	dir := testutil.Binaries(t)
	cmd := exec.Command(filepath.Join(dir, "host"), "serve")
	cmd.Env = append(os.Environ(), "LOCK_TIMEOUT=forever")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "LOCK_TIMEOUT") {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestKilledPluginIsRestarted(t *testing.T) {
	h := testutil.StartHost(t, testutil.Binaries(t))
	for i := range 3 {
		pid := h.PluginPIDs(t)["memory"]
		if pid == 0 {
			t.Fatal("no plugin pid in status")
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		ok := testutil.Eventually(10*time.Second, func() bool {
			_, err := h.Client.Create(bg, tournament.CreateParams{ID: int64(100 + i), Name: "after kill", MaxPlayers: 2, CreatorID: 1})
			return err == nil
		})
		if !ok {
			t.Fatalf("kill %d: host did not serve again", i)
		}
		if np := h.PluginPIDs(t)["memory"]; np == pid || !testutil.Alive(np) {
			t.Fatalf("kill %d: plugin pid %d -> %d", i, pid, np)
		}
	}
	st, _ := h.Client.Status(bg)
	if st.Plugins[0].Restarts != 3 {
		t.Fatalf("status counts %d restarts, want 3", st.Plugins[0].Restarts)
	}
}

func TestNoOrphanPluginAfterHostExits(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			h := testutil.StartHost(t, testutil.Binaries(t))
			pid := h.PluginPIDs(t)["memory"]
			h.Signal(sig)
			if !h.Wait(15 * time.Second) {
				t.Fatal("host did not exit")
			}
			if !testutil.Eventually(5*time.Second, func() bool { return !testutil.Alive(pid) }) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				t.Fatalf("plugin %d outlived the host after %s", pid, sig)
			}
		})
	}
}

func TestCLIAgainstARunningServer(t *testing.T) {
	dir := testutil.Binaries(t)
	h := testutil.StartHost(t, dir)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(dir, "host"), append(args[:1:1], append([]string{"--addr", h.Addr}, args[1:]...)...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("host %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("create", "--id", "5", "--name", "CLI Cup", "--max-players", "4", "--creator", "1")
	run("add-player", "5", "10", "--name", "Ann", "--rating", "1820")
	run("add-player", "5", "11", "--members", "111,112", "--meta", `{"tag":"B"}`)
	run("add-player", "5", "12")
	run("remove-player", "5", "12")
	out := run("update-player", "5", "11", "--name", "Team B")
	if !strings.Contains(out, `"name": "Team B"`) || !strings.Contains(out, `"members": [`) {
		t.Fatalf("update-player: %s", out)
	}
	run("seeds", "5", "11,10")
	run("swap-seeds", "5", "10", "11")
	out = run("start", "5", "--seeding", "manual")
	if !strings.Contains(out, `"status": "active"`) || !strings.Contains(out, `"seeds": [
    10,
    11
  ]`) {
		t.Fatalf("start: %s", out)
	}
	out = run("result", "5", "1", "11", "10")
	if !strings.Contains(out, `"winner_id": 11`) || !strings.Contains(out, `"status": "completed"`) {
		t.Fatalf("result: %s", out)
	}
	exported := run("export")
	if strings.Count(exported, "\n") != 1 {
		t.Fatalf("export: %s", exported)
	}
	if out := run("status"); !strings.Contains(out, `"backend": "memory"`) {
		t.Fatalf("status: %s", out)
	}
	cmd := exec.Command(filepath.Join(dir, "host"), "get", "--addr", h.Addr, "999")
	out2, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out2), "not_found") {
		t.Fatalf("get of a missing tournament: %v %s", err, out2)
	}
}

func TestDemoPlaysATournament(t *testing.T) {
	dir := testutil.Binaries(t)
	cmd := exec.Command(filepath.Join(dir, "host"), "demo", "--players", "9")
	cmd.Env = append(os.Environ(), "TOURNEY_PLUGIN_DIR="+dir, "TOURNEY_PRIMARY=memory")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "champion:") || !strings.Contains(string(out),
		"Round 4") || !strings.Contains(string(out), "after 8 games") {
		t.Fatalf("demo output:\n%s", out)
	}
}

func TestDemoPlaysEveryFormat(t *testing.T) {
	dir := testutil.Binaries(t)
	for f, want := range map[string]string{"double_elimination": "(grand final)",
		"round_robin": "Round 5 (round robin)", "swiss": "Round 3 (swiss)"} {
		cmd := exec.Command(filepath.Join(dir, "host"), "demo", "--players", "5", "--format", f)
		cmd.Env = append(os.Environ(), "TOURNEY_PLUGIN_DIR="+dir, "TOURNEY_PRIMARY=memory")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", f, err, out)
		}
		if !strings.Contains(string(out), want) || !strings.Contains(string(out), "Final standings ("+f+")") {
			t.Fatalf("demo --format %s output:\n%s", f, out)
		}
	}
}
