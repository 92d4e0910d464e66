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
func (h *Host) Subscribe(ctx context.Context, id int64, after string, fn func(shared.StreamEvent) error) error {
	b, err := h.backend(ctx)
	if err != nil {
		return err
	}
	return b.Subscribe(ctx, shared.SubscribeRequest{TournamentID: id, After: after}, fn)
}

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
			if removed || errors.Is(err, tournament.ErrNotFound) || errors.Is(err, tournament.ErrInvalidArgument) {
				return
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
