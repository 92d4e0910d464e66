// A tournament's event stream.

package redis

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

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
		streams, err := b.opts.Subscriber.XRead(ctx,
			&goredis.XReadArgs{Streams: []string{key, after}, Count: 100, Block: time.Second}).Result()
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
