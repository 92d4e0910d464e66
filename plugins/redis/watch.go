package redis

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/tournament"
)

// watchChanges keeps the read cache honest: it subscribes to every
// tournament's change channel (PSUBSCRIBE on the channels named like the
// events streams; every write publishes there) and marks each announced
// change, so that a Get is served from memory only while nothing changed.
// While the subscription is down (not yet up, lost, or silent past a ping)
// the cache serves nothing on its own, and a resubscription starts afresh:
// changes missed meanwhile cannot be served stale. It returns when ctx ends.
//
// Keys that expire or are evicted announce nothing on those channels: each
// cached state is served at most until its keys' TTL runs out (stateCache),
// and where the server sends keyspace notifications for expired and
// evicted keys (notify-keyspace-events with E, x and e; the plugin turns
// them on when its user may CONFIG SET) it also subscribes to those, so
// that an evicted tournament stops being served at once.
func (b *Backend) watchChanges(ctx context.Context) {
	pattern := b.opts.KeyPrefix + "tournament:{*}:events"
	delay := 50 * time.Millisecond
	for ctx.Err() == nil {
		ps := b.opts.Subscriber.PSubscribe(ctx, pattern)
		if _, err := ps.ReceiveTimeout(ctx, 2*time.Second); err == nil { // the subscription's confirmation
			if events := b.keyEvents(ctx); len(events) > 0 {
				if err := ps.Subscribe(ctx, events...); err == nil {
					for range events {
						_, _ = ps.ReceiveTimeout(ctx, 2*time.Second) // each channel's confirmation
					}
				}
			}
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
			if strings.HasPrefix(m.Channel, "__keyevent@") {
				// A key expired or was evicted: its tournament's copy is
				// not to be served (a removal, as far as the cache knows).
				if id, ok := b.keys.ownerOf(m.Payload); ok {
					b.states.announced(id, 0)
				}
				continue
			}
			if id, ok := b.keys.idOf(strings.TrimSuffix(m.Channel, ":events")); ok {
				b.states.announced(id, maxVersion(m.Payload))
			}
		}
	}
}

// keyEvents returns the keyspace notification channels that announce
// expired and evicted keys of this plugin's database, turning the
// notifications on when they are off and the user may (CONFIG SET, merging
// with the flags already set); none on a cluster, or when the server will
// not send them (the cache then relies on the entries' TTL alone).
func (b *Backend) keyEvents(ctx context.Context) []string {
	c, ok := b.rdb.(*goredis.Client)
	if !ok || !b.opts.KeyEvents {
		return nil
	}
	flags, err := c.ConfigGet(ctx, "notify-keyspace-events").Result()
	if err != nil {
		b.noteKeyEvents("the Redis user may not read notify-keyspace-events; cached tournaments are served until their keys' TTL, and an evicted one until then too", err)
		return nil
	}
	have := flags["notify-keyspace-events"]
	want := have
	for _, f := range []string{"E", "x", "e"} {
		if !strings.Contains(want, f) && !(f != "E" && strings.Contains(want, "A")) {
			want += f
		}
	}
	if want != have {
		if err := c.ConfigSet(ctx, "notify-keyspace-events", want).Err(); err != nil {
			b.noteKeyEvents("keyspace notifications are off and the Redis user may not turn them on (notify-keyspace-events Exe); cached tournaments are served until their keys' TTL, and an evicted one until then too", err)
			return nil
		}
		b.logger.Info("turned on keyspace notifications for expired and evicted keys", "notify-keyspace-events", want)
	}
	db := strconv.Itoa(c.Options().DB)
	return []string{"__keyevent@" + db + "__:expired", "__keyevent@" + db + "__:evicted"}
}

// noteKeyEvents logs, once per plugin, why keyspace notifications are not
// used.
func (b *Backend) noteKeyEvents(msg string, err error) {
	if b.keyEventsNoted.CompareAndSwap(false, true) {
		b.logger.Info(msg, "error", err)
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
