package tournament

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

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
	// The derived form shows each game's seeds.
	f.Rounds = Round{}.cloneRounds(f.Rounds)
	withSeeds := func(gs []Game) {
		for i := range gs {
			gs[i].Seed1, gs[i].Seed2 = t.SeedOf(gs[i].Player1), t.SeedOf(gs[i].Player2)
		}
	}
	for i := range f.Rounds {
		withSeeds(f.Rounds[i].Games)
	}
	f.ResetResults = Round{Games: f.ResetResults}.clone().Games
	withSeeds(f.ResetResults)
	active := t.ActiveGames()
	withSeeds(active)
	f.Participants = t.ParticipantViews()
	b, _ := json.Marshal(wire{tournamentFields: f, ActiveGames: active, NextRound: t.NextRound()})
	return string(b)
}

func (Round) cloneRounds(rs []Round) []Round {
	out := make([]Round, len(rs))
	for i, r := range rs {
		out[i] = r.clone()
	}
	return out
}

func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	events := 0
	checkEvents := func(evs []Event) {
		t.Helper()
		for i := range evs {
			events++
			if got, want := string(evs[i].AppendJSON(nil)), mustJSON(evs[i]); got != want {
				t.Fatalf("event:\n got %s\nwant %s", got, want)
			}
		}
	}
	names := []string{"Cup", `quo"te <b>&amp;</b>`, "Café ☕ \u2028 tab", "x"}
	for n := 2; n <= 40; n++ {
		now := time.Date(2026, 2, 3, 4, 5, 6, int(rnd.Int64N(1e9)), time.UTC)
		env := Env{Now: now, Rand: rnd, GameTimeout: time.Minute}
		tr, evs, err := New(CreateParams{ID: int64(n), Name: names[n%len(names)], MaxPlayers: 64, CreatorID: 9}, env)
		if err != nil {
			t.Fatal(err)
		}
		checkEvents(evs)
		apply := func(cmd Command, env Env) {
			t.Helper()
			next, evs, err := Apply(tr, cmd, env)
			if err == nil {
				tr = next
				checkEvents(evs)
			}
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
		ratings := []float64{1820, 0.5, -3, 1e-7, 2.5e21, 1234567.125}
		for u := 1; u <= n; u++ {
			cmd := AddPlayer{UserID: int64(u * 7)}
			if u%3 != 0 {
				r := ratings[u%len(ratings)]
				cmd.PlayerName, cmd.Rating = names[u%len(names)], &r
				cmd.Meta = json.RawMessage(`{"club":"<b>&` + names[u%len(names)] + `","n":` + strconv.Itoa(u) + `,"ok":true}`)
				cmd.Members = []int64{int64(1000 + u)}
			}
			apply(cmd, env)
		}
		if n%4 == 1 {
			apply(SwapSeeds{A: 7, B: 14}, env)
		}
		check()
		apply(Start{Shuffle: n%2 == 0, Seeding: map[bool]string{true: SeedingRating}[n%5 == 0 && n%2 == 1]}, env)
		check()
		for tr.Status == StatusActive {
			env.Now = env.Now.Add(time.Duration(rnd.Int64N(int64(time.Hour))))
			switch g := tr.ActiveGames()[0]; rnd.IntN(3) {
			case 0:
				apply(WarnDeadlines{Lead: time.Hour}, Env{Now: g.Deadline.Add(-time.Second)})
				check()
				apply(ResolveTimeouts{Policy: TimeoutNone}, env)
				apply(RegisterResult{GameID: g.GameID, WinnerID: g.Player2}, env)
			case 1:
				apply(ResolveTimeouts{Policy: TimeoutRandom}, env)
			default:
				apply(RegisterResult{GameID: g.GameID, WinnerID: g.Player1}, env)
			}
			check()
		}
	}
	if events < 1000 {
		t.Fatalf("only %d events checked", events)
	}
	for _, e := range []Event{{Type: EventTournamentRemoved, TournamentID: 1, Version: 2,
		At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))}, {}} {
		checkEvents([]Event{e})
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

func FuzzAppendStringMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `a"b\c`, `{"version":3}`, `\"`, "tab\there", "<&>", "Café", "\u2028",
		"\xff", `["{\"type\":\"x\"}"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendString([]byte("prefix"), s)), "prefix"+mustJSON(s); got != want {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}
