package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/shared/tournament"
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
}

// Host is a running tourney host. Its methods are safe for concurrent use.
type Host struct {
	cfg    config.Config
	logger hclog.Logger

	embedded     shared.Backend
	embeddedName string
	primary      *supervisor // the plugin that serves calls when not embedded

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// New starts a host: it launches the configured plugin (TOURNEY_PRIMARY,
// or the memory plugin when the primary's binary is missing and
// TOURNEY_FALLBACK is memory) and the sweeper. Close it when done.
func New(opts Options) (*Host, error) {
	cfg := opts.Config
	logger := opts.Logger
	if logger == nil {
		logger = NewLogger(cfg)
	}
	h := &Host{cfg: cfg, logger: logger, stop: make(chan struct{}), embedded: opts.Backend, embeddedName: opts.BackendName}
	if h.embedded != nil {
		if h.embeddedName == "" {
			h.embeddedName = "embedded"
		}
	} else if err := h.launchPrimary(); err != nil {
		return nil, err
	}
	h.wg.Add(1)
	go h.sweep()
	return h, nil
}

// NewLogger returns the host's default logger for cfg.
func NewLogger(cfg config.Config) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "tourney", Level: hclog.LevelFromString(cfg.LogLevel),
		Output: os.Stderr, JSONFormat: cfg.LogFormat == "json"})
}

// PluginPath returns the binary for a plugin name: an absolute path as is,
// else plugin-NAME in dir (default: the directory of this executable).
func PluginPath(dir, name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	if dir == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("TOURNEY_PLUGIN_DIR is unset and the host's own directory is unknown: %w", err)
		}
		dir = filepath.Dir(exe)
	}
	return filepath.Join(dir, "plugin-"+name), nil
}

func (h *Host) launchPrimary() error {
	path, err := PluginPath(h.cfg.PluginDir, h.cfg.Primary)
	if err != nil {
		return err
	}
	sup, err := newSupervisor(strings.TrimPrefix(filepath.Base(path), "plugin-"), path, h.cfg.PrimarySHA256, h.cfg.Environ(), h.logger)
	if errors.Is(err, os.ErrNotExist) && h.cfg.Primary != "memory" && h.cfg.Fallback == config.FallbackMemory {
		h.logger.Warn("primary plugin binary not found; serving from the memory plugin (state is not shared and not kept)",
			"TOURNEY_PRIMARY", h.cfg.Primary, "path", path)
		path, _ = PluginPath(h.cfg.PluginDir, "memory")
		sup, err = newSupervisor("memory", path, h.cfg.FallbackSHA256, h.cfg.Environ(), h.logger)
	}
	if err != nil {
		return fmt.Errorf("TOURNEY_PRIMARY=%s: %w", h.cfg.Primary, err)
	}
	if err := sup.start(); err != nil {
		return err
	}
	h.primary = sup
	return nil
}

// Close stops the sweeper and kills every plugin process. It is safe to
// call more than once.
func (h *Host) Close() error {
	h.once.Do(func() {
		close(h.stop)
		h.wg.Wait()
		if h.primary != nil {
			h.primary.close()
		}
	})
	return nil
}

// call runs fn against the backend that serves now, bounded by
// OPERATION_TIMEOUT.
func (h *Host) call(ctx context.Context, fn func(ctx context.Context, b shared.Backend) error) error {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.OperationTimeout)
	defer cancel()
	b, err := h.backend(ctx)
	if err != nil {
		return err
	}
	return fn(ctx, b)
}

func (h *Host) backend(ctx context.Context) (shared.Backend, error) {
	if h.embedded != nil {
		return h.embedded, nil
	}
	return h.primary.get(ctx)
}

