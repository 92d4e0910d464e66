package tournament

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CreateParams are the caller's choices for a new tournament.
type CreateParams struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	MaxPlayers int    `json:"max_players"`
	CreatorID  int64  `json:"creator_id"`
	// TTLProfile names the TTL profile the tournament's keys use ("" = the
	// default TTLs). The backend knows the profiles; the engine only checks
	// the name's form.
	TTLProfile string `json:"ttl_profile,omitempty"`
	// Format is how players are paired ("" = single elimination) and
	// Options its options.
	Format  Format  `json:"format,omitempty"`
	Options Options `json:"options,omitzero"`
	// CheckIn, when set (Go duration syntax, e.g. "15m"), makes players
	// check in before the start: start seeds only those who did and removes
	// the others. With StartsAt, check-in opens that long before it;
	// without, at once.
	CheckIn  string     `json:"check_in,omitempty"`
	StartsAt *time.Time `json:"starts_at,omitempty"`
	// BestOf is the length of every game's series (1, 3, 5 or 7; 0 = 1),
	// BestOfByRound overrides it for given rounds: "3" is round 3 (single
	// elimination, round robin, Swiss), "third_place" the third-place
	// match; a double elimination names a bracket's own rounds:
	// "winners:3", "losers:2", "grand_final" (both of its games).
	BestOf        int            `json:"best_of,omitempty"`
	BestOfByRound map[string]int `json:"best_of_by_round,omitempty"`
	// Participants join with the creation (all or none; see AddPlayers).
	Participants []Entrant `json:"participants,omitempty"`
}

// MaxID is the largest id tourney accepts (tournament, player, creator):
// 2^53-1, the largest integer a JavaScript client represents exactly.
const MaxID = 1<<53 - 1

// checkID refuses ids outside 1..MaxID, naming the field.
func checkID(field string, id int64) error {
	if id <= 0 || id > MaxID {
		return Errorf(CodeInvalidArgument, "%s must be an integer from 1 to %d, got %d", field, int64(MaxID), id)
	}
	return nil
}

// Validate checks the parameters and returns them normalised (name trimmed,
// NFC).
func (p CreateParams) Validate() (CreateParams, error) { return p.validate(false) }

// validate is Validate; legacy accepts what tournaments stored by an
// earlier release may hold (a double elimination's best_of_by_round with
// plain round numbers).
func (p CreateParams) validate(legacy bool) (CreateParams, error) {
	if err := checkID("id", p.ID); err != nil {
		return p, err
	}
	name, err := validName(p.Name)
	if err != nil {
		return p, err
	}
	p.Name = name
	if p.MaxPlayers < MinPlayers || p.MaxPlayers > MaxPlayers {
		return p, Errorf(CodeInvalidArgument, "max_players must be between %d and %d, got %d", MinPlayers, MaxPlayers, p.MaxPlayers)
	}
	if err := checkID("creator_id", p.CreatorID); err != nil {
		return p, err
	}
	if p.TTLProfile != "" && !validProfileName(p.TTLProfile) {
		return p, Errorf(CodeInvalidArgument,
			"ttl_profile %q is not a profile name (lower-case letters, digits, - and _, at most 32)", p.TTLProfile)
	}
	p.Format, p.Options, err = validateFormat(p.Format, p.Options, p.MaxPlayers)
	if err != nil {
		return p, err
	}
	if p.CheckIn != "" {
		d, err := time.ParseDuration(p.CheckIn)
		if err != nil || d <= 0 || d > 7*24*time.Hour {
			return p, Errorf(CodeInvalidArgument,
				"check_in must be a duration from 1s to 168h (Go syntax, e.g. \"15m\"), got %q", p.CheckIn)
		}
		p.CheckIn = d.String()
	}
	if err := checkBestOfByRound(p.Format, p.Options, p.BestOfByRound, legacy); err != nil {
		return p, err
	}
	if p.BestOf != 0 && p.BestOf != 1 && p.BestOf != 3 && p.BestOf != 5 && p.BestOf != 7 {
		return p, Errorf(CodeInvalidArgument, "best_of must be 1, 3, 5 or 7, got %d", p.BestOf)
	}
	if p.StartsAt != nil && p.CheckIn == "" {
		return p, Errorf(CodeInvalidArgument, "starts_at only places the check-in window: give check_in too")
	}
	return p, nil
}

