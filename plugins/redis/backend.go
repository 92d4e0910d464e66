package redis

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/hashicorp/go-hclog"
	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/shared/tournament"
)

// Backend is the Redis backend. It is safe for concurrent use, by any
// number of processes sharing one Redis.
type Backend struct {
	rdb     goredis.UniversalClient
	keys    keyspace
	opts    Options
	limiter *redis_rate.Limiter
	logger  hclog.Logger

	// orphans are locks this process may hold without knowing: an acquire
	// or release whose reply was lost. Health releases them once Redis
	// answers again, instead of leaving the tournament locked for
	// LOCK_TIMEOUT.
	orphanMu sync.Mutex
	orphans  map[string]int64 // token -> tournament id

	sortDenied atomic.Bool // the ACL user may not SORT ... GET: List uses list.lua

	scan      *keyScan           // the key scan under way and the last complete one
	stopWatch context.CancelFunc // ends watchChanges
	states    *stateCache        // decoded states by revision: a current copy is not read again
	frags     *gameFragments     // games' JSON: a write encodes only the games that changed
}

var _ shared.Backend = (*Backend)(nil)

// New returns a backend over rdb. It does not contact Redis, except with
// ReadCache on, to subscribe to changes in the background.
func New(rdb goredis.UniversalClient, opts Options) *Backend {
	d := config.Default()
	def := func(v *time.Duration, dv time.Duration) {
		if *v <= 0 {
			*v = dv
		}
	}
	def(&opts.TournamentTTL, d.TournamentTTL)
	def(&opts.ActiveGamesTTL, d.ActiveGamesTTL)
	def(&opts.RoundDataTTL, d.RoundDataTTL)
	def(&opts.BracketTTL, d.BracketTTL)
	def(&opts.LockTimeout, d.LockTimeout)
	def(&opts.OperationTimeout, d.OperationTimeout)
	def(&opts.GameTimeout, d.GameTimeout)
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
		logger: opts.Logger, orphans: map[string]int64{}, states: newStateCache(), frags: newGameFragments(), scan: newKeyScan()}
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

type sharedRand struct{}

func (sharedRand) IntN(n int) int { return mrand.IntN(n) }

func (b *Backend) env() tournament.Env {
	return tournament.Env{Now: time.Now().UTC(), Rand: sharedRand{}, GameTimeout: b.opts.GameTimeout}
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
		return &tournament.Error{Code: tournament.CodeUnavailable, Reason: tournament.ReasonStoreFull, RetryAfter: time.Second,
			Message: "redis is out of memory (maxmemory reached) and refuses writes; nothing was written: " + msg}
	case goredis.IsAuthError(err) || goredis.IsPermissionError(err) || strings.Contains(msg, "NOPERM"):
		return tournament.Errorf(tournament.CodeInternal, "redis refused the call (check REDIS_PASSWORD, the ACL user and its permissions): %s", msg)
	case goredis.IsLoadingError(err), goredis.IsMasterDownError(err), goredis.IsClusterDownError(err),
		goredis.IsTryAgainError(err), goredis.IsReadOnlyError(err), goredis.IsMaxClientsError(err):
		return tournament.Errorf(tournament.CodeUnavailable, "redis cannot serve now: %s", msg)
	}
	return tournament.Errorf(tournament.CodeInternal, "redis: %s", msg)
}

func notFound(id int64) error {
	return tournament.Errorf(tournament.CodeNotFound, "tournament %d not found", id)
}

