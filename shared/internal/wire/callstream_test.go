package wire_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	pb "github.com/tourney/tourney/shared/internal/proto"
	"github.com/tourney/tourney/shared/internal/wire"
	"github.com/tourney/tourney/tournament"
	"google.golang.org/grpc"
)

// stubBackend is the memory backend with Get and Health replaced, to make a
// call fail, block or panic on demand.
type stubBackend struct {
	*memory.Backend
	get    func(ctx context.Context, id int64) (*tournament.Tournament, error)
	health atomic.Int64 // Health calls served
}

func (s *stubBackend) Get(ctx context.Context, id int64) (*tournament.Tournament, error) {
	if s.get != nil {
		return s.get(ctx, id)
	}
	return s.Backend.Get(ctx, id)
}

func (s *stubBackend) Health(ctx context.Context) (shared.HealthReport, error) {
	s.health.Add(1)
	return s.Backend.Health(ctx)
}

// connect serves impl in this process as the given plugin and returns the
// host's side of it.
func connect(t *testing.T, p plugin.GRPCPlugin) shared.Backend {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{shared.PluginName: p.(plugin.Plugin)})
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(shared.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(shared.Backend)
}

func streamed(impl shared.Backend) *shared.BackendPlugin {
	return &shared.BackendPlugin{Impl: impl, Version: shared.ProtocolVersion}
}

// olderPlugin serves the Backend service only, as plugins built before the
// Calls service do.
type olderPlugin struct{ shared.BackendPlugin }

func (p *olderPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterBackendServer(s, &wire.GRPCServer{Impl: p.Impl, Typed: true})
	return nil
}

func TestCallsFallBackToUnaryForAnOlderPlugin(t *testing.T) {
	impl := &stubBackend{Backend: memory.New(memory.Options{})}
	b := connect(t, &olderPlugin{BackendPlugin: *streamed(impl)})
	ctx := context.Background()
	if _, err := b.Create(ctx,
		shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "Cup", MaxPlayers: 4, CreatorID: 1}}); err != nil {
		t.Fatalf("the first call, on a plugin without Calls: %v", err)
	}
	for range 3 {
		if _, err := b.Health(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Get(ctx, 2); tournament.CodeOf(err) != tournament.CodeNotFound {
		t.Fatalf("a missing tournament over unary calls: %v, want not_found", err)
	}
	// Each call reached the plugin once: the refused stream did not run it.
	if n := impl.health.Load(); n != 3 {
		t.Fatalf("Health ran %d times for 3 calls", n)
	}
}

func TestCallsCarryErrorsWithTheirDetails(t *testing.T) {
	want := &tournament.Error{Code: tournament.CodeUnavailable, Message: "redis is full",
		Reason: shared.ReasonStoreFull, RetryAfter: 1500 * time.Millisecond}
	impl := &stubBackend{Backend: memory.New(memory.Options{}), get: func(context.Context, int64) (*tournament.Tournament, error) {
		return nil, want
	}}
	for name, p := range map[string]*shared.BackendPlugin{"streams": streamed(impl),
		"unary": {Impl: impl, Version: shared.ProtocolVersion, UnaryCalls: true}} {
		t.Run(name, func(t *testing.T) {
			b := connect(t, p)
			_, err := b.Get(context.Background(), 1)
			var got *tournament.Error
			if !errors.As(err, &got) || *got != *want {
				t.Fatalf("got %#v, want %#v", err, want)
			}
		})
	}
}

// The caller's deadline reaches the plugin's handler, and a call that
// outlives it ends with the caller's context error on both sides; the next
// call works.
func TestCallsCarryTheDeadlineAndCancellation(t *testing.T) {
	type seen struct {
		deadline bool
		err      error
	}
	handled := make(chan seen, 4)
	impl := &stubBackend{Backend: memory.New(memory.Options{})}
	impl.get = func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		if id == 1 {
			_, ok := ctx.Deadline()
			<-ctx.Done()
			handled <- seen{ok, ctx.Err()}
			return nil, ctx.Err()
		}
		return impl.Backend.Get(ctx, id)
	}
	b := connect(t, streamed(impl))

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := b.Get(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a call past its deadline: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the call took %v after a 50ms deadline", d)
	}
	select {
	case s := <-handled:
		if !s.deadline || s.err == nil {
			t.Fatalf("the handler saw deadline=%v, end %v", s.deadline, s.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's context did not end")
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	if _, err := b.Get(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled call: %v", err)
	}
	select {
	case s := <-handled:
		if !errors.Is(s.err, context.Canceled) {
			t.Fatalf("the handler of a cancelled call ended with %v", s.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the call did not reach the handler")
	}
	if _, err := b.Get(context.Background(), 2); tournament.CodeOf(err) != tournament.CodeNotFound {
		t.Fatalf("the call after: %v, want not_found", err)
	}
}

func TestCallsRecoverFromAPanicInTheHandler(t *testing.T) {
	impl := &stubBackend{Backend: memory.New(memory.Options{})}
	impl.get = func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		if id == 1 {
			panic("boom")
		}
		return impl.Backend.Get(ctx, id)
	}
	b := connect(t, streamed(impl))
	if _, err := b.Get(context.Background(), 1); tournament.CodeOf(err) != tournament.CodeInternal {
		t.Fatalf("a panicking call: %v, want internal", err)
	}
	if _, err := b.Get(context.Background(), 2); tournament.CodeOf(err) != tournament.CodeNotFound {
		t.Fatalf("the call after a panic: %v, want not_found", err)
	}
}

// Many callers at once, each call answered with its own reply, and a call
// that blocks does not hold up the others.
func TestCallsFromManyCallers(t *testing.T) {
	release := make(chan struct{})
	impl := &stubBackend{Backend: memory.New(memory.Options{})}
	impl.get = func(ctx context.Context, id int64) (*tournament.Tournament, error) {
		if id == 999 {
			<-release
		}
		return impl.Backend.Get(ctx, id)
	}
	b := connect(t, streamed(impl))
	ctx := context.Background()
	blocked := make(chan error, 1)
	go func() { _, err := b.Get(ctx, 999); blocked <- err }()

	const callers, calls = 24, 40
	for c := range callers {
		if _, err := b.Create(ctx,
			shared.CreateRequest{Params: tournament.CreateParams{ID: int64(c + 1), Name: "Cup", MaxPlayers: 4, CreatorID: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := int64(c + 1)
			for i := range calls {
				var err error
				if i%2 == 0 {
					_, err = b.Apply(ctx, shared.ApplyRequest{TournamentID: id, Command: tournament.AddPlayer{UserID: int64(i/2%3 + 1)}})
					if tournament.CodeOf(err) == tournament.CodeAlreadyExists || tournament.CodeOf(err) == tournament.CodeFailedPrecondition {
						err = nil
					}
				} else {
					var got *tournament.Tournament
					if got, err = b.Get(ctx, id); err == nil && got.ID != id {
						err = errors.New("a reply for another call")
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	close(release)
	if err := <-blocked; tournament.CodeOf(err) != tournament.CodeNotFound {
		t.Fatalf("the blocked call: %v", err)
	}
}
