// The read path: get and the two ways of listing live tournaments.

package redis

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/tournament"
)

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
			if !sortDenied(err) {
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

// sortDenied reports whether err refuses SORT ... GET to this Redis user:
// NOPERM when SORT itself is denied (-@dangerous), or, when SORT is allowed
// but its GET patterns reach keys outside the user's, a plain ERR reply
// ("GET option of SORT denied due to insufficient ACL permissions").
func sortDenied(err error) bool {
	return err != nil && (goredis.IsPermissionError(err) || strings.Contains(err.Error(), "insufficient ACL permissions"))
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
