// Package config reads tourney's configuration from the environment (the
// variables the README's Configuration section lists), in one part per
// consumer: Redis for the Redis plugin, Store for every backend, Host for
// the host, Log for everyone. The host hands the plugins it launches their
// parts through PluginEnviron. A bad value is an error that names the
// variable.
package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tourney/tourney/tournament"
)

// Config is the whole configuration, in one part per consumer. The zero
// value is not useful: start from Default.
type Config struct {
	Redis Redis // the Redis plugin's
	Store Store // every backend's (and the host's, which checks profiles and fails over)
	Host  Host  // the host's
	Log   Log   // everyone's
}

// Redis is the Redis plugin's part.
type Redis struct {
	Host         string        // REDIS_HOST
	Port         int           // REDIS_PORT
	DB           int           // REDIS_CACHE_DB
	Password     string        // REDIS_PASSWORD
	URL          string        // REDIS_URL: redis:// or rediss://, overrides host, port and db
	ClusterAddrs []string      // REDIS_CLUSTER_ADDRS: comma list; Redis Cluster when set
	KeyPrefix    string        // KEY_PREFIX
	LockTimeout  time.Duration // LOCK_TIMEOUT
	ReadCache    bool          // TOURNEY_READ_CACHE: on (default) | off
	KeyEvents    bool          // TOURNEY_REDIS_KEY_EVENTS: on (default: use, and turn on, notifications of expired and evicted keys) | off
}

// Store is what every backend needs: how long a call may take, how long
// records live, and how fast each actor may change them.
type Store struct {
	OperationTimeout time.Duration         // OPERATION_TIMEOUT: bound of one call, lock waits included
	ConnectTimeout   time.Duration         // CONNECT_TIMEOUT
	GameTimeout      time.Duration         // TOURNEY_GAME_TIMEOUT
	ActiveGamesTTL   time.Duration         // ACTIVE_GAMES_TTL
	TournamentTTL    time.Duration         // TOURNAMENT_TTL
	RoundDataTTL     time.Duration         // ROUND_DATA_TTL
	BracketTTL       time.Duration         // BRACKET_TTL
	TTLProfiles      map[string]TTLProfile // TOURNEY_TTL_PROFILES and TOURNEY_TTL_PROFILES_FILE: named TTL sets a tournament may use
	TTLProfileFile   string                // TOURNEY_TTL_PROFILES_FILE
	RateLimit        int                   // TOURNEY_RATE_LIMIT: mutating calls per second per actor; 0 = off
	RateBurst        int                   // TOURNEY_RATE_BURST (0 = same as the rate)
	RateLimits       map[string]int        // TOURNEY_RATE_LIMITS: per operation, per actor per second ("register_result=20,add_player=5")
}

