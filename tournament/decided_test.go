package tournament

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// A shuffled start, replayed in its decided form with another random
// source, seeds the players exactly as the original draw did.
func TestDecidedStartReplaysTheDrawnSeeds(t *testing.T) {
	before := pending(t, 8)
	for seed := range uint64(20) {
		e := Env{Now: t0, Rand: rand.New(rand.NewPCG(seed, 1)), GameTimeout: time.Minute}
		// shuffle, and its other name: seeding "random"
		cmd := []Start{{Shuffle: true}, {Seeding: SeedingRandom}}[seed%2]
		after, _, err := Apply(before, cmd, e)
		if err != nil {
			t.Fatal(err)
		}
		decided := Decided(cmd, nil, after)
		other := Env{Now: t0, Rand: rand.New(rand.NewPCG(seed+100, 7)), GameTimeout: time.Minute}
		replayed, _, err := Apply(before, decided, other)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(replayed.Seeds, after.Seeds) || !reflect.DeepEqual(replayed.Rounds, after.Rounds) || !replayed.Shuffled {
			t.Fatalf("replayed seeds %v, drawn %v", replayed.Seeds, after.Seeds)
		}
	}
}

func TestStartWithSeedsThatAreNotThePlayersIsRefused(t *testing.T) {
	before := pending(t, 4)
	if _, _, err := Apply(before, Start{Shuffle: true, Seeds: []int64{101, 102, 103, 999}}, env()); CodeOf(err) != CodeFailedPrecondition {
		t.Fatalf("got %v, want failed_precondition", err)
	}
}

// A random timeout, replayed in its decided form (with or without the
// state before it), picks the same winners.
func TestDecidedTimeoutsReplayTheChosenWinners(t *testing.T) {
	before := started(t, 8)
	late := Env{Now: t0.Add(time.Hour), GameTimeout: time.Minute}
	for seed := range uint64(20) {
		e := late
		e.Rand = rand.New(rand.NewPCG(seed, 3))
		after, _, err := Apply(before, ResolveTimeouts{Policy: TimeoutRandom}, e)
		if err != nil {
			t.Fatal(err)
		}
		for _, prior := range []*Tournament{before, nil} {
			decided := Decided(ResolveTimeouts{Policy: TimeoutRandom}, prior, after)
			other := late
			other.Rand = rand.New(rand.NewPCG(seed+50, 9))
			replayed, _, err := Apply(before, decided, other)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range after.Rounds[0].Games {
				if got := replayed.Game(g.GameID); *got.WinnerID != *g.WinnerID || got.Status != GameTimedOut {
					t.Fatalf("game %d: replayed winner %d, chosen %d", g.GameID, *got.WinnerID, *g.WinnerID)
				}
			}
		}
	}
}

func TestCommandCodecRoundTrips(t *testing.T) {
	for _, c := range []Command{AddPlayer{UserID: 5}, RemovePlayer{UserID: 6}, Start{Shuffle: true, Seeds: []int64{3, 1, 2}},
		Start{}, RegisterResult{GameID: 3, WinnerID: 4, LoserID: 5}, ResolveTimeouts{Policy: TimeoutHigherSeed},
		ResolveTimeouts{Policy: TimeoutRandom, Winners: map[int64]int64{1: 101, 2: 104}}, WarnDeadlines{Lead: 90 * time.Second}} {
		b, err := MarshalCommand(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := UnmarshalCommand(b)
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Fatalf("%s came back as %#v (%v)", b, got, err)
		}
	}
	if _, err := UnmarshalCommand([]byte(`{"type":"explode"}`)); err == nil {
		t.Fatal("an unknown command type decoded")
	}
}

func TestDescendsTellsAnAncestorFromAnotherHistory(t *testing.T) {
	v2 := pending(t, 2)
	v2.MaxPlayers = 8
	v4 := mustApply(t, mustApply(t, v2, AddPlayer{UserID: 201}), AddPlayer{UserID: 202})
	if !Descends(v4, v2) {
		t.Fatal("a later state of the same history does not descend from its ancestor")
	}
	if Descends(v2, v4) {
		t.Fatal("an ancestor descends from its future")
	}
	// Another writer on top of the old copy, later in time.
	later := Env{Now: t0.Add(time.Minute), Rand: rand.New(rand.NewPCG(1, 1)), GameTimeout: time.Minute}
	other, _, _ := Apply(v2, AddPlayer{UserID: 999}, later)
	if Descends(v4, other) {
		t.Fatal("a state written later by someone else counts as an ancestor")
	}
	// Different results for the same game are different histories.
	s := started(t, 4)
	a := mustApply(t, s, RegisterResult{GameID: 1, WinnerID: s.Game(1).Player1})
	b := mustApply(t, s, RegisterResult{GameID: 1, WinnerID: s.Game(1).Player2})
	if Descends(a, b) || !Descends(a, s) {
		t.Fatal("results decide lineage")
	}
	// A correction after the ancestor's version re-decides its games and
	// is still its descendant; the ancestor is not the corrected state's
	// descendant, and a correction the older copy holds and the newer one
	// lacks is another history.
	fixed := mustApply(t, a, CorrectResult{GameID: 1, WinnerID: s.Game(1).Player2})
	if fixed.CorrectedVersion != fixed.Version {
		t.Fatalf("corrected_version %d, version %d", fixed.CorrectedVersion, fixed.Version)
	}
	if !Descends(fixed, a) || Descends(a, fixed) {
		t.Fatal("a corrected state does not descend from the state before the correction")
	}
	if err := Validate(fixed); err != nil {
		t.Fatalf("the corrected state does not validate: %v", err)
	}
	again := mustApply(t, fixed, RegisterResult{GameID: 2, WinnerID: fixed.Game(2).Player1})
	if !Descends(again, fixed) || Descends(b, fixed) {
		t.Fatal("lineage after a correction")
	}
}

