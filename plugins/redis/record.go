package redis

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// recordArgs builds lib.lua's arguments for writing t: head is ARGV[1..11]
// (the small hash fields, counts, next round, events, TTLs), tail goes
// after the script's own arguments (the state, active games, rounds from
// firstRound on; 0 = every round). With prev (the state the change started
// from), the active games are a delta: the ones that changed, then the ids
// that left the active set.
// rev is the revision the write stores (see stateCache).
func (b *Backend) recordArgs(t, prev *tournament.Tournament, firstRound int, evs []tournament.Event,
	extra ...string) (head, tail []any, rev string) {
	rev = newToken()
	flag := func(ok bool) string {
		if ok {
			return "1"
		}
		return "0"
	}
	ts := func(p *time.Time) string {
		if p == nil {
			return ""
		}
		return p.UTC().Format(time.RFC3339Nano)
	}
	winner, deadline := "", ""
	if t.WinnerID != nil {
		winner = strconv.FormatInt(*t.WinnerID, 10)
	}
	active := t.ActiveGameRefs()
	var next time.Time
	for _, g := range active {
		if !g.Overdue && (next.IsZero() || g.Deadline.Before(next)) {
			next = g.Deadline
		}
	}
	if !next.IsZero() {
		deadline = strconv.FormatInt(next.UnixMilli(), 10)
	}
	fields := []string{
		"name", t.Name,
		"max_players", strconv.Itoa(t.MaxPlayers),
		"creator_id", strconv.FormatInt(t.CreatorID, 10),
		"status", string(t.Status),
	}
	if prev == nil || !slices.Equal(prev.Players, t.Players) {
		// Else the stored fields are prev's (the write is guarded by its
		// revision): a result need not send 1024 players for the script
		// to decode.
		players := []byte("[]")
		if t.Players != nil {
			players = tournament.AppendIDs(nil, t.Players)
		}
		fields = append(fields, "players", string(players), "nbr_player", strconv.Itoa(len(t.Players)))
	}
	if prev == nil || !tournament.SameParticipants(prev, t) {
		// The records live in their own field, out of the state: a result
		// in a tournament of 1024 named participants does not send or
		// rewrite them.
		recs := ""
		if len(t.Participants) > 0 {
			recs = string(tournament.AppendParticipantsJSON(nil, t.Participants))
		}
		fields = append(fields, "participants", recs)
	}
	fields = append(fields,
		"initialized", flag(t.Status != tournament.StatusPending),
		"is_complete", flag(t.Status == tournament.StatusCompleted),
		"current_round", strconv.Itoa(t.CurrentRound),
		"winner", winner,
		"version", strconv.FormatInt(t.Version, 10),
		"created_at", ts(&t.CreatedAt),
		"updated_at", ts(&t.UpdatedAt),
		"started_at", ts(t.StartedAt),
		"completed_at", ts(t.CompletedAt),
		"next_deadline", deadline,
		"rev", rev,
	)
	fields = append(fields, extra...)
	frags := b.frags.lock(t.ID)
	defer frags.unlock()
	// When :brackets lasts as long as the tournament (BRACKET_TTL >=
	// TOURNAMENT_TTL, the default), the rounds live there only and the state
	// holds the rest, so a change writes the rounds it touched, not every
	// round again. Otherwise the state keeps every round.
	ttl := b.ttls(t)
	fields = append(fields, "ttl_profile", t.TTLProfile,
		"ttl_ms", fmt.Sprintf("%d,%d,%d,%d", ttl.Tournament.Milliseconds(), ttl.ActiveGames.Milliseconds(),
			ttl.RoundData.Milliseconds(), ttl.Bracket.Milliseconds()))
	if ttl.Bracket >= ttl.Tournament {
		fields = append(fields, "rounds_in", "brackets")
		tail = append(tail, t.AppendMetaJSONApart(nil))
	} else {
		fields = append(fields, "rounds_in", "state")
		tail = append(tail, t.AppendStateJSONApart(nil, frags.json))
	}
	// Active games: all of them, or (with prev) those that are new or
	// changed, then the ids that are no longer active. Both lists are in
	// game id order: one merge walk compares them.
	var changed []*tournament.Game
	var gone []any
	if prev == nil {
		changed = active
	} else {
		before := prev.ActiveGameRefs()
		i := 0
		for _, g := range active {
			for i < len(before) && before[i].GameID < g.GameID {
				gone = append(gone, strconv.FormatInt(before[i].GameID, 10))
				i++
			}
			if i < len(before) && before[i].GameID == g.GameID {
				if before[i].Signature() != g.Signature() {
					changed = append(changed, g)
				}
				i++
				continue
			}
			changed = append(changed, g)
		}
		for ; i < len(before); i++ {
			gone = append(gone, strconv.FormatInt(before[i].GameID, 10))
		}
	}
	for i := range changed {
		tail = append(tail, strconv.FormatInt(changed[i].GameID, 10), frags.json(changed[i]))
	}
	rounds := 0
	for i := range t.Rounds {
		if r := &t.Rounds[i]; r.Round >= firstRound {
			tail = append(tail, strconv.Itoa(r.Round), r.AppendJSONWith(nil, frags.json))
			rounds++
		}
	}
	tail = append(tail, gone...)
	// JSON arrays of strings for Lua's cjson, written without reflection:
	// the fields, the advancing ids, and the events (each event's JSON as a
	// string, which is also what the change channel publishes).
	strs := func(n int, item func(b []byte, i int) []byte) string {
		b := append(make([]byte, 0, 64*n+2), '[')
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			b = item(b, i)
		}
		return string(append(b, ']'))
	}
	advancing := t.NextRound()
	var ev []byte
	o := b.opts
	head = []any{
		strs(len(fields), func(b []byte, i int) []byte { return tournament.AppendString(b, fields[i]) }),
		len(changed),
		nextRoundArg(prev, advancing, strs(len(advancing), func(b []byte, i int) []byte {
			b = append(b, '"')
			return append(strconv.AppendInt(b, advancing[i], 10), '"')
		})),
		rounds,
		strs(len(evs), func(b []byte, i int) []byte {
			ev = evs[i].AppendJSON(ev[:0])
			return tournament.AppendString(b, string(ev))
		}),
		ttl.Tournament.Milliseconds(), ttl.ActiveGames.Milliseconds(), ttl.RoundData.Milliseconds(), ttl.Bracket.Milliseconds(),
		o.EventsMaxLen, b.keys.events(t.ID)}
	return head, tail, rev
}

