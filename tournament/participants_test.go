package tournament

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// open16 is a pending tournament with room for 16 and nobody in it.
func open16(t *testing.T) *Tournament {
	t.Helper()
	tr, _, err := New(CreateParams{ID: 7, Name: "Cup", MaxPlayers: 16, CreatorID: 1}, env())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func rating(r float64) *float64 { return &r }

func wantInvalid(t *testing.T, tr *Tournament, cmd Command, mention string) {
	t.Helper()
	_, _, err := Apply(tr, cmd, env())
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalidArgument || !strings.Contains(e.Message, mention) {
		t.Fatalf("%s: got %v, want invalid_argument mentioning %q", cmd.Name(), err, mention)
	}
}

func TestAJoinKeepsTheParticipantsRecord(t *testing.T) {
	tr := open16(t)
	next, evs, err := Apply(tr, AddPlayer{UserID: 5, PlayerName: "  Ann  ", Rating: rating(1820),
		Meta: json.RawMessage(`{"country":"FR", "age": 31}`), Members: []int64{51, 52}}, env())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != EventPlayerJoined || evs[0].Name != "Ann" {
		t.Fatalf("events %+v: want player_joined with the name", evs)
	}
	want := []Participant{{ID: 5, Name: "Ann", Rating: rating(1820), Meta: json.RawMessage(`{"age":31,"country":"FR"}`),
		Members: []int64{51, 52}}}
	if !reflect.DeepEqual(next.Participants, want) {
		t.Fatalf("records %+v, want %+v", next.Participants, want)
	}
	next = mustApply(t, next, AddPlayer{UserID: 6})
	if next.DisplayName(6) != "Player 6" || len(next.Participants) != 1 {
		t.Fatalf("a bare join: name %q, %d records; want the default name and no record", next.DisplayName(6), len(next.Participants))
	}
	if !next.Involves(52) || next.Involves(53) {
		t.Fatal("a member of a lineup is involved in the tournament, nobody else")
	}
	views := next.ParticipantViews()
	if len(views) != 2 || views[0].Name != "Ann" || views[1].Name != "Player 6" {
		t.Fatalf("views %+v", views)
	}
}

func TestBadParticipantFieldsAreRefusedNamingTheField(t *testing.T) {
	tr := mustApply(t, open16(t), AddPlayer{UserID: 9, Members: []int64{90, 91}})
	for _, c := range []struct {
		cmd     Command
		mention string
	}{
		{AddPlayer{UserID: 1, PlayerName: strings.Repeat("x", 101)}, "name must be 1 to 100"},
		{AddPlayer{UserID: 1, PlayerName: "a\x07b"}, "control characters"},
		{AddPlayer{UserID: 1, Meta: json.RawMessage(`{"a":"` + strings.Repeat("x", 2100) + `"}`)}, "meta must be at most 2048 bytes"},
		{AddPlayer{UserID: 1, Meta: json.RawMessage(`{"a":{"b":1}}`)}, "meta.a must be a string, number or boolean"},
		{AddPlayer{UserID: 1, Meta: json.RawMessage(`[1]`)}, "meta must be a JSON object"},
		{AddPlayer{UserID: 1, Rating: rating(math.NaN())}, "rating must be a finite number"},
		{AddPlayer{UserID: 1, Rating: rating(math.Inf(1))}, "rating must be a finite number"},
		{AddPlayer{UserID: 1, Members: []int64{91}}, "user 91 is already in the lineup of participant 9"},
		{AddPlayer{UserID: 90}, "user 90 is already in the lineup of participant 9"},
		{AddPlayer{UserID: 1, Members: []int64{9}}, "user 9 is already participant 9"},
		{AddPlayer{UserID: 1, Members: []int64{3, 3}}, "members lists user 3 twice"},
		{AddPlayers{Entrants: []Entrant{{UserID: 1}, {UserID: 2, Rating: rating(math.NaN())}}}, "participants[1]: rating"},
		{AddPlayers{Entrants: []Entrant{{UserID: 1, Members: []int64{7}}, {UserID: 2, Members: []int64{7}}}},
			"participants[1]: members: user 7 is already in the lineup of participant 1"},
		{SetSeeds{Seeds: []int64{9, 9}}, "seeds[1]: 9 is listed twice"},
		{SetSeeds{Seeds: []int64{4}}, "seeds[0]: 4 is not a participant"},
		{SwapSeeds{A: 9, B: 4}, "b: 4 is not a participant"},
		{Start{Seeding: "elo"}, "seeding must be join, random, rating or manual"},
	} {
		wantInvalid(t, tr, c.cmd, c.mention)
	}
}

func TestABulkJoinIsAllOrNothing(t *testing.T) {
	tr := open16(t)
	tr.MaxPlayers = 3
	if _, _, err := Apply(tr, AddPlayers{Entrants: []Entrant{{UserID: 1}, {UserID: 2}, {UserID: 3}, {UserID: 4}}}, env()); !errors.Is(err, ErrFailedPrecondition) {
		t.Fatalf("more than the room left: %v, want failed_precondition", err)
	}
	if _, _, err := Apply(tr, AddPlayers{Entrants: []Entrant{{UserID: 1}, {UserID: 1}}}, env()); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("a user twice: %v, want already_exists", err)
	}
	next, evs, err := Apply(tr, AddPlayers{Entrants: []Entrant{{UserID: 1, Name: "A"}, {UserID: 2}}}, env())
	if err != nil || len(evs) != 2 || next.Version != tr.Version+1 || !slices.Equal(next.Players, []int64{1, 2}) {
		t.Fatalf("bulk join: %v, %d events, players %v", err, len(evs), next.Players)
	}
}

