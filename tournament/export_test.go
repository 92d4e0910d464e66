package tournament

import "slices"

// SwissView is what the pairing of a Swiss round knows of one player still
// in: whom they met, their sides (player_1 games minus player_2 games) and
// whether they had a bye.
type SwissView struct {
	Player  int64
	Met     []int64
	Balance int
	HadBye  bool
}

// SwissPairingView is what the pairing of round rounds+1 knows of each
// player still in, from t's first rounds rounds (for the fuzzer).
func SwissPairingView(t *Tournament, rounds int) []SwissView {
	c := t.Clone()
	c.Rounds = c.Rounds[:rounds]
	var st []Standing
	for _, s := range c.Standings().Standings {
		if !c.dropped(s.PlayerID, rounds+1) {
			st = append(st, s)
		}
	}
	rank := map[int64]int{}
	for i, s := range st {
		rank[s.PlayerID] = i
	}
	h := c.swissHistory(rank)
	out := make([]SwissView, len(st))
	for i, s := range st {
		v := SwissView{Player: s.PlayerID, Balance: h.balance[i], HadBye: h.hadBye[i], Met: []int64{}}
		for j, o := range st {
			if h.met[[2]int{min(i, j), max(i, j)}] && i != j {
				v.Met = append(v.Met, o.PlayerID)
			}
		}
		slices.Sort(v.Met)
		out[i] = v
	}
	return out
}
