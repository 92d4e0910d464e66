// Export and import of whole tournaments.

package redis

import (
	"context"
	"fmt"
	"slices"
	"sync"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/tournament"
)

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
				hashes[i] = p.HMGet(ctx, b.keys.tournament(id), "state", "rounds_in", "participants")
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
			recs, _ := v[2].(string)
			t, err := DecodeStored(id, map[string]string{"state": state, "rounds_in": roundsIn, "participants": recs}, brackets[i].Val())
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
			for _, u := range t.Users() { // the player index (lineups too), in the same transaction
				p.SAdd(ctx, b.keys.player(u), t.ID)
				p.PExpire(ctx, b.keys.player(u), ttl)
			}
		} else {
			p.SRem(ctx, b.keys.active(), t.ID)
		}
	}
	if client, ok := b.rdb.(*goredis.Client); ok {
		// One connection: the transaction, then (with replica
		// acknowledgement) WAIT on the connection that wrote.
		conn := client.Conn()
		defer conn.Close()
		cmds, err := conn.TxPipelined(ctx, func(p goredis.Pipeliner) error {
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
		if b.opts.MinReplicas > 0 {
			if err := b.acked(conn.Do(ctx, "WAIT", b.opts.MinReplicas, b.opts.ReplicaTimeout.Milliseconds())); err != nil {
				return 0, err
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
