package wire_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/backendtest"
	"github.com/tourney/tourney/shared/internal/wire"
	"github.com/tourney/tourney/tournament"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The conformance suite through the real gRPC adapters (both ends in this
// process): whatever the memory backend passes directly, it passes over the
// wire, errors included, over the Calls streams and as unary calls.
func TestConformanceOverGRPC(t *testing.T) {
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("protocol %d", version), func(t *testing.T) { conformanceOverGRPC(t, version, false) })
	}
	t.Run("unary calls", func(t *testing.T) { conformanceOverGRPC(t, shared.ProtocolVersion, true) })
}

func conformanceOverGRPC(t *testing.T, version int, unary bool) {
	backendtest.Run(t, func(t *testing.T, s backendtest.Settings) shared.Backend {
		impl := memory.New(memory.Options{RateLimit: s.RateLimit, RateBurst: s.RateBurst, RateLimits: s.RateLimits,
			GameTimeout: s.GameTimeout})
		client, server := plugin.TestPluginGRPCConn(t, false,
			shared.PluginSetsWith(shared.BackendPlugin{Impl: impl, UnaryCalls: unary})[version])
		t.Cleanup(func() { _ = client.Close() }) // Close shuts the server down too
		_ = server
		raw, err := client.Dispense(shared.PluginName)
		if err != nil {
			t.Fatal(err)
		}
		return raw.(shared.Backend)
	})
}

func TestErrorsSurviveTheWire(t *testing.T) {
	for _, in := range []error{
		tournament.Errorf(tournament.CodeNotFound, "tournament 7 not found"),
		tournament.Errorf(tournament.CodeAborted, "lock busy"),
		&tournament.Error{Code: tournament.CodeRateLimited, Message: "slow down", RetryAfter: 1500 * time.Millisecond},
		tournament.Errorf(tournament.CodeUnavailable, "redis down"),
		tournament.Errorf(tournament.CodeFailedPrecondition, "tournament is full"),
		&tournament.Error{Code: tournament.CodeUnavailable, Message: "redis is full", Reason: shared.ReasonStoreFull,
			RetryAfter: time.Second},
	} {
		out := wire.FromStatus(wire.ToStatus(in))
		var a, b *tournament.Error
		errors.As(in, &a)
		if !errors.As(out, &b) || *a != *b || !errors.Is(out, &tournament.Error{Code: a.Code}) {
			t.Errorf("%v came back as %#v", in, out)
		}
	}
	if out := wire.FromStatus(wire.ToStatus(errors.New("disk on fire"))); tournament.CodeOf(out) != tournament.CodeInternal {
		t.Errorf("a plain error came back as %v", out)
	}
}

// A domain code this build does not know must not cross the wire as OK (the
// error would vanish), and a gRPC code outside the protocol is a bug, not an
// outage: neither may come back as unavailable, which fails the host over.
func TestUnknownCodesAreInternalNotSuccessOrOutage(t *testing.T) {
	out := wire.ToStatus(&tournament.Error{Code: "from_the_future", Message: "x"})
	if out == nil || status.Code(out) == codes.OK {
		t.Fatalf("an unknown domain code crossed as %v", out)
	}
	if got := tournament.CodeOf(wire.FromStatus(out)); got != tournament.CodeInternal {
		t.Fatalf("an unknown domain code came back as %s", got)
	}
	for _, c := range []codes.Code{codes.Unimplemented, codes.Unknown, codes.DataLoss, codes.OutOfRange} {
		if got := tournament.CodeOf(wire.FromStatus(status.Error(c, "x"))); got != tournament.CodeInternal {
			t.Errorf("gRPC %s came back as %s, want internal", c, got)
		}
	}
	transport := wire.FromStatus(status.Error(codes.Unavailable,
		"connection error: dial unix /tmp/plugin123/sock: connect: no such file"))
	if tournament.CodeOf(transport) != tournament.CodeUnavailable || strings.Contains(transport.Error(), "/tmp") {
		t.Errorf("a transport failure came back as %v, want unavailable naming no socket", transport)
	}
}

