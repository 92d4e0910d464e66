package host

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

func embedded(t *testing.T, mutate func(*config.Config)) *Host {
	t.Helper()
	cfg := config.Default()
	cfg.Log.Level = "error"
	mutate(&cfg)
	h, err := New(Options{Config: cfg, Backend: memory.New(memory.OptionsFromConfig(cfg.Store))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func TestSweeperResolvesOverdueGamesWithThePolicy(t *testing.T) {
	h := embedded(t, func(c *config.Config) {
		c.Store.GameTimeout, c.Host.SweepInterval, c.Host.TimeoutPolicy = 50*time.Millisecond, 20*time.Millisecond, tournament.TimeoutHigherSeed
	})
	ctx := context.Background()
	h.CreateTournament(ctx, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 4, CreatorID: 1})
	for u := int64(1); u <= 4; u++ {
		h.AddPlayer(ctx, 1, u)
	}
	if _, err := h.StartTournament(ctx, 1, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tr, _ := h.GetTournament(ctx, 1)
		if tr.Status == tournament.StatusCompleted {
			for _, r := range tr.Rounds {
				for _, g := range r.Games {
					if g.Status != tournament.GameTimedOut || *g.WinnerID != g.Player1 {
						t.Fatalf("game %+v was not timed out in favour of player_1", g)
					}
				}
			}
			if *tr.WinnerID != 1 {
				t.Fatalf("winner %d, want seed 1", *tr.WinnerID)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the sweeper did not finish the tournament by timeouts")
}

func TestSweeperLeavesGamesAloneUnderPolicyNone(t *testing.T) {
	h := embedded(t, func(c *config.Config) {
		c.Store.GameTimeout, c.Host.SweepInterval, c.Host.TimeoutPolicy = time.Millisecond, time.Hour, tournament.TimeoutNone
	})
	ctx := context.Background()
	h.CreateTournament(ctx, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 2, CreatorID: 1})
	h.AddPlayer(ctx, 1, 1)
	h.AddPlayer(ctx, 1, 2)
	h.StartTournament(ctx, 1, false)
	time.Sleep(5 * time.Millisecond)
	if n := h.SweepOnce(ctx); n != 1 {
		t.Fatalf("first sweep flagged %d tournaments, want 1", n)
	}
	if n := h.SweepOnce(ctx); n != 0 {
		t.Fatalf("second sweep flagged %d tournaments again", n)
	}
	tr, _ := h.GetTournament(ctx, 1)
	if g := tr.Game(1); g.Status != tournament.GameActive || !g.Overdue {
		t.Fatalf("game %+v", g)
	}
}

func TestActorReachesTheBackendsRateLimit(t *testing.T) {
	h := embedded(t, func(c *config.Config) { c.Store.RateLimit, c.Store.RateBurst = 1, 1 })
	alice := WithActor(context.Background(), "alice")
	if _, err := h.CreateTournament(alice, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 2, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := h.AddPlayer(alice, 1, 5)
	if !errors.Is(err, tournament.ErrRateLimited) {
		t.Fatalf("second call by alice: %v", err)
	}
	if _, err := h.AddPlayer(WithActor(context.Background(), "bob"), 1, 5); err != nil {
		t.Fatalf("bob: %v", err)
	}
}

func TestMissingPluginBinaryIsAClearError(t *testing.T) {
	cfg := config.Default()
	cfg.Host.PluginDir, cfg.Host.Primary, cfg.Host.Fallback = t.TempDir(), "memory", config.FallbackOff
	_, err := New(Options{Config: cfg, Logger: nil})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "TOURNEY_PRIMARY=memory") {
		t.Fatalf("err = %v", err)
	}
}

// A fallback that takes writes in front of a primary that cannot take
// them back after the outage would lose them: the host refuses to start,
// naming the way out; without the fallback the same primary serves.
func TestAFallbackNeedsAPrimaryThatReconciles(t *testing.T) {
	cfg := config.Default()
	cfg.Host.DataDir = t.TempDir()
	core := noIndex{memory.New(memory.Options{})} // serves the core contract only
	_, err := New(Options{Config: cfg, Backend: core, BackendName: "core", Fallback: memory.New(memory.Options{})})
	if err == nil || !strings.Contains(err.Error(), "core does not") || !strings.Contains(err.Error(), "leave Options.Fallback unset") {
		t.Fatalf("err = %v, want a refusal naming the primary and the way out", err)
	}
	h, err := New(Options{Config: cfg, Backend: core, BackendName: "core"})
	if err != nil {
		t.Fatalf("without a fallback: %v", err)
	}
	h.Close()
}

func TestEventsChannelDeliversAndEndsOnRemoval(t *testing.T) {
	h := embedded(t, func(*config.Config) {})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.CreateTournament(ctx, tournament.CreateParams{ID: 3, Name: "x", MaxPlayers: 2, CreatorID: 1})
	ch := h.Events(ctx, 3, "0")
	h.AddPlayer(ctx, 3, 8)
	h.RemoveTournament(ctx, 3)
	var types []tournament.EventType
	for e := range ch {
		types = append(types, e.Event.Type)
	}
	want := []tournament.EventType{tournament.EventTournamentCreated, tournament.EventPlayerJoined, tournament.EventTournamentRemoved}
	if !slices.Equal(types, want) || ctx.Err() != nil {
		t.Fatalf("events %v, want %v (ctx %v)", types, want, ctx.Err())
	}
}

func TestCreateWithoutProfileTakesTheFormatsDefault(t *testing.T) {
	h := embedded(t, func(c *config.Config) {
		c.Store.TTLProfiles = map[string]config.TTLProfile{"casual": {Tournament: 30 * time.Minute}, "ranked": {Tournament: time.Hour}}
		c.Host.FormatProfiles = map[string]string{"single_elimination": "casual", "swiss": "ranked"}
	})
	ctx := context.Background()
	tr, err := h.CreateTournament(ctx, tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 2, CreatorID: 1})
	if err != nil || tr.TTLProfile != "casual" {
		t.Fatalf("created %+v, %v; want the format's profile casual", tr, err)
	}
	tr, err = h.CreateTournament(ctx, tournament.CreateParams{ID: 2, Name: "y", MaxPlayers: 2, CreatorID: 1, TTLProfile: "ranked"})
	if err != nil || tr.TTLProfile != "ranked" {
		t.Fatalf("an explicit profile lost to the format's default: %+v, %v", tr, err)
	}
	tr, err = h.CreateTournament(ctx, tournament.CreateParams{ID: 3, Name: "z", MaxPlayers: 4, CreatorID: 1, Format: tournament.Swiss})
	if err != nil || tr.TTLProfile != "ranked" {
		t.Fatalf("a Swiss tournament: %+v, %v; want the Swiss profile ranked", tr, err)
	}
	tr, err = h.CreateTournament(ctx, tournament.CreateParams{ID: 4, Name: "w", MaxPlayers: 4, CreatorID: 1, Format: tournament.RoundRobin})
	if err != nil || tr.TTLProfile != "" {
		t.Fatalf("a round robin (no profile of its own): %+v, %v", tr, err)
	}
}

// noIndex is a backend without the optional player index.
type noIndex struct{ shared.Backend }

// A backend without a player index (a plugin built before it) is looked
// through instead: the answer is the same.
func TestPlayerTournamentsWithoutAnIndex(t *testing.T) {
	cfg := config.Default()
	cfg.Log.Level = "error"
	for name, b := range map[string]shared.Backend{"index": memory.New(memory.Options{}),
		"no index": noIndex{memory.New(memory.Options{})}} {
		h, err := New(Options{Config: cfg, Backend: b})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, id := range []int64{3, 1, 2} {
			h.CreateTournament(ctx, tournament.CreateParams{ID: id, Name: "x", MaxPlayers: 4, CreatorID: 1})
			if id != 2 {
				h.AddPlayer(ctx, id, 42)
			}
		}
		list, err := h.PlayerTournaments(ctx, 42)
		if err != nil || len(list) != 2 || list[0].ID != 1 || list[1].ID != 3 {
			t.Fatalf("%s: %+v %v", name, list, err)
		}
		if _, err := h.PlayerTournaments(ctx, -1); !errors.Is(err, tournament.ErrInvalidArgument) {
			t.Fatalf("%s: a bad id: %v", name, err)
		}
		h.Close()
	}
}

// Callers that want only new events share one backend subscription; each
// gets every event; one that falls behind is dropped (its channel closes)
// without holding the others back; the last to leave ends the
// subscription.
func TestNewEventsShareOneSubscription(t *testing.T) {
	h := embedded(t, func(*config.Config) {})
	ctx := context.Background()
	h.CreateTournament(ctx, tournament.CreateParams{ID: 1, Name: "fan", MaxPlayers: 1024, CreatorID: 1})
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chans := make([]<-chan shared.StreamEvent, 5)
	for i := range chans {
		chans[i] = h.Events(cctx, 1, "")
	}
	slow := h.Events(cctx, 1, "") // never read
	h.fan.mu.Lock()
	hubs, subs := len(h.fan.hubs), len(h.fan.hubs[1].subs)
	h.fan.mu.Unlock()
	if hubs != 1 || subs != 6 {
		t.Fatalf("%d hubs with %d callers, want 1 with 6", hubs, subs)
	}
	time.Sleep(100 * time.Millisecond) // the shared subscription is up
	for u := int64(1); u <= hubBuffer+10; u++ {
		if _, err := h.AddPlayer(ctx, 1, u); err != nil {
			t.Fatal(err)
		}
		for _, ch := range chans {
			select {
			case e := <-ch:
				if e.Event.PlayerID != u {
					t.Fatalf("event for player %d, want %d", e.Event.PlayerID, u)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no event for player %d", u)
			}
		}
	}
	n := 0
	for range slow {
		n++
	}
	if n != hubBuffer {
		t.Fatalf("the lagging caller got %d events before its channel closed, want %d", n, hubBuffer)
	}
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for {
		h.fan.mu.Lock()
		left := len(h.fan.hubs)
		h.fan.mu.Unlock()
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shared subscription outlived its callers")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