// Host is the host's part.
type Host struct {
	HTTPAddr       string                   // TOURNEY_HTTP_ADDR
	APIToken       string                   // TOURNEY_API_TOKEN
	PublicPages    bool                     // TOURNEY_PUBLIC_PAGES: bracket pages without the API token (default false)
	RateLimitAddr  int                      // TOURNEY_RATE_LIMIT_ADDR: /v1 calls per second per client address, per host; 0 = off
	PluginDir      string                   // TOURNEY_PLUGIN_DIR ("" = the host binary's directory)
	Primary        string                   // TOURNEY_PRIMARY: plugin name or absolute path
	Fallback       string                   // TOURNEY_FALLBACK: memory | readonly | off
	PrimarySHA256  string                   // TOURNEY_PRIMARY_SHA256: expected checksum of the primary binary
	FallbackSHA256 string                   // TOURNEY_FALLBACK_SHA256: expected checksum of plugin-memory
	PluginVerify   bool                     // TOURNEY_PLUGIN_VERIFY: on (default) | off
	PluginStreams  bool                     // TOURNEY_PLUGIN_STREAMS: on (default): plugin calls over kept-open gRPC streams | off: unary calls
	PluginProcs    int                      // TOURNEY_PLUGIN_PROCS: cores a plugin process runs Go code on (its GOMAXPROCS; 0 = all)
	CacheSize      int                      // TOURNEY_CACHE_SIZE: snapshots the host keeps for failover
	DataDir        string                   // TOURNEY_DATA_DIR: the outage log ("" = $XDG_STATE_HOME/tourney or ~/.local/state/tourney)
	TimeoutPolicy  tournament.TimeoutPolicy // TOURNEY_TIMEOUT_POLICY
	SweepInterval  time.Duration            // TOURNEY_SWEEP_INTERVAL
	DeadlineWarn   time.Duration            // TOURNEY_DEADLINE_WARNING: warn a game's players this long before its deadline
	FormatProfiles map[string]string        // TOURNEY_FORMAT_TTL_PROFILES: the TTL profile a format's tournaments get by default
	WebhookTimeout time.Duration            // TOURNEY_WEBHOOK_TIMEOUT: one delivery attempt's limit
	WebhookRetry   time.Duration            // TOURNEY_WEBHOOK_RETRY_FOR: how long a failing delivery is retried
	WebhookBackoff time.Duration            // TOURNEY_WEBHOOK_BACKOFF: the first retry's delay (doubling, with jitter, up to an hour)
}

// Log is how everyone logs.
type Log struct {
	Level  string // LOG_LEVEL
	Format string // LOG_FORMAT: text | json
}

// Default returns the documented defaults.
func Default() Config {
	return Config{
		Redis: Redis{Host: "localhost", Port: 6379, DB: 1, KeyPrefix: "pong:", LockTimeout: 30 * time.Second, ReadCache: true,
			KeyEvents: true},
		Store: Store{OperationTimeout: 10 * time.Second, ConnectTimeout: 5 * time.Second, GameTimeout: 5 * time.Minute,
			ActiveGamesTTL: 6 * time.Minute, TournamentTTL: 2 * time.Hour, RoundDataTTL: 30 * time.Minute, BracketTTL: 2 * time.Hour},
		Host: Host{HTTPAddr: "127.0.0.1:8080", Primary: "redis", Fallback: "memory", PluginVerify: true, PluginStreams: true,
			PluginProcs: 1, CacheSize: 10000, TimeoutPolicy: tournament.TimeoutRandom, SweepInterval: 5 * time.Second,
			DeadlineWarn: time.Minute, WebhookTimeout: 5 * time.Second, WebhookRetry: 24 * time.Hour, WebhookBackoff: time.Second},
		Log: Log{Level: "info", Format: "text"},
	}
}

// Fallback modes.
const (
	FallbackMemory   = "memory"
	FallbackReadonly = "readonly"
	FallbackOff      = "off"
)

var pluginName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// forPlugins reports whether variable name is a plugin's (Redis, Store
// and Log): the host hands plugins those only.
func forPlugins(name string) bool {
	switch name {
	case "KEY_PREFIX", "LOCK_TIMEOUT", "TOURNEY_READ_CACHE", "TOURNEY_REDIS_KEY_EVENTS", // Redis
		"OPERATION_TIMEOUT", "CONNECT_TIMEOUT", "TOURNEY_GAME_TIMEOUT", "TOURNEY_TTL_PROFILES", "TOURNEY_TTL_PROFILES_FILE",
		"TOURNEY_RATE_LIMIT", "TOURNEY_RATE_BURST", "TOURNEY_RATE_LIMITS": // Store
		return true
	}
	return strings.HasPrefix(name, "REDIS_") || strings.HasSuffix(name, "_TTL") || strings.HasPrefix(name, "LOG_")
}

// field binds one variable to its place in Config.
type field struct {
	name  string
	parse func(c *Config, v string) error
	show  func(c *Config) string
}