// admit applies the per-actor rate limits (GCRA, redis_rate, shared by
// every host): TOURNEY_RATE_LIMIT over every mutating call, then the
// operation's own limit from TOURNEY_RATE_LIMITS; each costs a round trip
// when set. With Redis down the call fails as unavailable, like the
// operation it guards would.
func (b *Backend) admit(ctx context.Context, actor, op string) error {
	if actor == "" {
		return nil
	}
	check := func(key string, rate, burst int, what string) error {
		if rate <= 0 {
			return nil
		}
		res, err := b.limiter.Allow(ctx, key, redis_rate.Limit{Rate: rate, Burst: max(burst, rate), Period: time.Second})
		if err != nil {
			return redisErr(err)
		}
		if res.Allowed == 0 {
			return &tournament.Error{Code: tournament.CodeRateLimited, RetryAfter: res.RetryAfter,
				Message: fmt.Sprintf("rate limit of %d %s per second exceeded for actor %q; retry after %v", rate, what, actor, res.RetryAfter.Round(time.Millisecond))}
		}
		return nil
	}
	if err := check("actor:"+actor, b.opts.RateLimit, b.opts.RateBurst, "calls"); err != nil {
		return err
	}
	return check("actor:"+actor+":"+op, b.opts.RateLimits[op], 0, op+" calls")
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

// Create implements shared.Backend: one round trip (the create script and
// SADD to active_tournaments, pipelined).
func (b *Backend) Create(ctx context.Context, req shared.CreateRequest) (shared.Change, error) {
	const op = "create"
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if err := b.admit(ctx, req.Actor, op); err != nil {
		return shared.Change{}, err
	}
	if p := req.Params.TTLProfile; p != "" {
		if _, ok := b.opts.TTLProfiles[p]; !ok {
			return shared.Change{}, config.Config{TTLProfiles: b.opts.TTLProfiles}.UnknownTTLProfile(p)
		}
	}
	t, evs, err := tournament.New(req.Params, b.env())
	if err != nil {
		return shared.Change{}, err
	}
	var created *goredis.Cmd
	var createdRev string
	seq, epoch := b.states.token()
	_, err = b.pipelined(ctx, func(p goredis.Pipeliner) {
		head, tail, rev := b.recordArgs(t, nil, 1, evs)
		createdRev = rev
		created = createScript.EvalSha(ctx, p, append(b.keys.record(t.ID), b.keys.tombstone(t.ID)), append(head, tail...)...)
		p.SAdd(ctx, b.keys.active(), t.ID) // harmless when the id is taken: it is live then
	})
	if err != nil {
		return shared.Change{}, redisErr(err)
	}
	if n, _ := created.Int(); n == 0 {
		return shared.Change{}, tournament.Errorf(tournament.CodeAlreadyExists, "tournament %d already exists", t.ID)
	}
	b.states.putRead(t.ID, createdRev, t, seq, epoch)
	return shared.Change{Tournament: t, Events: evs}, nil
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// acquire takes tournament id's lock and returns its state. While another
// holder has the lock it backs off (1 ms doubling to 32 ms, with jitter, never
// past the lock's remaining life) until ctx ends, then reports aborted.
func (b *Backend) acquire(ctx context.Context, id int64, token string) (*tournament.Tournament, error) {
	keys := []string{b.keys.lock(id), b.keys.tournament(id), b.keys.record(id)[3]}
	start, delay, contended := time.Now(), time.Millisecond, false
	busy := func() error {
		return tournament.Errorf(tournament.CodeAborted, "tournament %d is locked by another writer (waited %v); retry", id, time.Since(start).Round(time.Millisecond))
	}
	for {
		cached := b.states.lookup(id)
		res, err := acquireScript.Run(ctx, b.rdb, keys, token, b.opts.LockTimeout.Milliseconds(), cached.rev).Slice()
		if err != nil {
			b.orphan(id, token) // the lock may have been taken though the reply was lost
			if contended && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, busy()
			}
			return nil, redisErr(err)
		}
		switch code, _ := res[0].(int64); code {
		case 1:
			t, _, err := b.states.decode(id, cached, res)
			if err != nil {
				b.release(id, token)
				return nil, err
			}
			return t, nil
		case 2:
			return nil, notFound(id)
		}
		contended = true
		wait := delay/2 + time.Duration(mrand.Int64N(int64(delay)))
		if pttl, _ := res[1].(int64); pttl > 0 {
			wait = min(wait, time.Duration(pttl)*time.Millisecond)
		}
		delay = min(2*delay, 32*time.Millisecond)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+50*time.Millisecond {
			return nil, busy() // answer before the caller's deadline does
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil, ctx.Err()
			}
			return nil, busy()
		case <-time.After(wait):
		}
	}
}

