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

// matchWinners returns the player who advanced from each match of the
// round (a bye or a decided game), 0 while it is undecided or when nobody
// did (a double forfeit, an empty match).
func (r *Round) matchWinners() []int64 {
	outs := r.outcomes()
	out := make([]int64, len(outs))
	for i, o := range outs {
		out[i] = o.winner
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
