package memory

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/backendtest"
	"github.com/tourney/tourney/tournament"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, s backendtest.Settings) shared.Backend {
		return New(Options{RateLimit: s.RateLimit, RateBurst: s.RateBurst, RateLimits: s.RateLimits, GameTimeout: s.GameTimeout})
	})
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestTournamentExpiresAfterTTLUnlessMaintained(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	b := New(Options{TournamentTTL: time.Hour, Now: clock.Now})
	ctx := context.Background()
	for _, id := range []int64{1, 2} {
		if _, err := b.Create(ctx,
			shared.CreateRequest{Params: tournament.CreateParams{ID: id, Name: "x", MaxPlayers: 2, CreatorID: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(50 * time.Minute)
	if _, err := b.Maintain(ctx); err != nil { // extends both live tournaments
		t.Fatal(err)
	}
	clock.Add(50 * time.Minute)
	if _, err := b.Get(ctx, 1); err != nil {
		t.Fatalf("a maintained live tournament expired: %v", err)
	}
	clock.Add(11 * time.Minute)
	if _, err := b.Get(ctx, 2); !errors.Is(err, tournament.ErrNotFound) {
		t.Fatalf("an unmaintained tournament outlived its TTL: %v", err)
	}
	rep, _ := b.Maintain(ctx)
	if rep.Expired != 2 {
		t.Fatalf("maintain forgot %d expired tournaments, want 2", rep.Expired)
	}
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "y", MaxPlayers: 2, CreatorID: 1}}); err != nil {
		t.Fatalf("an expired id cannot be reused: %v", err)
	}
}

func TestReturnedSnapshotsAreCopies(t *testing.T) {
	b := New(Options{})
	ctx := context.Background()
	c, _ := b.Create(ctx, shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 2, CreatorID: 1}})
	c.Tournament.Name = "changed by caller"
	got, _ := b.Get(ctx, 1)
	got.Players = append(got.Players, 99)
	again, _ := b.Get(ctx, 1)
	if again.Name != "x" || len(again.Players) != 0 {
		t.Fatalf("a caller's change reached the store: %+v", again)
	}
}
