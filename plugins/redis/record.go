package redis

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/tourney/tourney/shared/tournament"
)

// recordArgs builds lib.lua's arguments for writing t: head is ARGV[1..11]
// (the small hash fields, counts, next round, events, TTLs), tail goes
// after the script's own arguments (the state, active games, rounds from
// firstRound on; 0 = every round). With prev (the state the change started
// from), the active games are a delta: the ones that changed, then the ids
// that left the active set.
// rev is the revision the write stores (see stateCache).
func (b *Backend) recordArgs(t, prev *tournament.Tournament, firstRound int, evs []tournament.Event, extra ...string) (head, tail []any, rev string) {
	rev = newToken()
	players := appendIDs(nil, t.Players)
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
	active := t.ActiveGames()
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
		"players", string(players),
		"nbr_player", strconv.Itoa(len(t.Players)),
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
	}
	fields = append(fields, extra...)
	frags := b.frags.lock(t.ID)
	defer frags.unlock()
	tail = append(tail, t.AppendStateJSONWith(nil, frags.json))
	// Active games: all of them, or (with prev) those that are new or
	// changed, then the ids that are no longer active. Both lists are in
	// game id order: one merge walk compares them.
	var changed []tournament.Game
	var gone []any
	if prev == nil {
		changed = active
	} else {
		before := prev.ActiveGames()
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
		tail = append(tail, strconv.FormatInt(changed[i].GameID, 10), frags.json(&changed[i]))
	}
	rounds := 0
	for i := range t.Rounds {
		if r := &t.Rounds[i]; r.Round >= firstRound {
			tail = append(tail, strconv.Itoa(r.Round), r.AppendJSONWith(nil, frags.json))
			rounds++
		}
	}
	tail = append(tail, gone...)
	advancing := []string{}
	for _, id := range t.NextRound() {
		advancing = append(advancing, strconv.FormatInt(id, 10))
	}
	events := make([]string, len(evs))
	for i, e := range evs {
		j, _ := json.Marshal(e)
		events[i] = string(j)
	}
	enc := func(v any) string { j, _ := json.Marshal(v); return string(j) }
	o := b.opts
	head = []any{enc(fields), len(changed), enc(advancing), rounds, enc(events),
		o.TournamentTTL.Milliseconds(), o.ActiveGamesTTL.Milliseconds(), o.RoundDataTTL.Milliseconds(), o.BracketTTL.Milliseconds(),
		o.EventsMaxLen, b.keys.events(t.ID)}
	return head, tail, rev
}

func appendIDs(b []byte, ids []int64) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return append(b, ']')
}

// summaryFields are the hash fields List reads, in order.
var summaryFields = []string{"name", "status", "max_players", "nbr_player", "current_round", "version", "created_at", "next_deadline", "updated_at"}

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
