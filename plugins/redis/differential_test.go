package redis

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/tournament"
)

// view is what two backends must agree on: everything but timestamps.
func view(t *tournament.Tournament) string {
	if t == nil {
		return "nil"
	}
	type game struct {
		ID, P1, P2 int64
		Status     tournament.GameStatus
		Winner     *int64
	}
	var rounds [][]game
	for _, r := range t.Rounds {
		var gs []game
		for _, g := range r.Games {
			gs = append(gs, game{g.GameID, g.Player1, g.Player2, g.Status, g.WinnerID})
		}
		rounds = append(rounds, gs)
	}
	b, _ := json.Marshal(map[string]any{"status": t.Status, "players": t.Players, "seeds": t.Seeds, "round": t.CurrentRound,
		"rounds": rounds, "winner": t.WinnerID, "version": t.Version, "next": t.NextRound()})
	return string(b)
}

// FuzzBackendsAgree drives the same random command sequence against the
// memory and the Redis backend and requires the same answers and states:
// the Redis backend's delta writes and cached states must behave exactly
// like the reference.
func FuzzBackendsAgree(f *testing.F) {
	r := testutil.StartRedis(f)
	for _, seed := range []string{"\x08\x01\x02\x03\x04\x05\x06\x07\x08\xf0\xe1\xe2\xe3\xe4\xe5\xe6\xe7",
		"\x05\x01\x01\x02\x81\x03\xf0\xe0\xe1\xe1\xe0", "\x10" + string(make([]byte, 40)), "\x03\xf0\x01\x02\xf0\xe0\xe0"} {
		f.Add([]byte(seed))
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		mem := memory.New(memory.Options{})
		red := newBackend(t, r, Options{KeyPrefix: fmt.Sprintf("diff%d:", n.Add(1))})
		max := int(ops[0])%15 + 2
		params := tournament.CreateParams{ID: 1, Name: "diff", MaxPlayers: max, CreatorID: 1}
		for _, b := range []shared.Backend{mem, red} {
			if _, err := b.Create(ctx, shared.CreateRequest{Params: params}); err != nil {
				t.Fatal(err)
			}
		}
		for i, op := range ops[1:] {
			var cmd tournament.Command
			switch {
			case op >= 0xe0: // a result for the first active game
				got, _ := mem.Get(ctx, 1)
				if active := got.ActiveGames(); len(active) > 0 {
					g := active[int(op)%len(active)]
					w := g.Player1
					if op&1 == 1 {
						w = g.Player2
					}
					cmd = tournament.RegisterResult{GameID: g.GameID, WinnerID: w}
				} else {
					cmd = tournament.RegisterResult{GameID: int64(op % 7), WinnerID: 1}
				}
			case op >= 0xd0:
				cmd = tournament.Start{}
			case op >= 0x80:
				cmd = tournament.RemovePlayer{UserID: int64(op%20) + 1}
			default:
				cmd = tournament.AddPlayer{UserID: int64(op%20) + 1}
			}
			a, errA := mem.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: cmd})
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
	})
}
