package host

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/host/internal/datadir"
	"github.com/tourney/tourney/host/plugins"
	"github.com/tourney/tourney/host/webhooks"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
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

	embeddedName string
	sockets      string              // this host's plugin socket directory
	primary      *plugins.Supervisor // nil when embedded
	fallback     *plugins.Supervisor // plugin-memory, when TOURNEY_FALLBACK=memory
	router       *router
	cache        *snapshotCache
	hooks        *webhooks.Dispatcher
	data         *bolt.DB // the data directory (outage log, webhook outbox); nil when the fallback takes no writes

	housekeeping atomic.Pointer[shared.MaintainReport] // the backend's last housekeeping report (metrics)

	stop   chan struct{}
	cancel context.CancelFunc // ends the prober and the failback worker
	wg     sync.WaitGroup
	once   sync.Once
}

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
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = config.Default().CacheSize
	}
	h := &Host{cfg: cfg, logger: logger, stop: make(chan struct{}), cache: newSnapshotCache(cfg.CacheSize)}
	r := newRouter(cfg, logger, h.cache)
	r.readonly = cfg.Fallback == config.FallbackReadonly
	hostname, _ := os.Hostname()
	r.origin = fmt.Sprintf("%s/%d", hostname, os.Getpid())
	r.fallbackGen = func() uint64 { return 0 }
	if opts.Backend != nil {
		h.embeddedName = opts.BackendName
		if h.embeddedName == "" {
			h.embeddedName = "embedded"
		}
		r.primaryName = h.embeddedName
		r.primary = func(context.Context) (shared.Backend, error) { return opts.Backend, nil }
		if opts.Fallback != nil {
			r.fallbackName = "fallback"
			r.fallback = func(context.Context) (shared.Backend, error) { return opts.Fallback, nil }
		} else if cfg.Fallback == config.FallbackReadonly {
			h.readonly(r)
		}
	} else if err := h.launch(r); err != nil {
		return nil, err
	}
	h.router = r
	if err := h.checkWriteBack(); err != nil {
		h.closePlugins()
		return nil, err
	}
	if r.fallback != nil && !r.readonly {
		// The fallback takes writes: every one is logged on disk first.
		var err error
		if h.data, err = datadir.Open(cfg.DataDir); err == nil {
			if r.log, err = openOutageLog(h.data); err == nil {
				err = h.resumeOutage()
			}
		}
		if err != nil {
			h.closeStores()
			return nil, err
		}
	}
	hooks, err := webhooks.New(webhooks.Options{Primary: webhookPrimary{r}, PrimaryName: r.primaryName, DB: h.data,
		Timeout: cfg.WebhookTimeout, Retry: cfg.WebhookRetry, Backoff: cfg.WebhookBackoff, OperationTimeout: cfg.OperationTimeout,
		Logger: logger})
	if err != nil {
		h.closeStores()
		return nil, fmt.Errorf("TOURNEY_DATA_DIR=%s: the webhook outbox: %w", cfg.DataDir, err)
	}
	h.hooks = hooks
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	// Probe now, so that a host started while the primary is down serves
	// from the fallback at once (two failed probes trip the breaker).
	r.probeOnce(ctx)
	if r.lastProbe.Load().(probeResult).err != nil {
		r.probeOnce(ctx)
	}
	if r.state() == statePrimary {
		// Changes made before the dispatcher's first pass match these.
		rctx, rcancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		_ = h.hooks.Refresh(rctx)
		rcancel()
	}
	h.wg.Add(3)
	go func() { defer h.wg.Done(); r.probe(ctx) }()
	go func() { defer h.wg.Done(); h.hooks.Run(ctx) }()
	go h.sweep()
	return h, nil
}

