package tournament

import (
	"slices"
)

// Standing is one player's placement. Places are shared by players the
// format cannot tell apart (the losers of the same elimination round).
type Standing struct {
	Place    int   `json:"place"`
	PlayerID int64 `json:"player_id"`
	// Name is the participant's display name.
	Name   string `json:"name"`
	Seed   int    `json:"seed"`
	Wins   int    `json:"wins"`
	Losses int    `json:"losses"`
	Byes   int    `json:"byes"`
	// Points (round robin: a win is 1; Swiss: a win or a bye is 1).
	Points int `json:"points"`
	// Eliminated: the player can no longer win the tournament
	// (elimination: out of it; round robin and Swiss: left it, or too far
	// behind the leader with the games still to come).
	Eliminated bool `json:"eliminated"`
	// Tiebreaks (round robin, Swiss), in the order they are applied.
	Tiebreaks []Tiebreak `json:"tiebreaks,omitempty"`
	// Dropped: the player left the tournament ("disqualified" or
	// "withdrew"); round robin and Swiss place them after the others.
	Dropped string `json:"dropped,omitempty"`
	// GamesWon and GamesLost count the games of series (from scores; a
	// result without scores counts as one game).
	GamesWon  int `json:"games_won"`
	GamesLost int `json:"games_lost"`
}

// Tiebreak is one named tiebreak value.
type Tiebreak struct {
	Name  string `json:"name"`
	Value int    `json:"value"`
}

// Tiebreak names.
const (
	TiebreakHeadToHead      = "head_to_head"
	TiebreakSonnebornBerger = "sonneborn_berger"
	TiebreakBuchholzCut1    = "buchholz_cut1"
	TiebreakBuchholz        = "buchholz"
	// TiebreakGameDifference is games won minus games lost in series.
	TiebreakGameDifference = "game_difference"
)

// Standings is the placement of every player: final once the tournament
// is completed, as things stand while it is active.
type Standings struct {
	TournamentID int64      `json:"tournament_id"`
	Format       Format     `json:"format"`
	Status       Status     `json:"status"`
	Version      int64      `json:"version"`
	Final        bool       `json:"final"`
	Standings    []Standing `json:"standings"`
}

// playerStats gathers what standings need from every decided game.
type playerStats struct {
	s         Standing
	opponents []int64 // every game's opponent, in order
	beaten    []int64
	// lossStages are the stages of the player's losses (a double forfeit
	// counts; elimination leaves the third-place match aside), in order.
	lossStages []int
	forfeited  int // the stage of the player's first double forfeit (0: none)
	key        int // elimination: higher is better
	dropStage  int // the stage the player left in (0 = still in)
	decided    int // games decided
}

// Standings returns the tournament's standings.
func (t *Tournament) Standings() Standings {
	out := Standings{TournamentID: t.ID, Format: t.format(), Status: t.Status, Version: t.Version,
		Final: t.Status == StatusCompleted, Standings: []Standing{}}
	order := t.Seeds
	if len(order) == 0 {
		order = t.Players
	}
	stats := make(map[int64]*playerStats, len(order))
	names := t.names()
	for i, p := range order {
		name := names[p]
		if name == "" {
			name = DefaultName(p)
		}
		stats[p] = &playerStats{s: Standing{PlayerID: p, Name: name, Seed: i + 1}}
	}
	for ri := range t.Rounds {
		r := &t.Rounds[ri]
		for _, p := range r.Byes {
			if st := stats[p]; st != nil {
				st.s.Byes++
			}
		}
		for gi := range r.Games {
			g := &r.Games[gi]
			if g.WinnerID == nil {
				if g.Status == GameFinished && g.Forfeit {
					// A double forfeit: a loss for both, which puts both out
					// of an elimination.
					for _, p := range []int64{g.Player1, g.Player2} {
						if st := stats[p]; st != nil {
							st.s.Losses++
							st.decided++
							if r.Bracket != BracketThirdPlace {
								st.lossStages = append(st.lossStages, t.stage(r))
								if st.forfeited == 0 {
									st.forfeited = t.stage(r)
								}
							}
						}
					}
				}
				continue
			}
			w, l := stats[*g.WinnerID], stats[*g.LoserID]
			if w == nil || l == nil {
				continue
			}
			w.s.Wins++
			l.s.Losses++
			w.decided++
			l.decided++
			if len(g.Scores) == 0 {
				w.s.GamesWon++
				l.s.GamesLost++
			}
			for _, s := range g.Scores {
				p1, p2 := stats[g.Player1], stats[g.Player2]
				if s[0] > s[1] {
					p1.s.GamesWon++
					p2.s.GamesLost++
				} else {
					p2.s.GamesWon++
					p1.s.GamesLost++
				}
			}
			w.opponents = append(w.opponents, l.s.PlayerID)
			l.opponents = append(l.opponents, w.s.PlayerID)
			w.beaten = append(w.beaten, l.s.PlayerID)
			if r.Bracket != BracketThirdPlace {
				l.lossStages = append(l.lossStages, t.stage(r))
			}
		}
	}
	list := make([]*playerStats, len(order))
	for i, p := range order {
		list[i] = stats[p]
	}
	for _, d := range t.Dropped {
		if st := stats[d.PlayerID]; st != nil {
			st.s.Dropped = d.Reason
			st.dropStage = d.Stage
		}
	}
	switch t.format() {
	case RoundRobin:
		rankRoundRobin(list, stats)
		t.markOutOfReach(list)
	case Swiss:
		rankSwiss(list, stats)
		t.markOutOfReach(list)
	default:
		t.rankElimination(list, stats)
	}
	if t.format() == RoundRobin || t.format() == Swiss {
		// Players who left keep their results but place after the others.
		slices.SortStableFunc(list, func(a, b *playerStats) int { return min(a.dropStage, 1) - min(b.dropStage, 1) })
	}
	for i, st := range list {
		if i > 0 && st.key != 0 && st.key == list[i-1].key {
			st.s.Place = list[i-1].s.Place
		} else {
			st.s.Place = i + 1
		}
		out.Standings = append(out.Standings, st.s)
	}
	return out
}

