package e2e

import (
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// binariesCopy copies the built binaries (and the manifest) to a new
// directory the test may change.
func binariesCopy(t *testing.T) string {
	t.Helper()
	src, dst := testutil.Binaries(t), t.TempDir()
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// serveOnce runs `host serve` until it exits (or 20 s pass) and returns its
// output and exit code.
func serveOnce(t *testing.T, dir string, env ...string) (string, int, time.Duration) {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, "host"), "serve")
	cmd.Env = append(os.Environ(), append([]string{"TOURNEY_HTTP_ADDR=127.0.0.1:0", "TOURNEY_PLUGIN_DIR=" + dir,
		"TOURNEY_PRIMARY=memory", "TOURNEY_DATA_DIR=" + t.TempDir()}, env...)...)
	start := time.Now()
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("the host kept running:\n%s", out)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the host exited without an error: %v\n%s", err, out)
	}
	return string(out), ee.ExitCode(), time.Since(start)
}

// A binary swapped in for a plugin is refused before it runs: the manifest
// `make build` wrote does not list its checksum.
func TestASwappedPluginBinaryIsRefused(t *testing.T) {
	dir := binariesCopy(t)
	marker := filepath.Join(t.TempDir(), "ran")
	script := "#!/bin/sh\ntouch " + marker + "\nsleep 30\n"
	if err := os.WriteFile(filepath.Join(dir, "plugin-memory"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out, code, took := serveOnce(t, dir)
	if code != 2 || !strings.Contains(out, "checksum") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the swapped-in script ran")
	}
	t.Logf("refused in %v", took.Round(time.Millisecond))
}

// Without a manifest the host refuses to run plugins, unless told
// explicitly (TOURNEY_PLUGIN_VERIFY=off, logged as a warning).
func TestAMissingManifestIsRefusedUnlessVerificationIsOff(t *testing.T) {
	dir := binariesCopy(t)
	if err := os.Remove(filepath.Join(dir, host.ManifestName)); err != nil {
		t.Fatal(err)
	}
	out, code, _ := serveOnce(t, dir)
	if code != 2 || !strings.Contains(out, "TOURNEY_PLUGIN_VERIFY=off") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	h := testutil.StartHost(t, dir, "TOURNEY_PLUGIN_VERIFY=off")
	if !strings.Contains(h.Logs(), "without checking its checksum") {
		t.Fatalf("no warning for unverified plugins:\n%s", h.Logs())
	}
}

// A plugin that never completes the handshake fails start-up within
// CONNECT_TIMEOUT, and every process it started is killed with it.
func TestAPluginThatNeverHandshakesFailsStartupAndLeavesNothing(t *testing.T) {
	dir := binariesCopy(t)
	pidFile := filepath.Join(t.TempDir(), "child")
	script := "#!/bin/sh\nsleep 60 &\necho $! > " + pidFile + "\nsleep 60\n"
	if err := os.WriteFile(filepath.Join(dir, "plugin-memory"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out, code, took := serveOnce(t, dir, "TOURNEY_PLUGIN_VERIFY=off", "CONNECT_TIMEOUT=1s")
	if code != 2 || took > 5*time.Second {
		t.Fatalf("exit %d after %v:\n%s", code, took, out)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	gone := testutil.Eventually(2*time.Second, func() bool { return syscall.Kill(pid, 0) != nil })
	if !gone {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the plugin's child %d outlived the failed start-up", pid)
	}
}

// recordPluginEnv puts plugin-memory in dir behind a script that writes
// the environment the host gives it to the returned file, then runs it.
func recordPluginEnv(t *testing.T, dir string) string {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "env")
	real := filepath.Join(dir, "plugin-memory-real")
	if err := os.Rename(filepath.Join(dir, "plugin-memory"), real); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nenv > " + envFile + "\nexec " + real + "\n"
	if err := os.WriteFile(filepath.Join(dir, "plugin-memory"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return envFile
}

// Plugins never see the API token, third-party ones included, nor any
// other host setting: they get their part of the configuration only.
func TestPluginsSeeTheirConfigurationOnly(t *testing.T) {
	dir := binariesCopy(t)
	envFile := recordPluginEnv(t, dir)
	testutil.StartHost(t, dir, "TOURNEY_PLUGIN_VERIFY=off", "TOURNEY_API_TOKEN=s3cret-token", "KEY_PREFIX=audit:")
	b, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret-token") || strings.Contains(string(b), "TOURNEY_API_TOKEN") {
		t.Fatal("the plugin's environment holds the API token")
	}
	for _, host := range []string{"TOURNEY_PRIMARY=", "TOURNEY_HTTP_ADDR=", "TOURNEY_DATA_DIR=", "TOURNEY_PLUGIN_DIR="} {
		if strings.Contains(string(b), "\n"+host) {
			t.Errorf("the plugin's environment holds the host's %s", host)
		}
	}
	if !strings.Contains(string(b), "KEY_PREFIX=audit:") || !strings.Contains(string(b), "TOURNAMENT_TTL=") {
		t.Fatalf("the plugin did not get its configuration:\n%s", b)
	}
}

// A host killed with SIGKILL leaves its socket directory behind; the next
// host to start removes it.
func TestStaleSocketsAreCleanedAtTheNextStart(t *testing.T) {
	dir := testutil.Binaries(t)
	a := testutil.StartHost(t, dir)
	sockets := filepath.Join(os.TempDir(), "tourney-sock-"+strconv.Itoa(a.Cmd.Process.Pid))
	if len(os.TempDir()) >= 40 {
		sockets = filepath.Join("/tmp", filepath.Base(sockets))
	}
	if _, err := os.Stat(sockets); err != nil {
		t.Fatalf("the host's socket directory: %v", err)
	}
	a.Kill()
	time.Sleep(300 * time.Millisecond) // its plugins notice and exit
	testutil.StartHost(t, dir)
	if _, err := os.Stat(sockets); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the dead host's sockets are still there: %v", err)
	}
}

// SIGTERM with 100 event streams open: every stream gets a final
// `event: shutdown` and the host exits within 2 s.
func TestShutdownWithOpenStreamsIsQuick(t *testing.T) {
	h := testutil.StartHost(t, testutil.Binaries(t))
	if _, err := h.Client.Create(bg, tournament.CreateParams{ID: 1, Name: "watched", MaxPlayers: 2, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	const n = 100
	got := make(chan bool, n)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}}
	for range n {
		resp, err := client.Get("http://" + h.Addr + "/v1/tournaments/1/events")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			got <- strings.Contains(string(b), "event: shutdown")
		}()
	}
	start := time.Now()
	h.Signal(syscall.SIGTERM)
	if !h.Wait(2 * time.Second) {
		t.Fatalf("the host did not exit within 2 s of SIGTERM with %d streams open", n)
	}
	took := time.Since(start)
	for range n {
		if !<-got {
			t.Fatal("a stream ended without event: shutdown")
		}
	}
	t.Logf("exited %v after SIGTERM with %d streams", took.Round(time.Millisecond), n)
}
