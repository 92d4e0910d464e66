// Package testutil starts real components for end-to-end tests: the
// project's binaries, built once per test process, and `bin/host serve`
// processes on free loopback ports.
package testutil

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/apicheck"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// RepoRoot returns the module's root directory.
func RepoRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		panic(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// Binaries builds host, plugin-memory (and plugin-redis when present) into a
// directory shared by the whole test process, and returns it.
func Binaries(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tourney-bin-")
		if buildErr != nil {
			return
		}
		root := RepoRoot()
		for _, name := range []string{"host", "plugin-memory", "plugin-redis"} {
			if _, err := os.Stat(filepath.Join(root, "cmd", name)); err != nil {
				continue
			}
			if buildErr = GoBuild(root, "./cmd/"+name, filepath.Join(buildDir, name)); buildErr != nil {
				return
			}
		}
		buildErr = host.WriteManifest(buildDir)
	})
	if buildErr != nil {
		t.Fatalf("building binaries: %v", buildErr)
	}
	return buildDir
}

// GoBuild builds one package of the module to out.
func GoBuild(root, pkg, out string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// HostProc is a running `host serve` process.
type HostProc struct {
	Cmd    *exec.Cmd
	Addr   string
	Client *httpapi.Client
	logs   *syncBuffer
	done   chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartHost runs `host serve` from dir on a free port with the given extra
// environment (NAME=value) and waits until it listens. Each host gets its
// own TOURNEY_DATA_DIR unless env names one. The process is killed at the
// end of the test.
func StartHost(t testing.TB, dir string, env ...string) *HostProc {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, "host"), "serve")
	cmd.Env = append(os.Environ(), "TOURNEY_HTTP_ADDR=127.0.0.1:0", "TOURNEY_PLUGIN_DIR="+dir,
		"TOURNEY_PRIMARY=memory", "LOG_LEVEL=debug", "TOURNEY_DATA_DIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &HostProc{Cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("host logs:\n%s", p.Logs())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "tourney listening on http://"); ok {
				addr <- strings.Fields(a)[0]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p.Addr = <-addr:
	case <-p.done:
		t.Fatalf("host exited before listening:\n%s", p.Logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("host did not listen within 30s:\n%s", p.Logs())
	}
	p.Client = httpapi.NewClient(p.Addr)
	// Every call the suites make through this client is checked against
	// docs/openapi.yaml.
	p.Client.HTTP = &http.Client{Transport: apicheck.Transport(t, nil)}
	return p
}

// Logs returns what the host wrote to stderr.
func (p *HostProc) Logs() string { return p.logs.String() }

// Signal sends sig to the host process.
func (p *HostProc) Signal(sig syscall.Signal) { _ = p.Cmd.Process.Signal(sig) }

// Kill kills the host with SIGKILL and waits for it.
func (p *HostProc) Kill() {
	p.Signal(syscall.SIGKILL)
	<-p.done
}

// Wait waits up to d for the host to exit and reports whether it did.
func (p *HostProc) Wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// PluginPIDs returns the pids of the host's plugins, by name.
func (p *HostProc) PluginPIDs(t testing.TB) map[string]int {
	t.Helper()
	st, err := p.Client.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, pl := range st.Plugins {
		out[pl.Name] = pl.PID
	}
	return out
}

// Alive reports whether a process with pid exists (and is not a zombie).
func Alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] != "Z"
}

// Eventually polls cond every 20 ms until it is true or d passes.
func Eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}
