package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// SubscriberFigures: n WebSocket subscribers on one tournament of a `host
// serve` process (Redis plugin): the host's memory per subscriber, and
// the delay from a result's answer to the last subscriber receiving it.
type SubscriberFigures struct {
	Subscribers      int     `json:"subscribers"`
	Results          int     `json:"results"`
	RSSPerSubKB      float64 `json:"host_rss_per_subscriber_kb"`
	LastDelayP50MS   float64 `json:"delay_to_last_subscriber_p50_ms"`
	LastDelayP99MS   float64 `json:"delay_to_last_subscriber_p99_ms"`
	EveryDelayP50MS  float64 `json:"delay_p50_ms"`
	EveryDelayP99MS  float64 `json:"delay_p99_ms"`
	ConnectSeconds   float64 `json:"connect_seconds"`
	HostRSSBeforeMB  float64 `json:"host_rss_before_mb"`
	HostRSSWithSubMB float64 `json:"host_rss_with_subscribers_mb"`
}

func rssKB(pid int) float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
			return n
		}
	}
	return 0
}

func subscribers(dir string, r *testutil.Redis, n, results int) SubscriberFigures {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		harness{}.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(filepath.Join(dir, "host"), "serve")
	cmd.Env = append(append(os.Environ(), r.Env()...), "TOURNEY_PRIMARY=redis", "LOG_LEVEL=error", "KEY_PREFIX=bench-subs:",
		"TOURNEY_HTTP_ADDR="+addr, "TOURNEY_PLUGIN_DIR="+dir, "TOURNEY_DATA_DIR="+harness{}.TempDir())
	if err := cmd.Start(); err != nil {
		harness{}.Fatalf("subscribers: %v", err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	c := httpapi.NewClient(addr)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if _, err := c.Status(ctx); err == nil {
			break
		} else if time.Since(start) > 15*time.Second {
			harness{}.Fatalf("subscribers: the host did not come up: %v", err)
		}
	}
	const id = 77
	if _, err := c.Create(ctx, tournament.CreateParams{ID: id, Name: "watched", MaxPlayers: 1024, CreatorID: 1}); err != nil {
		harness{}.Fatalf("subscribers: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	pid := cmd.Process.Pid
	before := rssKB(pid)
	// Each subscriber records when it saw each version.
	var mu sync.Mutex
	seen := map[int64][]time.Time{}
	start := time.Now()
	conns := make([]*websocket.Conn, n)
	for i := range conns {
		wc, _, err := websocket.Dial(ctx, "ws://"+addr+fmt.Sprintf("/v1/tournaments/%d/ws", id), nil)
		if err != nil {
			harness{}.Fatalf("subscriber %d: %v", i, err)
		}
		wc.SetReadLimit(1 << 20)
		conns[i] = wc
		go func() {
			for {
				_, b, err := wc.Read(context.Background())
				if err != nil {
					return
				}
				var m struct {
					Event tournament.Event `json:"event"`
				}
				if json.Unmarshal(b, &m) == nil && m.Event.Type == tournament.EventPlayerJoined {
					now := time.Now()
					mu.Lock()
					seen[m.Event.Version] = append(seen[m.Event.Version], now)
					mu.Unlock()
				}
			}
		}()
	}
	connect := time.Since(start)
	time.Sleep(500 * time.Millisecond) // every subscription is up
	with := rssKB(pid)
	var last, every []time.Duration
	for u := range results {
		t0 := time.Now()
		tr, err := c.AddPlayer(ctx, id, int64(u+1))
		if err != nil {
			harness{}.Fatalf("subscribers: %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			got := slices.Clone(seen[tr.Version])
			mu.Unlock()
			if len(got) >= n || time.Now().After(deadline) {
				for _, at := range got {
					every = append(every, at.Sub(t0))
				}
				if len(got) > 0 {
					latest := got[0]
					for _, at := range got {
						if at.After(latest) {
							latest = at
						}
					}
					last = append(last, latest.Sub(t0))
				}
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	for _, wc := range conns {
		wc.CloseNow()
	}
	l, e := summarize(last), summarize(every)
	return SubscriberFigures{Subscribers: n, Results: results, RSSPerSubKB: (with - before) / float64(n),
		LastDelayP50MS: l.P50 / 1e3, LastDelayP99MS: l.P99 / 1e3, EveryDelayP50MS: e.P50 / 1e3, EveryDelayP99MS: e.P99 / 1e3,
		ConnectSeconds: connect.Seconds(), HostRSSBeforeMB: before / 1024, HostRSSWithSubMB: with / 1024}
}

func printSubscribers(s *SubscriberFigures) {
	if s == nil {
		return
	}
	fmt.Printf("\n%d WebSocket subscribers on one tournament (host serve, Redis plugin; %d changes):\n", s.Subscribers, s.Results)
	fmt.Printf("  host memory: %.0f MB -> %.0f MB, %.1f KB per subscriber (connected in %.1f s)\n", s.HostRSSBeforeMB,
		s.HostRSSWithSubMB, s.RSSPerSubKB, s.ConnectSeconds)
	fmt.Printf("  change answered -> last subscriber has it: p50 %.1f ms  p99 %.1f ms\n", s.LastDelayP50MS, s.LastDelayP99MS)
	fmt.Printf("  change answered -> each subscriber has it:  p50 %.1f ms  p99 %.1f ms\n", s.EveryDelayP50MS, s.EveryDelayP99MS)
}