func (h *Host) mutate(ctx context.Context, fn func(ctx context.Context, b shared.Backend) (shared.Change, error)) (*tournament.Tournament, error) {
	var c shared.Change
	err := h.call(ctx, func(ctx context.Context, b shared.Backend) (err error) {
		c, err = fn(ctx, b)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, ev := range c.Events {
		h.logger.Debug("event", "type", ev.Type, "tournament", ev.TournamentID, "version", ev.Version, "game", ev.GameID)
	}
	return c.Tournament, nil
}

func (h *Host) apply(ctx context.Context, id int64, cmd tournament.Command) (*tournament.Tournament, error) {
	return h.mutate(ctx, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Apply(ctx, shared.ApplyRequest{Actor: ActorFrom(ctx), TournamentID: id, Command: cmd})
	})
}

// CreateTournament creates a pending tournament.
func (h *Host) CreateTournament(ctx context.Context, p tournament.CreateParams) (*tournament.Tournament, error) {
	return h.mutate(ctx, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Create(ctx, shared.CreateRequest{Actor: ActorFrom(ctx), Params: p})
	})
}

// AddPlayer registers a player in a pending tournament.
func (h *Host) AddPlayer(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.AddPlayer{UserID: userID})
}

// RemovePlayer unregisters a player from a pending tournament.
func (h *Host) RemovePlayer(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.RemovePlayer{UserID: userID})
}

// StartTournament seeds the players and begins round 1.
func (h *Host) StartTournament(ctx context.Context, id int64, shuffle bool) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.Start{Shuffle: shuffle})
}

// RegisterResult records a game's winner (loserID is optional: 0). A
// repeated identical result succeeds without a change.
func (h *Host) RegisterResult(ctx context.Context, id, gameID, winnerID, loserID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.RegisterResult{GameID: gameID, WinnerID: winnerID, LoserID: loserID})
}

// GetTournament returns a tournament's current state.
func (h *Host) GetTournament(ctx context.Context, id int64) (*tournament.Tournament, error) {
	var t *tournament.Tournament
	err := h.call(ctx, func(ctx context.Context, b shared.Backend) (err error) {
		t, err = b.Get(ctx, id)
		return err
	})
	return t, err
}

// ListTournaments returns the pending and active tournaments.
func (h *Host) ListTournaments(ctx context.Context) ([]tournament.Summary, error) {
	var list []tournament.Summary
	err := h.call(ctx, func(ctx context.Context, b shared.Backend) (err error) {
		list, err = b.List(ctx)
		return err
	})
	if list == nil && err == nil {
		list = []tournament.Summary{}
	}
	return list, err
}

// RemoveTournament deletes a tournament.
func (h *Host) RemoveTournament(ctx context.Context, id int64) error {
	_, err := h.mutate(ctx, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Remove(ctx, shared.RemoveRequest{Actor: ActorFrom(ctx), ID: id})
	})
	return err
}

// Export calls yield with every stored tournament.
func (h *Host) Export(ctx context.Context, yield func(*tournament.Tournament) error) error {
	return h.call(ctx, func(ctx context.Context, b shared.Backend) error { return b.Export(ctx, yield) })
}

// Import stores snapshots (replacing tournaments with the same ids) and
// returns how many it stored; one invalid snapshot stores none.
func (h *Host) Import(ctx context.Context, snaps []*tournament.Tournament) (int, error) {
	var n int
	err := h.call(ctx, func(ctx context.Context, b shared.Backend) (err error) {
		n, err = b.Import(ctx, snaps)
		return err
	})
	return n, err
}

// Status describes which backend serves and the plugins behind it.
type Status struct {
	Backend string       `json:"backend"`
	Breaker string       `json:"breaker"`
	Ready   bool         `json:"ready"`
	Health  string       `json:"health,omitempty"` // the serving backend's own word on its health
	Plugins []PluginInfo `json:"plugins"`
}

// Status reports the host's state; Ready is false when no backend can serve.
func (h *Host) Status(ctx context.Context) Status {
	st := Status{Breaker: "closed", Plugins: []PluginInfo{}}
	if h.embedded != nil {
		st.Backend = h.embeddedName
	} else {
		info := h.primary.info()
		st.Backend = info.Name
		st.Plugins = append(st.Plugins, info)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err := h.call(ctx, func(ctx context.Context, b shared.Backend) error {
		rep, err := b.Health(ctx)
		st.Health = rep.Detail
		return err
	})
	st.Ready = err == nil
	if err != nil {
		st.Health = err.Error()
	}
	return st
}
