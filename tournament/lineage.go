package tournament

import "slices"

// Descends reports whether newer can have grown out of older by changes
// alone, with nobody writing a different history on top of older: the same
// tournament (id, creation time, parameters), a version not lower, no later
// update time, a status no earlier, the same seeds once started, and every
// game decided in older decided the same way in newer. A store that comes
// back with an older copy (an old RDB snapshot, a promoted replica) holds an
// ancestor of what a host saw; one that another process wrote on since does
// not (its update time is later, or a decision differs). A correction in
// newer made after older's version may have changed any decision since, so
// then only the rest is compared.
func Descends(newer, older *Tournament) bool {
	if newer == nil || older == nil || newer.ID != older.ID || !newer.CreatedAt.Equal(older.CreatedAt) ||
		newer.Name != older.Name || newer.MaxPlayers != older.MaxPlayers || newer.CreatorID != older.CreatorID {
		return false
	}
	if newer.Version < older.Version || older.UpdatedAt.After(newer.UpdatedAt) {
		return false
	}
	if older.Status != StatusPending && !slices.Equal(newer.Seeds, older.Seeds) {
		return false
	}
	if newer.CorrectedVersion < older.CorrectedVersion {
		return false // older holds a correction newer does not
	}
	if newer.CorrectedVersion > older.Version {
		// A correction made since older re-decided games, and may have
		// reopened a completed tournament: older's decisions and status
		// need not hold in newer any more.
		return newer.Status != StatusPending
	}
	if statusRank(newer.Status) < statusRank(older.Status) {
		return false
	}
	for _, r := range older.Rounds {
		for _, g := range r.Games {
			n := newer.Game(g.GameID)
			if n == nil || n.Player1 != g.Player1 || n.Player2 != g.Player2 {
				return false
			}
			if g.Status != GameActive && (n.Status != g.Status || (g.WinnerID == nil) != (n.WinnerID == nil) || g.WinnerID != nil && *n.WinnerID != *g.WinnerID) {
				return false
			}
		}
	}
	return true
}

func statusRank(s Status) int {
	switch s {
	case StatusActive:
		return 1
	case StatusCompleted:
		return 2
	}
	return 0
}
