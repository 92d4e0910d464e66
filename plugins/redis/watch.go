package redis

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared/tournament"
)

// watchChanges keeps the read cache honest: it subscribes to every
// tournament's change channel (PSUBSCRIBE on the channels named like the
// events streams; every write publishes there) and marks each announced
// change, so that a Get is served from memory only while nothing changed.
// While the subscription is down (not yet up, lost, or silent past a ping)
// the cache serves nothing on its own, and a resubscription starts afresh:
// changes missed meanwhile cannot be served stale. It returns when ctx ends.
func (b *Backend) watchChanges(ctx context.Context) {
	pattern := b.opts.KeyPrefix + "tournament:{*}:events"
	delay := 50 * time.Millisecond
	for ctx.Err() == nil {
		ps := b.opts.Subscriber.PSubscribe(ctx, pattern)
		if _, err := ps.ReceiveTimeout(ctx, 2*time.Second); err == nil { // the subscription's confirmation
			b.states.setLive(true)
			delay = 50 * time.Millisecond
			b.receiveChanges(ctx, ps)
		}
		b.states.setLive(false)
		_ = ps.Close()
		select {
		case <-ctx.Done():
		case <-time.After(delay):
			delay = min(2*delay, 2*time.Second)
		}
	}
}

// receiveChanges marks each announced change until the subscription fails
// or stays silent through a ping.
func (b *Backend) receiveChanges(ctx context.Context, ps *goredis.PubSub) {
	pinged := false
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, time.Second)
		var ne net.Error
		switch {
		case err != nil && errors.As(err, &ne) && ne.Timeout() && !pinged:
			if ps.Ping(ctx) != nil {
				return
			}
			pinged = true
			continue
		case err != nil:
			return // a failure, or silence through a ping: the cache is not to be trusted
		}
		pinged = false
		if m, ok := msg.(*goredis.Message); ok {
			if id, ok := b.keys.idOf(strings.TrimSuffix(m.Channel, ":events")); ok {
				b.states.announced(id, maxVersion(m.Payload))
			}
		}
	}
}

// maxVersion reads the highest version of a published change (a JSON array
// of event JSON strings); 0 when it names none or announces a removal (after
// which the id may start a new life, with versions from 1 again). Every
// write is announced to every host, so it scans instead of decoding: each
// event's version is the figure after its escaped "version": key (events
// carry no free text); a misread figure can only be too high or 0, which
// makes the cache ask Redis, never serve a stale state.
func maxVersion(payload string) int64 {
	if strings.Contains(payload, string(tournament.EventTournamentRemoved)) {
		return 0
	}
	const key = `\"version\":`
	var v int64
	for rest := payload; ; {
		i := strings.Index(rest, key)
		if i < 0 {
			return v
		}
		rest = rest[i+len(key):]
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		x, err := strconv.ParseInt(rest[:n], 10, 64)
		if err != nil {
			return 0
		}
		v = max(v, x)
	}
}