// checkWriteBack refuses a fallback that takes writes in front of a
// primary that takes no write-back after the outage (a plugin that does
// not announce reconcile): what the fallback acknowledged would be lost.
func (h *Host) checkWriteBack() error {
	r := h.router
	if r.fallback == nil || r.readonly {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.ConnectTimeout)
	defer cancel()
	b, err := r.primary(ctx)
	if err != nil {
		return nil // not up yet: the plugin's first launch already said it runs
	}
	if _, ok := shared.ReconcilerOf(b); !ok {
		what, instead := "TOURNEY_FALLBACK="+h.cfg.Fallback, "set TOURNEY_FALLBACK=readonly or off"
		if h.embeddedName != "" {
			what, instead = "an in-process Fallback", "leave Options.Fallback unset"
		}
		return fmt.Errorf("%s needs a primary that takes write-backs after an outage, and %s does not (it serves %v "+
			"beyond the core contract); %s", what, r.primaryName, shared.CapabilitiesOf(b), instead)
	}
	return nil
}

// resumeOutage continues an outage this host's previous run did not write
// back (it was killed on the fallback): the host starts on the fallback,
// serving the logged state, and writes it back when the primary answers.
func (h *Host) resumeOutage() error {
	r := h.router
	ids, err := r.log.pending()
	if err != nil {
		return fmt.Errorf("reading the outage log: %w", err)
	}
	_ = r.log.pruneTombstones(time.Now())
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if rec, err := r.log.load(id); err == nil && rec != nil && rec.latest != nil {
			h.cache.put(rec.latest)
		}
	}
	h.logger.Warn("the outage log holds changes not yet written back; they are served from the fallback and written back when the primary answers",
		"tournaments", len(ids), "data_dir", h.cfg.DataDir)
	r.mu.Lock()
	r.began = time.Now()
	r.failovers.Add(1)
	r.transition(stateFallback, errors.New("restarted with an unfinished outage"), hclog.Warn, "resuming an outage from the outage log")
	r.mu.Unlock()
	return nil
}

// NewLogger returns the host's default logger for cfg.
func NewLogger(cfg config.Config) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "tourney", Level: hclog.LevelFromString(cfg.LogLevel),
		Output: os.Stderr, JSONFormat: cfg.LogFormat == "json"})
}

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

func (h *Host) startPlugin(setting, name, checksum string) (*plugins.Supervisor, error) {
	if h.sockets == "" {
		var err error
		if h.sockets, err = plugins.SocketDir(); err != nil {
			return nil, err
		}
	}
	return plugins.Start(plugins.Options{Setting: setting, Name: name, Dir: h.cfg.PluginDir, Checksum: checksum,
		Verify: h.cfg.PluginVerify, Env: h.cfg.Environ(), Sockets: h.sockets, Handshake: h.cfg.ConnectTimeout,
		Unary: !h.cfg.PluginStreams, Procs: h.cfg.PluginProcs, Logger: h.logger})
}

// launch starts the plugins and wires them into r.
func (h *Host) launch(r *router) error {
	var err error
	if h.primary, err = h.startPlugin("TOURNEY_PRIMARY", h.cfg.Primary, h.cfg.PrimarySHA256); err != nil {
		return err
	}
	r.primaryName = h.primary.Name()
	r.primary = h.primary.Backend
	switch {
	case h.cfg.Fallback == config.FallbackMemory && h.primary.Name() != "memory":
		if h.fallback, err = h.startPlugin("TOURNEY_FALLBACK", "memory", h.cfg.FallbackSHA256); err != nil {
			h.primary.Close()
			return err
		}
		r.fallbackName = "memory"
		r.fallback = func(ctx context.Context) (shared.Backend, error) {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			return h.fallback.Backend(ctx)
		}
		r.fallbackGen = h.fallback.Generation
	case h.cfg.Fallback == config.FallbackReadonly:
		h.readonly(r)
	}
	return nil
}

// readonly makes r serve reads from the snapshot cache and refuse writes.
func (h *Host) readonly(r *router) {
	ro := newSnapshotReader(h.cache)
	r.fallbackName, r.readonly = "readonly", true
	r.fallback = func(context.Context) (shared.Backend, error) { return ro, nil }
}

// Close stops the prober and the sweeper and kills every plugin process.
// It is safe to call more than once.
func (h *Host) Close() error {
	h.once.Do(func() {
		close(h.stop)
		if h.cancel != nil {
			h.cancel()
		}
		h.wg.Wait()
		h.closeStores()
	})
	return nil
}

