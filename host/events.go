package host

import (
	"context"
	"errors"
	"time"

	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/tournament"
)

// Subscribe calls fn with each event of tournament id after the event id
// after ("" = only new events, "0" = every retained event) until ctx is
// done, fn returns an error, or the backend fails (the error is returned).
//
// A switch between the primary and the fallback ends the subscription
// with an unavailable error: event ids differ between backends, so Events
// resumes on the new backend with new events only.
func (h *Host) Subscribe(ctx context.Context, id int64, after string, fn func(shared.StreamEvent) error) error {
	b, switched, err := h.router.current(ctx, call{id: id})
	if err != nil {
		return err
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
	err = b.Subscribe(ctx, shared.SubscribeRequest{TournamentID: id, After: after}, fn)
	select {
	case <-switched:
		return errSwitched
	default:
		return err
	}
}

// errSwitched ends a subscription when calls move to another backend.
var errSwitched = tournament.Errorf(tournament.CodeUnavailable, "the serving backend changed; subscribe again")

// Events returns a channel of tournament id's events after the event id
// after. It resumes from the last delivered event when the backend fails or
// restarts, and closes when ctx is done, the tournament is removed, or it
// does not exist.
func (h *Host) Events(ctx context.Context, id int64, after string) <-chan shared.StreamEvent {
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
				after, delay = e.ID, 50*time.Millisecond
				if e.Event.Type == tournament.EventTournamentRemoved {
					removed = true
					return errStop
				}
				return nil
			})
			if removed || errors.Is(err, tournament.ErrNotFound) {
				return
			}
			if errors.Is(err, tournament.ErrInvalidArgument) || errors.Is(err, errSwitched) {
				after = "" // an id from the other backend: go on with new events
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
