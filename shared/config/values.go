package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tourney/tourney/tournament"
)

// The structured values: per-operation rate limits and TTL profiles.

// RateLimitedOps are the operations TOURNEY_RATE_LIMITS may name: the
// mutating calls, by the name the backends give them.
var RateLimitedOps = []string{"create", "add_player", "remove_player", "start", "register_result", "remove",
	"correct_result", "end_tournament", "disqualify", "check_in", "call_game", "start_game"}

func parseRateLimits(c *Config, v string) error {
	c.Store.RateLimits = map[string]int{}
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		op, n, ok := strings.Cut(part, "=")
		op = strings.TrimSpace(op)
		if !ok || !slices.Contains(RateLimitedOps, op) {
			return fmt.Errorf("%q: want OPERATION=PER_SECOND with an operation among %s", part, strings.Join(RateLimitedOps, ", "))
		}
		rate, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || rate < 0 || rate > 1_000_000 {
			return fmt.Errorf("%q: the rate must be a whole number from 0 to 1000000", part)
		}
		c.Store.RateLimits[op] = rate
	}
	return nil
}

// FormatRateLimits renders per-operation limits as TOURNEY_RATE_LIMITS
// takes them, in a stable order.
func FormatRateLimits(m map[string]int) string {
	var parts []string
	for _, op := range RateLimitedOps {
		if n, ok := m[op]; ok {
			parts = append(parts, op+"="+strconv.Itoa(n))
		}
	}
	return strings.Join(parts, ",")
}

// TTLProfile is a named set of TTLs a tournament may be created with
// (ttl_profile); a zero field takes the configured default.
type TTLProfile struct {
	Tournament  time.Duration
	ActiveGames time.Duration
	RoundData   time.Duration
	Bracket     time.Duration
}

var profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// addTTLProfiles reads profiles written as
// "casual:tournament=30m,active_games=3m;ranked:tournament=24h" (profiles
// separated by ";" or new lines; "#" starts a comment line).
func (c *Config) addTTLProfiles(v string) error {
	if c.Store.TTLProfiles == nil {
		c.Store.TTLProfiles = map[string]TTLProfile{}
	}
	for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, spec, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || !profileName.MatchString(name) {
			return fmt.Errorf("%q: want NAME:key=duration,... with a name of lower-case letters, digits, - and _", line)
		}
		var p TTLProfile
		for _, kv := range strings.Split(spec, ",") {
			if kv = strings.TrimSpace(kv); kv == "" {
				continue
			}
			k, d, ok := strings.Cut(kv, "=")
			dd, err := ParseDuration(d)
			if !ok || err != nil {
				return fmt.Errorf("profile %s: %q: want key=duration (%v)", name, kv, err)
			}
			switch strings.TrimSpace(k) {
			case "tournament":
				p.Tournament = dd
			case "active_games":
				p.ActiveGames = dd
			case "round_data":
				p.RoundData = dd
			case "bracket":
				p.Bracket = dd
			default:
				return fmt.Errorf("profile %s: unknown key %q (want tournament, active_games, round_data or bracket)", name, k)
			}
		}
		c.Store.TTLProfiles[name] = p
	}
	return nil
}

// FormatTTLProfiles renders profiles as TOURNEY_TTL_PROFILES takes them,
// sorted by name.
func FormatTTLProfiles(m map[string]TTLProfile) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	var parts []string
	for _, n := range names {
		p := m[n]
		var kv []string
		for _, f := range []struct {
			k string
			d time.Duration
		}{{"tournament", p.Tournament}, {"active_games", p.ActiveGames}, {"round_data", p.RoundData}, {"bracket", p.Bracket}} {
			if f.d > 0 {
				kv = append(kv, f.k+"="+f.d.String())
			}
		}
		parts = append(parts, n+":"+strings.Join(kv, ","))
	}
	return strings.Join(parts, ";")
}

// TTLs returns the TTLs of profile name ("" = the defaults), its unset
// fields filled with the defaults; ok is false for an unknown profile.
func (c Store) TTLs(name string) (p TTLProfile, ok bool) {
	if name != "" {
		if p, ok = c.TTLProfiles[name]; !ok {
			return p, false
		}
	}
	fill := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	fill(&p.Tournament, c.TournamentTTL)
	fill(&p.ActiveGames, c.ActiveGamesTTL)
	fill(&p.RoundData, c.RoundDataTTL)
	fill(&p.Bracket, c.BracketTTL)
	return p, true
}

// UnknownTTLProfile is the error for a profile the configuration lacks.
func (c Store) UnknownTTLProfile(name string) error {
	names := make([]string, 0, len(c.TTLProfiles))
	for n := range c.TTLProfiles {
		names = append(names, n)
	}
	slices.Sort(names)
	have := "none is configured"
	if len(names) > 0 {
		have = "configured: " + strings.Join(names, ", ")
	}
	return tournament.Errorf(tournament.CodeInvalidArgument,
		"ttl_profile %q is not a configured TTL profile (%s; see TOURNEY_TTL_PROFILES)", name, have)
}