// release gives the lock back (even when the caller's context is done).
func (b *Backend) release(id int64, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if err := releaseScript.Run(ctx, b.rdb, []string{b.keys.lock(id)}, token).Err(); err != nil {
		b.logger.Warn("releasing a lock failed; retrying when Redis answers", "tournament", id, "error", err)
		b.orphan(id, token)
	}
}

func (b *Backend) orphan(id int64, token string) {
	b.orphanMu.Lock()
	b.orphans[token] = id
	b.orphanMu.Unlock()
}

// releaseOrphans releases the locks this process may hold unknowingly.
// Each release compares the token first, so a lock since taken by another
// holder is left alone.
func (b *Backend) releaseOrphans(ctx context.Context) {
	b.orphanMu.Lock()
	orphans := b.orphans
	b.orphans = map[string]int64{}
	b.orphanMu.Unlock()
	if len(orphans) == 0 {
		return
	}
	cmds := map[string]*goredis.Cmd{}
	_, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		for token, id := range orphans {
			cmds[token] = releaseScript.EvalSha(ctx, p, []string{b.keys.lock(id)}, token)
		}
	})
	for token, c := range cmds {
		id := orphans[token]
		if err != nil || c.Err() != nil {
			b.orphan(id, token)
		} else if n, _ := c.Int(); n == 1 {
			b.logger.Info("released a lock left by a lost reply", "tournament", id)
		}
	}
}

// Apply implements shared.Backend: one round trip when the plugin's copy is
// current (applyOneTrip), else two (acquire + read, then the fenced
// commit), plus SREM when the change completes the tournament.
func (b *Backend) Apply(ctx context.Context, req shared.ApplyRequest) (shared.Change, error) {
	op := ""
	if req.Command != nil {
		op = req.Command.Name()
	}
	if req.Command == nil {
		return shared.Change{}, tournament.Errorf(tournament.CodeInvalidArgument, "no command given")
	}
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if err := b.admit(ctx, req.Actor, op); err != nil {
		return shared.Change{}, err
	}
	id, token := req.TournamentID, newToken()
	seq, epoch := b.states.token()
	if c, ok, err := b.applyOneTrip(ctx, id, req.Command, token, seq, epoch); ok || err != nil {
		return c, err
	}
	t, err := b.acquire(ctx, id, token)
	if err != nil {
		return shared.Change{}, err
	}
	next, evs, err := tournament.Apply(t, req.Command, b.env())
	if err != nil || len(evs) == 0 {
		b.release(id, token)
		if err != nil {
			return shared.Change{}, err
		}
		return shared.Change{Tournament: next, PriorVersion: t.Version, PriorUpdatedAt: t.UpdatedAt}, nil
	}
	if b.opts.BeforeCommit != nil {
		b.opts.BeforeCommit(id)
	}
	res, rev, err := b.writeChange(ctx, commitScript, t, next, evs, token, strconv.FormatInt(t.Version, 10))
	if err != nil {
		b.release(id, token) // a no-op when the commit went through (it released the lock)
		return shared.Change{}, redisErr(err)
	}
	switch res {
	case 1, 2:
		b.states.putRead(id, rev, next, seq, epoch)
	case 0:
		return shared.Change{}, tournament.Errorf(tournament.CodeAborted,
			"tournament %d: the lock expired before the write (LOCK_TIMEOUT %v); nothing was written; retry", id, b.opts.LockTimeout)
	case -1:
		return shared.Change{}, tournament.Errorf(tournament.CodeAborted, "tournament %d changed while the command ran; nothing was written; retry", id)
	}
	return b.written(ctx, t, next, evs), nil
}

