package host

import "context"

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
