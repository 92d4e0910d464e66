package host

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// Subscribe calls fn with each event of tournament id after the event id
// after ("" = only new events, "0" = every retained event) until ctx is
// done, fn returns an error, or the backend fails (the error is returned).
//
// Event ids name the backend that issued them ("p:" the primary, shared by
// every host; "f<launch>:" this host's fallback). An id another backend
// issued (a client resuming across a failover, or on another host's
// fallback) cannot be resumed from: fn first gets a resync event (type
// "resync", no id), and then new events only. A switch between the primary
// and the fallback ends the subscription with an unavailable error.
func (h *Host) Subscribe(ctx context.Context, id int64, after string, fn func(shared.StreamEvent) error) error {
	src, err := h.router.ForStream(ctx, id)
	if err != nil {
		return err
	}
	b, switched, tag := src.Backend, src.Switched, src.Tag
	raw, resync, err := untag(after, tag)
	if err != nil {
		return err
	}
	if resync {
		if err := fn(shared.StreamEvent{Event: tournament.Event{Type: EventResync, TournamentID: id}}); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-switched:
			cancel()
		case <-ctx.Done():
		}
	}()
	err = b.Subscribe(ctx, shared.SubscribeRequest{TournamentID: id, After: raw}, func(e shared.StreamEvent) error {
		e.ID = tag + ":" + e.ID
		return fn(e)
	})
	select {
	case <-switched:
		return errSwitched
	default:
		return err
	}
}

// EventResync tells a subscriber that its last event id cannot be resumed
// from (another backend issued it): it should fetch the tournament afresh;
// the events that follow are new ones.
const EventResync tournament.EventType = "resync"

// untag checks an event id against the serving backend's tag and returns
// the backend's own id; resync says it was issued elsewhere.
func untag(after, tag string) (raw string, resync bool, err error) {
	if after == "" || after == "0" {
		return after, false, nil
	}
	t, rest, ok := strings.Cut(after, ":")
	if !ok || rest == "" || !validTag(t) {
		return "", false, tournament.Errorf(tournament.CodeInvalidArgument,
			"event id %q is not one this service issued (they look like p:1700000000000-0)", after)
	}
	if t != tag {
		return "", true, nil
	}
	return rest, false, nil
}

func validTag(t string) bool {
	if t == "p" {
		return true
	}
	if len(t) < 2 || t[0] != 'f' {
		return false
	}
	for _, c := range t[1:] {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// CheckEventID reports whether id is an event id this service could have
// issued ("" and "0" included), so that HTTP can refuse a garbage one
// before a stream starts.
func CheckEventID(id string) error {
	_, _, err := untag(id, "p")
	return err
}

// errSwitched ends a subscription when calls move to another backend.
var errSwitched = tournament.Errorf(tournament.CodeUnavailable, "the serving backend changed; subscribe again")

// Events returns a channel of tournament id's events after the event id
// after. It resumes from the last delivered event when the backend fails or
// restarts; across a switch between the primary and the fallback it sends a
// resync event (EventResync) and goes on with new events. It closes when
// ctx is done, the tournament is removed, or it does not exist.
//
// Callers that want only new events (after "") share one subscription per
// tournament (a thousand spectators cost one backend subscription, not a
// thousand); one whose channel stays full (hubBuffer events behind) is
// dropped: its channel closes, and it resumes from the last event it got
// with its own subscription (as an SSE client does with Last-Event-ID).
func (h *Host) Events(ctx context.Context, id int64, after string) <-chan shared.StreamEvent {
	if after == "" {
		return h.fan.join(ctx, h, id)
	}
	return h.events(ctx, id, after)
}

// hubBuffer is how far a caller sharing a subscription may fall behind.
const hubBuffer = 64

// fanout shares one subscription per tournament among the callers of
// Events that want only new events.
type fanout struct {
	mu   sync.Mutex
	hubs map[int64]*hub
}

type hub struct {
	subs   map[chan shared.StreamEvent]struct{}
	cancel context.CancelFunc
}

func (f *fanout) join(ctx context.Context, h *Host, id int64) <-chan shared.StreamEvent {
	ch := make(chan shared.StreamEvent, hubBuffer)
	f.mu.Lock()
	if f.hubs == nil {
		f.hubs = map[int64]*hub{}
	}
	hb := f.hubs[id]
	if hb == nil {
		hctx, cancel := context.WithCancel(context.Background())
		hb = &hub{subs: map[chan shared.StreamEvent]struct{}{}, cancel: cancel}
		f.hubs[id] = hb
		go f.run(hctx, h, id, hb)
	}
	hb.subs[ch] = struct{}{}
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.leave(id, hb, ch)
	}()
	return ch
}

// run feeds hb's callers from one subscription until it ends (the
// tournament is removed or gone) or the last caller leaves.
func (f *fanout) run(ctx context.Context, h *Host, id int64, hb *hub) {
	for e := range h.events(ctx, id, "") {
		f.mu.Lock()
		for ch := range hb.subs {
			select {
			case ch <- e:
			default: // too far behind: it resumes on its own
				delete(hb.subs, ch)
				close(ch)
			}
		}
		f.mu.Unlock()
	}
	f.mu.Lock()
	for ch := range hb.subs {
		close(ch)
	}
	hb.subs = nil
	if f.hubs[id] == hb {
		delete(f.hubs, id)
	}
	f.mu.Unlock()
	hb.cancel()
}

func (f *fanout) leave(id int64, hb *hub, ch chan shared.StreamEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := hb.subs[ch]; ok {
		delete(hb.subs, ch)
		close(ch)
	}
	if len(hb.subs) == 0 && f.hubs[id] == hb {
		delete(f.hubs, id)
		hb.cancel()
	}
}

// events is one caller's own subscription (see Events).
func (h *Host) events(ctx context.Context, id int64, after string) <-chan shared.StreamEvent {
	out := make(chan shared.StreamEvent, 64)
	go func() {
		defer close(out)
		delay := 50 * time.Millisecond
		for ctx.Err() == nil {
			removed := false
			err := h.Subscribe(ctx, id, after, func(e shared.StreamEvent) error {
				select {
				case out <- e:
				case <-ctx.Done():
					return ctx.Err()
				}
				if e.ID != "" {
					after = e.ID
				}
				delay = 50 * time.Millisecond
				if e.Event.Type == tournament.EventTournamentRemoved {
					removed = true
					return errStop
				}
				return nil
			})
			if removed || errors.Is(err, tournament.ErrNotFound) {
				return
			}
			if errors.Is(err, tournament.ErrInvalidArgument) {
				after = ""
			}
			if err != nil && ctx.Err() == nil {
				h.logger.Debug("event subscription interrupted; resuming", "tournament", id, "after", after, "error", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(delay):
				delay = min(2*delay, 2*time.Second)
			}
		}
	}()
	return out
}

var errStop = errors.New("stop")
