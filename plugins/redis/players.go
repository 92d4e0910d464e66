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

// playerOps are the users a change adds to or removes from the
// tournament: participants and the members of their lineups. Only a change
// whose events join, drop or update participants looks at them (a result
// costs nothing here).
func playerOps(prev, next *tournament.Tournament, evs []tournament.Event) (add, rem []int64) {
	touches := false
	for _, e := range evs {
		switch e.Type {
		case tournament.EventPlayerJoined, tournament.EventPlayerLeft, tournament.EventPlayerNotCheckedIn,
			tournament.EventParticipantUpdated:
			touches = true
		}
	}
	if !touches {
		return nil, nil
	}
	before, after := userSet(prev), userSet(next)
	for _, u := range next.Users() {
		if !before[u] {
			add = append(add, u)
		}
	}
	for _, u := range prev.Users() {
		if !after[u] {
			rem = append(rem, u)
		}
	}
	return add, rem
}

func userSet(t *tournament.Tournament) map[int64]bool {
	us := t.Users()
	m := make(map[int64]bool, len(us))
	for _, u := range us {
		m[u] = true
	}
	return m
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
			for _, u := range t.Users() {
				p.SAdd(ctx, b.keys.player(u), t.ID)
				p.PExpire(ctx, b.keys.player(u), ttl)
			}
		}
	})
	return err
}

// PlayerTournaments implements shared.PlayerIndex: two round trips (the
// player's set, then every member's summary, players and records,
// pipelined). A member of a lineup finds the team's tournaments.
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
	fields := append(slices.Clone(summaryFields), "players", "participants")
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
		in := slices.Contains(players, userID)
		if p, _ := v[len(summaryFields)+1].(string); p != "" && !in {
			var recs []tournament.Participant // a member of a lineup
			_ = json.Unmarshal([]byte(p), &recs)
			in = slices.ContainsFunc(recs, func(r tournament.Participant) bool { return slices.Contains(r.Members, userID) })
		}
		if !ok || !in || s.Status == tournament.StatusCompleted {
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
