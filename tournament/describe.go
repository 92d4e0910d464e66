package tournament

import "fmt"

// Describe names a command and its arguments for people (conflict records,
// logs): "register_result game 3 winner 12".
func Describe(cmd Command) string {
	switch c := cmd.(type) {
	case AddPlayer:
		return fmt.Sprintf("add_player %d", c.UserID)
	case RemovePlayer:
		return fmt.Sprintf("remove_player %d", c.UserID)
	case AddPlayers:
		ids := make([]int64, len(c.Entrants))
		for i, e := range c.Entrants {
			ids[i] = e.UserID
		}
		return fmt.Sprintf("add_players %v", ids)
	case UpdateParticipant:
		return fmt.Sprintf("update_participant %d", c.UserID)
	case SetSeeds:
		return fmt.Sprintf("set_seeds %v", c.Seeds)
	case SwapSeeds:
		return fmt.Sprintf("swap_seeds %d %d", c.A, c.B)
	case Start:
		if c.Seeds != nil {
			return fmt.Sprintf("start seeds %v", c.Seeds)
		}
		if c.Seeding != "" {
			return "start seeding " + c.Seeding
		}
		return fmt.Sprintf("start shuffle=%t", c.Shuffle)
	case RegisterResult:
		if c.Forfeit {
			return fmt.Sprintf("register_result game %d winner %d by forfeit", c.GameID, c.WinnerID)
		}
		return fmt.Sprintf("register_result game %d winner %d", c.GameID, c.WinnerID)
	case Disqualify:
		return fmt.Sprintf("disqualify %d", c.UserID)
	case ResolveTimeouts:
		if c.Winners != nil {
			return fmt.Sprintf("resolve_timeouts winners %v", c.Winners)
		}
		return fmt.Sprintf("resolve_timeouts policy %s", c.Policy)
	case WarnDeadlines:
		return fmt.Sprintf("warn_deadlines lead %v", c.Lead)
	case CorrectResult:
		switch {
		case c.WinnerID == 0:
			return fmt.Sprintf("correct_result game %d to a double forfeit", c.GameID)
		case c.Forfeit:
			return fmt.Sprintf("correct_result game %d winner %d by forfeit", c.GameID, c.WinnerID)
		}
		return fmt.Sprintf("correct_result game %d winner %d", c.GameID, c.WinnerID)
	}
	return cmd.Name()
}
