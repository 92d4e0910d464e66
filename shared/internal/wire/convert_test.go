package wire

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tourney/tourney/tournament"
)

// The typed form (protocol 2) carries exactly what the JSON form carries:
// every state of tournaments of many sizes survives the round trip and
// shows the same JSON.
func TestTypedSnapshotsRoundTripLikeJSON(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)
	formats := []tournament.CreateParams{{BestOf: 3, BestOfByRound: map[string]int{"2": 5, "10": 1}},
		{Format: tournament.DoubleElimination, CheckIn: "5m"}, {Format: tournament.Swiss, Options: tournament.Options{Rounds: 1}},
		{Format: tournament.SingleElimination,
			Options: tournament.Options{ThirdPlaceMatch: true}}, {Format: tournament.RoundRobin, Options: tournament.Options{Rounds: 2}}}
	for n := 2; n <= 33; n += 3 {
		env := tournament.Env{Now: now, GameTimeout: time.Minute}
		p := formats[n%len(formats)]
		p.ID, p.Name, p.MaxPlayers, p.CreatorID = int64(n), "rt", 64, 1
		tr, _, err := tournament.New(p, env)
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
			if tr.CheckIn != "" {
				tr, _, _ = tournament.Apply(tr, tournament.CheckIn{UserID: int64(u)}, env)
			}
		}
		tr, _, _ = tournament.Apply(tr, tournament.Start{}, env)
		check()
		for i := 0; tr.Status == tournament.StatusActive; i++ {
			env.Now = env.Now.Add(time.Second)
			g := tr.ActiveGames()[0]
			switch {
			case i == 1:
				tr, _, _ = tournament.Apply(tr, tournament.Disqualify{UserID: g.Player1}, env)
			case i == 2:
				tr, _, _ = tournament.Apply(tr, tournament.RegisterResult{GameID: g.GameID, Forfeit: true}, env)
			case i == 20:
				tr, _, _ = tournament.Apply(tr, tournament.EndTournament{}, env)
			case i%3 == 0:
				tr, _, _ = tournament.Apply(tr, tournament.ResolveTimeouts{Policy: tournament.TimeoutHigherSeed},
					tournament.Env{Now: env.Now.Add(time.Hour), GameTimeout: time.Minute})
			case i%5 == 4:
				tr, _, _ = tournament.Apply(tr, tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player1, Forfeit: true}, env)
			case i%7 == 5 && g.BestOf == 3:
				tr, _, _ = tournament.Apply(tr,
					tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player1, Scores: [][2]int{{3, 1}, {0, 2}, {5, 4}}}, env)
			case i%7 == 6:
				tr, _, _ = tournament.Apply(tr, tournament.CallGame{GameID: g.GameID}, env)
			default:
				tr, _, _ = tournament.Apply(tr, tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player2}, env)
			}
			check()
		}
	}
}
