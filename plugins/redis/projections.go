package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// CheckProjections compares the seed-compatible keys of tournament id (the
// hash's fields, active_games, next_round, brackets) with its stored state,
// as an operator reading them with redis-cli would: writes send only what
// changed, and this is how the conformance suite proves they do not drift.
func (b *Backend) CheckProjections(ctx context.Context, id int64) error {
	key := b.keys.tournament(id)
	h, err := b.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return err
	}
	brackets, err := b.rdb.HGetAll(ctx, b.keys.record(id)[3]).Result()
	if err != nil {
		return err
	}
	tp, err := DecodeStored(id, h, brackets)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	t := *tp
	players, _ := json.Marshal(t.Players)
	want := map[string]string{"name": t.Name, "status": string(t.Status), "players": string(players),
		"nbr_player": strconv.Itoa(len(t.Players)), "current_round": strconv.Itoa(t.CurrentRound),
		"version": strconv.FormatInt(t.Version, 10), "max_players": strconv.Itoa(t.MaxPlayers)}
	for f, v := range want {
		if h[f] != v {
			return fmt.Errorf("field %s is %q, the state says %q", f, h[f], v)
		}
	}
	active, err := b.rdb.HGetAll(ctx, b.keys.record(id)[1]).Result()
	if err != nil {
		return err
	}
	games := t.ActiveGames()
	if len(active) != len(games) {
		return fmt.Errorf("active_games holds %d games, the state %d", len(active), len(games))
	}
	for _, g := range games {
		if got, want := active[strconv.FormatInt(g.GameID, 10)], string(g.AppendJSON(nil)); got != want {
			return fmt.Errorf("active_games[%d] is %s, the state says %s", g.GameID, got, want)
		}
	}
	next, err := b.rdb.LRange(ctx, b.keys.record(id)[2], 0, -1).Result()
	if err != nil {
		return err
	}
	var wantNext []string
	for _, p := range t.NextRound() {
		wantNext = append(wantNext, strconv.FormatInt(p, 10))
	}
	if !slices.Equal(next, wantNext) {
		return fmt.Errorf("next_round is %v, the state says %v", next, wantNext)
	}
	if len(brackets) != len(t.Rounds) {
		return fmt.Errorf("brackets holds %d rounds, the state %d", len(brackets), len(t.Rounds))
	}
	for i := range t.Rounds {
		r := &t.Rounds[i]
		if got, want := brackets[strconv.Itoa(r.Round)], string(r.AppendJSON(nil)); got != want {
			return fmt.Errorf("brackets[%d] is %s, the state says %s", r.Round, got, want)
		}
	}
	return nil
}
