package redis

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/tournament"
)

// The player index: player:{uid}:tournaments is a set of the ids of the
// tournaments a player joined, with the tournament TTL. It lives in the
// player's own slot of a cluster, so it is written next to the change
// (one more round trip, only for changes that add or remove players), not
// inside the change's script. It may hold tournaments that finished or
// that the player left when that write failed: a read checks every id
// against the tournament itself and drops the stale ones.

var _ shared.PlayerIndex = (*Backend)(nil)

func (k keyspace) player(uid int64) string {
	return k.prefix + "player:{" + strconv.FormatInt(uid, 10) + "}:tournaments"
}

// indexChange keeps the player index in step with a change's events.
func (b *Backend) indexChange(ctx context.Context, t *tournament.Tournament, evs []tournament.Event) {
	var add, rem []int64
	for _, e := range evs {
		switch e.Type {
		case tournament.EventPlayerJoined:
			add = append(add, e.PlayerID)
		case tournament.EventPlayerLeft, tournament.EventPlayerNotCheckedIn:
			rem = append(rem, e.PlayerID)
		}
	}
	if len(add) == 0 && len(rem) == 0 {
		return
	}
	ttl := b.ttls(t).Tournament
	_, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		for _, u := range add {
			p.SAdd(ctx, b.keys.player(u), t.ID)
			p.PExpire(ctx, b.keys.player(u), ttl)
		}
		for _, u := range rem {
			p.SRem(ctx, b.keys.player(u), t.ID)
		}
	})
	if err != nil {
		b.logger.Warn("updating the player index failed; reads check it against the tournaments", "tournament", t.ID, "error", err)
	}
}

// indexAll adds every player of the live snapshots to the index (import,
// write-back).
func (b *Backend) indexAll(ctx context.Context, snaps []*tournament.Tournament) error {
	_, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
		for _, t := range snaps {
			if !t.Live() {
				continue
			}
			ttl := b.ttls(t).Tournament
			for _, u := range t.Players {
				p.SAdd(ctx, b.keys.player(u), t.ID)
				p.PExpire(ctx, b.keys.player(u), ttl)
			}
		}
	})
	return err
}

// PlayerTournaments implements shared.PlayerIndex: two round trips (the
// player's set, then every member's summary and players, pipelined).
func (b *Backend) PlayerTournaments(ctx context.Context, userID int64) ([]tournament.Summary, error) {
	if userID <= 0 || userID > tournament.MaxID {
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "user_id must be an integer from 1 to %d, got %d", int64(tournament.MaxID), userID)
	}
	ctx, cancel := b.bound(ctx)
	defer cancel()
	raw, err := b.rdb.SMembers(ctx, b.keys.player(userID)).Result()
	if err != nil {
		return nil, redisErr(err)
	}
	ids := make([]int64, 0, len(raw))
	for _, s := range raw {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	fields := append(slices.Clone(summaryFields), "players")
	cmds := make([]*goredis.SliceCmd, len(ids))
	if len(ids) > 0 {
		if _, err := b.pipelined(ctx, func(p goredis.Pipeliner) {
			for i, id := range ids {
				cmds[i] = p.HMGet(ctx, b.keys.tournament(id), fields...)
			}
		}); err != nil {
			return nil, redisErr(err)
		}
	}
	out := []tournament.Summary{}
	var stale []any
	for i, id := range ids {
		v := cmds[i].Val()
		s, ok := parseSummary(id, v[:len(summaryFields)])
		var players []int64
		if p, _ := v[len(summaryFields)].(string); p != "" {
			_ = json.Unmarshal([]byte(p), &players)
		}
		if !ok || !slices.Contains(players, userID) || s.Status == tournament.StatusCompleted {
			stale = append(stale, id)
			continue
		}
		out = append(out, s)
	}
	if len(stale) > 0 {
		if err := b.rdb.SRem(ctx, b.keys.player(userID), stale...).Err(); err != nil {
			b.logger.Debug("dropping stale ids from the player index failed", "player", userID, "error", err)
		}
	}
	return out, nil
}
