package tournament

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
)

// The JSON encoders below write exactly what encoding/json writes for these
// types (field order, omitempty, null for nil, RFC 3339 times), without
// reflection: a 1024-player tournament encodes about ten times faster. A
// test checks them byte for byte against encoding/json.

// AppendJSON appends the tournament's JSON, derived fields included (the
// form the HTTP API and export show).
func (t *Tournament) AppendJSON(b []byte) []byte {
	return t.appendJSON(b, formAPI, nil)
}

// AppendStateJSON appends the tournament's JSON without the derived fields
// (active_games, next_round), which decoding ignores: the form a backend
// stores.
func (t *Tournament) AppendStateJSON(b []byte) []byte {
	return t.appendJSON(b, formState, nil)
}

// GameJSON returns a game's JSON (what (*Game).AppendJSON writes); a
// caller that keeps the JSON of games that did not change passes one to
// the encoders below, so that a change encodes only what changed.
type GameJSON func(g *Game) []byte

// AppendStateJSONWith is AppendStateJSON taking each game's JSON from gj.
func (t *Tournament) AppendStateJSONWith(b []byte, gj GameJSON) []byte {
	return t.appendJSON(b, formState, gj)
}

// AppendMetaJSON appends the state JSON with no rounds ("rounds":[]): for a
// backend that keeps each round apart (and writes only the rounds a change
// touched).
func (t *Tournament) AppendMetaJSON(b []byte) []byte {
	m := *t
	m.Rounds = []Round{}
	return m.appendJSON(b, formState, nil)
}

// AppendStateJSONApart and AppendMetaJSONApart are AppendStateJSONWith and
// AppendMetaJSON without the participants' records: for a backend that
// keeps them apart (AppendParticipantsJSON) and writes them only when
// they change, so that a result does not rewrite 1024 records.
func (t *Tournament) AppendStateJSONApart(b []byte, gj GameJSON) []byte {
	return t.appendJSON(b, formApart, gj)
}

// AppendMetaJSONApart: see AppendStateJSONApart.
func (t *Tournament) AppendMetaJSONApart(b []byte) []byte {
	m := *t
	m.Rounds = []Round{}
	return m.appendJSON(b, formApart, nil)
}

// AppendJSONWith is the round's AppendJSON taking each game's JSON from gj.
func (r *Round) AppendJSONWith(b []byte, gj GameJSON) []byte {
	return r.appendJSON(b, gj, nil)
}

// Signature is a 64-bit hash of everything the game's JSON shows: two games
// with the same id and signature have the same JSON.
func (g *Game) Signature() uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	mix := func(v uint64) {
		h = (h ^ v) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	opt := func(p *int64) uint64 {
		if p == nil {
			return 0
		}
		return uint64(*p)<<1 | 1
	}
	optTime := func(p *time.Time) uint64 {
		if p == nil {
			return 0
		}
		return uint64(p.UnixNano())<<1 | 1
	}
	mix(uint64(g.GameID))
	mix(uint64(g.Round))
	mix(uint64(g.Player1))
	mix(uint64(g.Player2))
	var st uint64
	for i := 0; i < len(g.Status) && i < 8; i++ {
		st = st<<8 | uint64(g.Status[i])
	}
	mix(st ^ uint64(len(g.Status))<<56)
	mix(opt(g.WinnerID))
	if g.Forfeit {
		mix(0xf0f)
	}
	if g.ByDeparture {
		mix(0xde9)
	}
	for _, c := range g.State {
		mix(uint64(c))
	}
	if g.CalledAt != nil {
		mix(uint64(g.CalledAt.UnixNano()))
	}
	if g.PlayStartedAt != nil {
		mix(uint64(g.PlayStartedAt.UnixNano()) ^ 0x5)
	}
	mix(uint64(g.BestOf))
	for _, s := range g.Scores {
		mix(uint64(s[0])<<32 | uint64(uint32(s[1])))
	}
	mix(opt(g.LoserID))
	mix(uint64(g.CreatedAt.UnixNano()))
	mix(uint64(g.Deadline.UnixNano()))
	mix(optTime(g.FinishedAt))
	if g.Overdue {
		mix(1)
	}
	if g.DeadlineWarned {
		mix(2)
	}
	return h
}

// form is which JSON form of a tournament an encoder writes.
type form int

const (
	formState form = iota // the stored fields
	formAPI               // with the derived fields (active games, next round, seeds, every participant)
	formApart             // the stored fields without the participants' records
)