// nextRoundArg is the next_round argument of a write (lib.lua): the whole
// list as a JSON array, or, when the change only added players to prev's
// list (a result within a round), "~N~[id, pivot, ...]~" and the whole
// list: the script inserts each id before its pivot ("" = at the end) when
// the stored list still has prev's N entries, and rewrites the whole list
// otherwise. A result in a 512-game round then costs one LINSERT, not a
// rewrite of every advanced player.
func nextRoundArg(prev *tournament.Tournament, next []int64, whole string) string {
	if prev == nil {
		return whole
	}
	before := prev.NextRound()
	if len(before) == 0 || len(before) >= len(next) {
		return whole
	}
	b := []byte("~")
	b = strconv.AppendInt(b, int64(len(before)), 10)
	b = append(b, "~["...)
	j := 0
	for _, id := range next {
		if j < len(before) && before[j] == id {
			j++
			continue
		}
		if b[len(b)-1] != '[' {
			b = append(b, ',')
		}
		pivot := "" // the next of prev's entries, which follows id in next
		if j < len(before) {
			pivot = strconv.FormatInt(before[j], 10)
		}
		b = append(b, '"')
		b = strconv.AppendInt(b, id, 10)
		b = append(b, `","`...)
		b = append(b, pivot...)
		b = append(b, '"')
	}
	if j != len(before) {
		return whole // not prev's list with players added
	}
	b = append(b, "]~"...)
	return string(b) + whole
}

// summaryFields are the hash fields List reads, in order.
var summaryFields = []string{"name", "status", "max_players", "nbr_player", "current_round", "version", "created_at",
	"next_deadline", "updated_at"}

