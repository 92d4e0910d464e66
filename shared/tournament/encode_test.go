package tournament

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// reference is what encoding/json writes for the wire form: the encoders
// must match it byte for byte.
func reference(t *Tournament, derived bool) string {
	f := tournamentFields(*t)
	if f.Players == nil {
		f.Players = []int64{}
	}
	if f.Rounds == nil {
		f.Rounds = []Round{}
	}
	if !derived {
		b, _ := json.Marshal(f)
		return string(b)
	}
	b, _ := json.Marshal(wire{tournamentFields: f, ActiveGames: t.ActiveGames(), NextRound: t.NextRound()})
	return string(b)
}

func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	names := []string{"Cup", `quo"te <b>&amp;</b>`, "Café ☕ \u2028 tab", "x"}
	for n := 2; n <= 40; n++ {
		now := time.Date(2026, 2, 3, 4, 5, 6, int(rnd.Int64N(1e9)), time.UTC)
		env := Env{Now: now, Rand: rnd, GameTimeout: time.Minute}
		tr, _, err := New(CreateParams{ID: int64(n), Name: names[n%len(names)], MaxPlayers: 64, CreatorID: 9}, env)
		if err != nil {
			t.Fatal(err)
		}
		check := func() {
			t.Helper()
			if got, want := string(tr.AppendJSON(nil)), reference(tr, true); got != want {
				t.Fatalf("%d players, version %d:\n got %s\nwant %s", n, tr.Version, got, want)
			}
			if got, want := string(tr.AppendStateJSON(nil)), reference(tr, false); got != want {
				t.Fatalf("state, %d players, version %d:\n got %s\nwant %s", n, tr.Version, got, want)
			}
			var back Tournament
			if err := json.Unmarshal(tr.AppendStateJSON(nil), &back); err != nil || reference(&back, true) != reference(tr, true) {
				t.Fatalf("the state form does not decode to the same tournament: %v", err)
			}
		}
		check()
		for u := 1; u <= n; u++ {
			tr, _, _ = Apply(tr, AddPlayer{UserID: int64(u * 7)}, env)
		}
		check()
		tr, _, _ = Apply(tr, Start{Shuffle: n%2 == 0}, env)
		check()
		for tr.Status == StatusActive {
			env.Now = env.Now.Add(time.Duration(rnd.Int64N(int64(time.Hour))))
			switch g := tr.ActiveGames()[0]; rnd.IntN(3) {
			case 0:
				tr, _, _ = Apply(tr, WarnDeadlines{Lead: time.Hour}, Env{Now: g.Deadline.Add(-time.Second)})
				check()
				tr, _, _ = Apply(tr, ResolveTimeouts{Policy: TimeoutNone}, env)
				tr, _, _ = Apply(tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player2}, env)
			case 1:
				tr, _, _ = Apply(tr, ResolveTimeouts{Policy: TimeoutRandom}, env)
			default:
				tr, _, _ = Apply(tr, RegisterResult{GameID: g.GameID, WinnerID: g.Player1}, env)
			}
			check()
		}
	}
	// Lists decoded from JSON as null stay null.
	r := Round{Round: 1}
	if got, _ := json.Marshal(r); string(r.AppendJSON(nil)) != string(got) {
		t.Fatalf("a round with nil lists: %s, want %s", r.AppendJSON(nil), got)
	}
}

func BenchmarkEncodeLargeTournament(b *testing.B) {
	env := Env{Now: time.Now(), GameTimeout: time.Hour}
	tr, _, _ := New(CreateParams{ID: 1, Name: "big", MaxPlayers: 1024, CreatorID: 1}, env)
	for i := 1; i <= 1024; i++ {
		tr, _, _ = Apply(tr, AddPlayer{UserID: int64(i)}, env)
	}
	tr, _, _ = Apply(tr, Start{}, env)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			tr.AppendJSON(nil)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			_ = reference(tr, true)
		}
	})
}