func (t *Tournament) appendJSON(b []byte, f form, gj GameJSON) []byte {
	derived := f == formAPI
	perGame := 300 // its JSON is about 270 bytes; the derived form shows active games twice
	if derived {
		perGame *= 2
	}
	perPlayer := 12
	if derived {
		perPlayer += 36 // the participants' view: {"id":..,"name":"Player ..","seed":..}
	}
	if need := 256 + perPlayer*len(t.Players) + perGame*t.GameCount(); cap(b)-len(b) < need {
		b = append(make([]byte, 0, len(b)+need), b...)
	}
	var seeds map[int64]int // the derived form shows each game's seeds
	if derived && len(t.Seeds) > 0 {
		seeds = t.seedIndex()
		gj = nil
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, t.ID, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, t.Name)
	b = append(b, `,"max_players":`...)
	b = strconv.AppendInt(b, int64(t.MaxPlayers), 10)
	b = append(b, `,"creator_id":`...)
	b = strconv.AppendInt(b, t.CreatorID, 10)
	b = append(b, `,"status":`...)
	b = appendString(b, string(t.Status))
	b = append(b, `,"players":`...)
	if t.Players == nil {
		b = append(b, "[]"...)
	} else {
		b = appendIDs(b, t.Players)
	}
	if len(t.Seeds) > 0 {
		b = append(b, `,"seeds":`...)
		b = appendIDs(b, t.Seeds)
	}
	if t.Shuffled {
		b = append(b, `,"shuffled":true`...)
	}
	b = append(b, `,"current_round":`...)
	b = strconv.AppendInt(b, int64(t.CurrentRound), 10)
	b = append(b, `,"rounds":[`...)
	for i := range t.Rounds {
		if i > 0 {
			b = append(b, ',')
		}
		b = t.Rounds[i].appendJSON(b, gj, seeds)
	}
	b = append(b, `],"winner_id":`...)
	b = appendOptInt(b, t.WinnerID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, t.Version, 10)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, t.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, t.UpdatedAt)
	b = append(b, `,"started_at":`...)
	b = appendOptTime(b, t.StartedAt)
	b = append(b, `,"completed_at":`...)
	b = appendOptTime(b, t.CompletedAt)
	if t.TTLProfile != "" {
		b = append(b, `,"ttl_profile":`...)
		b = appendString(b, t.TTLProfile)
	}
	if t.Format != "" {
		b = append(b, `,"format":`...)
		b = appendString(b, string(t.Format))
	}
	if o := t.Options; o != (Options{}) {
		b = append(b, `,"options":{`...)
		sep := ""
		if o.ThirdPlaceMatch {
			b = append(b, `"third_place_match":true`...)
			sep = ","
		}
		if o.GrandFinal != "" {
			b = append(b, sep...)
			b = append(b, `"grand_final":`...)
			b = appendString(b, o.GrandFinal)
			sep = ","
		}
		if o.Rounds != 0 {
			b = append(b, sep...)
			b = append(b, `"rounds":`...)
			b = strconv.AppendInt(b, int64(o.Rounds), 10)
		}
		b = append(b, '}')
	}
	if t.Ended {
		b = append(b, `,"ended":true`...)
	}
	if len(t.Dropped) > 0 {
		b = append(b, `,"dropped":[`...)
		for i, d := range t.Dropped {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"player_id":`...)
			b = strconv.AppendInt(b, d.PlayerID, 10)
			b = append(b, `,"stage":`...)
			b = strconv.AppendInt(b, int64(d.Stage), 10)
			b = append(b, `,"reason":`...)
			b = appendString(b, d.Reason)
			if !d.At.IsZero() {
				b = append(b, `,"at":`...)
				b = appendTime(b, d.At)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if t.CheckIn != "" {
		b = append(b, `,"check_in":`...)
		b = appendString(b, t.CheckIn)
	}
	if t.StartsAt != nil {
		b = append(b, `,"starts_at":`...)
		b = appendTime(b, *t.StartsAt)
	}
	if len(t.CheckedIn) > 0 {
		b = append(b, `,"checked_in":`...)
		b = appendIDs(b, t.CheckedIn)
	}
	if t.BestOf != 0 {
		b = append(b, `,"best_of":`...)
		b = strconv.AppendInt(b, int64(t.BestOf), 10)
	}
	if len(t.BestOfByRound) > 0 {
		// encoding/json writes map keys sorted.
		keys := make([]string, 0, len(t.BestOfByRound))
		for k := range t.BestOfByRound {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, `,"best_of_by_round":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(t.BestOfByRound[k]), 10)
		}
		b = append(b, '}')
	}
	if t.CorrectedVersion != 0 {
		b = append(b, `,"corrected_version":`...)
		b = strconv.AppendInt(b, t.CorrectedVersion, 10)
	}
	if t.Rules != 0 {
		b = append(b, `,"rules":`...)
		b = strconv.AppendInt(b, int64(t.Rules), 10)
	}
	if len(t.ResetResults) > 0 {
		b = append(b, `,"reset_results":[`...)
		for i := range t.ResetResults {
			if i > 0 {
				b = append(b, ',')
			}
			b = t.ResetResults[i].appendJSON(b, seeds)
		}
		b = append(b, ']')
	}
	switch {
	case derived:
		b = t.appendParticipantViews(b, seeds)
	case f == formState:
		b = appendParticipants(b, t.Participants)
	}
	if len(t.SeedOrder) > 0 {
		b = append(b, `,"seed_order":`...)
		b = appendIDs(b, t.SeedOrder)
	}
	if t.Seeding != "" {
		b = append(b, `,"seeding":`...)
		b = appendString(b, t.Seeding)
	}
	if derived {
		b = append(b, `,"active_games":[`...)
		first := true
		for ri := range t.Rounds {
			for gi := range t.Rounds[ri].Games {
				if g := &t.Rounds[ri].Games[gi]; g.Status == GameActive {
					if !first {
						b = append(b, ',')
					}
					first = false
					b = appendGame(b, g, gj, seeds)
				}
			}
		}
		b = append(b, `],"next_round":`...)
		b = appendIDs(b, t.NextRound())
	}
	return append(b, '}')
}

