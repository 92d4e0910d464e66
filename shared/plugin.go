package shared

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	pb "github.com/tourney/tourney/shared/proto"
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

// Handshake is the go-plugin handshake. The cookie only tells a user who
// runs a plugin binary by hand that it is not meant to be run that way; the
// security is AutoMTLS and the binary checksum.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "TOURNEY_PLUGIN",
	MagicCookieValue: "backend-d5f1c0a2",
}

// PluginSets returns the versioned plugin sets. Version 1 sends snapshots
// as JSON; version 2 sends them typed. go-plugin picks the highest version
// both sides know, so hosts and plugins built before version 2 still work
// together with newer ones. On the host side impl is nil.
func PluginSets(impl Backend) map[int]plugin.PluginSet {
	return PluginSetsWith(BackendPlugin{Impl: impl})
}

// PluginSetsWith is PluginSets with the other fields of BackendPlugin
// (Logger on the plugin side, UnaryCalls on the host side) taken from p.
func PluginSetsWith(p BackendPlugin) map[int]plugin.PluginSet {
	sets := map[int]plugin.PluginSet{}
	for v := 1; v <= ProtocolVersion; v++ {
		pv := p
		pv.Version = v
		sets[v] = plugin.PluginSet{PluginName: &pv}
	}
	return sets
}

// BackendPlugin is the go-plugin glue for a Backend (gRPC only).
type BackendPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl    Backend
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
	pb.RegisterCallsServer(s, newCallServer(&pb.Backend_ServiceDesc, srv, recoverUnary(logger)))
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

// NewPluginLogger returns the logger a plugin should use: JSON on stderr,
// which go-plugin re-levels into the host's log under the plugin's name.
// Nothing may be written to stdout: it carries the handshake.
func NewPluginLogger(name string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       name,
		Level:      hclog.LevelFromString(os.Getenv("LOG_LEVEL")),
		Output:     os.Stderr,
		JSONFormat: true,
	})
}

// Serve runs impl as a plugin process until the host goes away. Call it from
// the plugin's main. It exits the process when its parent (the host) dies,
// since go-plugin does not watch the parent itself.
func Serve(impl Backend, logger hclog.Logger) {
	if os.Getenv(Handshake.MagicCookieKey) != Handshake.MagicCookieValue {
		fmt.Fprintln(os.Stderr, "This is a tourney backend plugin: the tourney host starts it. Run `host serve` instead.")
		os.Exit(1)
	}
	go exitWithParent(logger, os.Getppid(), 200*time.Millisecond)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: PluginSetsWith(BackendPlugin{Impl: impl, Logger: logger}),
		Logger:           logger,
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts,
				grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize),
				grpc.ChainUnaryInterceptor(recoverUnary(logger)),
				grpc.ChainStreamInterceptor(recoverStream(logger)))
			return grpc.NewServer(opts...)
		},
	})
}

// exitWithParent ends the plugin once it has been orphaned (its parent
// process changed), so that a host killed with SIGKILL leaves nothing behind.
func exitWithParent(logger hclog.Logger, parent int, every time.Duration) {
	for range time.Tick(every) {
		if os.Getppid() != parent {
			logger.Warn("host process is gone; plugin exiting", "parent", parent)
			os.Exit(0)
		}
	}
}

func recoverUnary(logger hclog.Logger) grpc.UnaryServerInterceptor {
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

func recoverStream(logger hclog.Logger) grpc.StreamServerInterceptor {
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
