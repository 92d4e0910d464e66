package redis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// With replica acknowledgement a change answers only once a replica has
// it; a change no replica confirms in time is unavailable, and says it may
// have happened (no not_applied reason).
func TestAWriteNoReplicaConfirmsIsNotAcknowledged(t *testing.T) {
	master := testutil.StartRedis(t)
	replica := testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	if !testutil.Eventually(10*time.Second, func() bool {
		info, _ := master.Client(0).Info(context.Background(), "replication").Result()
		return strings.Contains(info, "connected_slaves:1") && strings.Contains(info, "state=online")
	}) {
		t.Fatal("the replica did not connect")
	}
	b := newBackend(t, master, Options{KeyPrefix: "ack:", MinReplicas: 1, ReplicaTimeout: 100 * time.Millisecond})
	ctx := context.Background()
	if _, err := b.Create(ctx, shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "acked", MaxPlayers: 8, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 5}}); err != nil {
		t.Fatalf("a join the replica has: %v", err)
	}
	replica.Signal(syscall.SIGSTOP)
	defer replica.Signal(syscall.SIGCONT)
	if err := master.Client(0).Do(ctx, "CLIENT", "KILL", "TYPE", "replica").Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: 6}})
	var e *tournament.Error
	if !errors.As(err, &e) || e.Code != tournament.CodeUnavailable || e.Reason != "" || !strings.Contains(e.Message, "may have happened") {
		t.Fatalf("a join no replica confirmed: %v, want unavailable without a reason", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the refusal took %v (the replica timeout is 100ms)", d)
	}
	// Nor is the store healthy while no replica confirms: a host on its
	// fallback waits for one before failing back.
	if _, err := b.Health(ctx); !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("health without a confirming replica: %v, want unavailable", err)
	}
	replica.Signal(syscall.SIGCONT)
	if !testutil.Eventually(10*time.Second, func() bool { _, err := b.Health(ctx); return err == nil }) {
		t.Fatal("health did not come back with the replica")
	}
}

// A master that refuses writes it cannot replicate (min-replicas-to-write)
// cannot serve: unavailable, not an internal error.
func TestNoReplicasIsUnavailable(t *testing.T) {
	master := testutil.StartRedis(t, "--min-replicas-to-write", "1")
	b := newBackend(t, master, Options{KeyPrefix: "norep:"})
	_, err := b.Create(context.Background(), shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "x", MaxPlayers: 4, CreatorID: 1}})
	if !errors.Is(err, tournament.ErrUnavailable) {
		t.Fatalf("a write refused with NOREPLICAS: %v, want unavailable", err)
	}
}