// applyOneTrip applies cmd to the state this plugin holds of id, when it
// holds one, and writes the change in one round trip if that state is still
// the stored one and nobody holds the lock (cas.lua). ok is false when the
// locked path must run instead: no copy, a copy that is not current, a
// held lock, or a command the copy refuses or finds already done (a
// refusal or a no-op is only trusted when read under the lock).
func (b *Backend) applyOneTrip(ctx context.Context, id int64, cmd tournament.Command, token string, seq, epoch uint64) (shared.Change, bool, error) {
	cached := b.states.lookup(id)
	if b.opts.LockEveryChange || cached.t == nil {
		return shared.Change{}, false, nil
	}
	t := cached.t
	next, evs, err := tournament.Apply(t, cmd, b.env())
	if err != nil || len(evs) == 0 {
		return shared.Change{}, false, nil
	}
	if b.opts.BeforeCommit != nil {
		b.opts.BeforeCommit(id)
	}
	res, rev, err := b.writeChange(ctx, casScript, t, next, evs, token, cached.rev)
	if err != nil {
		return shared.Change{}, false, redisErr(err)
	}
	if res == 0 {
		return shared.Change{}, false, nil
	}
	b.states.putRead(id, rev, next, seq, epoch)
	return b.written(ctx, t, next, evs), true, nil
}

// writeChange runs script (commit.lua, or cas.lua) to write the change from
// t to next; expect is what the script checks the stored record against
// (the version under the lock, or the copy's revision). It returns the
// script's answer and the new revision.
func (b *Backend) writeChange(ctx context.Context, script *goredis.Script, t, next *tournament.Tournament, evs []tournament.Event, token, expect string) (int, string, error) {
	keys := append(b.keys.record(t.ID), b.keys.lock(t.ID))
	extra := []string{"last_token", token}
	add, rem := playerOps(evs)
	if len(add)+len(rem) > 0 && !b.singleNode() {
		// A cluster keeps the index in the players' slots: joins are
		// indexed before the change is written (an index entry without the
		// join is dropped on read), leaves after it, without delaying the
		// reply (a stale entry is dropped on read too).
		if err := b.indexPlayers(ctx, next, add, nil); err != nil {
			return 0, "", err
		}
		defer func() {
			if len(rem) > 0 {
				go b.indexPlayers(context.WithoutCancel(ctx), next, nil, rem)
			}
		}()
	}
	if len(add)+len(rem) > 0 && b.singleNode() {
		// On one Redis the player index is written by the same script (its
		// keys follow the script's own); a cluster keeps it apart.
		first := len(keys) + 1
		for _, u := range append(add, rem...) {
			keys = append(keys, b.keys.player(u))
		}
		extra = append(extra, playerIndexField, fmt.Sprintf("%d,%d,%d", next.ID, first, len(add)))
	}
	head, tail, rev := b.recordArgs(next, t, firstTouched(t, evs), evs, extra...)
	res, err := script.Run(ctx, b.rdb, keys, append(append(head, token, expect), tail...)...).Int()
	return res, rev, err
}

// firstTouched is the first round a change from t may have modified: every
// change to a round emits an event naming it (a result, a timeout, a
// warning, a new round), and with several rounds open at once (double
// elimination, a third-place match) that may be before the current one.
func firstTouched(t *tournament.Tournament, evs []tournament.Event) int {
	first := max(t.CurrentRound, 1)
	for i := range evs {
		if r := evs[i].Round; r > 0 && r < first {
			first = r
		}
	}
	return first
}

// written finishes a change written over t: a tournament it completed
// leaves active_tournaments (one more round trip; housekeeping repairs a
// failure), and the change is returned.
func (b *Backend) written(ctx context.Context, t, next *tournament.Tournament, evs []tournament.Event) shared.Change {
	if !next.Live() && t.Live() {
		if err := b.rdb.SRem(ctx, b.keys.active(), t.ID).Err(); err != nil {
			b.logger.Warn("removing a finished tournament from active_tournaments failed; housekeeping will", "tournament", t.ID, "error", err)
		}
	}
	return shared.Change{Tournament: next, Events: evs, PriorVersion: t.Version, PriorUpdatedAt: t.UpdatedAt}
}

