package redis

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/hashicorp/go-hclog"
	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// Backend is the Redis backend. It is safe for concurrent use, by any
// number of processes sharing one Redis.
type Backend struct {
	rdb     goredis.UniversalClient
	keys    keyspace
	opts    Options
	limiter *redis_rate.Limiter
	logger  hclog.Logger

	orphans orphanLocks

	sortDenied atomic.Bool // the ACL user may not SORT ... GET: List uses list.lua
	// keyEventsNoted: the reason keyspace notifications are not used was logged.
	keyEventsNoted atomic.Bool

	scan      *keyScan           // the key scan under way and the last complete one
	stopWatch context.CancelFunc // ends watchChanges
	states    *stateCache        // decoded states by revision: a current copy is not read again
	frags     *gameFragments     // games' JSON: a write encodes only the games that changed
}

var _ shared.Backend = (*Backend)(nil)

// orphanLocks are locks this process may hold without knowing: an acquire
// or release whose reply was lost. Health releases them once Redis answers
// again, instead of leaving the tournament locked for LOCK_TIMEOUT.
type orphanLocks struct {
	mu      sync.Mutex
	byToken map[string]int64 // token -> tournament id
}

// New returns a backend over rdb. It does not contact Redis, except with
// ReadCache on, to subscribe to changes in the background.
func New(rdb goredis.UniversalClient, opts Options) *Backend {
	d := config.Default()
	def := func(v *time.Duration, dv time.Duration) {
		if *v <= 0 {
			*v = dv
		}
	}
	def(&opts.TournamentTTL, d.Store.TournamentTTL)
	def(&opts.ActiveGamesTTL, d.Store.ActiveGamesTTL)
	def(&opts.RoundDataTTL, d.Store.RoundDataTTL)
	def(&opts.BracketTTL, d.Store.BracketTTL)
	def(&opts.LockTimeout, d.Redis.LockTimeout)
	def(&opts.OperationTimeout, d.Store.OperationTimeout)
	def(&opts.GameTimeout, d.Store.GameTimeout)
	if opts.EventsMaxLen <= 0 {
		opts.EventsMaxLen = 1000
	}
	if opts.RateBurst <= 0 {
		opts.RateBurst = opts.RateLimit
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.Subscriber == nil {
		opts.Subscriber = rdb
	}
	b := &Backend{rdb: rdb, keys: keyspace{opts.KeyPrefix}, opts: opts, limiter: redis_rate.NewLimiter(rateKeys{rdb, opts.KeyPrefix}),
		logger: opts.Logger, orphans: orphanLocks{byToken: map[string]int64{}}, frags: newGameFragments(), scan: newKeyScan()}
	b.states = newStateCache(func(t *tournament.Tournament) time.Duration { return b.ttls(t).Tournament })
	ctx, cancel := context.WithCancel(context.Background())
	b.stopWatch = cancel
	if opts.ReadCache {
		go b.watchChanges(ctx) // subscribes in the background; until then Gets ask Redis
	}
	return b
}

// Close stops the change subscription and closes the Redis clients.
func (b *Backend) Close() error {
	b.stopWatch()
	if b.opts.Subscriber != b.rdb {
		_ = b.opts.Subscriber.Close()
	}
	return b.rdb.Close()
}

func (b *Backend) env() tournament.Env {
	return tournament.Env{Now: time.Now().UTC(), Rand: tournament.SystemRand, GameTimeout: b.opts.GameTimeout}
}

// bound applies OPERATION_TIMEOUT on the plugin side too.
func (b *Backend) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.opts.OperationTimeout)
}