// appendParticipantViews appends `,"participants":[...]` with every
// participant as ParticipantViews shows them (what encoding/json writes
// for that list), without building the list: the records are looked up,
// a default name is written in place. seeds is the seed index (nil before
// the start).
func (t *Tournament) appendParticipantViews(b []byte, seeds map[int64]int) []byte {
	if len(t.Players) == 0 {
		return b
	}
	var recs map[int64]*Participant
	if len(t.Participants) > 0 {
		recs = make(map[int64]*Participant, len(t.Participants))
		for i := range t.Participants {
			recs[t.Participants[i].ID] = &t.Participants[i]
		}
	}
	var checked, dropped map[int64]bool
	if len(t.CheckedIn) > 0 {
		checked = make(map[int64]bool, len(t.CheckedIn))
		for _, id := range t.CheckedIn {
			checked[id] = true
		}
	}
	if len(t.Dropped) > 0 {
		dropped = make(map[int64]bool, len(t.Dropped))
		for _, d := range t.Dropped {
			dropped[d.PlayerID] = true
		}
	}
	if seeds == nil && len(t.Seeds) > 0 {
		seeds = t.seedIndex()
	}
	b = append(b, `,"participants":[`...)
	for i, id := range t.Players {
		if i > 0 {
			b = append(b, ',')
		}
		p := recs[id]
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, `,"name":`...)
		if p != nil && p.Name != "" {
			b = appendString(b, p.Name)
		} else {
			b = append(b, `"Player `...)
			b = strconv.AppendInt(b, id, 10)
			b = append(b, '"')
		}
		if s := seeds[id]; s != 0 {
			b = append(b, `,"seed":`...)
			b = strconv.AppendInt(b, int64(s), 10)
		}
		if p != nil {
			if p.Rating != nil {
				b = append(b, `,"rating":`...)
				b = appendFloat(b, *p.Rating)
			}
			if len(p.Meta) > 0 {
				b = append(b, `,"meta":`...)
				b = append(b, p.Meta...)
			}
			if len(p.Members) > 0 {
				b = append(b, `,"members":`...)
				b = appendIDs(b, p.Members)
			}
		}
		if checked[id] {
			b = append(b, `,"checked_in":true`...)
		}
		if dropped[id] {
			b = append(b, `,"dropped":true`...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendParticipants appends `,"participants":[...]` (nothing for none).
func appendParticipants(b []byte, ps []Participant) []byte {
	if len(ps) == 0 {
		return b
	}
	b = append(b, `,"participants":`...)
	return AppendParticipantsJSON(b, ps)
}

// AppendParticipantsJSON appends ps as a JSON list (what encoding/json
// writes): the form a backend that keeps the records apart from the state
// stores (see AppendMetaJSONApart).
func AppendParticipantsJSON(b []byte, ps []Participant) []byte {
	b = append(b, '[')
	for i := range ps {
		p := &ps[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, p.ID, 10)
		if p.Name != "" {
			b = append(b, `,"name":`...)
			b = appendString(b, p.Name)
		}
		if p.Seed != 0 {
			b = append(b, `,"seed":`...)
			b = strconv.AppendInt(b, int64(p.Seed), 10)
		}
		if p.Rating != nil {
			b = append(b, `,"rating":`...)
			b = appendFloat(b, *p.Rating)
		}
		if len(p.Meta) > 0 {
			b = append(b, `,"meta":`...)
			b = append(b, p.Meta...) // canonical JSON (CanonicalMeta)
		}
		if len(p.Members) > 0 {
			b = append(b, `,"members":`...)
			b = appendIDs(b, p.Members)
		}
		if p.CheckedIn {
			b = append(b, `,"checked_in":true`...)
		}
		if p.Dropped {
			b = append(b, `,"dropped":true`...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendFloat writes f as encoding/json does: the shortest form, in
// exponent form below 1e-6 and from 1e21, with a one-digit exponent
// where it fits.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// AppendJSON appends the round's JSON.
func (r *Round) AppendJSON(b []byte) []byte {
	return r.appendJSON(b, nil, nil)
}

func appendGame(b []byte, g *Game, gj GameJSON, seeds map[int64]int) []byte {
	if gj != nil {
		return append(b, gj(g)...)
	}
	return g.appendJSON(b, seeds)
}

func (r *Round) appendJSON(b []byte, gj GameJSON, seeds map[int64]int) []byte {
	if need := 64 + 12*len(r.Slots) + 300*len(r.Games); cap(b)-len(b) < need {
		b = append(make([]byte, 0, len(b)+need), b...)
	}
	b = append(b, `{"round":`...)
	b = strconv.AppendInt(b, int64(r.Round), 10)
	if r.Bracket != "" {
		b = append(b, `,"bracket":`...)
		b = appendString(b, r.Bracket)
	}
	if r.Stage != 0 {
		b = append(b, `,"stage":`...)
		b = strconv.AppendInt(b, int64(r.Stage), 10)
	}
	b = append(b, `,"slots":`...)
	b = appendIDs(b, r.Slots)
	b = append(b, `,"games":`...)
	if r.Games == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Games {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendGame(b, &r.Games[i], gj, seeds)
		}
		b = append(b, ']')
	}
	b = append(b, `,"byes":`...)
	b = appendIDs(b, r.Byes)
	return append(b, '}')
}

// AppendJSON appends the game's JSON (its stored form: no seeds).
func (g *Game) AppendJSON(b []byte) []byte { return g.appendJSON(b, nil) }

// appendJSON writes the game, with its players' seeds when seeds is set.
func (g *Game) appendJSON(b []byte, seeds map[int64]int) []byte {
	b = append(b, `{"game_id":`...)
	b = strconv.AppendInt(b, g.GameID, 10)
	b = append(b, `,"round":`...)
	b = strconv.AppendInt(b, int64(g.Round), 10)
	b = append(b, `,"player_1":`...)
	b = strconv.AppendInt(b, g.Player1, 10)
	b = append(b, `,"player_2":`...)
	b = strconv.AppendInt(b, g.Player2, 10)
	if s := seeds[g.Player1]; s != 0 {
		b = append(b, `,"seed_1":`...)
		b = strconv.AppendInt(b, int64(s), 10)
	}
	if s := seeds[g.Player2]; s != 0 {
		b = append(b, `,"seed_2":`...)
		b = strconv.AppendInt(b, int64(s), 10)
	}
	b = append(b, `,"status":`...)
	b = appendString(b, string(g.Status))
	b = append(b, `,"winner_id":`...)
	b = appendOptInt(b, g.WinnerID)
	b = append(b, `,"loser_id":`...)
	b = appendOptInt(b, g.LoserID)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, g.CreatedAt)
	b = append(b, `,"deadline":`...)
	b = appendTime(b, g.Deadline)
	b = append(b, `,"finished_at":`...)
	b = appendOptTime(b, g.FinishedAt)
	if g.Overdue {
		b = append(b, `,"overdue":true`...)
	}
	if g.DeadlineWarned {
		b = append(b, `,"deadline_warned":true`...)
	}
	if g.Forfeit {
		b = append(b, `,"forfeit":true`...)
	}
	if g.ByDeparture {
		b = append(b, `,"by_departure":true`...)
	}
	if g.State != "" {
		b = append(b, `,"state":`...)
		b = appendString(b, string(g.State))
	}
	if g.CalledAt != nil {
		b = append(b, `,"called_at":`...)
		b = appendTime(b, *g.CalledAt)
	}
	if g.PlayStartedAt != nil {
		b = append(b, `,"started_at":`...)
		b = appendTime(b, *g.PlayStartedAt)
	}
	if g.BestOf != 0 {
		b = append(b, `,"best_of":`...)
		b = strconv.AppendInt(b, int64(g.BestOf), 10)
	}
	if len(g.Scores) > 0 {
		b = append(b, `,"scores":[`...)
		for i, s := range g.Scores {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s[0]), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(s[1]), 10)
			b = append(b, ']')
		}
		b = append(b, ']')
	}

	return append(b, '}')
}

// AppendIDs appends a list of ids as JSON; nil is null, as encoding/json
// writes it.
func AppendIDs(b []byte, ids []int64) []byte { return appendIDs(b, ids) }

func appendIDs(b []byte, ids []int64) []byte {
	if ids == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return append(b, ']')
}

func appendOptInt(b []byte, p *int64) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *p, 10)
}

func appendTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		// encoding/json refuses such times; never produced by the engine.
		j, _ := json.Marshal(t)
		return append(b, j...)
	}
	b = append(b, '"')
	if _, off := t.Zone(); off == 0 { // RFC 3339 writes "Z" for any zero offset
		b = appendUTC(b, t)
	} else {
		b = t.AppendFormat(b, time.RFC3339Nano)
	}
	return append(b, '"')
}