func TestUpdatingARecord(t *testing.T) {
	tr := pending(t, 2) // 101, 102
	name := "Bea"
	tr = mustApply(t, tr, UpdateParticipant{UserID: 102, PlayerName: &name, Rating: rating(1500), Members: []int64{7}, SetMembers: true})
	tr = mustApply(t, tr, UpdateParticipant{UserID: 101, Meta: json.RawMessage(`{"x":true}`)})
	if got := tr.Participants; len(got) != 2 || got[0].ID != 101 || got[1].Name != "Bea" {
		t.Fatalf("records %+v: want both, in join order", got)
	}
	// Clearing every field leaves no record.
	empty := ""
	tr = mustApply(t, tr, UpdateParticipant{UserID: 102, PlayerName: &empty, ClearRating: true, SetMembers: true})
	tr = mustApply(t, tr, UpdateParticipant{UserID: 101, Meta: json.RawMessage(`{}`)})
	if tr.Participants != nil {
		t.Fatalf("records %+v: want none", tr.Participants)
	}
	if _, evs, _ := Apply(tr, UpdateParticipant{UserID: 101, PlayerName: &empty}, env()); len(evs) != 0 {
		t.Fatal("a change to what is stored already is a no-op")
	}
	if _, _, err := Apply(tr, UpdateParticipant{UserID: 5}, env()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a non-participant: %v, want not_found", err)
	}
	tr = mustApply(t, tr, Start{})
	wantInvalid(t, tr, UpdateParticipant{UserID: 101, Members: []int64{8}, SetMembers: true}, "members: the lineup of participant 101 cannot change")
	tr = mustApply(t, tr, UpdateParticipant{UserID: 101, PlayerName: &name})
	if tr.DisplayName(101) != "Bea" {
		t.Fatal("a name may change after the start")
	}
}

func TestSeedingMethods(t *testing.T) {
	tr := open16(t)
	for i, r := range []*float64{rating(1500), nil, rating(1900), rating(1500), rating(2100)} {
		tr = mustApply(t, tr, AddPlayer{UserID: int64(i + 1), Rating: r})
	}
	if s := mustApply(t, tr, Start{Seeding: SeedingRating}); !slices.Equal(s.Seeds, []int64{5, 3, 1, 4, 2}) || s.Seeding != SeedingRating {
		t.Fatalf("by rating: %v (%q), want highest first, ties by join order, unrated last", s.Seeds, s.Seeding)
	}
	if s := mustApply(t, tr, Start{}); !slices.Equal(s.Seeds, []int64{1, 2, 3, 4, 5}) {
		t.Fatalf("by join order: %v", s.Seeds)
	}
	if s := mustApply(t, tr, Start{Seeding: SeedingManual, Seeds: []int64{2, 1, 5, 4, 3}}); !slices.Equal(s.Seeds, []int64{2, 1, 5, 4, 3}) {
		t.Fatalf("manual: %v", s.Seeds)
	}
	wantInvalid(t, tr, Start{Seeding: SeedingManual, Seeds: []int64{2, 1, 5, 4}}, "seeds: participant 3 is missing")
	wantInvalid(t, tr, Start{Seeding: SeedingManual, Seeds: []int64{2, 1, 5, 4, 8}}, "seeds[4]: 8 is not a participant")
	wantInvalid(t, tr, Start{Seeding: SeedingManual}, "seeding \"manual\" needs seeds")
	wantInvalid(t, tr, Start{Seeding: SeedingRating, Shuffle: true}, "shuffle is seeding \"random\"")

	// A seed order set before the start, swapped, then kept through
	// joins and leaves, is the start's.
	tr = mustApply(t, tr, SetSeeds{Seeds: []int64{5, 4, 3, 2, 1}})
	tr = mustApply(t, tr, SwapSeeds{A: 5, B: 1})
	tr = mustApply(t, tr, AddPlayer{UserID: 6})
	tr = mustApply(t, tr, RemovePlayer{UserID: 3})
	if !slices.Equal(tr.SeedOrder, []int64{1, 4, 2, 5, 6}) {
		t.Fatalf("seed order %v", tr.SeedOrder)
	}
	s := mustApply(t, tr, Start{})
	if !slices.Equal(s.Seeds, []int64{1, 4, 2, 5, 6}) || s.SeedOrder != nil || s.Seeding != SeedingManual {
		t.Fatalf("start with a seed order set: seeds %v, order %v, seeding %q", s.Seeds, s.SeedOrder, s.Seeding)
	}
	if s := mustApply(t, tr, Start{Seeding: SeedingJoin}); !slices.Equal(s.Seeds, []int64{1, 2, 4, 5, 6}) {
		t.Fatalf("join order asked for over a seed order set: %v", s.Seeds)
	}
}