func str(name string, p func(*Config) *string, check func(string) error) field {
	return field{name,
		func(c *Config, v string) error {
			if check != nil {
				if err := check(v); err != nil {
					return err
				}
			}
			*p(c) = v
			return nil
		},
		func(c *Config) string { return *p(c) }}
}

func num(name string, p func(*Config) *int, lo, hi int) field {
	return field{name,
		func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < lo || n > hi {
				return fmt.Errorf("want a whole number from %d to %d", lo, hi)
			}
			*p(c) = n
			return nil
		},
		func(c *Config) string { return strconv.Itoa(*p(c)) }}
}

func dur(name string, p func(*Config) *time.Duration) field {
	return field{name,
		func(c *Config, v string) error {
			d, err := ParseDuration(v)
			if err != nil {
				return err
			}
			*p(c) = d
			return nil
		},
		func(c *Config) string { return p(c).String() }}
}

func oneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, ok := range values {
			if v == ok {
				return nil
			}
		}
		return fmt.Errorf("want one of %s", strings.Join(values, ", "))
	}
}

var fields = []field{
	str("REDIS_HOST", func(c *Config) *string { return &c.Redis.Host }, nonEmpty),
	num("REDIS_PORT", func(c *Config) *int { return &c.Redis.Port }, 1, 65535),
	num("REDIS_CACHE_DB", func(c *Config) *int { return &c.Redis.DB }, 0, 1<<16),
	str("REDIS_PASSWORD", func(c *Config) *string { return &c.Redis.Password }, nil),
	str("REDIS_URL", func(c *Config) *string { return &c.Redis.URL }, checkRedisURL),
	{"REDIS_CLUSTER_ADDRS", func(c *Config, v string) error {
		c.Redis.ClusterAddrs = nil
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				if !strings.Contains(a, ":") {
					return fmt.Errorf("%q is not host:port", a)
				}
				c.Redis.ClusterAddrs = append(c.Redis.ClusterAddrs, a)
			}
		}
		return nil
	}, func(c *Config) string { return strings.Join(c.Redis.ClusterAddrs, ",") }},
	str("KEY_PREFIX", func(c *Config) *string { return &c.Redis.KeyPrefix }, nil),
	dur("OPERATION_TIMEOUT", func(c *Config) *time.Duration { return &c.Store.OperationTimeout }),
	dur("CONNECT_TIMEOUT", func(c *Config) *time.Duration { return &c.Store.ConnectTimeout }),
	dur("ACTIVE_GAMES_TTL", func(c *Config) *time.Duration { return &c.Store.ActiveGamesTTL }),
	dur("TOURNAMENT_TTL", func(c *Config) *time.Duration { return &c.Store.TournamentTTL }),
	dur("ROUND_DATA_TTL", func(c *Config) *time.Duration { return &c.Store.RoundDataTTL }),
	dur("BRACKET_TTL", func(c *Config) *time.Duration { return &c.Store.BracketTTL }),
	dur("LOCK_TIMEOUT", func(c *Config) *time.Duration { return &c.Redis.LockTimeout }),
	str("TOURNEY_HTTP_ADDR", func(c *Config) *string { return &c.Host.HTTPAddr }, nonEmpty),
	str("TOURNEY_API_TOKEN", func(c *Config) *string { return &c.Host.APIToken }, nil),
	str("TOURNEY_PLUGIN_DIR", func(c *Config) *string { return &c.Host.PluginDir }, nil),
	str("TOURNEY_PRIMARY", func(c *Config) *string { return &c.Host.Primary }, checkPlugin),
	str("TOURNEY_FALLBACK", func(c *Config) *string { return &c.Host.Fallback }, oneOf(FallbackMemory, FallbackReadonly, FallbackOff)),
	str("TOURNEY_PRIMARY_SHA256", func(c *Config) *string { return &c.Host.PrimarySHA256 }, checkSHA256),
	str("TOURNEY_FALLBACK_SHA256", func(c *Config) *string { return &c.Host.FallbackSHA256 }, checkSHA256),
	dur("TOURNEY_GAME_TIMEOUT", func(c *Config) *time.Duration { return &c.Store.GameTimeout }),
	{"TOURNEY_TIMEOUT_POLICY", func(c *Config, v string) error {
		p, err := tournament.ParseTimeoutPolicy(v)
		c.Host.TimeoutPolicy = p
		return err
	}, func(c *Config) string { return string(c.Host.TimeoutPolicy) }},
	dur("TOURNEY_SWEEP_INTERVAL", func(c *Config) *time.Duration { return &c.Host.SweepInterval }),
	num("TOURNEY_RATE_LIMIT", func(c *Config) *int { return &c.Store.RateLimit }, 0, 1_000_000),
	num("TOURNEY_RATE_BURST", func(c *Config) *int { return &c.Store.RateBurst }, 0, 1_000_000),
	{"TOURNEY_RATE_LIMITS", parseRateLimits, func(c *Config) string { return FormatRateLimits(c.Store.RateLimits) }},
	num("TOURNEY_RATE_LIMIT_ADDR", func(c *Config) *int { return &c.Host.RateLimitAddr }, 0, 1_000_000),
	num("TOURNEY_CACHE_SIZE", func(c *Config) *int { return &c.Host.CacheSize }, 1, 10_000_000),
	str("TOURNEY_DATA_DIR", func(c *Config) *string { return &c.Host.DataDir }, nil),
	dur("TOURNEY_DEADLINE_WARNING", func(c *Config) *time.Duration { return &c.Host.DeadlineWarn }),
	dur("TOURNEY_WEBHOOK_TIMEOUT", func(c *Config) *time.Duration { return &c.Host.WebhookTimeout }),
	dur("TOURNEY_WEBHOOK_RETRY_FOR", func(c *Config) *time.Duration { return &c.Host.WebhookRetry }),
	dur("TOURNEY_WEBHOOK_BACKOFF", func(c *Config) *time.Duration { return &c.Host.WebhookBackoff }),
	onOff("TOURNEY_READ_CACHE", func(c *Config) *bool { return &c.Redis.ReadCache }),
	onOff("TOURNEY_REDIS_KEY_EVENTS", func(c *Config) *bool { return &c.Redis.KeyEvents }),
	{"TOURNEY_PUBLIC_PAGES", func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "true", "on", "1", "yes":
			c.Host.PublicPages = true
		case "false", "off", "0", "no":
			c.Host.PublicPages = false
		default:
			return fmt.Errorf("want true or false")
		}
		return nil
	}, func(c *Config) string { return strconv.FormatBool(c.Host.PublicPages) }},
	{"TOURNEY_TTL_PROFILES", func(c *Config, v string) error { return c.addTTLProfiles(v) },
		func(c *Config) string { return FormatTTLProfiles(c.Store.TTLProfiles) }},
	{"TOURNEY_FORMAT_TTL_PROFILES", func(c *Config, v string) error {
		c.Host.FormatProfiles = map[string]string{}
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			format, profile, ok := strings.Cut(part, "=")
			format, profile = strings.TrimSpace(format), strings.TrimSpace(profile)
			if !ok || !slices.Contains(tournament.Formats, format) || !profileName.MatchString(profile) {
				return fmt.Errorf("%q: want FORMAT=PROFILE with a format among %s", part, strings.Join(tournament.Formats, ", "))
			}
			c.Host.FormatProfiles[format] = profile
		}
		return nil
	}, func(c *Config) string {
		var parts []string
		for _, f := range tournament.Formats {
			if p, ok := c.Host.FormatProfiles[f]; ok {
				parts = append(parts, f+"="+p)
			}
		}
		return strings.Join(parts, ",")
	}},
	{"TOURNEY_TTL_PROFILES_FILE", func(c *Config, v string) error {
		b, err := os.ReadFile(v)
		if err != nil {
			return err
		}
		c.Store.TTLProfileFile = v
		return c.addTTLProfiles(string(b))
	}, func(c *Config) string { return "" }},
	onOff("TOURNEY_PLUGIN_VERIFY", func(c *Config) *bool { return &c.Host.PluginVerify }),
	onOff("TOURNEY_PLUGIN_STREAMS", func(c *Config) *bool { return &c.Host.PluginStreams }),
	num("TOURNEY_PLUGIN_PROCS", func(c *Config) *int { return &c.Host.PluginProcs }, 0, 1024),
	str("LOG_LEVEL", func(c *Config) *string { return &c.Log.Level }, oneOf("trace", "debug", "info", "warn", "error")),
	str("LOG_FORMAT", func(c *Config) *string { return &c.Log.Format }, oneOf("text", "json")),
}

func nonEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("must not be empty")
	}
	return nil
}

func checkPlugin(v string) error {
	if strings.HasPrefix(v, "/") || pluginName.MatchString(v) {
		return nil
	}
	return fmt.Errorf("want a plugin name (letters, digits, - and _; the binary is plugin-NAME) or an absolute path")
}

func checkSHA256(v string) error {
	if v == "" {
		return nil
	}
	if len(v) != 64 || strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
		return fmt.Errorf("want 64 hexadecimal digits")
	}
	return nil
}

func checkRedisURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("want redis://[user:password@]host:port[/db], or rediss:// for TLS")
	}
	return nil
}

// ParseDuration accepts Go syntax ("6m", "1h30m") or whole seconds ("360").
// The duration must be positive.
func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(1<<63-1)/int64(time.Second) {
			return 0, fmt.Errorf("%q seconds is too long", v)
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, fmt.Errorf("want a duration such as 6m or whole seconds such as 360, got %q", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive, got %q", v)
	}
	return d, nil
}

// FromEnv reads the configuration; lookup is os.LookupEnv in production.
// An unset or empty variable keeps its default (TOURNEY_API_TOKEN,
// REDIS_PASSWORD and the like simply stay empty).
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	for _, f := range fields {
		v, ok := lookup(f.name)
		if !ok || v == "" {
			continue
		}
		if err := f.parse(&c, v); err != nil {
			return c, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	for format, profile := range c.Host.FormatProfiles {
		if _, ok := c.Store.TTLProfiles[profile]; !ok {
			return c, fmt.Errorf("TOURNEY_FORMAT_TTL_PROFILES: %s names TTL profile %q, which TOURNEY_TTL_PROFILES does not define", format, profile)
		}
	}
	return c, nil
}

// Environ renders the whole configuration as NAME=value lines.
func (c Config) Environ() []string {
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		out = append(out, f.name+"="+f.show(&c))
	}
	return out
}

// HostVariable reports whether name is one of the host's own variables
// (not a plugin's): the host does not pass it on to the plugins it
// launches, whatever its environment holds.
func HostVariable(name string) bool {
	for _, f := range fields {
		if f.name == name {
			return !forPlugins(name)
		}
	}
	return false
}

// PluginEnviron renders the plugins' parts (Redis, Store, Log) as
// NAME=value lines: what the host hands the plugins it launches. The
// host's own settings (its address, token, plugin paths, fallback,
// webhooks) are not a plugin's to see.
func (c Config) PluginEnviron() []string {
	var out []string
	for _, f := range fields {
		if forPlugins(f.name) {
			out = append(out, f.name+"="+f.show(&c))
		}
	}
	return out
}

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

func onOff(name string, p func(*Config) *bool) field {
	return field{name,
		func(c *Config, v string) error {
			switch v {
			case "on":
				*p(c) = true
			case "off":
				*p(c) = false
			default:
				return fmt.Errorf("want on or off")
			}
			return nil
		},
		func(c *Config) string {
			if *p(c) {
				return "on"
			}
			return "off"
		}}
}
