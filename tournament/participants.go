package tournament

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// Participant is an entrant's record: the name people read, a rating for
// seeding, the organiser's own fields, and for a team its lineup. The id is
// the one results name (a team's id is the participant id, not a member's).
//
// A tournament stores records only for participants that have one (any of
// Name, Rating, Meta, Members set); the tournament's JSON (the API's form)
// shows every participant, with the derived fields Seed, CheckedIn and
// Dropped and the default name "Player <id>".
type Participant struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
	// Seed is derived: the participant's seed once the tournament started.
	Seed   int      `json:"seed,omitempty"`
	Rating *float64 `json:"rating,omitempty"`
	// Meta is a JSON object of string, number and boolean values (at most
	// MaxMetaBytes), kept in canonical form (keys sorted, compact).
	Meta json.RawMessage `json:"meta,omitempty"`
	// Members are the user ids of a team's lineup.
	Members []int64 `json:"members,omitempty"`
	// CheckedIn and Dropped are derived: the participant checked in; was
	// disqualified or withdrew.
	CheckedIn bool `json:"checked_in,omitempty"`
	Dropped   bool `json:"dropped,omitempty"`
}

// Limits of a participant's record.
const (
	// MaxMetaBytes bounds a participant's meta (its canonical JSON).
	MaxMetaBytes = 2048
	// MaxMembers bounds a team's lineup.
	MaxMembers = 16
)

// DisplayName is the name to show for participant id: its record's, else
// "Player <id>".
func (t *Tournament) DisplayName(id int64) string {
	if p := t.participant(id); p != nil && p.Name != "" {
		return p.Name
	}
	return DefaultName(id)
}

// names maps the participants that gave a name to it.
func (t *Tournament) names() map[int64]string {
	m := make(map[int64]string, len(t.Participants))
	for _, p := range t.Participants {
		if p.Name != "" {
			m[p.ID] = p.Name
		}
	}
	return m
}

// DefaultName is the name of a participant that gave none.
func DefaultName(id int64) string { return "Player " + strconv.FormatInt(id, 10) }

// participant is id's stored record, or nil.
func (t *Tournament) participant(id int64) *Participant {
	for i := range t.Participants {
		if t.Participants[i].ID == id {
			return &t.Participants[i]
		}
	}
	return nil
}

// Involves reports whether user is a participant of t or a member of a
// participant's lineup.
func (t *Tournament) Involves(user int64) bool {
	if slices.Contains(t.Players, user) {
		return true
	}
	for i := range t.Participants {
		if slices.Contains(t.Participants[i].Members, user) {
			return true
		}
	}
	return false
}