func TestManualSeedsLeaveOutCheckInNoShows(t *testing.T) {
	tr, _, err := New(CreateParams{ID: 7, Name: "Cup", MaxPlayers: 8, CreatorID: 1, CheckIn: "10m"}, env())
	if err != nil {
		t.Fatal(err)
	}
	tr = mustApply(t, tr, AddPlayers{Entrants: []Entrant{{UserID: 1}, {UserID: 2, Name: "Two"}, {UserID: 3}, {UserID: 4}}})
	for _, p := range []int64{1, 3, 4} {
		tr = mustApply(t, tr, CheckIn{UserID: p})
	}
	s := mustApply(t, tr, Start{Seeding: SeedingManual, Seeds: []int64{4, 2, 3, 1}})
	if !slices.Equal(s.Seeds, []int64{4, 3, 1}) || s.Participants != nil {
		t.Fatalf("seeds %v, records %+v: want the no-show left out, with its record", s.Seeds, s.Participants)
	}
}

func TestTheAPIFormShowsEveryParticipantAndDecodesToTheRecords(t *testing.T) {
	tr := open16(t)
	tr = mustApply(t, tr, AddPlayers{Entrants: []Entrant{{UserID: 1, Name: "Ann", Rating: rating(0.5)}, {UserID: 2}, {UserID: 3}}})
	tr = mustApply(t, tr, Start{Seeding: SeedingRating})
	tr = mustApply(t, tr, Disqualify{UserID: 3})
	b := tr.AppendJSON(nil)
	var shown struct {
		Participants []Participant `json:"participants"`
	}
	if err := json.Unmarshal(b, &shown); err != nil {
		t.Fatal(err)
	}
	want := []Participant{{ID: 1, Name: "Ann", Seed: 1, Rating: rating(0.5)}, {ID: 2, Name: "Player 2", Seed: 2},
		{ID: 3, Name: "Player 3", Seed: 3, Dropped: true}}
	if !reflect.DeepEqual(shown.Participants, want) {
		t.Fatalf("shown %+v\nwant  %+v", shown.Participants, want)
	}
	back, err := ParseSnapshot(b)
	if err != nil || !reflect.DeepEqual(back.Participants, tr.Participants) {
		t.Fatalf("decoded records %+v (%v), want %+v", back.Participants, err, tr.Participants)
	}
	// The state without the records (a backend that keeps them apart).
	if strings.Contains(string(tr.AppendStateJSONApart(nil, nil)), "participants") {
		t.Fatal("the state apart holds the records")
	}
}

func TestCommandsSurviveTheirCodec(t *testing.T) {
	name := "N"
	for _, cmd := range []Command{
		AddPlayer{UserID: 1, PlayerName: "A", Rating: rating(3), Meta: json.RawMessage(`{"a":1}`), Members: []int64{4}},
		AddPlayers{Entrants: []Entrant{{UserID: 1, Name: "A"}, {UserID: 2, Rating: rating(1)}}},
		UpdateParticipant{UserID: 1, PlayerName: &name, ClearRating: true, Meta: json.RawMessage(`{}`), SetMembers: true},
		SetSeeds{Seeds: []int64{2, 1}}, SwapSeeds{A: 1, B: 2}, Start{Seeding: SeedingManual, Seeds: []int64{2, 1}},
	} {
		b, err := MarshalCommand(cmd)
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalCommand(b)
		if err != nil || !reflect.DeepEqual(back, cmd) {
			t.Fatalf("%s: %#v (%v), want %#v", cmd.Name(), back, err, cmd)
		}
	}
}