// closeStores kills the plugins and closes the data directory.
func (h *Host) closeStores() {
	h.closePlugins()
	if h.data != nil {
		_ = h.data.Close()
	}
}

func (h *Host) closePlugins() {
	for _, s := range []*plugins.Supervisor{h.primary, h.fallback} {
		if s != nil {
			s.Close()
		}
	}
	if h.sockets != "" {
		_ = os.RemoveAll(h.sockets)
	}
}

// call runs fn, bounded by OPERATION_TIMEOUT, on the backend that serves.
func (h *Host) call(ctx context.Context, c call, fn callFunc) error {
	return h.router.do(ctx, c, fn)
}

func (h *Host) mutate(ctx context.Context, c call,
	fn func(ctx context.Context, b shared.Backend) (shared.Change, error)) (*tournament.Tournament, error) {
	c.write = true
	var ch shared.Change
	err := h.call(ctx, c, func(ctx context.Context, b shared.Backend) (result, error) {
		var err error
		if ch, err = fn(ctx, b); err != nil {
			return result{}, err
		}
		res := result{changed: len(ch.Events) > 0}
		if ch.Tournament != nil {
			res.snaps = []*tournament.Tournament{ch.Tournament}
		}
		for _, ev := range ch.Events {
			if ev.Type == tournament.EventTournamentRemoved {
				res.removed, res.version = ev.TournamentID, ev.Version-1
			}
		}
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	for _, ev := range ch.Events {
		h.logger.Debug("event", "type", ev.Type, "tournament", ev.TournamentID, "version", ev.Version, "game", ev.GameID)
	}
	h.hooks.Publish(ch.Events)
	recordChange(ctx, ch.Tournament, ch.Events)
	return ch.Tournament, nil
}

func (h *Host) apply(ctx context.Context, id int64, cmd tournament.Command) (*tournament.Tournament, error) {
	op := newWriteID() // names the change on the primary (see router.uncertain)
	return h.mutate(ctx, call{id: id, cmd: cmd, op: op}, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Apply(ctx, shared.ApplyRequest{Actor: ActorFrom(ctx), TournamentID: id, Command: cmd, OpID: op})
	})
}

// CreateTournament creates a pending tournament.
func (h *Host) CreateTournament(ctx context.Context, p tournament.CreateParams) (*tournament.Tournament, error) {
	if p.TTLProfile == "" {
		f := p.Format
		if f == "" {
			f = tournament.SingleElimination
		}
		p.TTLProfile = h.cfg.FormatProfiles[string(f)] // the format's default profile, if any
	}
	if _, ok := h.cfg.TTLs(p.TTLProfile); !ok {
		return nil, h.cfg.UnknownTTLProfile(p.TTLProfile)
	}
	return h.mutate(ctx, call{id: p.ID, create: &p}, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
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

// Record records a game's result as given: winner, loser, forfeit and
// scores (see tournament.RegisterResult).
func (h *Host) Record(ctx context.Context, id int64, res tournament.RegisterResult) (*tournament.Tournament, error) {
	return h.apply(ctx, id, res)
}

// Forfeit records a walkover: winnerID wins because the opponent did not
// play; winnerID 0 is a double forfeit (neither played, neither advances).
func (h *Host) Forfeit(ctx context.Context, id, gameID, winnerID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.RegisterResult{GameID: gameID, WinnerID: winnerID, Forfeit: true})
}

// Disqualify removes a player from an active tournament (see
// tournament.Disqualify); RemovePlayer of an active tournament is the
// player's own withdrawal, with the same effect.
func (h *Host) Disqualify(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.Disqualify{UserID: userID})
}

// CheckIn records that a registered player is present (tournaments with
// check-in; see tournament.CheckIn).
func (h *Host) CheckIn(ctx context.Context, id, userID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.CheckIn{UserID: userID})
}

// CallGame records that the organiser sent a game's players to play; its
// deadline counts from now.
func (h *Host) CallGame(ctx context.Context, id, gameID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.CallGame{GameID: gameID})
}

// StartGame records that a game's players began to play.
func (h *Host) StartGame(ctx context.Context, id, gameID int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.StartGame{GameID: gameID})
}

