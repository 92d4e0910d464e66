package redis

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// The player index: player:{uid}:tournaments is a set of the ids of the
// tournaments a player joined, with the tournament TTL. On one Redis the
// change's script writes it (no extra round trip); on a cluster it lives in
// the player's own slot, so joins are indexed just before the change is
// written (one more round trip) and leaves just after it, without delaying
// the reply. It may hold tournaments that finished or
// that the player left when that write failed: a read checks every id
// against the tournament itself and drops the stale ones.

var _ shared.PlayerIndex = (*Backend)(nil)

func (k keyspace) player(uid int64) string {
	return k.prefix + "player:{" + strconv.FormatInt(uid, 10) + "}:tournaments"
}

// playerIndexField is the pseudo-field of a change's hash fields that asks
// lib.lua to write the player index ("id,first key,adds": the keys from
// KEYS[first] on are the players' sets, the first `adds` of them joined).
const playerIndexField = "__player_index"

// singleNode reports whether the store is one Redis (not a cluster), where
// a script may write keys of any slot.
func (b *Backend) singleNode() bool {
	_, ok := b.rdb.(*goredis.Client)
	return ok
}

// playerOps are the players a change's events add to or remove from the
// tournament.
func playerOps(evs []tournament.Event) (add, rem []int64) {
	for _, e := range evs {
		switch e.Type {
		case tournament.EventPlayerJoined:
			add = append(add, e.PlayerID)
		case tournament.EventPlayerLeft, tournament.EventPlayerNotCheckedIn:
			rem = append(rem, e.PlayerID)
		}
	}
	return add, rem
}

// indexPlayers adds and removes t in the given players' index sets, in one
// pipeline (a cluster's; one Redis has the change's script do it).
func (b *Backend) indexPlayers(ctx context.Context, t *tournament.Tournament, add, rem []int64) error {
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
		b.logger.Warn("updating the player index failed", "tournament", t.ID, "error", err)
	}
	return redisErr(err)
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
		return nil, tournament.Errorf(tournament.CodeInvalidArgument, "user_id must be an integer from 1 to %d, got %d",
			int64(tournament.MaxID), userID)
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
