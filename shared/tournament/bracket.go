package tournament

// SlotOrder returns the standard bracket order of seeds 1..size, size a power
// of two: start from [1]; to double a list of length k, replace each seed s
// by the pair (s, 2k+1-s) in place. For 8: [1 8 4 5 2 7 3 6].
func SlotOrder(size int) []int {
	order := []int{1}
	for k := 1; k < size; k *= 2 {
		next := make([]int, 0, 2*k)
		for _, s := range order {
			next = append(next, s, 2*k+1-s)
		}
		order = next
	}
	return order
}

// BracketSize returns the smallest power of two >= n (and at least 2).
func BracketSize(n int) int {
	s := 2
	for s < n {
		s *= 2
	}
	return s
}

// matchWinner returns the player who advanced from match i of the round (a
// bye or a decided game), or 0 while it is undecided.
func (r *Round) matchWinner(i int) int64 {
	a, b := r.Slots[2*i], r.Slots[2*i+1]
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	for _, g := range r.Games {
		if g.Player1 == a && g.Player2 == b && g.WinnerID != nil {
			return *g.WinnerID
		}
	}
	return 0
}

// matchWinners returns matchWinner(i) of every match, in one pass: games
// are stored in match order (byes have none), so a cursor finds each
// match's game. A game out of place (never made by the engine) is looked
// up the slow way.
func (r *Round) matchWinners() []int64 {
	out := make([]int64, len(r.Slots)/2)
	gi := 0
	for i := range out {
		a, b := r.Slots[2*i], r.Slots[2*i+1]
		switch {
		case a == 0:
			out[i] = b
		case b == 0:
			out[i] = a
		case gi < len(r.Games) && r.Games[gi].Player1 == a && r.Games[gi].Player2 == b:
			if w := r.Games[gi].WinnerID; w != nil {
				out[i] = *w
			}
			gi++
		default:
			out[i] = r.matchWinner(i)
		}
	}
	return out
}

// roundOneSlots places the seeded players into the slots of round 1; seeds
// above len(seeds) are empty (0), so byes fall to the top seeds.
func roundOneSlots(seeds []int64) []int64 {
	order := SlotOrder(BracketSize(len(seeds)))
	slots := make([]int64, len(order))
	for i, s := range order {
		if s <= len(seeds) {
			slots[i] = seeds[s-1]
		}
	}
	return slots
}
