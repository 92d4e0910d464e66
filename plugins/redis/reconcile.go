package redis

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// Reconcile implements shared.Backend with reconcile.lua, then keeps
// active_tournaments in step: two round trips.
func (b *Backend) Reconcile(ctx context.Context, req shared.ReconcileRequest) (shared.ReconcileResult, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	id := req.TournamentID
	snap, snapJSON, version := &tournament.Tournament{ID: id}, "null", int64(0)
	switch req.Mode {
	case shared.ReconcileWrite, shared.ReconcileCAS, shared.ReconcileRestore, shared.ReconcileConflict:
		if err := tournament.Validate(req.Snapshot); err != nil {
			return shared.ReconcileResult{}, err
		}
		if req.Snapshot.ID != id {
			return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInvalidArgument,
				"snapshot %d given for tournament %d", req.Snapshot.ID, id)
		}
		snap, version = req.Snapshot, req.Snapshot.Version
		snapJSON = string(snap.AppendStateJSON(nil)) // as the state is stored: compared with it
	case shared.ReconcileRemove:
	case shared.ReconcileDiscard:
		if id <= 0 {
			return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInvalidArgument,
				"the redis backend discards one tournament at a time")
		}
	default:
		return shared.ReconcileResult{}, tournament.Errorf(tournament.CodeInvalidArgument, "unknown reconcile mode %q", req.Mode)
	}
	origin, _ := json.Marshal(req.Origin)
	rejected, _ := json.Marshal(append([]string{}, req.Rejected...))
	keys := append(b.keys.record(id), b.keys.tombstone(id), b.keys.conflicts(id))
	head, tail, _ := b.recordArgs(snap, nil, 0, nil)
	defer b.states.forget(id) // the next read decodes what is stored now
	args := append(head, req.Mode, strconv.FormatInt(req.BaseVersion, 10),
		strconv.FormatInt(version, 10), snapJSON, string(origin), time.Now().UTC().Format(time.RFC3339Nano), id,
		req.WriteID, string(rejected))
	switch req.Mode {
	case shared.ReconcileWrite, shared.ReconcileCAS, shared.ReconcileRestore:
		args = append(args, tail...)
	}
	cmd, wait, err := b.runReplicated(ctx, reconcileScript, keys, args...)
	if err != nil {
		return shared.ReconcileResult{}, redisErr(err)
	}
	res, err := cmd.StringSlice()
	if err != nil {
		return shared.ReconcileResult{}, redisErr(err)
	}
	if res[0] == "written" || res[0] == "removed" {
		if err := b.acked(wait); err != nil {
			return shared.ReconcileResult{}, err
		}
	}
	stored, _ := strconv.ParseInt(res[1], 10, 64)
	out := shared.ReconcileResult{Outcome: res[0], StoredVersion: stored}
	if len(res) > 3 {
		out.StoredOp = res[3]
	}
	// active_tournaments lives in another slot of a cluster, so it is kept
	// in step here, from the stored status the script reports; a retried
	// write-back ("unchanged") repairs a membership its first try missed.
	live := res[2] == string(tournament.StatusPending) || res[2] == string(tournament.StatusActive)
	switch out.Outcome {
	case shared.OutcomeWritten, shared.OutcomeUnchanged:
		if live {
			err = b.rdb.SAdd(ctx, b.keys.active(), id).Err()
			if err == nil && snap != nil {
				err = b.indexAll(ctx, []*tournament.Tournament{snap})
			}
		} else if stored == 0 || res[2] != "" {
			err = b.rdb.SRem(ctx, b.keys.active(), id).Err()
		}
	case shared.OutcomeRemoved, shared.OutcomeDiscarded:
		err = b.rdb.SRem(ctx, b.keys.active(), id).Err()
	}
	return out, redisErr(err)
}

// Conflicts implements shared.Backend: one round trip.
func (b *Backend) Conflicts(ctx context.Context, id int64) ([]shared.Conflict, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	raw, err := b.rdb.LRange(ctx, b.keys.conflicts(id), 0, -1).Result()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, redisErr(err)
	}
	out := make([]shared.Conflict, 0, len(raw))
	for _, r := range raw {
		var c shared.Conflict
		if err := json.Unmarshal([]byte(r), &c); err != nil {
			b.logger.Warn("skipping an unreadable conflict record", "tournament", id, "error", err)
			continue
		}
		out = append(out, c)
	}
	return out, nil
}
