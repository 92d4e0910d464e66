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

var pluginName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// forPlugins reports whether variable name is a plugin's (Redis, Store
// and Log): the host hands plugins those only.
func forPlugins(name string) bool {
	switch name {
	case "KEY_PREFIX", "LOCK_TIMEOUT", "TOURNEY_READ_CACHE", "TOURNEY_REDIS_KEY_EVENTS", "TOURNEY_REDIS_MIN_REPLICAS",
		"TOURNEY_REDIS_REPLICA_TIMEOUT", // Redis
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

// addrs is a comma list of host:port addresses.
func addrs(name string, p func(*Config) *[]string) field {
	return field{name, func(c *Config, v string) error {
		*p(c) = nil
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				if !strings.Contains(a, ":") {
					return fmt.Errorf("%q is not host:port", a)
				}
				*p(c) = append(*p(c), a)
			}
		}
		return nil
	}, func(c *Config) string { return strings.Join(*p(c), ",") }}
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
	addrs("REDIS_CLUSTER_ADDRS", func(c *Config) *[]string { return &c.Redis.ClusterAddrs }),
	addrs("REDIS_SENTINEL_ADDRS", func(c *Config) *[]string { return &c.Redis.SentinelAddrs }),
	str("REDIS_SENTINEL_MASTER", func(c *Config) *string { return &c.Redis.SentinelMaster }, nil),
	str("REDIS_SENTINEL_PASSWORD", func(c *Config) *string { return &c.Redis.SentinelPassword }, nil),
	num("TOURNEY_REDIS_MIN_REPLICAS", func(c *Config) *int { return &c.Redis.MinReplicas }, 0, 64),
	dur("TOURNEY_REDIS_REPLICA_TIMEOUT", func(c *Config) *time.Duration { return &c.Redis.ReplicaTimeout }),
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
	str("TOURNEY_PAGE_FRAME_ANCESTORS", func(c *Config) *string { return &c.Host.FrameAncestors }, checkFrameAncestors),
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

// checkFrameAncestors accepts a CSP frame-ancestors source list:
// 'self', 'none', origins (https://example.com, https://*.example.com) and
// schemes (https:), separated by spaces.
func checkFrameAncestors(v string) error {
	srcs := strings.Fields(v)
	if len(srcs) == 0 {
		return fmt.Errorf("want 'self', 'none' or origins such as https://example.com, separated by spaces")
	}
	for _, s := range srcs {
		switch {
		case s == "'self'" || s == "'none'":
			if s == "'none'" && len(srcs) > 1 {
				return fmt.Errorf("'none' stands alone")
			}
		case strings.ContainsAny(s, ";,'\"") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e }):
			return fmt.Errorf("%q is not a source (want 'self', 'none', an origin such as https://example.com, or a scheme such as https:)", s)
		case strings.HasSuffix(s, ":") && !strings.Contains(s, "/"):
		default:
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
				u.RawQuery != "" || u.Fragment != "" || u.User != nil {
				return fmt.Errorf("%q is not an origin (want scheme://host[:port], such as https://example.com)", s)
			}
		}
	}
	return nil
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
