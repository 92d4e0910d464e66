package contract

import "slices"

// Capability names an optional part of the backend contract.
type Capability string

// The optional parts.
const (
	// CapReconcile: the backend is a Reconciler.
	CapReconcile Capability = "reconcile"
	// CapPlayerIndex: the backend is a PlayerIndex.
	CapPlayerIndex Capability = "player_index"
	// CapWebhooks: the backend is a WebhookStore.
	CapWebhooks Capability = "webhooks"
)

// AllCapabilities lists every optional part, in order.
var AllCapabilities = []Capability{CapReconcile, CapPlayerIndex, CapWebhooks}

// Announcer is implemented by a backend that says which optional parts it
// serves: a plugin's client says what the plugin announced when it
// connected, so that a part the plugin does not serve is known as such,
// whatever methods the client has.
type Announcer interface {
	Capabilities() []Capability
}

// CapabilitiesOf lists the optional parts b serves: what it announces, or
// else the interfaces it implements.
func CapabilitiesOf(b Backend) []Capability {
	if a, ok := b.(Announcer); ok {
		return a.Capabilities()
	}
	var out []Capability
	if _, ok := b.(Reconciler); ok {
		out = append(out, CapReconcile)
	}
	if _, ok := b.(PlayerIndex); ok {
		out = append(out, CapPlayerIndex)
	}
	if _, ok := b.(WebhookStore); ok {
		out = append(out, CapWebhooks)
	}
	return out
}

// Serves reports whether b serves the optional part c.
func Serves(b Backend, c Capability) bool { return slices.Contains(CapabilitiesOf(b), c) }

// ReconcilerOf returns b as a Reconciler when it serves that part.
func ReconcilerOf(b Backend) (Reconciler, bool) { return as[Reconciler](b, CapReconcile) }

// PlayerIndexOf returns b as a PlayerIndex when it serves that part.
func PlayerIndexOf(b Backend) (PlayerIndex, bool) { return as[PlayerIndex](b, CapPlayerIndex) }

// WebhookStoreOf returns b as a WebhookStore when it serves that part.
func WebhookStoreOf(b Backend) (WebhookStore, bool) { return as[WebhookStore](b, CapWebhooks) }

func as[T any](b Backend, c Capability) (T, bool) {
	var zero T
	if b == nil || !Serves(b, c) {
		return zero, false
	}
	t, ok := b.(T)
	return t, ok
}
