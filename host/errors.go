package host

import (
	"github.com/tourney/tourney/host/internal/notapplied"
	"github.com/tourney/tourney/tournament"
)

// ReasonNotApplied marks an unavailable error from a host that refused the
// call before any store saw it (no backend to serve it, a plugin still
// restarting, an outage being written back): the call had no effect, and
// retrying it as it is is safe. Any other unavailable error from a write
// leaves its outcome unknown.
const ReasonNotApplied = notapplied.Reason

// Refused is an unavailable error with ReasonNotApplied.
func Refused(format string, args ...any) *tournament.Error { return notapplied.Errorf(format, args...) }
