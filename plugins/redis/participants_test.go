package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// The participants' records live in their own hash field: a join writes
// them, a result neither sends nor rewrites them.
func TestAResultLeavesTheParticipantsRecordsAlone(t *testing.T) {
	r := testutil.StartRedis(t)
	b := newBackend(t, r, Options{KeyPrefix: "pr:"})
	ctx := context.Background()
	meta := json.RawMessage(`{"bio":"` + strings.Repeat("x", 1900) + `"}`)
	var entrants []tournament.Entrant
	for i := 1; i <= 64; i++ {
		rating := float64(1000 + i)
		entrants = append(entrants, tournament.Entrant{UserID: int64(i), Name: fmt.Sprintf("Player number %d", i), Rating: &rating, Meta: meta})
	}
	if _, err := b.Create(ctx, shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "Big", MaxPlayers: 64, CreatorID: 1,
		Participants: entrants}}); err != nil {
		t.Fatal(err)
	}
	c, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.Start{Seeding: tournament.SeedingRating}})
	if err != nil {
		t.Fatal(err)
	}
	rdb := b.rdb
	key := b.keys.tournament(1)
	recs, err := rdb.HGet(ctx, key, "participants").Result()
	if err != nil || len(recs) < 64*1900 {
		t.Fatalf("the participants field holds %d bytes (%v), want every record", len(recs), err)
	}
	if state, _ := rdb.HGet(ctx, key, "state").Result(); strings.Contains(state, `"bio"`) {
		t.Fatal("the state holds the records too")
	}
	inputBytes := func() int64 {
		info, _ := rdb.Info(ctx, "stats").Result()
		for _, l := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(l, "total_net_input_bytes:"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
		return 0
	}
	g := c.Tournament.ActiveGames()[0]
	before := inputBytes()
	if _, err := b.Apply(ctx, shared.ApplyRequest{TournamentID: 1, Command: tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player1}}); err != nil {
		t.Fatal(err)
	}
	if sent := inputBytes() - before; sent > 32<<10 {
		t.Fatalf("a result sent %d bytes to Redis; the records alone are %d", sent, len(recs))
	}
	if after, _ := rdb.HGet(ctx, key, "participants").Result(); after != recs {
		t.Fatal("a result rewrote the records")
	}
	b.states.forget(1) // a fresh read decodes what is stored
	got, err := b.Get(ctx, 1)
	if err != nil || got.DisplayName(5) != "Player number 5" || len(got.Participants) != 64 {
		t.Fatalf("read back: %v, %d records", err, len(got.Participants))
	}
}
