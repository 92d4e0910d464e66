package redis

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tourney/tourney/tournament"
)

func liveCache() *stateCache {
	c := newStateCache(nil)
	c.setLive(true)
	return c
}

// A host's own write is often announced before the write's reply is
// handled: the state it wrote is still fresh.
func TestOwnWriteAnnouncedBeforeItsReplyStaysFresh(t *testing.T) {
	c := liveCache()
	born := time.Unix(1, 0)
	seq, epoch := c.token()
	c.announced(1, 2) // the write's own announcement, first
	c.putRead(1, "r2", &tournament.Tournament{ID: 1, Version: 2, CreatedAt: born}, seq, epoch)
	if c.fresh(1) == nil {
		t.Fatal("the host's own write, announced before its reply, is not fresh")
	}
	c.announced(1, 2) // a duplicate or late copy changes nothing
	if c.fresh(1) == nil {
		t.Fatal("an announcement of a change the state holds made it stale")
	}
	c.announced(1, 3) // another host's write
	if c.fresh(1) != nil {
		t.Fatal("a newer change left the state fresh")
	}
}

// A state read or written before a removal (and the id's new life, versions
// from 1 again) is never fresh, whatever versions follow.
func TestARemovalSinceTheReadIsNeverFresh(t *testing.T) {
	c := liveCache()
	seq, epoch := c.token()
	c.announced(1, 0) // removed
	c.announced(1, 1) // created again
	c.putRead(1, "r5", &tournament.Tournament{ID: 1, Version: 5, CreatedAt: time.Unix(1, 0)}, seq, epoch)
	if c.fresh(1) != nil {
		t.Fatal("a state from before a removal was served as fresh")
	}
	seq, epoch = c.token()
	c.putRead(1, "n1", &tournament.Tournament{ID: 1, Version: 1, CreatedAt: time.Unix(2, 0)}, seq, epoch)
	if c.fresh(1) == nil {
		t.Fatal("a state read after the announcements is not fresh")
	}
}

// A read of an older version than the last announced one is stale.
func TestAReadOlderThanTheAnnouncementIsStale(t *testing.T) {
	c := liveCache()
	seq, epoch := c.token()
	c.announced(1, 4)
	c.putRead(1, "r3", &tournament.Tournament{ID: 1, Version: 3, CreatedAt: time.Unix(1, 0)}, seq, epoch)
	if c.fresh(1) != nil {
		t.Fatal("version 3 served as fresh after version 4 was announced")
	}
}

// maxVersion reads what the writes publish: a JSON array of event JSON.
func TestMaxVersionOfAnnouncements(t *testing.T) {
	publish := func(evs ...tournament.Event) string {
		var inner []string
		for _, e := range evs {
			j, _ := json.Marshal(e)
			inner = append(inner, string(j))
		}
		j, _ := json.Marshal(inner)
		return string(j)
	}
	cases := []struct {
		payload string
		want    int64
	}{
		{publish(tournament.Event{Type: tournament.EventPlayerJoined, Version: 7, PlayerID: 3}), 7},
		{publish(tournament.Event{Type: tournament.EventGameFinished, Version: 11},
			tournament.Event{Type: tournament.EventRoundStarted, Version: 12}), 12},
		{publish(tournament.Event{Type: tournament.EventTournamentRemoved, Version: 4}), 0},
		{"[]", 0},
		{"not json", 0},
	}
	for _, c := range cases {
		if got := maxVersion(c.payload); got != c.want {
			t.Errorf("maxVersion(%s) = %d, want %d", c.payload, got, c.want)
		}
	}
}

// The script arguments written without reflection are what encoding/json
// writes: the fields, the advancing ids and the events (as published).
func TestRecordArgsAreEncodingJSON(t *testing.T) {
	b := New(nil, Options{KeyPrefix: "x:"})
	env := tournament.Env{Now: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), GameTimeout: time.Minute}
	tr, _, _ := tournament.New(tournament.CreateParams{ID: 1, Name: `Quo"te \ Café <b>`, MaxPlayers: 8, CreatorID: 1}, env)
	for u := int64(1); u <= 5; u++ {
		tr, _, _ = tournament.Apply(tr, tournament.AddPlayer{UserID: u}, env)
	}
	tr, _, _ = tournament.Apply(tr, tournament.Start{}, env)
	g := tr.ActiveGames()[0]
	next, evs, err := tournament.Apply(tr, tournament.RegisterResult{GameID: g.GameID, WinnerID: g.Player1}, env)
	if err != nil || len(evs) == 0 {
		t.Fatal(err)
	}
	head, _, _ := b.recordArgs(next, tr, 1, evs, "last_token", "tok")
	var fields, advancing, events []string
	for i, into := range map[int]*[]string{0: &fields, 2: &advancing, 4: &events} {
		if err := json.Unmarshal([]byte(head[i].(string)), into); err != nil {
			t.Fatalf("argument %d is not a JSON array of strings: %v", i, err)
		}
		if j, _ := json.Marshal(*into); string(j) != head[i].(string) {
			t.Fatalf("argument %d:\n got %s\nwant %s", i, head[i], j)
		}
	}
	if fields[1] != next.Name || len(advancing) != len(next.NextRound()) || len(events) != len(evs) {
		t.Fatalf("fields %v advancing %v events %v", fields, advancing, events)
	}
	for i := range evs {
		if j, _ := json.Marshal(evs[i]); events[i] != string(j) {
			t.Fatalf("event %d: %s, want %s", i, events[i], j)
		}
	}
}
