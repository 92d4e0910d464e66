package shared_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/backendtest"
	"github.com/tourney/tourney/shared/tournament"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The conformance suite through the real gRPC adapters (both ends in this
// process): whatever the memory backend passes directly, it passes over the
// wire, errors included.
func TestConformanceOverGRPC(t *testing.T) {
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("protocol %d", version), func(t *testing.T) { conformanceOverGRPC(t, version) })
	}
}

func conformanceOverGRPC(t *testing.T, version int) {
	backendtest.Run(t, func(t *testing.T, s backendtest.Settings) shared.Backend {
		impl := memory.New(memory.Options{RateLimit: s.RateLimit, RateBurst: s.RateBurst, RateLimits: s.RateLimits, GameTimeout: s.GameTimeout})
		client, server := plugin.TestPluginGRPCConn(t, false, shared.PluginSets(impl)[version])
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
		&tournament.Error{Code: tournament.CodeUnavailable, Message: "redis is full", Reason: tournament.ReasonStoreFull, RetryAfter: time.Second},
	} {
		out := shared.FromStatus(shared.ToStatus(in))
		var a, b *tournament.Error
		errors.As(in, &a)
		if !errors.As(out, &b) || *a != *b || !errors.Is(out, &tournament.Error{Code: a.Code}) {
			t.Errorf("%v came back as %#v", in, out)
		}
	}
	if out := shared.FromStatus(shared.ToStatus(errors.New("disk on fire"))); tournament.CodeOf(out) != tournament.CodeInternal {
		t.Errorf("a plain error came back as %v", out)
	}
}

// A domain code this build does not know must not cross the wire as OK (the
// error would vanish), and a gRPC code outside the protocol is a bug, not an
// outage: neither may come back as unavailable, which fails the host over.
func TestUnknownCodesAreInternalNotSuccessOrOutage(t *testing.T) {
	out := shared.ToStatus(&tournament.Error{Code: "from_the_future", Message: "x"})
	if out == nil || status.Code(out) == codes.OK {
		t.Fatalf("an unknown domain code crossed as %v", out)
	}
	if got := tournament.CodeOf(shared.FromStatus(out)); got != tournament.CodeInternal {
		t.Fatalf("an unknown domain code came back as %s", got)
	}
	for _, c := range []codes.Code{codes.Unimplemented, codes.Unknown, codes.DataLoss, codes.OutOfRange} {
		if got := tournament.CodeOf(shared.FromStatus(status.Error(c, "x"))); got != tournament.CodeInternal {
			t.Errorf("gRPC %s came back as %s, want internal", c, got)
		}
	}
	transport := shared.FromStatus(status.Error(codes.Unavailable, "connection error: dial unix /tmp/plugin123/sock: connect: no such file"))
	if tournament.CodeOf(transport) != tournament.CodeUnavailable || strings.Contains(transport.Error(), "/tmp") {
		t.Errorf("a transport failure came back as %v, want unavailable naming no socket", transport)
	}
}
