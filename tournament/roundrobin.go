package tournament

// A round robin follows FIDE's Berger tables (Handbook C.05, Annex 1):
// with the players in seed order and a dummy added when their number is
// odd (its opponent has the round's bye), m positions in all, the last
// position stays in place and the others rotate: round k is rotation
// ((k-1)*m/2) mod (m-1) of the first round's pairs (1 v m, 2 v m-1, ...),
// and the fixed player is player_1 in even rounds. Round k is then FIDE's
// round k, and no player takes one side more than twice in a row. Every
// pair meets exactly once a cycle; with rounds 2 the second cycle repeats
// the first with sides swapped. Tournaments started under the first rules
// rotate one step a round (the same rounds, in another order).

// roundRobinRounds is how many rounds the tournament plays.
func (c *change) roundRobinRounds() int {
	n := len(c.t.Seeds)
	return (n + n%2 - 1) * max(c.t.Options.Rounds, 1)
}

// roundRobinSlots returns the slots of round r (0-based): pairs of
// (player_1, player_2), a bye as (player, 0).
func (c *change) roundRobinSlots(r int) []int64 {
	seeds := c.t.Seeds
	n := len(seeds) + len(seeds)%2
	cycle := n - 1
	swap := r >= cycle // the second cycle: sides swapped
	r %= cycle
	player := func(i int) int64 {
		if i < len(seeds) {
			return seeds[i]
		}
		return 0 // the dummy
	}
	slots := make([]int64, 0, n)
	pair := func(a, b int64) {
		if swap {
			a, b = b, a
		}
		if a == 0 { // the bye is always written (player, 0)
			a, b = b, a
		}
		slots = append(slots, a, b)
	}
	// The fixed player (the last position) alternates sides by round.
	step := r
	if c.t.rules() >= RulesWalkovers {
		step = r * (n / 2) % cycle // FIDE's order of the rounds
	}
	rot := func(i int) int { return (step + i) % cycle }
	if r%2 == 0 {
		pair(player(rot(0)), player(n-1))
	} else {
		pair(player(n-1), player(rot(0)))
	}
	for i := 1; i < n/2; i++ {
		pair(player(rot(i)), player(rot(cycle-i)))
	}
	return slots
}
