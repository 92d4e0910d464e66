package tournament

import "slices"

// nextSingleElimination creates the next round of a single elimination
// (with the third-place match beside the final), or completes it.
func (c *change) nextSingleElimination(stage int) bool {
	main := c.t.bracketRounds(BracketWinners)
	last := c.t.Rounds[main[len(main)-1]].outcomes()
	winners := make([]int64, len(last))
	for i, o := range last {
		winners[i] = o.winner
	}
	if len(winners) == 1 {
		c.complete(winners[0])
		return false
	}
	c.beginRound(BracketWinners, stage, winners)
	if c.t.Options.ThirdPlaceMatch && len(winners) == 2 {
		c.beginRound(BracketThirdPlace, stage, []int64{last[0].loser, last[1].loser})
	}
	return true
}

// Double elimination on a bracket of S = 2^k slots plays in stages; stage s
// holds winners' round s (s <= k) and losers' round s-1 (1 <= s-1 <= 2k-2):
//
//   - losers' round 1 pairs the losers of winners' round 1 in bracket order
//     (a bye in round 1 leaves an empty side, so its opponent has a bye);
//   - losers' round 2i pairs the winners of losers' round 2i-1 with the
//     losers of winners' round i+1, dropped in reverse order when i is odd
//     and with the halves swapped when i is even, so that nobody meets
//     again, straight away, a player from their own part of the bracket;
//   - losers' round 2i+1 pairs the winners of losers' round 2i;
//   - stage 2k is the grand final (the winners' champion as player 1), and
//     with grand_final reset stage 2k+1 replays it when the losers'
//     champion won the first.
//
// A player is out after two losses; the stages make the rounds, their
// numbers and the game ids depend only on the results, never on the order
// they arrived in.
func (c *change) nextDoubleElimination(stage int) bool {
	wb, lb, gf := c.t.bracketRounds(BracketWinners), c.t.bracketRounds(BracketLosers), c.t.bracketRounds(BracketGrandFinal)
	k := log2(len(c.t.Rounds[wb[0]].Slots))
	if len(gf) > 0 {
		g := c.t.Rounds[gf[len(gf)-1]].outcomes()[0]
		first := c.t.Rounds[gf[0]].Slots
		if len(gf) == 1 && c.t.Options.GrandFinal == GrandFinalReset && g.winner == first[1] && first[0] != 0 && first[1] != 0 {
			c.beginRound(BracketGrandFinal, stage, slices.Clone(first))
			return true
		}
		c.complete(g.winner)
		return false
	}
	round := func(i int) []outcome { return c.t.Rounds[i].outcomes() }
	if stage == 2*k {
		wbChamp := round(wb[k-1])[0].winner
		var lbChamp int64
		if k == 1 {
			lbChamp = round(wb[0])[0].loser
		} else {
			lbChamp = round(lb[2*k-3])[0].winner
		}
		if c.t.Options.GrandFinal == GrandFinalNone {
			c.complete(wbChamp)
			return false
		}
		c.beginRound(BracketGrandFinal, stage, []int64{wbChamp, lbChamp})
		return true
	}
	if stage <= k {
		prev := round(wb[stage-2])
		slots := make([]int64, len(prev))
		for i, o := range prev {
			slots[i] = o.winner
		}
		c.beginRound(BracketWinners, stage, slots)
	}
	switch j := stage - 1; {
	case j == 1:
		prev := round(wb[0])
		slots := make([]int64, len(prev))
		for i, o := range prev {
			slots[i] = o.loser
		}
		c.beginRound(BracketLosers, stage, slots)
	case j%2 == 0 && j <= 2*k-2:
		i := j / 2
		survivors, dropped := round(lb[j-2]), round(wb[i])
		order := make([]int64, len(dropped))
		for m, o := range dropped {
			order[m] = o.loser
		}
		if i%2 == 1 {
			slices.Reverse(order)
		} else {
			h := len(order) / 2
			order = append(order[h:], order[:h]...)
		}
		slots := make([]int64, 0, 2*len(survivors))
		for m, o := range survivors {
			slots = append(slots, o.winner, order[m])
		}
		c.beginRound(BracketLosers, stage, slots)
	case j%2 == 1 && j <= 2*k-2:
		prev := round(lb[j-2])
		slots := make([]int64, len(prev))
		for i, o := range prev {
			slots[i] = o.winner
		}
		c.beginRound(BracketLosers, stage, slots)
	}
	return true
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}