// validName trims and NFC-normalises a name and refuses what would display
// as something else than it is: invalid UTF-8 and lone surrogates (JSON
// decoding turns both into U+FFFD), control characters (Cc), format
// characters (Cf: bidirectional overrides, zero-width spaces), except a
// zero-width joiner inside a word or an emoji sequence.
func validName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", Errorf(CodeInvalidArgument, "name must be valid UTF-8")
	}
	name = norm.NFC.String(strings.TrimSpace(name))
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxNameLength {
		return "", Errorf(CodeInvalidArgument, "name must be 1 to %d characters after trimming, got %d", MaxNameLength, n)
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case r == utf8.RuneError:
			return "", Errorf(CodeInvalidArgument, "name must be valid UTF-8 without lone surrogates (found U+FFFD at character %d)", i+1)
		case unicode.Is(unicode.Cc, r):
			return "", Errorf(CodeInvalidArgument, "name must not contain control characters (found U+%04X at character %d)", r, i+1)
		case r == '\u200D' && i > 0 && i < len(runes)-1 && !unicode.IsSpace(runes[i-1]) && !unicode.IsSpace(runes[i+1]):
			// a joiner inside a word or an emoji sequence
		case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Cs, r):
			return "", Errorf(CodeInvalidArgument,
				"name must not contain invisible format characters (found U+%04X at character %d)", r, i+1)
		}
	}
	return name, nil
}

func validProfileName(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (i > 0 && (r == '-' || r == '_'))
		if !ok {
			return false
		}
	}
	return true
}

// checkBestOfByRound checks best_of_by_round's keys against the format
// (see CreateParams) and its values.
func checkBestOfByRound(f Format, o Options, m map[string]int, legacy bool) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first bad key named is always the same one
	for _, k := range keys {
		if v := m[k]; v != 1 && v != 3 && v != 5 && v != 7 {
			return Errorf(CodeInvalidArgument, "best_of_by_round[%q] must be 1, 3, 5 or 7, got %d", k, v)
		}
		bracket, num, named := strings.Cut(k, ":")
		if !named {
			num = k
		}
		round, err := strconv.Atoi(num)
		switch {
		case !named && (k == BracketGrandFinal || k == BracketThirdPlace):
			if k == BracketGrandFinal && f != DoubleElimination {
				return Errorf(CodeInvalidArgument, "best_of_by_round names %q, which only a double elimination has", k)
			}
			if k == BracketThirdPlace && !o.ThirdPlaceMatch {
				return Errorf(CodeInvalidArgument,
					"best_of_by_round names %q, which only a single elimination with third_place_match has", k)
			}
		case err != nil || round < 1 || round > 2*MaxPlayers || num != strconv.Itoa(round):
			return Errorf(CodeInvalidArgument,
				"best_of_by_round key %q is not a round (a number from 1, or for a double elimination winners:N, losers:N or grand_final)", k)
		case named && (f != DoubleElimination || bracket != BracketWinners && bracket != BracketLosers):
			return Errorf(CodeInvalidArgument,
				"best_of_by_round key %q names a bracket's round: only a double elimination has them, as winners:N or losers:N", k)
		case !named && f == DoubleElimination && !legacy:
			return Errorf(CodeInvalidArgument,
				"best_of_by_round key %q: a double elimination names the bracket's round (winners:%d, losers:%d or grand_final)", k, round, round)
		}
	}
	return nil
}