// Get implements shared.Backend: one round trip.
func (b *Backend) Get(ctx context.Context, id int64) (*tournament.Tournament, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if b.opts.ReadCache {
		if t := b.states.fresh(id); t != nil {
			return t, nil // no change announced since it was read or written here
		}
	}
	seq, epoch := b.states.token()
	cached := b.states.lookup(id)
	res, err := getScript.Run(ctx, b.rdb, []string{b.keys.tournament(id), b.keys.record(id)[3]}, cached.rev).Slice()
	if err != nil {
		return nil, redisErr(err)
	}
	if code, _ := res[0].(int64); code == 2 {
		b.states.forget(id)
		return nil, notFound(id)
	}
	t, rev, err := b.states.decode(id, cached, res)
	if err == nil {
		b.states.putRead(id, rev, t, seq, epoch)
	}
	return t, err
}

// activeIDs returns the ids in active_tournaments, sorted.
func (b *Backend) activeIDs(ctx context.Context) ([]int64, error) {
	members, err := b.rdb.SMembers(ctx, b.keys.active()).Result()
	if err != nil {
		return nil, redisErr(err)
	}
	ids := make([]int64, 0, len(members))
	for _, m := range members {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// List implements shared.Backend. On a single Redis it is one round trip:
// SORT active_tournaments BY nosort GET each summary field, the fastest
// form; an ACL user limited to the key prefix may not run SORT with GET
// patterns (they need access to every key), so after one NOPERM the
// backend uses list.lua, which reads the same fields by name from inside a
// script. A cluster forbids both cross-slot forms, so there it takes two
// round trips (SMEMBERS, then the summary fields of every member, pipelined).
func (b *Backend) List(ctx context.Context) ([]tournament.Summary, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if c, ok := b.rdb.(*goredis.Client); ok {
		if !b.sortDenied.Load() {
			list, err := b.listBySort(ctx, c)
			if !goredis.IsPermissionError(err) {
				return list, redisErr(err)
			}
			b.sortDenied.Store(true)
			b.logger.Info("SORT ... GET is not permitted to this Redis user; listing with a script instead")
		}
		return b.listByScript(ctx)
	}
	ids, err := b.activeIDs(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	cmds := make([]*goredis.SliceCmd, len(ids))
	if _, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		for i, id := range ids {
			cmds[i] = p.HMGet(ctx, b.keys.tournament(id), summaryFields...)
		}
	}); err != nil {
		return nil, redisErr(err)
	}
	out := make([]tournament.Summary, 0, len(ids))
	for i, id := range ids {
		if s, ok := parseSummary(id, cmds[i].Val()); ok && (s.Status == tournament.StatusPending || s.Status == tournament.StatusActive) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (b *Backend) listBySort(ctx context.Context, c *goredis.Client) ([]tournament.Summary, error) {
	get := []string{"#"}
	for _, f := range summaryFields {
		get = append(get, b.keys.tournamentPattern()+"->"+f)
	}
	vals, err := c.Sort(ctx, b.keys.active(), &goredis.Sort{By: "nosort", Get: get}).Result()
	if err != nil {
		return nil, err
	}
	row := make([]any, len(vals))
	for i, v := range vals {
		row[i] = v
	}
	return parseSummaries(row), nil
}

func (b *Backend) listByScript(ctx context.Context) ([]tournament.Summary, error) {
	args := []any{b.opts.KeyPrefix}
	for _, f := range summaryFields {
		args = append(args, f)
	}
	vals, err := listScript.Run(ctx, b.rdb, []string{b.keys.active()}, args...).Slice()
	if err != nil {
		return nil, redisErr(err)
	}
	return parseSummaries(vals), nil
}

// parseSummaries reads rows of an id and the summary fields, keeping the
// live tournaments, by id.
func parseSummaries(vals []any) []tournament.Summary {
	out := []tournament.Summary{}
	step := 1 + len(summaryFields)
	for i := 0; i+step <= len(vals); i += step {
		s, _ := vals[i].(string)
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		fields := make([]any, len(summaryFields))
		for j := range fields {
			fields[j] = vals[i+1+j]
		}
		if s, ok := parseSummary(id, fields); ok && (s.Status == tournament.StatusPending || s.Status == tournament.StatusActive) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b tournament.Summary) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Remove implements shared.Backend: one round trip (the remove script and
// SREM, pipelined).
func (b *Backend) Remove(ctx context.Context, req shared.RemoveRequest) (shared.Change, error) {
	const op = "remove"
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if err := b.admit(ctx, req.Actor, op); err != nil {
		return shared.Change{}, err
	}
	now := time.Now().UTC()
	var removed *goredis.Cmd
	_, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		removed = removeScript.EvalSha(ctx, p, append(b.keys.record(req.ID), b.keys.lock(req.ID), b.keys.tombstone(req.ID)),
			req.ID, now.Format(time.RFC3339Nano), b.opts.EventsMaxLen, b.keys.events(req.ID), b.opts.TournamentTTL.Milliseconds())
		p.SRem(ctx, b.keys.active(), req.ID)
	})
	if err != nil {
		return shared.Change{}, redisErr(err)
	}
	v, err := removed.Text()
	if errors.Is(err, goredis.Nil) || v == "" {
		return shared.Change{}, notFound(req.ID)
	}
	version, _ := strconv.ParseInt(v, 10, 64)
	b.states.forget(req.ID)
	b.frags.forget(req.ID)
	return shared.Change{Events: []tournament.Event{tournament.RemovedEvent(&tournament.Tournament{ID: req.ID, Version: version}, now)}}, nil
}

// scanTournaments returns the ids of every stored tournament hash (on
// every master of a cluster).
func (b *Backend) scanTournaments(ctx context.Context) ([]int64, error) {
	var mu sync.Mutex
	var ids []int64
	scanNode := func(ctx context.Context, c *goredis.Client) error {
		it := c.Scan(ctx, 0, b.keys.tournamentPattern(), 1000).Iterator()
		for it.Next(ctx) {
			if id, ok := b.keys.idOf(it.Val()); ok {
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		}
		return it.Err()
	}
	var err error
	switch c := b.rdb.(type) {
	case *goredis.ClusterClient:
		err = c.ForEachMaster(ctx, scanNode)
	case *goredis.Client:
		err = scanNode(ctx, c)
	default:
		err = fmt.Errorf("unsupported redis client %T", b.rdb)
	}
	slices.Sort(ids)
	return slices.Compact(ids), redisErr(err)
}

// Export implements shared.Backend.
func (b *Backend) Export(ctx context.Context, yield func(*tournament.Tournament) error) error {
	ids, err := b.scanTournaments(ctx)
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(ids, 500) {
		hashes := make([]*goredis.SliceCmd, len(chunk))
		brackets := make([]*goredis.MapStringStringCmd, len(chunk))
		if _, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
			for i, id := range chunk {
				hashes[i] = p.HMGet(ctx, b.keys.tournament(id), "state", "rounds_in")
				brackets[i] = p.HGetAll(ctx, b.keys.record(id)[3])
			}
		}); err != nil {
			return redisErr(err)
		}
		for i, id := range chunk {
			v := hashes[i].Val()
			state, _ := v[0].(string)
			if state == "" {
				continue // expired since the scan
			}
			roundsIn, _ := v[1].(string)
			t, err := DecodeStored(id, map[string]string{"state": state, "rounds_in": roundsIn}, brackets[i].Val())
			if err != nil {
				return err
			}
			if err := yield(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// Import implements shared.Backend. On a single Redis it is one MULTI/EXEC
// (one round trip): a connection lost before EXEC leaves nothing, and no
// reader sees half an import. A cluster cannot run one transaction across
// slots, so there it is one pipelined round trip per 500 tournaments, and
// an import cut half-way is partial (documented).
func (b *Backend) Import(ctx context.Context, snaps []*tournament.Tournament) (int, error) {
	if err := tournament.ValidateAll(snaps); err != nil {
		return 0, err
	}
	defer func() {
		// Whatever happened, the cached copies of these ids may be stale.
		for _, t := range snaps {
			b.states.forget(t.ID)
		}
	}()
	// put queues one snapshot's write. In a transaction it is EVAL, not
	// EVALSHA: a NOSCRIPT inside MULTI would not stop the commands around it.
	put := func(p goredis.Pipeliner, t *tournament.Tournament, eval bool) {
		head, tail, _ := b.recordArgs(t, nil, 0, nil)
		keys, args := append(b.keys.record(t.ID), b.keys.tombstone(t.ID)), append(head, tail...)
		if eval {
			putScript.Eval(ctx, p, keys, args...)
		} else {
			putScript.EvalSha(ctx, p, keys, args...)
		}
		if t.Live() {
			p.SAdd(ctx, b.keys.active(), t.ID)
			ttl := b.ttls(t).Tournament
			for _, u := range t.Players { // the player index, in the same transaction
				p.SAdd(ctx, b.keys.player(u), t.ID)
				p.PExpire(ctx, b.keys.player(u), ttl)
			}
		} else {
			p.SRem(ctx, b.keys.active(), t.ID)
		}
	}
	if _, ok := b.rdb.(*goredis.Client); ok {
		cmds, err := b.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			for _, t := range snaps {
				put(p, t, true)
			}
			return nil
		})
		if err != nil {
			return 0, redisErr(err)
		}
		for _, c := range cmds {
			if err := c.Err(); err != nil {
				return 0, redisErr(err)
			}
		}
		return len(snaps), nil
	}
	for chunk := range slices.Chunk(snaps, 500) {
		if _, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
			for _, t := range chunk {
				put(p, t, false)
			}
		}); err != nil {
			return 0, redisErr(err)
		}
	}
	return len(snaps), nil
}

// Maintain implements shared.Backend: extends the TTLs of live tournaments
// and removes expired and finished ids from active_tournaments.
// It also reports the oldest live tournament's age, and advances the key
// scan (see scanStep): one pipelined round trip for the live tournaments,
// one more to drop ids whose tournament is gone or finished, and the scan's.
func (b *Backend) Maintain(ctx context.Context) (shared.MaintainReport, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	ids, err := b.activeIDs(ctx)
	if err != nil {
		return shared.MaintainReport{}, err
	}
	o := b.opts
	cmds := make([]*goredis.Cmd, len(ids))
	created := make([]*goredis.StringCmd, len(ids))
	if len(ids) > 0 {
		if _, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
			for i, id := range ids {
				cmds[i] = touchScript.EvalSha(ctx, p, b.keys.record(id), o.TournamentTTL.Milliseconds(),
					o.ActiveGamesTTL.Milliseconds(), o.RoundDataTTL.Milliseconds(), o.BracketTTL.Milliseconds())
				created[i] = p.HGet(ctx, b.keys.tournament(id), "created_at")
			}
		}); err != nil {
			return shared.MaintainReport{}, redisErr(err)
		}
	}
	var rep shared.MaintainReport
	var drop []any
	now := time.Now()
	for i, c := range cmds {
		switch n, _ := c.Int(); n {
		case 1:
			rep.Extended++
			if at, err := time.Parse(time.RFC3339Nano, created[i].Val()); err == nil && now.Sub(at) > rep.OldestLive {
				rep.OldestLive = now.Sub(at)
			}
		case -1:
			rep.Expired++
			drop = append(drop, ids[i])
		default:
			drop = append(drop, ids[i])
		}
	}
	if len(drop) > 0 {
		if err := b.rdb.SRem(ctx, b.keys.active(), drop...).Err(); err != nil {
			return rep, redisErr(err)
		}
		b.logger.Info("active_tournaments cleaned", "expired", rep.Expired, "finished", int64(len(drop))-rep.Expired)
		b.scan.mu.Lock()
		b.scan.cur.Repaired["stale_active_ids"] += rep.Expired
		b.scan.mu.Unlock()
	}
	if rep.Keys, err = b.scanStep(ctx); err != nil {
		b.logger.Warn("scanning keys failed; the next pass goes on", "error", err)
	}
	return rep, nil
}