// rankElimination orders by how far each player got: the champion, the
// players still in, then the others by the stage they went out in (the
// third-place match's winner before its loser). A player goes out with
// their deciding loss (the first in single elimination, the second in
// double elimination), with a double forfeit, or when they leave the
// tournament, whichever comes first: a player who left is placed where
// they left, whatever walkovers follow.
func (t *Tournament) rankElimination(list []*playerStats, stats map[int64]*playerStats) {
	need := 1
	if t.format() == DoubleElimination {
		need = 2
	}
	const alive, champion = 1 << 20, 1 << 21
	for _, st := range list {
		out, exit := false, 0
		if len(st.lossStages) >= need {
			out, exit = true, st.lossStages[need-1]
		}
		for _, s := range []int{st.forfeited, st.dropStage} {
			if s > 0 && (!out || s < exit) {
				out, exit = true, s
			}
		}
		st.s.Eliminated = out
		st.key = alive
		if out {
			st.key = exit * 4
		}
	}
	for _, i := range t.bracketRounds(BracketThirdPlace) {
		for _, o := range t.Rounds[i].outcomes() {
			if o.decided && o.winner != 0 {
				stats[o.winner].key += 2
				if o.loser != 0 {
					stats[o.loser].key++
				}
			}
		}
	}
	if t.Status == StatusCompleted && t.WinnerID != nil {
		if st := stats[*t.WinnerID]; st != nil {
			st.key = champion
		}
		for _, st := range list {
			if st.key == alive && st.s.PlayerID != *t.WinnerID {
				st.key = alive - 1 // the runner-up of a final without a decider
			}
			st.s.Eliminated = st.key != champion
		}
	}
	slices.SortStableFunc(list, func(a, b *playerStats) int { return b.key - a.key })
}

// rankRoundRobin: points (a win is 1), then the points among the players
// tied on points (head to head), then Sonneborn-Berger (the points of the
// players one beat), then seed.
func rankRoundRobin(list []*playerStats, stats map[int64]*playerStats) {
	for _, st := range list {
		st.s.Points = st.s.Wins
	}
	for _, st := range list {
		sb := 0
		for _, p := range st.beaten {
			sb += stats[p].s.Points
		}
		h2h := 0
		for _, p := range st.beaten {
			if stats[p].s.Points == st.s.Points {
				h2h++
			}
		}
		st.s.Tiebreaks = []Tiebreak{{TiebreakHeadToHead, h2h}, {TiebreakSonnebornBerger, sb},
			{TiebreakGameDifference, st.s.GamesWon - st.s.GamesLost}}
	}
	sortByPoints(list)
}

// rankSwiss: points (a win or a bye is 1), then Buchholz Cut-1 (the
// opponents' points but the lowest), Buchholz, Sonneborn-Berger, seed.
func rankSwiss(list []*playerStats, stats map[int64]*playerStats) {
	for _, st := range list {
		st.s.Points = st.s.Wins + st.s.Byes
	}
	for _, st := range list {
		bh, low, sb := 0, 0, 0
		for i, p := range st.opponents {
			pts := stats[p].s.Points
			bh += pts
			if i == 0 || pts < low {
				low = pts
			}
		}
		for _, p := range st.beaten {
			sb += stats[p].s.Points
		}
		st.s.Tiebreaks = []Tiebreak{{TiebreakBuchholzCut1, bh - low}, {TiebreakBuchholz, bh},
			{TiebreakSonnebornBerger, sb}, {TiebreakGameDifference, st.s.GamesWon - st.s.GamesLost}}
	}
	sortByPoints(list)
}

func sortByPoints(list []*playerStats) {
	slices.SortStableFunc(list, func(a, b *playerStats) int {
		if a.s.Points != b.s.Points {
			return b.s.Points - a.s.Points
		}
		for i := range a.s.Tiebreaks {
			if d := b.s.Tiebreaks[i].Value - a.s.Tiebreaks[i].Value; d != 0 {
				return d
			}
		}
		return a.s.Seed - b.s.Seed
	})
}

// markOutOfReach marks as eliminated, in a round robin or Swiss, the
// players who can no longer win: those who left, every player but the
// winner once completed, and those whose points, with every game still to
// come won, stay below the leader's.
func (t *Tournament) markOutOfReach(list []*playerStats) {
	leader := -1
	for _, st := range list {
		if st.dropStage == 0 {
			leader = max(leader, st.s.Points)
		}
	}
	for _, st := range list {
		// What is still to come: in a round robin every player's games
		// ((n-1) a cycle), in Swiss a point at most a round (a bye too).
		togo := t.Options.Rounds - st.decided - st.s.Byes
		if t.format() == RoundRobin {
			togo = (len(t.Seeds)-1)*max(t.Options.Rounds, 1) - st.decided
		}
		switch {
		case st.dropStage > 0:
			st.s.Eliminated = true
		case t.Status == StatusCompleted:
			st.s.Eliminated = t.WinnerID == nil || *t.WinnerID != st.s.PlayerID
		case t.Status == StatusActive:
			st.s.Eliminated = st.s.Points+max(togo, 0) < leader
		}
	}
}

// leader is the player first in the standings.
func (c *change) leader() int64 {
	return c.t.Standings().Standings[0].PlayerID
}