// CorrectResult changes the winner of a decided game (see
// tournament.CorrectResult) and returns the new state and what the
// correction did. expectedVersion (0 = any) must be the tournament's
// version, else the call is failed_precondition: pass the version a
// preview was computed on. The impact is computed against the state the
// correction applied to exactly.
func (h *Host) CorrectResult(ctx context.Context, id int64, cmd tournament.CorrectResult) (*tournament.Tournament,
	tournament.Impact, error) {
	expectedVersion, gameID := cmd.ExpectedVersion, cmd.GameID
	for attempt := 0; ; attempt++ {
		before, err := h.GetTournament(ctx, id)
		if err != nil {
			return nil, tournament.Impact{}, err
		}
		exp := expectedVersion
		if exp == 0 {
			exp = before.Version // the impact must be the one of this state
		}
		var rec ChangeRecord
		c := cmd
		c.ExpectedVersion = exp
		after, err := h.apply(RecordChange(ctx, &rec), id, c)
		if err != nil && expectedVersion == 0 && attempt < 3 && errors.Is(err, tournament.ErrFailedPrecondition) {
			if t, gerr := h.GetTournament(ctx, id); gerr == nil && t.Version != before.Version {
				continue // it moved on between our read and the correction
			}
		}
		if err != nil {
			return nil, tournament.Impact{}, err
		}
		recordChange(ctx, after, rec.Events)
		return after, tournament.ImpactOf(before, after, rec.Events, gameID), nil
	}
}

// PreviewCorrection answers what CorrectResult would do now, changing
// nothing (a dry run); the impact's version is the one to pass to
// CorrectResult.
func (h *Host) PreviewCorrection(ctx context.Context, id int64, cmd tournament.CorrectResult) (tournament.Impact, error) {
	t, err := h.GetTournament(ctx, id)
	if err != nil {
		return tournament.Impact{}, err
	}
	cmd.ExpectedVersion = 0
	return tournament.PreviewCorrection(t, cmd,
		tournament.Env{Now: time.Now().UTC(), GameTimeout: h.cfg.GameTimeout})
}

// EndTournament ends an active tournament now (see tournament.EndTournament).
func (h *Host) EndTournament(ctx context.Context, id int64) (*tournament.Tournament, error) {
	return h.apply(ctx, id, tournament.EndTournament{})
}

// GetTournament returns a tournament's current state.
func (h *Host) GetTournament(ctx context.Context, id int64) (*tournament.Tournament, error) {
	var t *tournament.Tournament
	err := h.call(ctx, call{id: id}, func(ctx context.Context, b shared.Backend) (res result, err error) {
		if t, err = b.Get(ctx, id); err == nil {
			res.snaps = []*tournament.Tournament{t}
		}
		return res, err
	})
	return t, err
}

// Standings returns the tournament's standings: final once it is
// completed, as things stand while it is active (see
// tournament.Tournament.Standings).
func (h *Host) Standings(ctx context.Context, id int64) (tournament.Standings, error) {
	t, err := h.GetTournament(ctx, id)
	if err != nil {
		return tournament.Standings{}, err
	}
	return t.Standings(), nil
}

// ListTournaments returns the pending and active tournaments.
func (h *Host) ListTournaments(ctx context.Context) ([]tournament.Summary, error) {
	var list []tournament.Summary
	err := h.call(ctx, call{all: true}, func(ctx context.Context, b shared.Backend) (_ result, err error) {
		list, err = b.List(ctx)
		return result{}, err
	})
	if list == nil && err == nil {
		list = []tournament.Summary{}
	}
	return list, err
}

