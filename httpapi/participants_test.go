package httpapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tourney/tourney/tournament"
)

func tournamentOf(t *testing.T, r reply) tournament.Tournament {
	t.Helper()
	if r.status != 200 && r.status != 201 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var tr tournament.Tournament
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestParticipantsAndSeedingOverHTTP(t *testing.T) {
	srv := newServer(t, "", 0)
	tournamentOf(t, send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"Cup","max_players":8,"creator_id":9,
		"participants":[{"user_id":11,"name":"Ann","rating":1820},{"user_id":12}]}`))
	tournamentOf(t, send(t, srv, "POST", "/v1/tournaments/1/players",
		`{"user_id":13,"name":"Team C","rating":2100,"meta":{"tag":"C","seed_hint":1},"members":[131,132]}`))
	tournamentOf(t, send(t, srv, "POST", "/v1/tournaments/1/players",
		`{"participants":[{"user_id":14,"rating":1500},{"user_id":15,"name":"Eve","meta":{"Name":"free-form","ID":7}}]}`))
	tr := tournamentOf(t, send(t, srv, "PATCH", "/v1/tournaments/1/players/12", `{"name":"Bob","rating":1900}`))
	if tr.DisplayName(12) != "Bob" {
		t.Fatalf("after PATCH: %q", tr.DisplayName(12))
	}
	// The page and a caller read names in the JSON.
	raw := string(send(t, srv, "GET", "/v1/tournaments/1", "").body)
	for _, want := range []string{`"name":"Ann"`, `"name":"Player 14"`, `"meta":{"seed_hint":1,"tag":"C"}`, `"members":[131,132]`} {
		if !strings.Contains(raw, want) {
			t.Fatalf("GET lacks %s: %s", want, raw)
		}
	}
	var mine struct {
		Tournaments []tournament.Summary `json:"tournaments"`
	}
	json.Unmarshal(send(t, srv, "GET", "/v1/players/132/tournaments", "").body, &mine)
	if len(mine.Tournaments) != 1 || mine.Tournaments[0].ID != 1 {
		t.Fatalf("a lineup member's tournaments: %+v", mine.Tournaments)
	}
	tournamentOf(t, send(t, srv, "PUT", "/v1/tournaments/1/seeds", `{"seeds":[15,14,13,12,11]}`))
	tr = tournamentOf(t, send(t, srv, "POST", "/v1/tournaments/1/seeds/swap", `{"a":15,"b":11}`))
	if !slices.Equal(tr.SeedOrder, []int64{11, 14, 13, 12, 15}) {
		t.Fatalf("seed order %v", tr.SeedOrder)
	}
	tr = tournamentOf(t, send(t, srv, "POST", "/v1/tournaments/1/start", `{"seeding":"rating"}`))
	if !slices.Equal(tr.Seeds, []int64{13, 12, 11, 14, 15}) || tr.Seeding != "rating" {
		t.Fatalf("seeds by rating %v (%q)", tr.Seeds, tr.Seeding)
	}
	// Members are fixed at the start; a name is not.
	if r := send(t, srv, "PATCH", "/v1/tournaments/1/players/13", `{"members":[133]}`); r.status != 400 || !strings.Contains(string(r.body), "members") {
		t.Fatalf("members after the start: %d %s", r.status, r.body)
	}
	tournamentOf(t, send(t, srv, "PATCH", "/v1/tournaments/1/players/13", `{"name":null,"meta":null}`))

	// Manual seeds in the start.
	tournamentOf(t, send(t, srv, "POST", "/v1/tournaments", `{"id":2,"name":"M","max_players":4,"creator_id":9,
		"participants":[{"user_id":1},{"user_id":2},{"user_id":3}]}`))
	tr = tournamentOf(t, send(t, srv, "POST", "/v1/tournaments/2/start", `{"seeds":[3,1,2]}`))
	if !slices.Equal(tr.Seeds, []int64{3, 1, 2}) || tr.Seeding != "manual" {
		t.Fatalf("manual seeds %v (%q)", tr.Seeds, tr.Seeding)
	}
}

func TestBadParticipantInputIsA400NamingTheField(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"Cup","max_players":8,"creator_id":9}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":5,"members":[51]}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":6}`)
	long := strings.Repeat("n", 101)
	for _, c := range []struct{ method, path, body, mention string }{
		{"POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":7,"name":%q}`, long), "name must be 1 to 100"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":7,"name":"a\u0007b"}`, "control characters"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":7,"meta":{"a":"` + strings.Repeat("x", 2100) + `"}}`,
			"meta must be at most 2048 bytes"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":7,"meta":{"a":{"b":1}}}`, "meta.a must be a string, number or boolean"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":7,"rating":"high"}`, "rating"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":7,"rating":1e400}`, "rating"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":7,"members":[51]}`, "user 51 is already in the lineup of participant 5"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":7,"participants":[{"user_id":8}]}`, "not both"},
		{"POST", "/v1/tournaments/1/players", `{"participants":[{"user_id":8},{"user_id":9,"name":""},{"user_id":10,"rating":null,"meta":[1]}]}`,
			"participants[2]: meta must be a JSON object"},
		{"POST", "/v1/tournaments/1/players", `{"participants":[{"user_id":8,"nick":"x"}]}`, "nick"},
		{"POST", "/v1/tournaments/1/players", `{"user_id":8,"meta":{"a":1,"a":2}}`, `field \"a\" appears twice`},
		{"POST", "/v1/tournaments/1/players", `{"User_ID":8}`, "field names are lower case"},
		{"PATCH", "/v1/tournaments/1/players/6", `{}`, "give at least one of name, rating, meta and members"},
		{"PATCH", "/v1/tournaments/1/players/6", `{"rating":"x"}`, "rating must be a finite number or null"},
		{"PATCH", "/v1/tournaments/1/players/6", `{"members":[51]}`, "user 51 is already in the lineup of participant 5"},
		{"PUT", "/v1/tournaments/1/seeds", `{"seeds":[5,5]}`, "seeds[1]: 5 is listed twice"},
		{"PUT", "/v1/tournaments/1/seeds", `{"seeds":[5]}`, "seeds: participant 6 is missing"},
		{"PUT", "/v1/tournaments/1/seeds", `{}`, "seeds is required"},
		{"POST", "/v1/tournaments/1/seeds/swap", `{"a":5,"b":99}`, "b: 99 is not a participant"},
		{"POST", "/v1/tournaments/1/start", `{"seeding":"elo"}`, "seeding must be join, random, rating or manual"},
		{"POST", "/v1/tournaments/1/start", `{"seeds":[6,99]}`, "seeds[1]: 99 is not a participant"},
		{"POST", "/v1/tournaments/1/start", `{"seeding":"rating","seeds":[6,5]}`, `seeds go with seeding \"manual\"`},
	} {
		r := send(t, srv, c.method, c.path, c.body)
		if r.status != 400 || errorCode(t, r) != "invalid_argument" || !strings.Contains(string(r.body), c.mention) {
			t.Errorf("%s %s %.80s: %d %s, want 400 mentioning %q", c.method, c.path, c.body, r.status, r.body, c.mention)
		}
	}
	tr := tournamentOf(t, send(t, srv, "GET", "/v1/tournaments/1", ""))
	if !slices.Equal(tr.Players, []int64{5, 6}) || tr.Status != tournament.StatusPending {
		t.Fatalf("refused input changed the tournament: %v %s", tr.Players, tr.Status)
	}
}

