package testutil

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TB is the part of testing.TB the helpers need, so that the benchmark
// harness (a plain program) can use them too.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

// Redis is a redis-server started by a test on a free port, in its own
// directory. It is killed at the end of the test.
type Redis struct {
	t    TB
	Port int
	Dir  string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// FreePort returns a TCP port that was free a moment ago.
func FreePort(t TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StartRedis starts redis-server with no persistence unless extra
// arguments (e.g. "--appendonly", "yes") say otherwise.
func StartRedis(t TB, extra ...string) *Redis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is not installed: run scripts/ensure-redis.sh (make test does)")
	}
	r := &Redis{t: t, Port: FreePort(t), Dir: t.TempDir()}
	r.args = append([]string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.Dir,
		"--protected-mode", "no", "--loglevel", "warning", "--logfile", "redis.log"}, extra...)
	r.Start()
	t.Cleanup(r.Kill)
	return r
}

// Addr is host:port.
func (r *Redis) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.Port) }

// Env returns the configuration variables that point tourney at this server.
func (r *Redis) Env() []string {
	return []string{"REDIS_HOST=127.0.0.1", "REDIS_PORT=" + strconv.Itoa(r.Port)}
}

// Client returns a plain client on db (as an operator's redis-cli would be).
func (r *Redis) Client(db int) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: r.Addr(), DB: db})
	r.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Start (re)starts the server on its port and waits until it answers.
func (r *Redis) Start() {
	r.t.Helper()
	args := append([]string{"--port", strconv.Itoa(r.Port)}, r.args...)
	r.cmd = exec.Command("redis-server", args...)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(r.cmd, r.done)
	c := goredis.NewClient(&goredis.Options{Addr: r.Addr(), MaxRetries: -1})
	defer c.Close()
	ok := Eventually(10*time.Second, func() bool {
		err := c.Ping(context.Background()).Err()
		return err == nil || goredis.IsAuthError(err) // a server with requirepass answers too
	})
	if !ok {
		r.t.Fatalf("redis-server on %d did not answer", r.Port)
	}
}

// Signal sends sig to the server (SIGSTOP pauses it, SIGCONT resumes it).
func (r *Redis) Signal(sig syscall.Signal) {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(sig)
	}
}

// Running reports whether the server was started and not killed since.
func (r *Redis) Running() bool { return r.cmd != nil }

// Kill kills the server with SIGKILL and waits for it.
func (r *Redis) Kill() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
	r.cmd = nil
}

// Cluster is a local Redis Cluster of masters started by a test.
type Cluster struct {
	Nodes []*Redis
}

// StartCluster starts n masters with cluster mode on and joins them.
func StartCluster(t TB, n int) *Cluster {
	t.Helper()
	c := &Cluster{}
	var addrs []string
	for range n {
		dir := t.TempDir()
		r := StartRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-node-timeout", "2000")
		c.Nodes = append(c.Nodes, r)
		addrs = append(addrs, r.Addr())
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	// Every node must see the whole cluster as up, not just the first one asked.
	ok := Eventually(30*time.Second, func() bool {
		for _, addr := range addrs {
			n := goredis.NewClient(&goredis.Options{Addr: addr})
			info, err := n.ClusterInfo(context.Background()).Result()
			n.Close()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_slots_ok:16384") ||
				!strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(len(addrs))) {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatal("the cluster did not reach cluster_state:ok on every node")
	}
	return c
}

// Addrs is the comma list for REDIS_CLUSTER_ADDRS.
func (c *Cluster) Addrs() string {
	var a []string
	for _, n := range c.Nodes {
		a = append(a, n.Addr())
	}
	return strings.Join(a, ",")
}
