package redis

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tourney/tourney/internal/fuzzcmd"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// view is what two backends must agree on: everything but timestamps.
func view(t *tournament.Tournament) string {
	if t == nil {
		return "nil"
	}
	type game struct {
		ID, P1, P2   int64
		Status       tournament.GameStatus
		State        tournament.GameState
		Winner       *int64
		Forfeit, Dep bool
		Scores       [][2]int
	}
	var rounds [][]game
	for _, r := range t.Rounds {
		var gs []game
		for _, g := range r.Games {
			gs = append(gs, game{g.GameID, g.Player1, g.Player2, g.Status, g.State, g.WinnerID, g.Forfeit, g.ByDeparture, g.Scores})
		}
		rounds = append(rounds, gs)
	}
	var aside []game
	for _, g := range t.ResetResults {
		aside = append(aside, game{g.GameID, g.Player1, g.Player2, g.Status, g.State, g.WinnerID, g.Forfeit, g.ByDeparture, g.Scores})
	}
	b, _ := json.Marshal(map[string]any{"status": t.Status, "players": t.Players, "seeds": t.Seeds, "round": t.CurrentRound,
		"rounds": rounds, "winner": t.WinnerID, "version": t.Version, "next": t.NextRound(), "dropped": len(t.Dropped),
		"checked_in": t.CheckedIn, "ended": t.Ended, "rules": t.Rules, "aside": aside, "corrected": t.CorrectedVersion})
	return string(b)
}

// FuzzBackendsAgree drives the same command sequence (internal/fuzzcmd,
// the engine fuzzer's: every format, corrections, walkovers, double
// forfeits, disqualifications, withdrawals, check-ins) against the memory
// and the Redis backend and requires the same answers and states: the
// Redis backend's delta writes and cached states must behave exactly like
// the reference. A command that draws at random (a shuffled start, random
// timeouts) goes to Redis as the memory backend decided it.
func FuzzBackendsAgree(f *testing.F) {
	r := testutil.StartRedis(f)
	for _, seed := range []string{"\x08\x00\x01\x00\x02\x00\x03\x00\x04\x02\x00\x03\x02\x03\x03\x03\x04\x05\x02",
		"\x25\x00\x01\x00\x02\x00\x03\x00\x04\x02\x00\x03\x00\x06\x08\x03\x02\x05\x02\x07\x0c",
		"\x48\x00\x01\x00\x02\x00\x03\x00\x04\x02\x00\x01\x04\x03\x02\x03\x04",
		"\x68\x00\x01\x00\x02\x00\x03\x00\x04\x00\x05\x02\x01\x0e\x02\x03\x02\x1f\x00"} {
		f.Add([]byte(seed))
	}
	for _, s := range fuzzcmd.Mishaps {
		in, err := s.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(in)
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 || len(ops) > 200 {
			return
		}
		mem := memory.New(memory.Options{})
		red := newBackend(t, r, Options{KeyPrefix: fmt.Sprintf("diff%d:", n.Add(1))})
		params := fuzzcmd.Params(ops[0], len(ops))
		for _, b := range []shared.Backend{mem, red} {
			if _, err := b.Create(ctx, shared.CreateRequest{Params: params}); err != nil {
				t.Fatal(err)
			}
		}
		for i := 1; i+1 < len(ops); i += 2 {
			before, _ := mem.Get(ctx, 1)
			cmd, _ := fuzzcmd.Command(before, params.CheckIn != "", ops[i], ops[i+1])
			a, errA := mem.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: cmd})
			if errA == nil {
				cmd = tournament.Decided(cmd, before, a.Tournament)
			}
			b, errB := red.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: cmd})
			if tournament.CodeOf(errA) != tournament.CodeOf(errB) {
				t.Fatalf("op %d %s: memory %v, redis %v", i, tournament.Describe(cmd), errA, errB)
			}
			if errA == nil && view(a.Tournament) != view(b.Tournament) {
				t.Fatalf("op %d %s:\nmemory %s\nredis  %s", i, tournament.Describe(cmd), view(a.Tournament), view(b.Tournament))
			}
			if err := red.CheckProjections(ctx, 1); err != nil {
				t.Fatalf("op %d %s: %v", i, tournament.Describe(cmd), err)
			}
		}
		ga, _ := mem.Get(ctx, 1)
		gb, err := red.Get(ctx, 1)
		if err != nil || view(ga) != view(gb) {
			t.Fatalf("final states differ:\nmemory %s\nredis  %s (%v)", view(ga), view(gb), err)
		}
		if err := tournament.Validate(gb); err != nil {
			t.Fatalf("the Redis backend holds a state Validate refuses: %v", err)
		}
	})
}
