package backendtest

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/tourney/tourney/shared"
	T "github.com/tourney/tourney/tournament"
)

// testParticipants checks that a backend keeps participants' records
// through every change: a create with the initial list, joins with
// records, a bulk join, record updates, a manual seed order, a start by
// rating, results (which leave the records as they are), a fresh read,
// export and import.
func testParticipants(t *testing.T, f Factory) {
	b := f(t, Settings{})
	r := func(v float64) *float64 { return &v }
	c, err := b.Create(ctx(t), shared.CreateRequest{Params: T.CreateParams{ID: 31, Name: "Named", MaxPlayers: 8, CreatorID: 1,
		Participants: []T.Entrant{{UserID: 1, Name: "Ann", Rating: r(1500)}, {UserID: 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Tournament; !slices.Equal(got.Players, []int64{1, 2}) || got.DisplayName(1) != "Ann" || len(c.Events) != 3 {
		t.Fatalf("create with participants: players %v, %d events", got.Players, len(c.Events))
	}
	apply(t, b, 31, T.AddPlayer{UserID: 3, PlayerName: "Team C", Rating: r(2100), Meta: json.RawMessage(`{"tag":"C"}`),
		Members: []int64{301, 302}})
	apply(t, b, 31, T.AddPlayers{Entrants: []T.Entrant{{UserID: 4, Rating: r(1800)}, {UserID: 5, Name: "Eve"}}})
	name := "Bob"
	apply(t, b, 31, T.UpdateParticipant{UserID: 2, PlayerName: &name, Rating: r(1700)})
	_, err = b.Apply(ctx(t), shared.ApplyRequest{TournamentID: 31, Command: T.AddPlayer{UserID: 6, Members: []int64{302}}})
	wantCode(t, err, T.ErrInvalidArgument)
	apply(t, b, 31, T.SwapSeeds{A: 1, B: 5})
	pending, err := b.Get(ctx(t), 31)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pending.SeedOrder, []int64{5, 2, 3, 4, 1}) || pending.DisplayName(2) != "Bob" {
		t.Fatalf("read back: seed order %v, name %q", pending.SeedOrder, pending.DisplayName(2))
	}
	st := apply(t, b, 31, T.Start{Seeding: T.SeedingRating}).Tournament
	if !slices.Equal(st.Seeds, []int64{3, 4, 2, 1, 5}) {
		t.Fatalf("seeds by rating %v, want [3 4 2 1 5]", st.Seeds)
	}
	records := st.Participants
	for st.Status == T.StatusActive {
		g := st.ActiveGames()[0]
		st = apply(t, b, 31, T.RegisterResult{GameID: g.GameID, WinnerID: g.Player1}).Tournament
	}
	got, err := b.Get(ctx(t), 31)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Participants, records) {
		t.Fatalf("records after the results:\n got %+v\nwant %+v", got.Participants, records)
	}
	if idx, ok := shared.PlayerIndexOf(b); ok {
		create(t, b, 32, 4)
		apply(t, b, 32, T.AddPlayer{UserID: 40, Members: []int64{401, 402}})
		l, err := idx.PlayerTournaments(ctx(t), 402)
		if err != nil || len(l) != 1 || l[0].ID != 32 {
			t.Fatalf("a lineup member's tournaments: %+v %v, want [32]", l, err)
		}
		apply(t, b, 32, T.UpdateParticipant{UserID: 40, Members: []int64{401}, SetMembers: true})
		if l, _ := idx.PlayerTournaments(ctx(t), 402); len(l) != 0 {
			t.Fatalf("a member taken out of the lineup still finds %+v", l)
		}
	}
	exported := exportAll(t, b)
	dst := f(t, Settings{})
	if _, err := dst.Import(ctx(t), exported); err != nil {
		t.Fatal(err)
	}
	back, err := dst.Get(ctx(t), 31)
	if err != nil || !reflect.DeepEqual(back.Participants, records) {
		t.Fatalf("records after export and import: %+v (%v)", back, err)
	}
}
