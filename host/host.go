package host

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/host/failover"
	"github.com/tourney/tourney/host/internal/datadir"
	"github.com/tourney/tourney/host/plugins"
	"github.com/tourney/tourney/host/webhooks"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	bolt "go.etcd.io/bbolt"
)

// Options configure a Host.
type Options struct {
	// Config is the shared configuration; start from config.Default() or
	// config.FromEnv. Its values are handed to launched plugins.
	Config config.Config
	// Logger receives the host's and the plugins' logs. Default: hclog to
	// stderr at Config.LogLevel.
	Logger hclog.Logger
	// Backend, when set, is used in-process and no plugin is launched: the
	// embedded mode of a game process that needs no shared state.
	Backend shared.Backend
	// BackendName names the in-process Backend in Status (default "embedded").
	BackendName string
	// Fallback, with Backend, is an in-process fallback: when Backend fails
	// the host fails over to it and back as it would between plugins
	// (TOURNEY_FALLBACK=memory semantics).
	Fallback shared.Backend
}

// Host is a running tourney host. Its methods are safe for concurrent use.
type Host struct {
	cfg    config.Config
	logger hclog.Logger
	fan    fanout // shared event subscriptions (see Events)

	procs  pluginProcs // nil supervisors when embedded
	router *failover.Router
	hooks  *webhooks.Dispatcher
	data   *bolt.DB // the data directory (outage log, webhook outbox); nil when the fallback takes no writes

	housekeeping atomic.Pointer[shared.MaintainReport] // the backend's last housekeeping report (metrics)
	life         lifecycle
}

// pluginProcs are the plugin processes this host runs.
type pluginProcs struct {
	sockets  string              // this host's plugin socket directory
	primary  *plugins.Supervisor // nil when embedded
	fallback *plugins.Supervisor // plugin-memory, when TOURNEY_FALLBACK=memory
}

// lifecycle is what Close stops.
type lifecycle struct {
	stop   chan struct{}
	cancel context.CancelFunc // ends the prober, the failback worker and the dispatcher
	wg     sync.WaitGroup
	once   sync.Once
}

// Transition is one change of failover state, as logged, counted and kept
// in Status.
type Transition = failover.Transition

// FailoverStats is the failover part of Status.
type FailoverStats = failover.Stats

// New starts a host: it launches the primary plugin (TOURNEY_PRIMARY) and,
// with TOURNEY_FALLBACK=memory, plugin-memory as the fallback; then the
// prober that drives failover and failback, and the sweeper. Close it when
// done. With Options.Backend set, that backend serves in-process and no
// plugin is launched.
func New(opts Options) (*Host, error) {
	cfg := opts.Config
	logger := opts.Logger
	if logger == nil {
		logger = NewLogger(cfg)
	}
	if cfg.Host.CacheSize <= 0 {
		cfg.Host.CacheSize = config.Default().Host.CacheSize
	}
	h := &Host{cfg: cfg, logger: logger, life: lifecycle{stop: make(chan struct{})}}
	fo, err := h.backends(opts)
	if err != nil {
		return nil, err
	}
	if err := h.checkWriteBack(fo, opts.Backend != nil); err != nil {
		h.closeStores()
		return nil, err
	}
	if fo.Mode == failover.FallbackStore {
		// The fallback takes writes: every one is logged on disk first.
		if h.data, err = datadir.Open(cfg.Host.DataDir); err != nil {
			h.closeStores()
			return nil, err
		}
		fo.DB = h.data
	}
	if h.router, err = failover.New(fo); err != nil {
		h.closeStores()
		return nil, err
	}
	r := h.router
	h.hooks, err = webhooks.New(webhooks.Options{Primary: webhookPrimary{r}, PrimaryName: r.PrimaryName(), DB: h.data,
		Timeout: cfg.Host.WebhookTimeout, Retry: cfg.Host.WebhookRetry, Backoff: cfg.Host.WebhookBackoff, OperationTimeout: cfg.Store.OperationTimeout,
		Logger: logger})
	if err != nil {
		h.closeStores()
		return nil, fmt.Errorf("TOURNEY_DATA_DIR=%s: the webhook outbox: %w", cfg.Host.DataDir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.life.cancel = cancel
	// Probe now, so that a host started while the primary is down serves
	// from the fallback at once (two failed probes trip the breaker).
	if r.Probe(ctx) != nil {
		r.Probe(ctx)
	}
	if r.State() == failover.StatePrimary {
		// Changes made before the dispatcher's first pass match these.
		rctx, rcancel := context.WithTimeout(ctx, cfg.Store.ConnectTimeout)
		_ = h.hooks.Refresh(rctx)
		rcancel()
	}
	h.life.wg.Add(3)
	go func() { defer h.life.wg.Done(); r.Run(ctx) }()
	go func() { defer h.life.wg.Done(); h.hooks.Run(ctx) }()
	go h.sweep()
	return h, nil
}

// NewLogger returns the host's default logger for cfg.
func NewLogger(cfg config.Config) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "tourney", Level: hclog.LevelFromString(cfg.Log.Level),
		Output: os.Stderr, JSONFormat: cfg.Log.Format == "json"})
}

// Close stops the prober and the sweeper and kills every plugin process.
// It is safe to call more than once.
func (h *Host) Close() error {
	h.life.once.Do(func() {
		close(h.life.stop)
		if h.life.cancel != nil {
			h.life.cancel()
		}
		h.life.wg.Wait()
		h.closeStores()
	})
	return nil
}

// closeStores kills the plugins and closes the data directory.
func (h *Host) closeStores() {
	for _, s := range []*plugins.Supervisor{h.procs.primary, h.procs.fallback} {
		if s != nil {
			s.Close()
		}
	}
	if h.procs.sockets != "" {
		_ = os.RemoveAll(h.procs.sockets)
	}
	if h.data != nil {
		_ = h.data.Close()
	}
}

// Status describes which backend serves, the breaker, the plugins behind
// them and the failover counters.
type Status struct {
	Backend  string        `json:"backend"` // the backend serving calls now
	Breaker  string        `json:"breaker"` // closed, open or half-open
	Ready    bool          `json:"ready"`
	Health   string        `json:"health,omitempty"` // the serving backend's own word on its health
	Plugins  []PluginInfo  `json:"plugins"`
	Failover FailoverStats `json:"failover"`
}

// Status reports the host's state; Ready is false when no backend can serve.
func (h *Host) Status(ctx context.Context) Status {
	r := h.router
	sv := r.Serving(ctx)
	st := Status{Backend: sv.Backend, Breaker: r.Breaker().String(), Ready: sv.Ready, Health: sv.Health, Plugins: []PluginInfo{},
		Failover: r.Stats()}
	for _, s := range []*plugins.Supervisor{h.procs.primary, h.procs.fallback} {
		if s != nil {
			st.Plugins = append(st.Plugins, s.Info())
		}
	}
	return st
}
