package tournament

import (
	"slices"

	"github.com/tourney/tourney/tournament/internal/blossom"
)

// Swiss pairing. Round k+1 is paired once round k is complete, from the
// standings: a maximum-weight matching (Edmonds' blossom algorithm) over
// every pair that has not met, with maximum cardinality, so that a pairing
// of everyone is found whenever one exists. The weights say, in this order
// of priority:
//
//  1. with an odd number of players, the bye goes to the lowest-ranked
//     player who has not had one (and for whom the others can be paired);
//  2. pairs within a score group, floating as few as possible (a pair
//     costs the square of its score difference);
//  3. within a score group, the top half meets the bottom half (1 v g/2+1,
//     2 v g/2+2, ... for a group of g).
//
// The graph holds first only the pairs at most one point apart (far
// smaller, and the best pairing uses no wider pair when it can do
// without); only when that cannot pair everyone, or cannot give the bye to
// the lowest-ranked player without one, does it hold every pair that has
// not met. Under RulesSwissBands it holds, before that, only a band of
// those pairs: within a score group, the partners at most swissBand places
// from the ideal one (1 v g/2+1 ...; every pair in a group of at most
// 2*swissBand+2); across one point, the bottom swissBand of a group and
// the top swissBand of the next. A 1024-player round then matches over a
// few tens of thousands of pairs instead of hundreds of thousands.
//
// Sides: player_1 goes to the player who has had it less often (the higher
// ranked in odd rounds, the lower in even rounds, when even).

// swissBand is how far from the ideal partner (and how deep into a score
// group, for floats) the narrow band of candidate pairs reaches.
const swissBand = 6

// swissSlots pairs the next round, or returns nil when no pairing without
// a rematch or a second bye exists.
func (c *change) swissSlots() []int64 {
	if c.pairings != nil {
		slots, err := c.pairings(len(c.t.Rounds) + 1)
		if err != nil && c.err == nil {
			c.err = err
		}
		return slots
	}
	next := len(c.t.Rounds) + 1
	var st []Standing
	for _, s := range c.t.Standings().Standings {
		if !c.t.dropped(s.PlayerID, next) {
			st = append(st, s)
		}
	}
	n := len(st)
	if n < 2 {
		return nil // nobody left to pair
	}
	rank := make(map[int64]int, n) // player -> position in the standings
	for i, s := range st {
		rank[s.PlayerID] = i
	}
	h := c.t.swissHistory(rank)
	met, balance, hadBye := h.met, h.balance, h.hadBye
	// Score groups: position within the group and its size.
	pos, size := make([]int, n), make([]int, n)
	for i := 0; i < n; {
		j := i
		for j < n && st[j].Points == st[i].Points {
			j++
		}
		for k := i; k < j; k++ {
			pos[k], size[k] = k-i, j-i
		}
		i = j
	}
	spread := int64(st[0].Points - st[n-1].Points)
	unitFloat := int64(n)*int64(n) + 1             // outweighs every top/bottom-half term
	base := unitFloat*(spread*spread+1) + int64(n) // keeps every weight positive
	unitBye := base * int64(n/2+1)                 // outweighs every pairing term
	// First the pairs at most one point apart (a far smaller graph, and
	// the best pairing uses no wider pair whenever it can do without);
	// when that cannot pair everyone, every pair that has not met.
	// banded reports whether i and j (i ranked higher, d points apart) are
	// in the narrow band.
	banded := func(i, j int, d int64) bool {
		switch d {
		case 0:
			return size[i] <= 2*swissBand+2 || abs(pos[j]-pos[i]-size[i]/2) <= swissBand
		case 1:
			return pos[i] >= size[i]-swissBand && pos[j] < swissBand
		}
		return false
	}
	match := func(window int64, band bool) []int {
		// The standings are in points order: j runs only while within the
		// window.
		count := 0
		for i := range n {
			for j := i + 1; j < n && int64(st[i].Points-st[j].Points) <= window; j++ {
				count++
			}
		}
		if band {
			count = n * (2*swissBand + 3)
		}
		edges := make([]blossom.Edge, 0, count+n)
		for i := range n {
			for j := i + 1; j < n; j++ {
				d := int64(st[i].Points - st[j].Points)
				if d > window {
					break
				}
				if met[[2]int{i, j}] || band && !banded(i, j, d) {
					continue
				}
				w := base - d*d*unitFloat
				if d == 0 {
					w -= int64(abs(pos[j] - pos[i] - size[i]/2))
				}
				edges = append(edges, blossom.Edge{I: i, J: j, W: w})
			}
		}
		vertices := n
		if n%2 == 1 {
			for i := range n {
				if !hadBye[i] {
					edges = append(edges, blossom.Edge{I: i, J: n, W: base + unitBye*int64(i+1)})
				}
			}
			vertices++
		}
		mate := blossom.Match(vertices, edges, true)
		if slices.Contains(mate, -1) {
			return nil
		}
		return mate
	}
	// The smaller graph's pairing stands only if it gave the bye to the
	// lowest-ranked player without one (the bye outranks floats, and the
	// wider graph may make that player's bye possible).
	lowest := -1
	for i := n - 1; n%2 == 1 && i >= 0 && lowest < 0; i-- {
		if !hadBye[i] {
			lowest = i
		}
	}
	good := func(m []int) bool { return m != nil && (lowest < 0 || m[lowest] == n) }
	var mate []int
	if c.t.rules() >= RulesSwissBands && n > 2*swissBand+2 {
		mate = match(1, true)
	}
	if !good(mate) {
		mate = match(1, false)
	}
	if spread > 1 && !good(mate) {
		if wide := match(spread, false); wide != nil {
			mate = wide
		}
	}
	if mate == nil {
		return nil
	}
	odd := len(c.t.Rounds)%2 == 0 // the round being paired is odd
	var slots []int64
	bye := int64(0)
	for i := range n {
		j := mate[i]
		switch {
		case j == n:
			bye = st[i].PlayerID
		case j > i:
			a, b := i, j // a is the higher ranked
			switch {
			case balance[b] < balance[a], balance[a] == balance[b] && !odd:
				a, b = b, a
			}
			slots = append(slots, st[a].PlayerID, st[b].PlayerID)
		}
	}
	if bye != 0 {
		slots = append(slots, bye, 0)
	}
	return slots
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// swissHistory is what the pairing needs to know of the players still in
// (by their position in the standings, rank): the pairs that met, each
// player's sides and byes. The games and byes of players who left are
// theirs alone: they never count for anyone else.
type swissHistory struct {
	met     map[[2]int]bool
	balance []int // player_1 games minus player_2 games
	hadBye  []bool
}

func (t *Tournament) swissHistory(rank map[int64]int) swissHistory {
	n := len(rank)
	h := swissHistory{met: map[[2]int]bool{}, balance: make([]int, n), hadBye: make([]bool, n)}
	for ri := range t.Rounds {
		r := &t.Rounds[ri]
		for _, p := range r.Byes {
			if i, in := rank[p]; in {
				h.hadBye[i] = true
			}
		}
		for gi := range r.Games {
			a, inA := rank[r.Games[gi].Player1]
			b, inB := rank[r.Games[gi].Player2]
			if inA {
				h.balance[a]++
			}
			if inB {
				h.balance[b]--
			}
			if inA && inB {
				h.met[[2]int{min(a, b), max(a, b)}] = true
			}
		}
	}
	return h
}