// appendUTC writes a UTC time as time.RFC3339Nano does
// (2006-01-02T15:04:05.999999999Z: trailing zeros of the fraction dropped),
// several times faster than AppendFormat.
func appendUTC(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(mo), 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, h, 2)
	b = append(b, ':')
	b = appendDigits(b, mi, 2)
	b = append(b, ':')
	b = appendDigits(b, s, 2)
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.')
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = appendDigits(b, ns, digits)
	}
	return append(b, 'Z')
}

// digitPairs is "00" to "99", for writing two digits a division.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// appendDigits writes n with exactly width digits (zero-padded; width at
// most 9).
func appendDigits(b []byte, n, width int) []byte {
	var buf [10]byte
	i := width
	for i >= 2 {
		p := n % 100 * 2
		n /= 100
		i -= 2
		buf[i], buf[i+1] = digitPairs[p], digitPairs[p+1]
	}
	if i == 1 {
		buf[0] = byte('0' + n%10)
	}
	return append(b, buf[:width]...)
}

func appendOptTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

// appendString writes s as encoding/json does (HTML-safe escaping). Plain
// ASCII, the common case, is copied as it is, with quotes and backslashes
// escaped (JSON inside JSON); anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
	start := len(b)
	b = append(b, '"')
	from := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, s[from:i]...)
			b = append(b, '\\', c)
			from = i + 1
		case c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&':
			j, _ := json.Marshal(s)
			return append(b[:start], j...)
		}
	}
	b = append(b, s[from:]...)
	return append(b, '"')
}

