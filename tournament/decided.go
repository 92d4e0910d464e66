package tournament

import (
	"slices"
)

// Decided returns cmd in a form that replays deterministically: applied to
// before, it yields the same state as the change that turned before into
// after, drawing nothing at random and reading no clock. A shuffled Start
// carries the seed order that was drawn; ResolveTimeouts carries the
// winners that were chosen; CallGame and StartGame carry when they were
// made (a call replayed later keeps its deadline).
// Other commands are returned as they are. Hosts log this form so that a
// change acknowledged once is replayed with the same outcome.
func Decided(cmd Command, before, after *Tournament) Command {
	switch c := cmd.(type) {
	case Start:
		if (c.Shuffle || c.Seeding == SeedingRandom) && c.Seeds == nil && after != nil && after.Seeds != nil {
			c.Seeds = slices.Clone(after.Seeds)
		}
		return c
	case CallGame:
		if g := gameOf(after, c.GameID); g != nil && c.At.IsZero() && g.CalledAt != nil {
			c.At = *g.CalledAt
		}
		return c
	case StartGame:
		if g := gameOf(after, c.GameID); g != nil && c.At.IsZero() && g.PlayStartedAt != nil {
			c.At = *g.PlayStartedAt
		}
		return c
	case ResolveTimeouts:
		if c.Winners != nil || c.Policy == TimeoutNone || after == nil {
			return c
		}
		c.Winners = map[int64]int64{}
		for _, r := range after.Rounds {
			for _, g := range r.Games {
				if g.Status != GameTimedOut {
					continue
				}
				// Decided by this change: active before it, or (before
				// unknown) finished at the change's own time.
				var old *Game
				if before != nil {
					old = before.Game(g.GameID)
				}
				if (before == nil && g.FinishedAt != nil && g.FinishedAt.Equal(after.UpdatedAt)) || (old != nil && old.Status == GameActive) {
					c.Winners[g.GameID] = *g.WinnerID
				}
			}
		}
		return c
	}
	return cmd
}

// gameOf is t's game id, or nil (also for a nil t).
func gameOf(t *Tournament, id int64) *Game {
	if t == nil {
		return nil
	}
	return t.Game(id)
}

// replay times out the games named in Winners, as decided before.
func (cmd ResolveTimeouts) replay(c *change) error {
	decided := false
	var err error
	c.stageGames(func(g *Game) {
		w, ok := cmd.Winners[g.GameID]
		if !ok || g.Status != GameActive || err != nil {
			return
		}
		if _, ok := g.opponent(w); !ok {
			err = Errorf(CodeInvalidArgument, "timeout winner %d is not a player of game %d", w, g.GameID)
			return
		}
		c.timeOut(g, w, cmd.Policy)
		decided = true
	})
	if err != nil {
		return err
	}
	if decided {
		c.advance()
	}
	return nil
}

func samePlayers(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