// Users are the participants and the members of every lineup, each once.
func (t *Tournament) Users() []int64 {
	out := slices.Clone(t.Players)
	for i := range t.Participants {
		for _, m := range t.Participants[i].Members {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

// ParticipantViews are every participant as the API shows them, in join
// order: the record (or the default name), the seed, check-in and
// departure.
func (t *Tournament) ParticipantViews() []Participant {
	if len(t.Players) == 0 {
		return nil
	}
	recs := make(map[int64]*Participant, len(t.Participants))
	for i := range t.Participants {
		recs[t.Participants[i].ID] = &t.Participants[i]
	}
	var seeds map[int64]int
	if len(t.Seeds) > 0 {
		seeds = t.seedIndex()
	}
	checked := make(map[int64]bool, len(t.CheckedIn))
	for _, id := range t.CheckedIn {
		checked[id] = true
	}
	dropped := make(map[int64]bool, len(t.Dropped))
	for _, d := range t.Dropped {
		dropped[d.PlayerID] = true
	}
	out := make([]Participant, len(t.Players))
	for i, id := range t.Players {
		v := Participant{ID: id}
		if r := recs[id]; r != nil {
			v = *r
		}
		if v.Name == "" {
			v.Name = DefaultName(id)
		}
		v.Seed, v.CheckedIn, v.Dropped = seeds[id], checked[id], dropped[id]
		out[i] = v
	}
	return out
}

// empty reports whether p holds nothing beyond its id (it need not be
// stored).
func (p *Participant) empty() bool {
	return p.Name == "" && p.Rating == nil && len(p.Meta) == 0 && len(p.Members) == 0
}

// stored is p without the derived fields and with a default name dropped.
func (p Participant) stored() Participant {
	p.Seed, p.CheckedIn, p.Dropped = 0, false, false
	if p.Name == DefaultName(p.ID) {
		p.Name = ""
	}
	return p
}

// normaliseParticipants turns what a decoded tournament holds under
// "participants" (records, or every participant as the API shows them)
// into the stored records.
func (t *Tournament) normaliseParticipants() {
	if t.Participants == nil {
		return
	}
	out := t.Participants[:0]
	for _, p := range t.Participants {
		if p = p.stored(); !p.empty() {
			out = append(out, p)
		}
	}
	if t.Participants = out; len(out) == 0 {
		t.Participants = nil
	}
}

// Entrant is who joins: a user id and the participant's record (all
// optional; see Participant).
type Entrant struct {
	UserID  int64           `json:"user_id"`
	Name    string          `json:"name,omitempty"`
	Rating  *float64        `json:"rating,omitempty"`
	Meta    json.RawMessage `json:"meta,omitempty"`
	Members []int64         `json:"members,omitempty"`
}

// record validates e's fields (field names the JSON field for messages)
// and returns the record to store.
func (e Entrant) record() (Participant, error) {
	p := Participant{ID: e.UserID}
	if err := checkID("user_id", e.UserID); err != nil {
		return p, err
	}
	if e.Name != "" {
		name, err := validName(e.Name)
		if err != nil {
			return p, err
		}
		p.Name = name
	}
	if e.Rating != nil {
		if err := checkRating(*e.Rating); err != nil {
			return p, err
		}
		r := *e.Rating
		p.Rating = &r
	}
	meta, err := CanonicalMeta(e.Meta)
	if err != nil {
		return p, err
	}
	p.Meta = meta
	members, err := checkMembers(e.Members)
	if err != nil {
		return p, err
	}
	p.Members = members
	return p.stored(), nil
}

func checkRating(r float64) error {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return Errorf(CodeInvalidArgument, "rating must be a finite number")
	}
	return nil
}

func checkMembers(ms []int64) ([]int64, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	if len(ms) > MaxMembers {
		return nil, Errorf(CodeInvalidArgument, "members must list at most %d users, got %d", MaxMembers, len(ms))
	}
	for i, m := range ms {
		if err := checkID("members["+strconv.Itoa(i)+"]", m); err != nil {
			return nil, err
		}
		if slices.Contains(ms[:i], m) {
			return nil, Errorf(CodeInvalidArgument, "members lists user %d twice", m)
		}
	}
	return slices.Clone(ms), nil
}

// CanonicalMeta checks a participant's meta (a JSON object of string,
// number and boolean values, at most MaxMetaBytes) and returns it in
// canonical form: keys sorted, compact, as encoding/json writes it. Empty
// input, null and {} are no meta (nil).
func CanonicalMeta(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if len(raw) > 4*MaxMetaBytes {
		return nil, Errorf(CodeInvalidArgument, "meta must be at most %d bytes, got %d", MaxMetaBytes, len(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		return nil, Errorf(CodeInvalidArgument, "meta must be a JSON object of string, number and boolean values")
	}
	if len(m) == 0 {
		return nil, nil
	}
	for k, v := range m {
		switch v.(type) {
		case string, json.Number, bool:
		default:
			return nil, Errorf(CodeInvalidArgument,
				"meta.%s must be a string, number or boolean (meta is flat: no objects, lists or null)", k)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, Errorf(CodeInvalidArgument, "meta: %v", err)
	}
	if len(b) > MaxMetaBytes {
		return nil, Errorf(CodeInvalidArgument, "meta must be at most %d bytes, got %d", MaxMetaBytes, len(b))
	}
	return b, nil
}

// join adds e to the tournament (status and capacity checked by the
// caller): its record, if any, and its place in a manual seed order.
func (c *change) join(e Entrant) error {
	p, err := e.record()
	if err != nil {
		return err
	}
	if slices.Contains(c.t.Players, e.UserID) {
		return Errorf(CodeAlreadyExists, "player %d is already in tournament %d", e.UserID, c.t.ID)
	}
	if err := c.checkLineup(e.UserID, p.Members); err != nil {
		return err
	}
	c.t.Players = append(c.t.Players, e.UserID)
	if !p.empty() {
		c.t.Participants = append(c.t.Participants, p)
	}
	if c.t.SeedOrder != nil {
		c.t.SeedOrder = append(c.t.SeedOrder, e.UserID)
	}
	c.emit(Event{Type: EventPlayerJoined, PlayerID: e.UserID, Name: c.t.DisplayName(e.UserID)})
	return nil
}

// checkLineup refuses a lineup for participant id that names a user who is
// in another lineup, or another participant (a user plays in one entry).
func (c *change) checkLineup(id int64, members []int64) error {
	for _, m := range members {
		if m != id && slices.Contains(c.t.Players, m) {
			return Errorf(CodeInvalidArgument, "members: user %d is already participant %d of tournament %d", m, m, c.t.ID)
		}
		for i := range c.t.Participants {
			if o := &c.t.Participants[i]; o.ID != id && slices.Contains(o.Members, m) {
				return Errorf(CodeInvalidArgument, "members: user %d is already in the lineup of participant %d", m, o.ID)
			}
		}
	}
	for i := range c.t.Participants {
		if o := &c.t.Participants[i]; o.ID != id && slices.Contains(o.Members, id) {
			return Errorf(CodeInvalidArgument, "user %d is already in the lineup of participant %d", id, o.ID)
		}
	}
	return nil
}

// forget drops participant id's record and place in the manual seed order
// (it left before the start).
func (c *change) forget(id int64) {
	if i := slices.IndexFunc(c.t.Participants, func(p Participant) bool { return p.ID == id }); i >= 0 {
		c.t.Participants = slices.Delete(slices.Clone(c.t.Participants), i, i+1)
		if len(c.t.Participants) == 0 {
			c.t.Participants = nil
		}
	}
	if c.t.SeedOrder != nil {
		if c.t.SeedOrder = slices.DeleteFunc(slices.Clone(c.t.SeedOrder), func(x int64) bool { return x == id }); len(c.t.SeedOrder) == 0 {
			c.t.SeedOrder = nil
		}
	}
}

// AddPlayers registers several participants at once, all or none: one
// change, one write.
type AddPlayers struct{ Entrants []Entrant }

// Name implements Command.
func (AddPlayers) Name() string { return "add_players" }

func (cmd AddPlayers) apply(c *change) error {
	if err := c.requireStatus(StatusPending, "add players"); err != nil {
		return err
	}
	if len(cmd.Entrants) == 0 {
		return Errorf(CodeInvalidArgument, "participants must list at least one participant")
	}
	if n := len(c.t.Players) + len(cmd.Entrants); n > c.t.MaxPlayers {
		return Errorf(CodeFailedPrecondition, "tournament %d has room for %d more players, %d given (%d of %d players)",
			c.t.ID, c.t.MaxPlayers-len(c.t.Players), len(cmd.Entrants), len(c.t.Players), c.t.MaxPlayers)
	}
	for i, e := range cmd.Entrants {
		if err := c.join(e); err != nil {
			return prefixed("participants["+strconv.Itoa(i)+"]", err)
		}
	}
	return nil
}

// prefixed names where in a list a domain error was found.
func prefixed(where string, err error) error {
	if e, ok := err.(*Error); ok {
		return Errorf(e.Code, "%s: %s", where, e.Message)
	}
	return err
}

// UpdateParticipant changes a participant's record: each field set
// replaces the stored one (PlayerName "" restores the default name, ClearRating
// removes the rating, Meta {} or null removes the meta). Members change
// only before the start.
type UpdateParticipant struct {
	UserID      int64
	PlayerName  *string
	Rating      *float64
	ClearRating bool
	Meta        json.RawMessage // nil: unchanged
	Members     []int64
	SetMembers  bool
}

// Name implements Command.
func (UpdateParticipant) Name() string { return "update_participant" }

func (cmd UpdateParticipant) apply(c *change) error {
	if err := checkID("user_id", cmd.UserID); err != nil {
		return err
	}
	if !slices.Contains(c.t.Players, cmd.UserID) {
		return Errorf(CodeNotFound, "player %d is not in tournament %d", cmd.UserID, c.t.ID)
	}
	var p Participant
	if r := c.t.participant(cmd.UserID); r != nil {
		p = *r
	} else {
		p.ID = cmd.UserID
	}
	before := p
	if cmd.PlayerName != nil {
		p.Name = ""
		if *cmd.PlayerName != "" {
			name, err := validName(*cmd.PlayerName)
			if err != nil {
				return err
			}
			p.Name = name
		}
	}
	switch {
	case cmd.ClearRating:
		p.Rating = nil
	case cmd.Rating != nil:
		if err := checkRating(*cmd.Rating); err != nil {
			return err
		}
		r := *cmd.Rating
		p.Rating = &r
	}
	if cmd.Meta != nil {
		meta, err := CanonicalMeta(cmd.Meta)
		if err != nil {
			return err
		}
		p.Meta = meta
	}
	if cmd.SetMembers {
		if c.t.Status != StatusPending {
			// Who plays was fixed when the bracket was drawn: a new
			// lineup is refused as bad input, like one naming a user twice.
			return Errorf(CodeInvalidArgument,
				"members: the lineup of participant %d cannot change: tournament %d is %s (lineups are fixed at the start)",
				cmd.UserID, c.t.ID, c.t.Status)
		}
		ms, err := checkMembers(cmd.Members)
		if err != nil {
			return err
		}
		if err := c.checkLineup(cmd.UserID, ms); err != nil {
			return err
		}
		p.Members = ms
	}
	p = p.stored()
	if sameRecord(&before, &p) {
		return nil
	}
	recs := slices.DeleteFunc(slices.Clone(c.t.Participants), func(x Participant) bool { return x.ID == cmd.UserID })
	if !p.empty() {
		// Records stay in join order.
		at := len(recs)
		for i, r := range recs {
			if slices.Index(c.t.Players, r.ID) > slices.Index(c.t.Players, p.ID) {
				at = i
				break
			}
		}
		recs = slices.Insert(recs, at, p)
	}
	if c.t.Participants = recs; len(recs) == 0 {
		c.t.Participants = nil
	}
	c.emit(Event{Type: EventParticipantUpdated, PlayerID: cmd.UserID})
	return nil
}

func sameRecord(a, b *Participant) bool {
	return a.Name == b.Name && (a.Rating == nil) == (b.Rating == nil) && (a.Rating == nil || *a.Rating == *b.Rating) &&
		bytes.Equal(a.Meta, b.Meta) && slices.Equal(a.Members, b.Members)
}

// SameParticipants reports whether a and b hold the same records (a
// backend that stores the records apart writes them only when they
// changed).
func SameParticipants(a, b *Tournament) bool {
	if len(a.Participants) == len(b.Participants) && (len(a.Participants) == 0 || &a.Participants[0] == &b.Participants[0]) {
		return true // one list: a change that does not touch the records shares them (copyForChange)
	}
	return slices.EqualFunc(a.Participants, b.Participants, func(x, y Participant) bool {
		return x.ID == y.ID && sameRecord(&x, &y)
	})
}

// SetSeeds sets the seed order a manual seeding uses (before the start):
// a permutation of the participants, the best seed first. An empty list
// clears it.
type SetSeeds struct{ Seeds []int64 }

// Name implements Command.
func (SetSeeds) Name() string { return "set_seeds" }

func (cmd SetSeeds) apply(c *change) error {
	if err := c.requireStatus(StatusPending, "set the seeds"); err != nil {
		return err
	}
	if len(cmd.Seeds) == 0 {
		if c.t.SeedOrder == nil {
			return nil
		}
		c.t.SeedOrder = nil
	} else {
		if err := checkPermutation("seeds", cmd.Seeds, c.t.Players, nil); err != nil {
			return err
		}
		if slices.Equal(c.t.SeedOrder, cmd.Seeds) {
			return nil
		}
		c.t.SeedOrder = slices.Clone(cmd.Seeds)
	}
	c.emit(Event{Type: EventSeedsChanged})
	return nil
}

// SwapSeeds swaps two participants' places in the manual seed order (the
// join order when none was set).
type SwapSeeds struct{ A, B int64 }

// Name implements Command.
func (SwapSeeds) Name() string { return "swap_seeds" }

func (cmd SwapSeeds) apply(c *change) error {
	if err := c.requireStatus(StatusPending, "swap seeds"); err != nil {
		return err
	}
	order := slices.Clone(c.t.SeedOrder)
	if order == nil {
		order = slices.Clone(c.t.Players)
	}
	i, j := slices.Index(order, cmd.A), slices.Index(order, cmd.B)
	switch {
	case i < 0:
		return Errorf(CodeInvalidArgument, "a: %d is not a participant of tournament %d", cmd.A, c.t.ID)
	case j < 0:
		return Errorf(CodeInvalidArgument, "b: %d is not a participant of tournament %d", cmd.B, c.t.ID)
	case i == j:
		return Errorf(CodeInvalidArgument, "a and b must be two participants, got %d twice", cmd.A)
	}
	order[i], order[j] = order[j], order[i]
	c.t.SeedOrder = order
	c.emit(Event{Type: EventSeedsChanged})
	return nil
}

// checkPermutation refuses a list that is not each of want once, naming
// the first bad entry; entries in skip (participants removed on the way,
// such as check-in no-shows) are allowed and ignored by the caller.
func checkPermutation(field string, got, want, skip []int64) error {
	seen := make(map[int64]bool, len(got))
	for i, id := range got {
		switch {
		case seen[id]:
			return Errorf(CodeInvalidArgument, "%s[%d]: %d is listed twice", field, i, id)
		case !slices.Contains(want, id) && !slices.Contains(skip, id):
			return Errorf(CodeInvalidArgument, "%s[%d]: %d is not a participant", field, i, id)
		}
		seen[id] = true
	}
	for _, id := range want {
		if !seen[id] {
			return Errorf(CodeInvalidArgument, "%s: participant %d is missing (list every participant once)", field, id)
		}
	}
	return nil
}

// Seeding methods (Start.Seeding).
const (
	SeedingJoin   = "join"
	SeedingRandom = "random"
	SeedingRating = "rating"
	SeedingManual = "manual"
)

// seedOrder returns the start's seeds for the players (no-shows already
// removed; absent are they) and the seeding method used.
func (c *change) seedOrder(cmd Start, absent []int64) ([]int64, string, error) {
	method := cmd.seeding(c.t)
	seeds, err := c.seeds(cmd, method, absent)
	return seeds, method, err
}

// seeding is the method the start uses: Seeding, else random with
// Shuffle, manual with seeds given or set, join otherwise.
func (cmd Start) seeding(t *Tournament) string {
	switch {
	case cmd.Seeding != "":
		return cmd.Seeding
	case cmd.Shuffle:
		return SeedingRandom
	case cmd.Seeds != nil, t.SeedOrder != nil:
		return SeedingManual
	}
	return SeedingJoin
}

func (c *change) seeds(cmd Start, method string, absent []int64) ([]int64, error) {
	players := c.t.Players
	if cmd.Shuffle && method != SeedingRandom {
		return nil, Errorf(CodeInvalidArgument, "shuffle is seeding \"random\": give one of them, not seeding %q", method)
	}
	switch method {
	case SeedingJoin:
		return slices.Clone(players), nil
	case SeedingRandom:
		if cmd.Seeds != nil { // a replay of the order drawn
			if !samePlayers(cmd.Seeds, players) {
				return nil, Errorf(CodeFailedPrecondition, "cannot start tournament %d with seeds %v: the players are %v",
					c.t.ID, cmd.Seeds, players)
			}
			return slices.Clone(cmd.Seeds), nil
		}
		if c.env.Rand == nil {
			return nil, Errorf(CodeInternal, "shuffle needs a random source")
		}
		seeds := slices.Clone(players)
		for i := len(seeds) - 1; i > 0; i-- {
			j := c.env.Rand.IntN(i + 1)
			seeds[i], seeds[j] = seeds[j], seeds[i]
		}
		return seeds, nil
	case SeedingRating:
		seeds := slices.Clone(players)
		rating := func(id int64) (float64, bool) {
			if p := c.t.participant(id); p != nil && p.Rating != nil {
				return *p.Rating, true
			}
			return 0, false
		}
		slices.SortStableFunc(seeds, func(a, b int64) int {
			ra, oka := rating(a)
			rb, okb := rating(b)
			switch {
			case oka != okb:
				if oka {
					return -1
				}
				return 1
			case ra > rb:
				return -1
			case ra < rb:
				return 1
			}
			return 0
		})
		return seeds, nil
	case SeedingManual:
		order := cmd.Seeds
		if order == nil {
			order = c.t.SeedOrder
		}
		if order == nil {
			return nil, Errorf(CodeInvalidArgument,
				"seeding \"manual\" needs seeds: give them to start, or set them before with PUT .../seeds")
		}
		if err := checkPermutation("seeds", order, players, absent); err != nil {
			return nil, err
		}
		return slices.DeleteFunc(slices.Clone(order), func(x int64) bool { return slices.Contains(absent, x) }), nil
	}
	return nil, Errorf(CodeInvalidArgument, "seeding must be join, random, rating or manual, got %q", method)
}
