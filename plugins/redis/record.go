package redis

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/tourney/tourney/shared/tournament"
)

// recordArgs builds ARGV[1..11] of lib.lua for t: the hash fields, the
// projections, the rounds from firstRound on (0 = every round) and the
// events of the change.
func (b *Backend) recordArgs(t *tournament.Tournament, firstRound int, evs []tournament.Event, extra ...string) []any {
	state, _ := json.Marshal(t)
	players, _ := json.Marshal(t.Players)
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
	if d := t.Summary().NextDeadline; d != nil {
		deadline = strconv.FormatInt(d.UnixMilli(), 10)
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
		"state", string(state),
	}
	fields = append(fields, extra...)
	active := map[string]string{}
	for _, g := range t.ActiveGames() {
		j, _ := json.Marshal(g)
		active[strconv.FormatInt(g.GameID, 10)] = string(j)
	}
	next := []string{}
	for _, id := range t.NextRound() {
		next = append(next, strconv.FormatInt(id, 10))
	}
	rounds := map[string]string{}
	for _, r := range t.Rounds {
		if r.Round >= firstRound {
			j, _ := json.Marshal(r)
			rounds[strconv.Itoa(r.Round)] = string(j)
		}
	}
	events := make([]string, len(evs))
	for i, e := range evs {
		j, _ := json.Marshal(e)
		events[i] = string(j)
	}
	enc := func(v any) string { j, _ := json.Marshal(v); return string(j) }
	o := b.opts
	return []any{enc(fields), enc(active), enc(next), enc(rounds), enc(events),
		o.TournamentTTL.Milliseconds(), o.ActiveGamesTTL.Milliseconds(), o.RoundDataTTL.Milliseconds(), o.BracketTTL.Milliseconds(),
		o.EventsMaxLen, b.keys.events(t.ID)}
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
