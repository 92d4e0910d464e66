// Package memory is the in-process tournament backend: the fallback when
// Redis is down and the default when a game process embeds the host. It
// keeps the Redis backend's semantics: per-tournament locking, TTLs after
// which a tournament disappears unless housekeeping extends it, and the same
// per-actor rate limits (GCRA, here with golang.org/x/time/rate).
//
// It holds state only in this process: nothing survives a restart.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// Options configure a memory backend. Zero values take the defaults of
// config.Default.
type Options struct {
	TournamentTTL time.Duration                // how long an untouched tournament is kept
	GameTimeout   time.Duration                // deadline of new games
	RateLimit     int                          // mutating calls per second per actor; 0 = off
	RateBurst     int                          // burst; 0 = same as RateLimit
	RateLimits    map[string]int               // per operation, per actor per second; burst = the rate
	TTLProfiles   map[string]config.TTLProfile // named TTLs a tournament may use (only the tournament TTL applies here)
	Now           func() time.Time             // clock (tests); default time.Now
}

// OptionsFromConfig takes the memory backend's options from the store
// part of the configuration.
func OptionsFromConfig(c config.Store) Options {
	return Options{TournamentTTL: c.TournamentTTL, GameTimeout: c.GameTimeout, RateLimit: c.RateLimit,
		RateBurst: c.RateBurst, RateLimits: c.RateLimits, TTLProfiles: c.TTLProfiles}
}

// Backend is the memory backend. It is safe for concurrent use.
type Backend struct {
	opts    Options
	limiter *actorLimiter

	mu         sync.RWMutex
	records    map[int64]*record
	tombstones map[int64]tombstone
	conflicts  map[int64][]shared.Conflict

	evMu sync.Mutex
	logs map[int64]*eventLog

	epoch string // this instance's launch: it starts empty

	limiterMu sync.Mutex
	opLimiter map[string]*actorLimiter // per-operation limits, by operation

	webhooks webhooks
}

// record holds one tournament. Its mutex is the tournament's lock; the
// snapshot it points to is never modified, only replaced.
type record struct {
	mu      sync.Mutex
	t       *tournament.Tournament
	expires time.Time
	gone    bool   // removed or replaced: a waiter must look the id up again
	writeID string // the host write-back that stored this lineage (Reconcile)
	lastOp  string // the OpID of the last change (ApplyRequest)
}

var _ shared.Backend = (*Backend)(nil)