// redisErr classifies a Redis error. Only "cannot reach the store" is
// unavailable (the host fails over on it): a network error, a timeout, or a
// server that cannot serve yet (LOADING, MASTERDOWN, CLUSTERDOWN, TRYAGAIN,
// READONLY after a failover). A full store (OOM at maxmemory) is
// unavailable with ReasonStoreFull: the write is refused and the host stays.
// Any other reply error is internal: a misconfiguration (NOAUTH, WRONGPASS,
// NOPERM) or a bug (a script error); failing over would not fix it and
// would split the hosts' state. The caller's own cancellation stays as is.
func redisErr(err error) error {
	if err == nil {
		return nil
	}
	var de *tournament.Error
	if errors.As(err, &de) || errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return tournament.Errorf(tournament.CodeUnavailable, "redis did not answer in time")
	}
	var reply goredis.Error
	if !errors.As(err, &reply) {
		// Name the failure, not the socket: no addresses reach clients.
		var op *net.OpError
		switch {
		case errors.As(err, &op) && op.Err != nil:
			return tournament.Errorf(tournament.CodeUnavailable, "redis is unreachable: %s", op.Err.Error())
		case errors.Is(err, io.EOF):
			return tournament.Errorf(tournament.CodeUnavailable, "redis is unreachable: connection closed")
		case errors.Is(err, goredis.ErrPoolTimeout):
			return tournament.Errorf(tournament.CodeUnavailable, "redis is unreachable: no free connection in the pool")
		}
		return tournament.Errorf(tournament.CodeUnavailable, "redis is unreachable")
	}
	msg := reply.Error()
	switch {
	case goredis.IsOOMError(err) || strings.Contains(msg, "OOM command not allowed"):
		return &tournament.Error{Code: tournament.CodeUnavailable, Reason: shared.ReasonStoreFull, RetryAfter: time.Second,
			Message: "redis is out of memory (maxmemory reached) and refuses writes; nothing was written: " + msg}
	case goredis.IsAuthError(err) || goredis.IsPermissionError(err) || strings.Contains(msg, "NOPERM"):
		return tournament.Errorf(tournament.CodeInternal,
			"redis refused the call (check REDIS_PASSWORD, the ACL user and its permissions): %s", msg)
	case goredis.IsLoadingError(err), goredis.IsMasterDownError(err), goredis.IsClusterDownError(err),
		goredis.IsTryAgainError(err), goredis.IsReadOnlyError(err), goredis.IsMaxClientsError(err),
		strings.HasPrefix(msg, "NOREPLICAS"): // the master's min-replicas-to-write: it refuses writes it cannot replicate
		return tournament.Errorf(tournament.CodeUnavailable, "redis cannot serve now: %s", msg)
	}
	return tournament.Errorf(tournament.CodeInternal, "redis: %s", msg)
}

func notFound(id int64) error {
	return tournament.Errorf(tournament.CodeNotFound, "tournament %d not found", id)
}

// replicated queues, when replica acknowledgement is on, a WAIT after the
// write commands queued before it on p (same connection, same round trip);
// acked then checks its answer.
func (b *Backend) replicated(ctx context.Context, p goredis.Pipeliner) *goredis.Cmd {
	if b.opts.MinReplicas <= 0 {
		return nil
	}
	return p.Do(ctx, "WAIT", b.opts.MinReplicas, b.opts.ReplicaTimeout.Milliseconds())
}

// runReplicated runs script, and with replica acknowledgement WAIT after
// it in the same round trip (wait is nil when that is off); cmd's own
// error is the script's.
func (b *Backend) runReplicated(ctx context.Context, script *goredis.Script, keys []string,
	args ...any) (cmd, wait *goredis.Cmd, err error) {
	if b.opts.MinReplicas <= 0 {
		return script.Run(ctx, b.rdb, keys, args...), nil, nil
	}
	if _, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		cmd = script.EvalSha(ctx, p, keys, args...)
		wait = b.replicated(ctx, p)
	}); err != nil && cmd.Err() != nil {
		return cmd, nil, err
	}
	return cmd, wait, nil
}

// acked is nil when wait (from replicated) says enough replicas have the
// write, else unavailable: Redis took the write, but it may not survive a
// failover, so it is not acknowledged (and it may have happened: no
// not_applied).
func (b *Backend) acked(wait *goredis.Cmd) error {
	if wait == nil {
		return nil
	}
	n, err := wait.Int()
	if err != nil {
		return redisErr(err)
	}
	if int(n) < b.opts.MinReplicas {
		return tournament.Errorf(tournament.CodeUnavailable,
			"redis took the write but %d of the %d replicas asked for (TOURNEY_REDIS_MIN_REPLICAS) confirmed it within %v; it may have happened",
			n, b.opts.MinReplicas, b.opts.ReplicaTimeout)
	}
	return nil
}

// pipelined runs fn's commands in one round trip. After a Redis restart has
// emptied the script cache, it loads the scripts and tries once more.
func (b *Backend) pipelined(ctx context.Context, fn func(p goredis.Pipeliner)) ([]goredis.Cmder, error) {
	run := func(p goredis.Pipeliner) error { fn(p); return nil }
	cmds, err := b.rdb.Pipelined(ctx, run)
	if err != nil && goredis.HasErrorPrefix(err, "NOSCRIPT") {
		if err := b.LoadScripts(ctx); err != nil {
			return nil, err
		}
		cmds, err = b.rdb.Pipelined(ctx, run)
	}
	if errors.Is(err, goredis.Nil) {
		err = nil
	}
	return cmds, err
}

// LoadScripts loads every script into Redis's script cache (on every
// master of a cluster).
func (b *Backend) LoadScripts(ctx context.Context) error {
	for _, s := range allScripts {
		if err := s.Load(ctx, b.rdb).Err(); err != nil {
			return redisErr(err)
		}
	}
	return nil
}