func TestNamesAreStrictAndNormalised(t *testing.T) {
	for _, bad := range []string{"evil\u202Eexe", "\u200B\u200B", "a\uFFFDb", "tab\there", "\u200D", "x \u200D y"} {
		if _, err := (CreateParams{ID: 1, Name: bad, MaxPlayers: 2, CreatorID: 1}).Validate(); CodeOf(err) != CodeInvalidArgument {
			t.Errorf("name %q: %v, want invalid_argument", bad, err)
		}
	}
	for in, want := range map[string]string{"Cafe\u0301 Cup": "Caf\u00e9 Cup",
		"family \U0001F468\u200D\U0001F469\u200D\U0001F467": "family \U0001F468\u200D\U0001F469\u200D\U0001F467"} {
		p, err := (CreateParams{ID: 1, Name: in, MaxPlayers: 2, CreatorID: 1}).Validate()
		if err != nil || p.Name != want {
			t.Errorf("name %q: %q %v, want %q", in, p.Name, err, want)
		}
	}
}

func TestIDsBeyondJavaScriptsSafeIntegersAreRefused(t *testing.T) {
	if _, err := (CreateParams{ID: MaxID + 1, Name: "x", MaxPlayers: 2, CreatorID: 1}).Validate(); CodeOf(err) != CodeInvalidArgument {
		t.Fatalf("id 2^53: %v", err)
	}
	if _, err := (CreateParams{ID: MaxID, Name: "x", MaxPlayers: 2, CreatorID: MaxID}).Validate(); err != nil {
		t.Fatalf("id 2^53-1: %v", err)
	}
	tr := pending(t, 2)
	if _, _, err := Apply(tr, AddPlayer{UserID: MaxID + 1}, env()); CodeOf(err) != CodeInvalidArgument {
		t.Fatalf("user_id 2^53: %v", err)
	}
}

// Players are warned once per game when its deadline is within the lead,
// with an event that names both and the deadline; a timed-out game's event
// names both players and the policy that decided it.
func TestDeadlineWarningsOncePerGame(t *testing.T) {
	tr := started(t, 4) // deadlines at t0 + 5m
	e := Env{Now: t0.Add(3 * time.Minute), GameTimeout: 5 * time.Minute}
	same, evs, err := Apply(tr, WarnDeadlines{Lead: time.Minute}, e)
	if err != nil || len(evs) != 0 || same != tr {
		t.Fatalf("two minutes before the deadline, a one-minute lead warned: %v %v", evs, err)
	}
	e.Now = t0.Add(4*time.Minute + 30*time.Second)
	warned, evs, err := Apply(tr, WarnDeadlines{Lead: time.Minute}, e)
	if err != nil || len(evs) != 2 {
		t.Fatalf("within the lead: %v %v", evs, err)
	}
	g := warned.Game(1)
	if ev := evs[0]; ev.Type != EventGameDeadlineWarning || ev.GameID != 1 || len(ev.Players) != 2 || ev.Players[0] != g.Player1 ||
		ev.Players[1] != g.Player2 || ev.Deadline == nil || !ev.Deadline.Equal(g.Deadline) || !g.DeadlineWarned {
		t.Fatalf("warning %+v for game %+v", ev, g)
	}
	if _, evs, _ := Apply(warned, WarnDeadlines{Lead: time.Minute}, e); len(evs) != 0 {
		t.Fatalf("warned twice: %v", evs)
	}
	e.Now = t0.Add(6 * time.Minute)
	_, evs, _ = Apply(warned, ResolveTimeouts{Policy: TimeoutHigherSeed}, e)
	for _, ev := range evs {
		if ev.Type == EventGameTimedOut && (len(ev.Players) != 2 || ev.Policy != TimeoutHigherSeed) {
			t.Fatalf("a timeout event %+v does not name both players and the policy", ev)
		}
	}
	if _, _, err := Apply(tr, WarnDeadlines{}, e); CodeOf(err) != CodeInvalidArgument {
		t.Fatalf("a zero lead: %v", err)
	}
}
