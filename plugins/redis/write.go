// The write path: create, apply (one trip when the plugin's copy is
// current, otherwise under the lock) and remove.

package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

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
			return shared.Change{}, config.Store{TTLProfiles: b.opts.TTLProfiles}.UnknownTTLProfile(p)
		}
	}
	t, evs, err := tournament.New(req.Params, b.env())
	if err != nil {
		return shared.Change{}, err
	}
	var created *goredis.Cmd
	var wait *goredis.Cmd
	var createdRev string
	seq, epoch := b.states.token()
	_, err = b.pipelined(ctx, func(p goredis.Pipeliner) {
		head, tail, rev := b.recordArgs(t, nil, 1, evs)
		createdRev = rev
		created = createScript.EvalSha(ctx, p, append(b.keys.record(t.ID), b.keys.tombstone(t.ID)), append(head, tail...)...)
		p.SAdd(ctx, b.keys.active(), t.ID) // harmless when the id is taken: it is live then
		wait = b.replicated(ctx, p)
	})
	if err != nil {
		return shared.Change{}, redisErr(err)
	}
	if n, _ := created.Int(); n == 0 {
		return shared.Change{}, tournament.Errorf(tournament.CodeAlreadyExists, "tournament %d already exists", t.ID)
	}
	if err := b.acked(wait); err != nil {
		return shared.Change{}, err
	}
	b.states.putRead(t.ID, createdRev, t, seq, epoch)
	return shared.Change{Tournament: t, Events: evs}, nil
}

// Apply implements shared.Backend: one round trip when the plugin's copy is
// current (applyOneTrip), else two (acquire + read, then the fenced
// commit), plus SREM when the change completes the tournament.
func (b *Backend) Apply(ctx context.Context, req shared.ApplyRequest) (shared.Change, error) {
	op, err := req.Op()
	if err != nil {
		return shared.Change{}, err
	}
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if err := b.admit(ctx, req.Actor, op); err != nil {
		return shared.Change{}, err
	}
	id, token := req.TournamentID, newToken()
	seq, epoch := b.states.token()
	if c, ok, err := b.applyOneTrip(ctx, id, req.Command, token, req.OpID, seq, epoch); ok || err != nil {
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
	res, rev, err := b.writeChange(ctx, commitScript, t, next, evs, token, req.OpID, strconv.FormatInt(t.Version, 10))
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
		return shared.Change{}, tournament.Errorf(tournament.CodeAborted,
			"tournament %d changed while the command ran; nothing was written; retry", id)
	}
	return b.written(ctx, t, next, evs), nil
}

// applyOneTrip applies cmd to the state this plugin holds of id, when it
// holds one, and writes the change in one round trip if that state is still
// the stored one and nobody holds the lock (cas.lua). ok is false when the
// locked path must run instead: no copy, a copy that is not current, a
// held lock, or a command the copy refuses or finds already done (a
// refusal or a no-op is only trusted when read under the lock).
func (b *Backend) applyOneTrip(ctx context.Context, id int64, cmd tournament.Command, token, op string, seq,
	epoch uint64) (shared.Change, bool, error) {
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
	res, rev, err := b.writeChange(ctx, casScript, t, next, evs, token, op, cached.rev)
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
func (b *Backend) writeChange(ctx context.Context, script *goredis.Script, t, next *tournament.Tournament,
	evs []tournament.Event, token, op, expect string) (int, string, error) {
	keys := append(b.keys.record(t.ID), b.keys.lock(t.ID))
	extra := []string{"last_token", token, "last_op", op}
	add, rem := playerOps(t, next, evs)
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
	cmd, wait, err := b.runReplicated(ctx, script, keys, append(append(head, token, expect), tail...)...)
	if err != nil {
		return 0, rev, err
	}
	res, err := cmd.Int()
	if err == nil && res > 0 {
		err = b.acked(wait)
	}
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
			b.logger.Warn("removing a finished tournament from active_tournaments failed; housekeeping will",
				"tournament", t.ID, "error", err)
		}
	}
	return shared.Change{Tournament: next, Events: evs, PriorVersion: t.Version, PriorUpdatedAt: t.UpdatedAt}
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
	var wait *goredis.Cmd
	_, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		removed = removeScript.EvalSha(ctx, p, append(b.keys.record(req.ID), b.keys.lock(req.ID), b.keys.tombstone(req.ID)),
			req.ID, now.Format(time.RFC3339Nano), b.opts.EventsMaxLen, b.keys.events(req.ID), b.opts.TournamentTTL.Milliseconds())
		p.SRem(ctx, b.keys.active(), req.ID)
		wait = b.replicated(ctx, p)
	})
	if err != nil {
		return shared.Change{}, redisErr(err)
	}
	v, err := removed.Text()
	if errors.Is(err, goredis.Nil) || v == "" {
		return shared.Change{}, notFound(req.ID)
	}
	if err := b.acked(wait); err != nil {
		return shared.Change{}, err
	}
	version, _ := strconv.ParseInt(v, 10, 64)
	b.states.forget(req.ID)
	b.frags.forget(req.ID)
	return shared.Change{Events: []tournament.Event{tournament.RemovedEvent(&tournament.Tournament{ID: req.ID,
		Version: version}, now)}}, nil
}