// Under protocol 2 a client that holds the state a change applied to gets
// only the change and replays it; every state it returns must be exactly
// the plugin's, random decisions (shuffles, random timeouts) included.
func TestDeltaRepliesGiveThePluginsExactState(t *testing.T) {
	impl := memory.New(memory.Options{GameTimeout: time.Millisecond})
	b := connect(t, streamed(impl))
	ctx := context.Background()
	same := func(step string, got *tournament.Tournament) {
		t.Helper()
		want, _ := impl.Get(ctx, got.ID)
		x, _ := json.Marshal(got)
		y, _ := json.Marshal(want)
		if string(x) != string(y) {
			t.Fatalf("%s:\n client %s\n plugin %s", step, x, y)
		}
	}
	for id := int64(1); id <= 6; id++ {
		c, err := b.Create(ctx, shared.CreateRequest{Params: tournament.CreateParams{ID: id, Name: "delta", MaxPlayers: 16, CreatorID: 1}})
		if err != nil {
			t.Fatal(err)
		}
		same("create", c.Tournament)
		for u := int64(1); u <= 3+id; u++ {
			r := float64(u * 10)
			if c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: tournament.AddPlayer{UserID: u,
				PlayerName: []string{"", "Ann"}[u%2], Rating: &r}}); err != nil {
				t.Fatal(err)
			}
			same("join", c.Tournament)
		}
		if c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: tournament.SwapSeeds{A: 1, B: 2}}); err != nil {
			t.Fatal(err)
		}
		same("a seed swap", c.Tournament)
		// Every way to seed: a drawn order (both names) must reach the
		// caller as drawn.
		start := []tournament.Start{{Shuffle: true}, {Seeding: tournament.SeedingRandom}, {Seeding: tournament.SeedingRating},
			{}, {Seeding: tournament.SeedingRandom}, {Seeding: tournament.SeedingJoin}}[id-1]
		if c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: start}); err != nil {
			t.Fatal(err)
		}
		same("start "+start.Seeding, c.Tournament)
		for c.Tournament.Status == tournament.StatusActive {
			time.Sleep(2 * time.Millisecond)
			g := c.Tournament.ActiveGames()[0]
			var cmd tournament.Command = tournament.ResolveTimeouts{Policy: tournament.TimeoutRandom}
			if g.GameID%2 == 0 {
				cmd = tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}
			}
			if c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: cmd}); err != nil {
				t.Fatal(err)
			}
			same(tournament.Describe(cmd), c.Tournament)
			if c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: cmd}); err != nil && !errors.Is(err,
				tournament.ErrFailedPrecondition) && !errors.Is(err, tournament.ErrNotFound) {
				t.Fatal(err)
			} else if err == nil {
				same("a repeat", c.Tournament)
			} else {
				c.Tournament, _ = b.Get(ctx, id)
			}
			got, err := b.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			same("get", got)
		}
	}
	// Another writer behind the client's back: its known state is stale, so
	// it must get the whole state, not a wrong replay.
	if _, err := impl.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 50, Name: "x", MaxPlayers: 4, CreatorID: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, 50); err != nil {
		t.Fatal(err)
	}
	if _, err := impl.Apply(ctx, shared.ApplyRequest{TournamentID: 50, Command: tournament.AddPlayer{UserID: 9}}); err != nil {
		t.Fatal(err)
	}
	c, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 50, Command: tournament.AddPlayer{UserID: 8}})
	if err != nil {
		t.Fatal(err)
	}
	same("after another writer", c.Tournament)
	got, _ := b.Get(ctx, 50)
	same("get after another writer", got)
}

// A change that pairs a Swiss round comes back as the new state (the client
// would otherwise pair the round again to replay it); the client's state
// is the plugin's throughout.
func TestSwissPairingIsNotReplayed(t *testing.T) {
	impl := memory.New(memory.Options{})
	b := connect(t, streamed(impl))
	ctx := context.Background()
	c, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "s", MaxPlayers: 16, CreatorID: 1, Format: tournament.Swiss}})
	for u := int64(1); u <= 9 && err == nil; u++ {
		c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.AddPlayer{UserID: u}})
	}
	if err == nil {
		c, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.Start{Shuffle: true}})
	}
	for err == nil && c.Tournament.Status == tournament.StatusActive {
		g := c.Tournament.ActiveGames()[0]
		if c, err = b.Apply(ctx,
			shared.ApplyRequest{TournamentID: 1, Command: tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}}); err != nil {
			break
		}
		want, _ := impl.Get(ctx, 1)
		if x, y := c.Tournament.AppendJSON(nil), want.AppendJSON(nil); string(x) != string(y) {
			t.Fatalf("client\n%s\nplugin\n%s", x, y)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}
