package shared

import (
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/shared/internal/wire"
	"google.golang.org/grpc"
)

// ProtocolVersion is the newest backend protocol this SDK speaks.
const ProtocolVersion = wire.ProtocolVersion

// PluginName is the name under which a plugin binary serves its Backend.
const PluginName = wire.PluginName

// MaxMessageSize bounds one gRPC message either way (a snapshot of a
// 1024-player tournament is far below it).
const MaxMessageSize = wire.MaxMessageSize

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

// BackendPlugin is the go-plugin glue for a Backend (gRPC only): the
// plugin side serves Impl, the host side gets a PluginClient.
type BackendPlugin = wire.BackendPlugin

// PluginClient is what the host side of a plugin connection is: the
// plugin's Backend, its optional parts, and how its calls travel.
type PluginClient = wire.PluginClient

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
				grpc.ChainUnaryInterceptor(wire.RecoverUnary(logger)),
				grpc.ChainStreamInterceptor(wire.RecoverStream(logger)))
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