// Health implements shared.Backend in one round trip: the epoch key
// (created when missing) and, where the ACL user may run INFO, the server's
// run_id. The epoch changes when Redis restarts (run_id) or loses its data
// (the key is gone and made anew), so the host knows to check what it knows.
func (b *Backend) Health(ctx context.Context) (shared.HealthReport, error) {
	ctx, cancel := context.WithTimeout(ctx, ioTimeout)
	defer cancel()
	var epoch *goredis.StringCmd
	var info *goredis.StringCmd
	_, err := b.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.SetNX(ctx, b.keys.epoch(), newToken(), 0)
		epoch = p.Get(ctx, b.keys.epoch())
		info = p.Info(ctx, "server")
		return nil
	})
	// Only INFO may fail (an ACL user without it); anything else, or a
	// connection that could not be made at all, is the answer.
	if err != nil && (epoch.Err() != nil || epoch.Val() == "" || info.Err() == nil) {
		return shared.HealthReport{Backend: "redis"}, redisErr(err)
	}
	rep := shared.HealthReport{Backend: "redis", Detail: "PING ok", Epoch: epoch.Val()}
	if info.Err() == nil {
		for _, line := range strings.Split(info.Val(), "\n") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(line), "run_id:"); ok {
				rep.Epoch += "/" + id
			}
		}
	}
	b.releaseOrphans(ctx)
	return rep, nil
}