// An export made before participants had records imports as it did: every
// participant shows with the default name. One made now carries the
// records (names, ratings, meta, lineups) through export and import.
func TestExportsWithAndWithoutRecordsImport(t *testing.T) {
	srv := newServer(t, "", 0)
	old := `{"id":5,"name":"Old","max_players":4,"creator_id":1,"status":"pending","players":[1,2],"current_round":0,"rounds":[],` +
		`"winner_id":null,"version":3,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:06Z",` +
		`"started_at":null,"completed_at":null}` + "\n"
	if r := send(t, srv, "POST", "/v1/import", old); r.status != 200 {
		t.Fatalf("an export without participants: %d %s", r.status, r.body)
	}
	tr := tournamentOf(t, send(t, srv, "GET", "/v1/tournaments/5", ""))
	if tr.Participants != nil || tr.DisplayName(2) != "Player 2" {
		t.Fatalf("imported: records %+v", tr.Participants)
	}
	send(t, srv, "POST", "/v1/tournaments", `{"id":6,"name":"New","max_players":4,"creator_id":1,
		"participants":[{"user_id":1,"name":"Ann","rating":1.5,"meta":{"k":"v"},"members":[11,12]},{"user_id":2}]}`)
	lines := send(t, srv, "GET", "/v1/export", "").body
	dst := newServer(t, "", 0)
	if r := send(t, dst, "POST", "/v1/import", string(lines)); r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	a := send(t, srv, "GET", "/v1/tournaments/6", "").body
	b := send(t, dst, "GET", "/v1/tournaments/6", "").body
	if string(a) != string(b) || !strings.Contains(string(b), `"name":"Ann"`) {
		t.Fatalf("through export and import:\n%s\n%s", a, b)
	}
}
