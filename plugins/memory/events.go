package memory

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// maxRetainedEvents bounds each tournament's event log, like the Redis
// stream's MAXLEN.
const maxRetainedEvents = 1000

// eventLog is one tournament's retained events. Ids are "VERSION-INDEX",
// increasing within one life of a tournament; a re-created tournament gets
// a new log.
type eventLog struct {
	mu      sync.Mutex
	entries []shared.StreamEvent
	changed chan struct{} // closed and replaced on every append
	closed  bool          // the tournament was removed
}

type eventKey struct {
	version int64
	index   int
}

func parseEventID(id string) (eventKey, error) {
	v, i, ok := strings.Cut(id, "-")
	if id == "0" {
		return eventKey{}, nil
	}
	ver, err1 := strconv.ParseInt(v, 10, 64)
	idx, err2 := strconv.Atoi(i)
	if !ok || err1 != nil || err2 != nil {
		return eventKey{}, tournament.Errorf(tournament.CodeInvalidArgument, "event id %q is not an id this backend issued", id)
	}
	return eventKey{ver, idx}, nil
}

func (k eventKey) after(o eventKey) bool {
	return k.version > o.version || (k.version == o.version && k.index > o.index)
}

// publish appends the events of one change to the tournament's log.
func (b *Backend) publish(id int64, evs []tournament.Event, fresh bool) {
	if len(evs) == 0 {
		return
	}
	b.evMu.Lock()
	l := b.logs[id]
	if l == nil || fresh {
		if l != nil {
			l.close()
		}
		l = &eventLog{changed: make(chan struct{})}
		b.logs[id] = l
	}
	b.evMu.Unlock()
	l.mu.Lock()
	for i, ev := range evs {
		l.entries = append(l.entries, shared.StreamEvent{ID: fmt.Sprintf("%d-%d", ev.Version, i), Event: ev})
		if ev.Type == tournament.EventTournamentRemoved {
			l.closed = true
		}
	}
	if n := len(l.entries); n > maxRetainedEvents {
		l.entries = append([]shared.StreamEvent(nil), l.entries[n-maxRetainedEvents:]...)
	}
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

func (l *eventLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.changed)
		l.changed = make(chan struct{})
	}
}

// Subscribe implements shared.Backend.
func (b *Backend) Subscribe(ctx context.Context, req shared.SubscribeRequest, yield func(shared.StreamEvent) error) error {
	b.evMu.Lock()
	l := b.logs[req.TournamentID]
	b.evMu.Unlock()
	if l == nil { // an imported tournament has no log yet
		if _, err := b.Get(ctx, req.TournamentID); err != nil {
			return err
		}
		b.evMu.Lock()
		if l = b.logs[req.TournamentID]; l == nil {
			l = &eventLog{changed: make(chan struct{})}
			b.logs[req.TournamentID] = l
		}
		b.evMu.Unlock()
	}
	l.mu.Lock()
	var from eventKey
	if req.After == "" {
		if n := len(l.entries); n > 0 {
			from, _ = parseEventID(l.entries[n-1].ID)
		}
	} else {
		var err error
		if from, err = parseEventID(req.After); err != nil {
			l.mu.Unlock()
			return err
		}
	}
	l.mu.Unlock()
	for {
		l.mu.Lock()
		var batch []shared.StreamEvent
		for _, e := range l.entries {
			if k, _ := parseEventID(e.ID); k.after(from) {
				batch = append(batch, e)
			}
		}
		changed, closed := l.changed, l.closed
		l.mu.Unlock()
		for _, e := range batch {
			if err := yield(e); err != nil {
				return err
			}
			from, _ = parseEventID(e.ID)
		}
		if closed && len(batch) == 0 {
			return nil // the tournament was removed and its last event delivered
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}