// PlayerTournaments returns the pending and active tournaments player
// userID is in, from the backend's player index (or, from a plugin built
// without one, by looking through the live tournaments).
func (h *Host) PlayerTournaments(ctx context.Context, userID int64) ([]tournament.Summary, error) {
	if userID <= 0 || userID > tournament.MaxID {
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "user_id must be an integer from 1 to %d, got %d",
			int64(tournament.MaxID), userID)
	}
	var list []tournament.Summary
	err := h.call(ctx, call{all: true}, func(ctx context.Context, b shared.Backend) (_ result, err error) {
		if idx, ok := shared.PlayerIndexOf(b); ok {
			if list, err = idx.PlayerTournaments(ctx, userID); !errors.Is(err, shared.ErrNoPlayerIndex) {
				return result{}, err
			}
		}
		all, err := b.List(ctx)
		if err != nil {
			return result{}, err
		}
		list = nil
		for _, s := range all {
			t, err := b.Get(ctx, s.ID)
			if errors.Is(err, tournament.ErrNotFound) {
				continue
			}
			if err != nil {
				return result{}, err
			}
			if t.Live() && slices.Contains(t.Players, userID) {
				list = append(list, t.Summary())
			}
		}
		return result{}, nil
	})
	if list == nil && err == nil {
		list = []tournament.Summary{}
	}
	return list, err
}

// RemoveTournament deletes a tournament.
func (h *Host) RemoveTournament(ctx context.Context, id int64) error {
	_, err := h.mutate(ctx, call{id: id, remove: true}, func(ctx context.Context, b shared.Backend) (shared.Change, error) {
		return b.Remove(ctx, shared.RemoveRequest{Actor: ActorFrom(ctx), ID: id})
	})
	return err
}

// Export calls yield with every stored tournament.
func (h *Host) Export(ctx context.Context, yield func(*tournament.Tournament) error) error {
	return h.call(ctx, call{all: true}, func(ctx context.Context, b shared.Backend) (result, error) {
		return result{}, b.Export(ctx, yield)
	})
}

// Import stores snapshots (replacing tournaments with the same ids) and
// returns how many it stored; one invalid snapshot stores none. Import is
// a write the primary alone takes: it is refused (unavailable) while the
// host is on the fallback, never acknowledged where failback could lose it.
func (h *Host) Import(ctx context.Context, snaps []*tournament.Tournament) (int, error) {
	var n int
	err := h.call(ctx, call{write: true, primary: true}, func(ctx context.Context, b shared.Backend) (res result, err error) {
		n, err = b.Import(ctx, snaps)
		if err == nil {
			res.snaps = snaps
		}
		return res, err
	})
	return n, err
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
	st := Status{Breaker: r.cb.State().String(), Plugins: []PluginInfo{}, Failover: r.stats()}
	for _, s := range []*plugins.Supervisor{h.primary, h.fallback} {
		if s != nil {
			st.Plugins = append(st.Plugins, s.Info())
		}
	}
	if r.state() == statePrimary {
		st.Backend = r.primaryName
		res, _ := r.lastProbe.Load().(probeResult)
		st.Ready, st.Health = res.err == nil, res.detail
		if res.err != nil {
			st.Health = res.err.Error()
		}
		return st
	}
	st.Backend = r.fallbackName
	if r.fallback == nil {
		st.Backend, st.Health = "none", r.unavailable().Error()
		return st
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	b, err := r.fallback(ctx)
	if err == nil {
		var rep shared.HealthReport
		rep, err = b.Health(ctx)
		st.Health = rep.Detail
	}
	st.Ready = err == nil
	if err != nil {
		st.Health = err.Error()
	}
	return st
}

// FailoverEvents returns a channel of the host's failover transitions
// (primary, fallback, failing_back) from now until ctx is done; it is
// buffered, and a reader that falls far behind misses transitions rather
// than holding them up. Status lists the latest ones.
func (h *Host) FailoverEvents(ctx context.Context) <-chan Transition {
	return h.router.watch(ctx)
}

// Conflicts returns the recorded conflicts of tournament id, newest first.
func (h *Host) Conflicts(ctx context.Context, id int64) ([]shared.Conflict, error) {
	var out []shared.Conflict
	err := h.call(ctx, call{id: id}, func(ctx context.Context, b shared.Backend) (_ result, err error) {
		rc, ok := shared.ReconcilerOf(b)
		if !ok {
			return result{}, nil // a backend that takes no write-back records no conflicts
		}
		out, err = rc.Conflicts(ctx, id)
		return result{}, err
	})
	if out == nil && err == nil {
		out = []shared.Conflict{}
	}
	return out, err
}

type globalRand struct{}

func (globalRand) IntN(n int) int { return rand.IntN(n) }
