package wire

import (
	"context"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/shared/internal/contract"
	pb "github.com/tourney/tourney/shared/internal/proto"
	"google.golang.org/grpc"
)

// oneCallServer ends each Calls stream after answering one call, as a
// plugin might that drops idle streams.
type oneCallServer struct{ *callServer }

func (s oneCallServer) Call(stream grpc.BidiStreamingServer[pb.CallRequest, pb.CallReply]) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	return stream.Send(s.handle(stream.Context(), req))
}

type oneCallPlugin struct{ BackendPlugin }

func (p *oneCallPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	srv := &GRPCServer{Impl: p.Impl, Typed: true}
	pb.RegisterBackendServer(s, srv)
	pb.RegisterCallsServer(s, oneCallServer{newCallServer(&pb.Backend_ServiceDesc, srv, RecoverUnary(hclog.NewNullLogger()))})
	return nil
}

// A kept stream that the plugin ended while idle is replaced, not reported
// as a failed call: the call it would have carried was never read.
func TestCallsSurviveStreamsThePluginEnded(t *testing.T) {
	impl := &countingBackend{}
	p := &oneCallPlugin{BackendPlugin{Impl: impl, Version: ProtocolVersion}}
	client, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{PluginName: p})
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	b := raw.(*GRPCClient)
	for i := range 20 {
		if _, err := b.Health(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := impl.health; n != 20 {
		t.Fatalf("Health ran %d times for 20 calls", n)
	}
	if b.Calls() != "streams" {
		t.Fatalf("calls fell back to %s", b.Calls())
	}
}

// countingBackend serves Health only (the other methods are not called).
type countingBackend struct {
	contract.Backend
	health int
}

func (c *countingBackend) Health(context.Context) (contract.HealthReport, error) {
	c.health++
	return contract.HealthReport{}, nil
}
