package shared

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tourney/tourney/shared/tournament"
)

// The typed form (protocol 2) carries exactly what the JSON form carries:
// every state of tournaments of many sizes survives the round trip and
// shows the same JSON.
func TestTypedSnapshotsRoundTripLikeJSON(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for n := 2; n <= 33; n += 3 {
		env := tournament.Env{Now: now, GameTimeout: time.Minute}
		tr, _, err := tournament.New(tournament.CreateParams{ID: int64(n), Name: "rt", MaxPlayers: 64, CreatorID: 1}, env)
		if err != nil {
			t.Fatal(err)
		}
		check := func() {
			t.Helper()
			p, _ := snapshotToPB(tr, true)
			back, err := snapshotFromPB(p)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tr)
			got, _ := json.Marshal(back)
			if string(got) != string(want) {
				t.Fatalf("%d players, version %d:\n got %s\nwant %s", n, tr.Version, got, want)
			}
		}
		check()
		for u := 1; u <= n; u++ {
			tr, _, _ = tournament.Apply(tr, tournament.AddPlayer{UserID: int64(u)}, env)
		}
		tr, _, _ = tournament.Apply(tr, tournament.Start{}, env)
		check()
		for i := 0; tr.Status == tournament.StatusActive; i++ {
			env.Now = env.Now.Add(time.Second)
			g := tr.ActiveGames()[0]
			if i%3 == 0 {
				tr, _, _ = tournament.Apply(tr, tournament.ResolveTimeouts{Policy: tournament.TimeoutHigherSeed}, tournament.Env{Now: env.Now.Add(time.Hour), GameTimeout: time.Minute})
			} else {
				tr, _, _ = tournament.Apply(tr, tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}, env)
			}
			check()
		}
	}
}