// Subscribe implements shared.Backend with XREAD BLOCK on the events stream.
func (b *Backend) Subscribe(ctx context.Context, req shared.SubscribeRequest, yield func(shared.StreamEvent) error) error {
	key := b.keys.events(req.TournamentID)
	n, err := b.rdb.Exists(ctx, b.keys.tournament(req.TournamentID), key).Result()
	if err != nil {
		return redisErr(err)
	}
	if n == 0 {
		return notFound(req.TournamentID)
	}
	after := req.After
	if after == "" { // only new events: start from the newest retained one
		last, err := b.rdb.XRevRangeN(ctx, key, "+", "-", 1).Result()
		if err != nil {
			return redisErr(err)
		}
		after = "0-0"
		if len(last) == 1 {
			after = last[0].ID
		}
	} else if !validStreamID(after) {
		return tournament.Errorf(tournament.CodeInvalidArgument, "event id %q is not a stream id (like 1700000000000-0)", after)
	}
	for ctx.Err() == nil {
		streams, err := b.opts.Subscriber.XRead(ctx, &goredis.XReadArgs{Streams: []string{key, after}, Count: 100, Block: time.Second}).Result()
		if errors.Is(err, goredis.Nil) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return redisErr(err)
		}
		for _, s := range streams {
			for _, m := range s.Messages {
				var ev tournament.Event
				raw, _ := m.Values["event"].(string)
				if err := json.Unmarshal([]byte(raw), &ev); err != nil {
					b.logger.Warn("skipping an unreadable event", "stream", key, "id", m.ID, "error", err)
					after = m.ID
					continue
				}
				if err := yield(shared.StreamEvent{ID: m.ID, Event: ev}); err != nil {
					return err
				}
				after = m.ID
				if ev.Type == tournament.EventTournamentRemoved {
					return nil
				}
			}
		}
	}
	return ctx.Err()
}

func validStreamID(id string) bool {
	ms, seq, ok := strings.Cut(id, "-")
	if !ok {
		seq = "0"
	}
	_, err1 := strconv.ParseUint(ms, 10, 64)
	_, err2 := strconv.ParseUint(seq, 10, 64)
	return err1 == nil && err2 == nil
}
