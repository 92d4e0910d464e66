package wire

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tourney/tourney/shared/internal/contract"
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
			cmd := tournament.AddPlayer{UserID: int64(u)}
			if u%2 == 0 { // with a record
				r := float64(u) * 10.5
				cmd.PlayerName, cmd.Rating, cmd.Meta, cmd.Members = "P"+string(rune('a'+u)), &r, []byte(`{"k":"v"}`), []int64{int64(100 + u)}
			}
			tr, _, _ = tournament.Apply(tr, cmd, env)
			if tr.CheckIn != "" {
				tr, _, _ = tournament.Apply(tr, tournament.CheckIn{UserID: int64(u)}, env)
			}
		}
		tr, _, _ = tournament.Apply(tr, tournament.SwapSeeds{A: 1, B: 2}, env)
		check()
		tr, _, _ = tournament.Apply(tr, tournament.Start{Seeding: []string{"", tournament.SeedingRating}[n%2]}, env)
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

// Every command a caller sends crosses the wire as it is (decisions
// aside: a drawn order comes back only in a decided command).
func TestCommandsCrossTheWireUnchanged(t *testing.T) {
	r, name := 1820.5, "Ann"
	for _, cmd := range []tournament.Command{
		tournament.AddPlayer{UserID: 1},
		tournament.AddPlayer{UserID: 1, PlayerName: "Ann", Rating: &r, Meta: []byte(`{"a":1}`), Members: []int64{5, 6}},
		tournament.AddPlayers{Entrants: []tournament.Entrant{{UserID: 1, Name: "A"}, {UserID: 2, Rating: &r}}},
		tournament.UpdateParticipant{UserID: 1, PlayerName: &name, Rating: &r, Meta: []byte(`{}`)},
		tournament.UpdateParticipant{UserID: 1, ClearRating: true, Members: []int64{3}, SetMembers: true},
		tournament.SetSeeds{Seeds: []int64{2, 1}},
		tournament.SwapSeeds{A: 1, B: 2},
		tournament.Start{Seeding: tournament.SeedingManual, Seeds: []int64{2, 1}},
		tournament.Start{Seeding: tournament.SeedingRating},
	} {
		p, err := applyToPB(contract.ApplyRequest{TournamentID: 1, Command: cmd})
		if err != nil {
			t.Fatal(err)
		}
		back, err := applyFromPB(p)
		if err != nil || !reflect.DeepEqual(back.Command, cmd) {
			t.Fatalf("%s: %#v (%v), want %#v", cmd.Name(), back.Command, err, cmd)
		}
	}
	p, _ := applyToPB(contract.ApplyRequest{Command: tournament.Start{Shuffle: true, Seeds: []int64{2, 1}}})
	if back, _ := applyFromPB(p); back.Command.(tournament.Start).Seeds != nil {
		t.Fatal("a caller's drawn order was taken")
	}
}
