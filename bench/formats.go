package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/tourney/tourney/tournament"
)

// SwissFigure is the cost of pairing a Swiss round of Players players: in
// the engine alone (no I/O), and as the result that completes a round
// (which pairs the next one) through the host on the Redis plugin, next to
// an ordinary result.
type SwissFigure struct {
	Players          int     `json:"players"`
	PairingEngineMS  float64 `json:"pairing_engine_ms"`
	RoundEndResultMS float64 `json:"round_end_result_ms"`
	ResultP50MS      float64 `json:"result_p50_ms"`
}

// swissPairing plays the first rounds of a Swiss tournament of each size
// (players win at random) and times the results that complete a round,
// then times the engine pairing the next round from the same state.
func swissPairing(c client, sizes []int) []SwissFigure {
	base := time.Now().UnixNano()%1_000_000_000*1000 + 800_000_000
	var out []SwissFigure
	for i, n := range sizes {
		id := base + int64(i)
		fail := func(err error) {
			if err != nil {
				harness{}.Fatalf("swiss %d: %v", n, err)
			}
		}
		_, err := c.Create(ctx, tournament.CreateParams{ID: id, Name: "Swiss", MaxPlayers: n, CreatorID: 1, Format: tournament.Swiss})
		fail(err)
		for u := int64(1); u <= int64(n); u++ {
			_, err = c.AddPlayer(ctx, id, u)
			fail(err)
		}
		t, err := c.Start(ctx, id, true)
		fail(err)
		var ends, results []time.Duration
		var beforeEnd *tournament.Tournament
		var endCmd tournament.RegisterResult
		for k := 0; len(t.Rounds) < 4; k++ {
			act := t.ActiveGames()
			g := act[0]
			w := []int64{g.Player1, g.Player2}[k%2]
			last := len(act) == 1
			if last {
				beforeEnd, endCmd = t, tournament.RegisterResult{GameID: g.GameID, WinnerID: w}
			}
			t0 := time.Now()
			t, err = c.Result(ctx, id, g.GameID, w, 0)
			fail(err)
			if last {
				ends = append(ends, time.Since(t0))
			} else {
				results = append(results, time.Since(t0))
			}
		}
		// The engine alone, on the state before the last round end.
		env := tournament.Env{Now: time.Now(), GameTimeout: time.Hour}
		var engine []time.Duration
		for range 5 {
			t0 := time.Now()
			_, _, err := tournament.Apply(beforeEnd, endCmd, env)
			fail(err)
			engine = append(engine, time.Since(t0))
		}
		slices.Sort(ends)
		slices.Sort(engine)
		out = append(out, SwissFigure{Players: n, PairingEngineMS: ms(engine[len(engine)/2]), RoundEndResultMS: ms(ends[len(ends)/2]),
			ResultP50MS: summarize(results).P50 / 1e3})
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

func printSwiss(fs []SwissFigure) {
	if len(fs) == 0 {
		return
	}
	fmt.Printf("\nSwiss pairing (Redis, Go API; rounds 2-4 of a field with random results; ms):\n")
	fmt.Printf("%8s %16s %26s %16s\n", "players", "engine pairing", "result that pairs a round", "other results")
	for _, s := range fs {
		fmt.Printf("%8d %16.1f %26.1f %16.2f\n", s.Players, s.PairingEngineMS, s.RoundEndResultMS, s.ResultP50MS)
	}
}