func parseSummary(id int64, v []any) (tournament.Summary, bool) {
	str := func(i int) string { s, _ := v[i].(string); return s }
	if len(v) != len(summaryFields) || str(1) == "" {
		return tournament.Summary{}, false
	}
	atoi := func(i int) int { n, _ := strconv.Atoi(str(i)); return n }
	s := tournament.Summary{ID: id, Name: str(0), Status: tournament.Status(str(1)), MaxPlayers: atoi(2),
		PlayerCount: atoi(3), CurrentRound: atoi(4)}
	s.Version, _ = strconv.ParseInt(str(5), 10, 64)
	s.CreatedAt, _ = time.Parse(time.RFC3339Nano, str(6))
	s.UpdatedAt, _ = time.Parse(time.RFC3339Nano, str(8))
	if ms, err := strconv.ParseInt(str(7), 10, 64); err == nil {
		d := time.UnixMilli(ms).UTC()
		s.NextDeadline = &d
	}
	return s, true
}

// ttls are the TTLs of t's keys: its TTL profile's, else the configured
// ones. A record keeps its rounds in :brackets only when that key lasts as
// long as the tournament hash (Bracket >= Tournament).
func (b *Backend) ttls(t *tournament.Tournament) config.TTLProfile {
	c := config.Store{TournamentTTL: b.opts.TournamentTTL, ActiveGamesTTL: b.opts.ActiveGamesTTL,
		RoundDataTTL: b.opts.RoundDataTTL, BracketTTL: b.opts.BracketTTL, TTLProfiles: b.opts.TTLProfiles}
	p, ok := c.TTLs(t.TTLProfile)
	if !ok {
		p, _ = c.TTLs("")
	}
	return p
}

// decodeRecord rebuilds a tournament from its stored state, its
// participants' records (kept apart; "" = none) and, for records
// that keep their rounds in :brackets (roundsIn == "brackets"), the
// brackets hash given as field, value, field, value ... Records written
// before keep every round in the state.
func decodeRecord(id int64, state, roundsIn, participants string, brackets []string) (*tournament.Tournament, error) {
	var t tournament.Tournament
	if err := json.Unmarshal([]byte(state), &t); err != nil {
		return nil, tournament.Errorf(tournament.CodeInternal, "tournament %d: stored state is unreadable: %v", id, err)
	}
	if participants != "" {
		if err := json.Unmarshal([]byte(participants), &t.Participants); err != nil {
			return nil, tournament.Errorf(tournament.CodeInternal, "tournament %d: stored participants are unreadable: %v", id, err)
		}
	}
	if roundsIn != "brackets" {
		return &t, nil
	}
	t.Rounds = make([]tournament.Round, 0, len(brackets)/2)
	for i := 0; i+1 < len(brackets); i += 2 {
		var r tournament.Round
		if err := json.Unmarshal([]byte(brackets[i+1]), &r); err != nil {
			return nil, tournament.Errorf(tournament.CodeInternal, "tournament %d: round %s is unreadable: %v", id, brackets[i], err)
		}
		t.Rounds = append(t.Rounds, r)
	}
	slices.SortFunc(t.Rounds, func(a, b tournament.Round) int { return a.Round - b.Round })
	for i, r := range t.Rounds {
		if r.Round != i+1 {
			return nil, tournament.Errorf(tournament.CodeInternal,
				"tournament %d: its rounds in brackets are not 1..%d (expired?)", id, len(t.Rounds))
		}
	}
	return &t, nil
}

// DecodeStored rebuilds a tournament from what an operator reads with
// redis-cli: the tournament hash (HGETALL tournament:{id}) and its brackets
// (HGETALL tournament:{id}:brackets). Tests and tools use it.
func DecodeStored(id int64, hash, brackets map[string]string) (*tournament.Tournament, error) {
	flat := make([]string, 0, 2*len(brackets))
	for k, v := range brackets {
		flat = append(flat, k, v)
	}
	return decodeRecord(id, hash["state"], hash["rounds_in"], hash["participants"], flat)
}
