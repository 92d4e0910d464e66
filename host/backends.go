package host

import (
	"context"
	"fmt"
	"time"

	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/host/plugins"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
)

// PluginPath returns the binary for a plugin name: an absolute path as is,
// else plugin-NAME in dir (default: the directory of this executable).
func PluginPath(dir, name string) (string, error) { return plugins.Path(dir, name) }

// PluginInfo describes a supervised plugin for /v1/status.
type PluginInfo = plugins.Info

// ManifestName is the checksum manifest `make build` writes beside the
// plugin binaries, in sha256sum's format ("<hex>  plugin-redis").
const ManifestName = plugins.ManifestName

// WriteManifest writes dir/plugins.sha256 with the sha256 of every
// plugin-* file in dir.
func WriteManifest(dir string) error { return plugins.WriteManifest(dir) }

// backends returns the router's options for the backends the host serves
// from: the in-process ones of opts, or the plugins it launches.
func (h *Host) backends(opts Options) (failover.Options, error) {
	fo := failover.Options{Logger: h.logger, Config: failover.Config{OperationTimeout: h.cfg.Store.OperationTimeout,
		GameTimeout: h.cfg.Store.GameTimeout, TournamentTTL: h.cfg.Store.TournamentTTL, CacheSize: h.cfg.Host.CacheSize}}
	if h.cfg.Host.Fallback == config.FallbackReadonly {
		fo.Mode = failover.FallbackReadonly
	}
	if opts.Backend != nil {
		name := opts.BackendName
		if name == "" {
			name = "embedded"
		}
		fo.Primary = failover.Source{Name: name, Backend: func(context.Context) (shared.Backend, error) { return opts.Backend, nil }}
		if opts.Fallback != nil {
			fo.Mode = failover.FallbackStore
			fo.Fallback = failover.Source{Name: "fallback",
				Backend: func(context.Context) (shared.Backend, error) { return opts.Fallback, nil }}
		}
		return fo, nil
	}
	var err error
	if h.procs.primary, err = h.startPlugin("TOURNEY_PRIMARY", h.cfg.Host.Primary, h.cfg.Host.PrimarySHA256); err != nil {
		h.closeStores()
		return fo, err
	}
	fo.Primary = failover.Source{Name: h.procs.primary.Name(), Backend: h.procs.primary.Backend}
	if h.cfg.Host.Fallback == config.FallbackMemory && h.procs.primary.Name() != "memory" {
		if h.procs.fallback, err = h.startPlugin("TOURNEY_FALLBACK", "memory", h.cfg.Host.FallbackSHA256); err != nil {
			h.closeStores()
			return fo, err
		}
		fb := h.procs.fallback
		fo.Mode = failover.FallbackStore
		fo.Fallback = failover.Source{Name: "memory", Generation: fb.Generation,
			Backend: func(ctx context.Context) (shared.Backend, error) {
				ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				defer cancel()
				return fb.Backend(ctx)
			}}
	}
	return fo, nil
}

func (h *Host) startPlugin(setting, name, checksum string) (*plugins.Supervisor, error) {
	if h.procs.sockets == "" {
		var err error
		if h.procs.sockets, err = plugins.SocketDir(); err != nil {
			return nil, err
		}
	}
	return plugins.Start(plugins.Options{Setting: setting, Name: name, Dir: h.cfg.Host.PluginDir, Checksum: checksum,
		Verify: h.cfg.Host.PluginVerify, Env: h.cfg.PluginEnviron(), Sockets: h.procs.sockets, Handshake: h.cfg.Store.ConnectTimeout,
		Unary: !h.cfg.Host.PluginStreams, Procs: h.cfg.Host.PluginProcs, Logger: h.logger})
}

// checkWriteBack refuses a fallback that takes writes in front of a
// primary that takes no write-back after the outage (a plugin that does
// not announce reconcile): what the fallback acknowledged would be lost.
func (h *Host) checkWriteBack(fo failover.Options, embedded bool) error {
	if fo.Mode != failover.FallbackStore {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.Store.ConnectTimeout)
	defer cancel()
	b, err := fo.Primary.Backend(ctx)
	if err != nil {
		return nil // not up yet: the plugin's first launch already said it runs
	}
	if _, ok := shared.ReconcilerOf(b); !ok {
		what, instead := "TOURNEY_FALLBACK="+h.cfg.Host.Fallback, "set TOURNEY_FALLBACK=readonly or off"
		if embedded {
			what, instead = "an in-process Fallback", "leave Options.Fallback unset"
		}
		return fmt.Errorf("%s needs a primary that takes write-backs after an outage, and %s does not (it serves %v "+
			"beyond the core contract); %s", what, fo.Primary.Name, shared.CapabilitiesOf(b), instead)
	}
	return nil
}
