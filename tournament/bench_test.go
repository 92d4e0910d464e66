package tournament

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkApplyResult times the engine alone on a first-round result of
// a started single elimination (go test -bench ApplyResult): the part of
// a change's cost that grows with the tournament.
func BenchmarkApplyResult(b *testing.B) {
	for _, n := range []int{8, 1024} {
		b.Run(strconv.Itoa(n)+"_players", func(b *testing.B) {
			env := Env{Now: t0, GameTimeout: time.Hour}
			t, _, _ := New(CreateParams{ID: 1, Name: "bench", MaxPlayers: n, CreatorID: 1}, env)
			for i := range n {
				t, _, _ = Apply(t, AddPlayer{UserID: int64(i + 1)}, env)
			}
			t, _, _ = Apply(t, Start{}, env)
			g := t.Rounds[0].Games[0]
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Apply(t, RegisterResult{GameID: g.GameID, WinnerID: g.Player1}, env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlayWhole plays a whole single elimination in the engine alone:
// joins, start, every result (go test -bench PlayWhole).
func BenchmarkPlayWhole(b *testing.B) {
	for _, n := range []int{8, 1024} {
		b.Run(strconv.Itoa(n)+"_players", func(b *testing.B) {
			env := Env{Now: t0, GameTimeout: time.Hour}
			b.ReportAllocs()
			for b.Loop() {
				t, _, _ := New(CreateParams{ID: 1, Name: "bench", MaxPlayers: n, CreatorID: 1}, env)
				for i := range n {
					t, _, _ = Apply(t, AddPlayer{UserID: int64(i + 1)}, env)
				}
				t, _, _ = Apply(t, Start{}, env)
				for t.Status == StatusActive {
					g := t.ActiveGameRefs()[0]
					var err error
					if t, _, err = Apply(t, RegisterResult{GameID: g.GameID, WinnerID: g.Player1}, env); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
