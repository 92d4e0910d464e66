// Housekeeping and health.

package redis

import (
	"context"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

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
// run_id. The epoch changes when Redis restarts (run_id), when Sentinel
// promotes a replica (another server, another run_id) or when Redis loses
// its data (the key is gone and made anew), so the host knows to check what
// it knows against it.
func (b *Backend) Health(ctx context.Context) (shared.HealthReport, error) {
	ctx, cancel := context.WithTimeout(ctx, ioTimeout)
	defer cancel()
	var epoch *goredis.StringCmd
	var info *goredis.StringCmd
	var client, wait *goredis.Cmd
	_, err := b.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.SetNX(ctx, b.keys.epoch(), newToken(), 0)
		epoch = p.Get(ctx, b.keys.epoch())
		info = p.Info(ctx, "server")
		if b.opts.Sentinel != "" {
			client = p.Do(ctx, "CLIENT", "INFO") // laddr: the master this connection reached
		}
		wait = b.replicated(ctx, p) // with replica acknowledgement: are there replicas to confirm writes?
		return nil
	})
	// Only INFO and CLIENT INFO may fail (an ACL user without them); anything else, or a
	// connection that could not be made at all, is the answer.
	optional := info.Err() != nil || (client != nil && client.Err() != nil) // INFO, CLIENT INFO
	if err != nil && (epoch.Err() != nil || epoch.Val() == "" || !optional) {
		return shared.HealthReport{Backend: "redis"}, redisErr(err)
	}
	rep := shared.HealthReport{Backend: "redis", Detail: "PING ok", Epoch: epoch.Val()}
	if client != nil {
		rep.Detail = "PING ok; master " + b.opts.Sentinel + " (Sentinel)"
		if s, err := client.Text(); err == nil {
			for _, f := range strings.Fields(s) {
				if addr, ok := strings.CutPrefix(f, "laddr="); ok {
					rep.Detail = "PING ok; master " + b.opts.Sentinel + " at " + addr + " (Sentinel)"
				}
			}
		}
	}
	if info.Err() == nil {
		for _, line := range strings.Split(info.Val(), "\n") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(line), "run_id:"); ok {
				rep.Epoch += "/" + id
			}
		}
	}
	if err := b.acked(wait); err != nil {
		// Redis answers, but cannot acknowledge a change: not healthy, so
		// that a host on its fallback does not try to fail back (and fail
		// again at its first write) until enough replicas are back.
		return shared.HealthReport{Backend: "redis", Detail: "fewer replicas than TOURNEY_REDIS_MIN_REPLICAS confirm writes",
				Epoch: rep.Epoch}, tournament.Errorf(tournament.CodeUnavailable, "redis cannot acknowledge changes: fewer than %d replicas confirm writes",
				b.opts.MinReplicas)
	}
	b.releaseOrphans(ctx)
	return rep, nil
}