// AppendJSON appends the event's JSON, byte for byte what encoding/json
// writes for it.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, string(e.Type))
	b = append(b, `,"tournament_id":`...)
	b = strconv.AppendInt(b, e.TournamentID, 10)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, e.Version, 10)
	for _, f := range [...]struct {
		key string
		v   int64
	}{{`,"round":`, int64(e.Round)}, {`,"game_id":`, e.GameID}, {`,"player_id":`, e.PlayerID},
		{`,"winner_id":`, e.WinnerID}, {`,"loser_id":`, e.LoserID}} {
		if f.v != 0 {
			b = append(b, f.key...)
			b = strconv.AppendInt(b, f.v, 10)
		}
	}
	if len(e.Players) > 0 {
		b = append(b, `,"players":`...)
		b = appendIDs(b, e.Players)
	}
	if e.Deadline != nil {
		b = append(b, `,"deadline":`...)
		b = appendTime(b, *e.Deadline)
	}
	if e.Policy != "" {
		b = append(b, `,"policy":`...)
		b = appendString(b, string(e.Policy))
	}
	if e.Bracket != "" {
		b = append(b, `,"bracket":`...)
		b = appendString(b, e.Bracket)
	}
	if e.Forfeit {
		b = append(b, `,"forfeit":true`...)
	}
	if e.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, e.Name)
	}
	b = append(b, `,"at":`...)
	b = appendTime(b, e.At)
	return append(b, '}')
}

// AppendString appends s as a JSON string, as encoding/json writes it.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }
