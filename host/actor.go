package host

import (
	"context"

	"github.com/tourney/tourney/tournament"
)

type actorKey struct{}

// WithActor returns a context that names the caller for rate limiting. The
// HTTP API sets it from the X-Actor-ID header (else the client address).
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor set by WithActor, or "".
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

// ChangeRecord receives what a mutating call through a context made with
// RecordChange changed: the version it produced and its events. The HTTP
// API answers `Prefer: return=minimal` with it.
type ChangeRecord struct {
	Version int64
	Events  []tournament.Event
}

type changeKey struct{}

// RecordChange returns a context whose mutating calls fill rec.
func RecordChange(ctx context.Context, rec *ChangeRecord) context.Context {
	return context.WithValue(ctx, changeKey{}, rec)
}

func recordChange(ctx context.Context, t *tournament.Tournament, evs []tournament.Event) {
	if rec, ok := ctx.Value(changeKey{}).(*ChangeRecord); ok {
		rec.Events = evs
		if t != nil {
			rec.Version = t.Version
		}
	}
}
