package testutil

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// SentinelMaster is the master name the sentinels of a SentinelGroup
// monitor.
const SentinelMaster = "tourney"

// SentinelGroup is a master, a replica and three sentinels on loopback
// (Debian's redis-sentinel, or redis-server --sentinel), as operators run
// Redis with automatic failover. The sentinels call the master down after
// a second without an answer.
type SentinelGroup struct {
	t         TB
	Servers   []*Redis // Servers[0] starts as the master, Servers[1] as its replica
	Sentinels []*exec.Cmd
	Ports     []int // the sentinels'
}

// StartSentinelGroup starts the group and waits until the sentinels know
// the master, its replica and each other.
func StartSentinelGroup(t TB) *SentinelGroup {
	t.Helper()
	// The master keeps an AOF: killed and started again, it comes back
	// with every write it took, some of which its replica may lack.
	master := StartRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	replica := StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	g := &SentinelGroup{t: t, Servers: []*Redis{master, replica}}
	if !Eventually(20*time.Second, func() bool {
		info, err := master.Client(0).Info(context.Background(), "replication").Result()
		return err == nil && strings.Contains(info, "state=online")
	}) {
		t.Fatalf("the replica did not finish its first sync")
	}
	bin, args := "redis-sentinel", []string{}
	if _, err := exec.LookPath(bin); err != nil {
		bin, args = "redis-server", []string{"--sentinel"}
	}
	for range 3 {
		dir := t.TempDir()
		port := FreePort(t)
		conf := filepath.Join(dir, "sentinel.conf")
		body := fmt.Sprintf("port %d\nbind 127.0.0.1\nprotected-mode no\ndir %s\nlogfile sentinel.log\n"+
			"sentinel monitor %s 127.0.0.1 %d 2\nsentinel down-after-milliseconds %s 1000\n"+
			"sentinel failover-timeout %s 5000\nsentinel parallel-syncs %s 1\n",
			port, dir, SentinelMaster, master.Port, SentinelMaster, SentinelMaster, SentinelMaster)
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{conf}, args...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		g.Sentinels, g.Ports = append(g.Sentinels, cmd), append(g.Ports, port)
	}
	ok := Eventually(30*time.Second, func() bool {
		for _, p := range g.Ports {
			c := goredis.NewSentinelClient(&goredis.Options{Addr: "127.0.0.1:" + strconv.Itoa(p)})
			replicas, err1 := c.Replicas(context.Background(), SentinelMaster).Result()
			others, err2 := c.Sentinels(context.Background(), SentinelMaster).Result()
			_ = c.Close()
			if err1 != nil || err2 != nil || len(replicas) < 1 || len(others) < 2 {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("the sentinels did not find the master, its replica and each other")
	}
	return g
}

// Env points tourney at the group through its sentinels.
func (g *SentinelGroup) Env() []string {
	addrs := make([]string, len(g.Ports))
	for i, p := range g.Ports {
		addrs[i] = "127.0.0.1:" + strconv.Itoa(p)
	}
	return []string{"REDIS_SENTINEL_ADDRS=" + strings.Join(addrs, ","), "REDIS_SENTINEL_MASTER=" + SentinelMaster}
}

// MasterPort is the port the sentinels name as the master now (0 when
// they do not answer).
func (g *SentinelGroup) MasterPort() int {
	for _, p := range g.Ports {
		c := goredis.NewSentinelClient(&goredis.Options{Addr: "127.0.0.1:" + strconv.Itoa(p)})
		addr, err := c.GetMasterAddrByName(context.Background(), SentinelMaster).Result()
		_ = c.Close()
		if err == nil && len(addr) == 2 {
			n, _ := strconv.Atoi(addr[1])
			return n
		}
	}
	return 0
}

// Master is the server the sentinels name as the master now.
func (g *SentinelGroup) Master() *Redis {
	port := g.MasterPort()
	for _, r := range g.Servers {
		if r.Port == port {
			return r
		}
	}
	g.t.Fatalf("the sentinels name port %d as the master, which is not in the group", port)
	return nil
}