// New returns an empty memory backend.
func New(opts Options) *Backend {
	d := config.Default()
	if opts.TournamentTTL <= 0 {
		opts.TournamentTTL = d.Store.TournamentTTL
	}
	if opts.GameTimeout <= 0 {
		opts.GameTimeout = d.Store.GameTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Backend{opts: opts, epoch: strconv.FormatInt(time.Now().UnixNano(), 36), records: map[int64]*record{},
		tombstones: map[int64]tombstone{}, conflicts: map[int64][]shared.Conflict{}, logs: map[int64]*eventLog{}, limiter: newActorLimiter(opts.RateLimit, opts.RateBurst), opLimiter: map[string]*actorLimiter{}}
}

func (b *Backend) env(now time.Time) tournament.Env {
	return tournament.Env{Now: now.UTC(), Rand: tournament.SystemRand, GameTimeout: b.opts.GameTimeout}
}

func notFound(id int64) error {
	return tournament.Errorf(tournament.CodeNotFound, "tournament %d not found", id)
}

// lookup returns the live record of id, locked; the caller unlocks it.
func (b *Backend) lookup(id int64, now time.Time) (*record, error) {
	for {
		b.mu.RLock()
		r := b.records[id]
		b.mu.RUnlock()
		if r == nil {
			return nil, notFound(id)
		}
		r.mu.Lock()
		if r.gone {
			r.mu.Unlock()
			continue
		}
		if !now.Before(r.expires) {
			r.mu.Unlock()
			return nil, notFound(id)
		}
		return r, nil
	}
}

// Create implements shared.Backend.
func (b *Backend) Create(ctx context.Context, req shared.CreateRequest) (shared.Change, error) {
	const op = "create"
	if err := b.admit(ctx, req.Actor, op); err != nil {
		return shared.Change{}, err
	}
	now := b.opts.Now()
	if p := req.Params.TTLProfile; p != "" {
		if _, ok := b.opts.TTLProfiles[p]; !ok {
			return shared.Change{}, config.Store{TTLProfiles: b.opts.TTLProfiles}.UnknownTTLProfile(p)
		}
	}
	t, evs, err := tournament.New(req.Params, b.env(now))
	if err != nil {
		return shared.Change{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if old := b.records[t.ID]; old != nil {
		old.mu.Lock()
		live := now.Before(old.expires)
		if !live {
			old.gone = true
		}
		old.mu.Unlock()
		if live {
			return shared.Change{}, tournament.Errorf(tournament.CodeAlreadyExists, "tournament %d already exists", t.ID)
		}
	}
	b.records[t.ID] = &record{t: t, expires: now.Add(b.ttl(t))}
	delete(b.tombstones, t.ID) // an explicit re-create is allowed
	b.publish(t.ID, evs, true)
	return shared.Change{Tournament: t.Clone(), Events: evs}, nil
}

// Apply implements shared.Backend.
func (b *Backend) Apply(ctx context.Context, req shared.ApplyRequest) (shared.Change, error) {
	op, err := req.Op()
	if err != nil {
		return shared.Change{}, err
	}
	if err := b.admit(ctx, req.Actor, op); err != nil {
		return shared.Change{}, err
	}
	now := b.opts.Now()
	r, err := b.lookup(req.TournamentID, now)
	if err != nil {
		return shared.Change{}, err
	}
	defer r.mu.Unlock()
	prior := r.t
	next, evs, err := tournament.Apply(r.t, req.Command, b.env(now))
	if err != nil {
		return shared.Change{}, err
	}
	if len(evs) > 0 {
		r.t, r.expires, r.lastOp = next, now.Add(b.ttl(next)), req.OpID
		b.publish(req.TournamentID, evs, false)
	}
	return shared.Change{Tournament: next.Clone(), Events: evs, PriorVersion: prior.Version, PriorUpdatedAt: prior.UpdatedAt}, nil
}

// Get implements shared.Backend.
func (b *Backend) Get(ctx context.Context, id int64) (*tournament.Tournament, error) {
	r, err := b.lookup(id, b.opts.Now())
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return r.t.Clone(), nil
}

// List implements shared.Backend.
func (b *Backend) List(ctx context.Context) ([]tournament.Summary, error) {
	var out []tournament.Summary
	b.each(func(t *tournament.Tournament) {
		if t.Live() {
			out = append(out, t.Summary())
		}
	})
	return out, nil
}

var _ shared.PlayerIndex = (*Backend)(nil)

// PlayerTournaments implements shared.PlayerIndex: the memory backend
// holds every tournament in memory and finds a player's by looking.
func (b *Backend) PlayerTournaments(ctx context.Context, userID int64) ([]tournament.Summary, error) {
	if userID <= 0 || userID > tournament.MaxID {
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "user_id must be an integer from 1 to %d, got %d",
			int64(tournament.MaxID), userID)
	}
	out := []tournament.Summary{}
	b.each(func(t *tournament.Tournament) {
		if t.Live() && t.Involves(userID) {
			out = append(out, t.Summary())
		}
	})
	return out, nil
}

// each calls fn for every unexpired tournament, in id order.
func (b *Backend) each(fn func(*tournament.Tournament)) {
	now := b.opts.Now()
	b.mu.RLock()
	recs := make([]*record, 0, len(b.records))
	for _, r := range b.records {
		recs = append(recs, r)
	}
	b.mu.RUnlock()
	snaps := make([]*tournament.Tournament, 0, len(recs))
	for _, r := range recs {
		r.mu.Lock()
		if !r.gone && now.Before(r.expires) {
			snaps = append(snaps, r.t)
		}
		r.mu.Unlock()
	}
	slices.SortFunc(snaps, func(a, b *tournament.Tournament) int { return cmp.Compare(a.ID, b.ID) })
	for _, t := range snaps {
		fn(t)
	}
}

// Remove implements shared.Backend.
func (b *Backend) Remove(ctx context.Context, req shared.RemoveRequest) (shared.Change, error) {
	const op = "remove"
	if err := b.admit(ctx, req.Actor, op); err != nil {
		return shared.Change{}, err
	}
	now := b.opts.Now()
	// The map lock first, then the record's: the id must not be seen as
	// taken between the removal and the deletion.
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.records[req.ID]
	if r == nil {
		return shared.Change{}, notFound(req.ID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(b.records, req.ID)
	r.gone = true
	if !now.Before(r.expires) {
		return shared.Change{}, notFound(req.ID)
	}
	evs := []tournament.Event{tournament.RemovedEvent(r.t, now.UTC())}
	b.tombstones[req.ID] = tombstone{version: r.t.Version, expires: now.Add(b.ttl(r.t))}
	b.publish(req.ID, evs, false)
	return shared.Change{Events: evs}, nil
}

// Export implements shared.Backend.
func (b *Backend) Export(ctx context.Context, yield func(*tournament.Tournament) error) error {
	var snaps []*tournament.Tournament
	b.each(func(t *tournament.Tournament) { snaps = append(snaps, t) })
	for _, t := range snaps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := yield(t.Clone()); err != nil {
			return err
		}
	}
	return nil
}

// Import implements shared.Backend.
func (b *Backend) Import(ctx context.Context, snaps []*tournament.Tournament) (int, error) {
	if err := tournament.ValidateAll(snaps); err != nil {
		return 0, err
	}
	now := b.opts.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range snaps {
		if old := b.records[t.ID]; old != nil {
			old.mu.Lock()
			old.gone = true
			old.mu.Unlock()
		}
		b.records[t.ID] = &record{t: t.Clone(), expires: now.Add(b.ttl(t))}
		delete(b.tombstones, t.ID)
	}
	return len(snaps), nil
}

// Maintain implements shared.Backend: it extends live tournaments and drops
// expired ones (as Redis would have).
func (b *Backend) Maintain(ctx context.Context) (shared.MaintainReport, error) {
	now := b.opts.Now()
	var rep shared.MaintainReport
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, r := range b.records {
		r.mu.Lock()
		switch {
		case !now.Before(r.expires):
			r.gone = true
			delete(b.records, id)
			b.evMu.Lock()
			if l := b.logs[id]; l != nil {
				l.close()
				delete(b.logs, id)
			}
			b.evMu.Unlock()
			rep.Expired++
		case r.t.Live():
			r.expires = now.Add(b.ttl(r.t))
			rep.Extended++
			rep.OldestLive = max(rep.OldestLive, now.Sub(r.t.CreatedAt))
		}
		r.mu.Unlock()
	}
	for id, tb := range b.tombstones {
		if !now.Before(tb.expires) {
			delete(b.tombstones, id)
		}
	}
	b.limiter.prune(now)
	b.limiterMu.Lock()
	for _, l := range b.opLimiter {
		l.prune(now)
	}
	b.limiterMu.Unlock()
	return rep, nil
}

// Health implements shared.Backend.
func (b *Backend) Health(ctx context.Context) (shared.HealthReport, error) {
	b.mu.RLock()
	n := len(b.records)
	b.mu.RUnlock()
	return shared.HealthReport{Backend: "memory", Detail: fmt.Sprintf("%d tournaments", n), Epoch: b.epoch}, nil
}

// ttl is how long t is kept untouched: its TTL profile's tournament TTL,
// else TOURNAMENT_TTL.
func (b *Backend) ttl(t *tournament.Tournament) time.Duration {
	if p, ok := b.opts.TTLProfiles[t.TTLProfile]; ok && p.Tournament > 0 {
		return p.Tournament
	}
	return b.opts.TournamentTTL
}
