// Package notapplied is the host's refusal: an unavailable error saying
// that the call had no effect, so that retrying it as it is is safe. The
// host's parts (failover, plugins, webhooks) refuse with it; the host
// package exports it as host.Refused and host.ReasonNotApplied.
package notapplied

import (
	"fmt"

	"github.com/tourney/tourney/tournament"
)

// Reason marks an unavailable error from a host that refused the call
// before any store saw it (no backend to serve it, a plugin still
// restarting, an outage being written back).
const Reason = "not_applied"

// Errorf is an unavailable error with Reason.
func Errorf(format string, args ...any) *tournament.Error {
	return &tournament.Error{Code: tournament.CodeUnavailable, Reason: Reason, Message: fmt.Sprintf(format, args...)}
}
