package wire

import (
	"context"
	"runtime/debug"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/shared/internal/contract"
	pb "github.com/tourney/tourney/shared/internal/proto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ProtocolVersion is the newest backend protocol this SDK speaks.
const ProtocolVersion = 2

// PluginName is the name under which a plugin binary serves its Backend.
const PluginName = "backend"

// MaxMessageSize bounds one gRPC message either way (a snapshot of a
// 1024-player tournament is far below it).
const MaxMessageSize = 64 << 20

// PluginClient is the host side of a plugin connection: the plugin's
// Backend and its optional parts (answering ErrNo... when the plugin has
// not announced them), how calls travel, and when the process is gone.
type PluginClient interface {
	contract.Backend
	contract.PlayerIndex
	contract.WebhookStore
	contract.Reconciler
	contract.Announcer
	// Calls says how calls travel to the plugin: "streams" or "unary".
	Calls() string
	// Done is closed when the plugin process has exited.
	Done() <-chan struct{}
}

var _ PluginClient = (*GRPCClient)(nil)

// BackendPlugin is the go-plugin glue for a Backend (gRPC only).
type BackendPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl    contract.Backend
	Version int // the protocol version of this set
	// Logger logs a panic in a call (plugin side; nil: not logged).
	Logger hclog.Logger
	// UnaryCalls makes the host send every call as a unary gRPC call
	// instead of over the kept-open streams of the Calls service.
	UnaryCalls bool
}

// GRPCServer registers the Backend, and the Calls service that carries its
// unary calls over kept-open streams, on the plugin's gRPC server.
func (p *BackendPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	srv := &GRPCServer{Impl: p.Impl, Typed: p.Version >= 2}
	pb.RegisterBackendServer(s, srv)
	logger := p.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	pb.RegisterCallsServer(s, newCallServer(&pb.Backend_ServiceDesc, srv, RecoverUnary(logger)))
	return nil
}

// GRPCClient returns the host's Backend; ctx is cancelled when the plugin
// process exits, which closes the client's Done channel. Unary calls travel
// over kept-open streams unless UnaryCalls is set or the plugin does not
// serve them.
func (p *BackendPlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	if p.UnaryCalls {
		return NewGRPCClient(pb.NewBackendClient(c), ctx.Done(), p.Version), nil
	}
	conn := newStreamConn(c)
	client := NewGRPCClient(pb.NewBackendClient(conn), ctx.Done(), p.Version)
	client.conn = conn
	return client, nil
}

// RecoverUnary turns a panic in a unary call into an internal error, logged.
func RecoverUnary(logger hclog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				logger.Error("panic in plugin call", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Errorf(codes.Internal, "plugin panic in %s: %v", info.FullMethod, r)
			}
		}()
		return handler(ctx, req)
	}
}

// RecoverStream is RecoverUnary for streams.
func RecoverStream(logger hclog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				logger.Error("panic in plugin stream", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Errorf(codes.Internal, "plugin panic in %s: %v", info.FullMethod, r)
			}
		}()
		return handler(srv, ss)
	}
}
