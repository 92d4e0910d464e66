// Package config reads tourney's configuration from the environment (the
// variables the README's Configuration section lists), in one part per
// consumer: Redis for the Redis plugin, Store for every backend, Host for
// the host, Log for everyone. The host hands the plugins it launches their
// parts through PluginEnviron. A bad value is an error that names the
// variable.
package config

import (
	"fmt"
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
	Host         string   // REDIS_HOST
	Port         int      // REDIS_PORT
	DB           int      // REDIS_CACHE_DB
	Password     string   // REDIS_PASSWORD
	URL          string   // REDIS_URL: redis:// or rediss://, overrides host, port and db
	ClusterAddrs []string // REDIS_CLUSTER_ADDRS: comma list; Redis Cluster when set
	// REDIS_SENTINEL_ADDRS (comma list) and REDIS_SENTINEL_MASTER: the
	// master Sentinel names, followed through promotions;
	// REDIS_SENTINEL_PASSWORD: the sentinels' own password.
	SentinelAddrs    []string
	SentinelMaster   string
	SentinelPassword string
	// TOURNEY_REDIS_MIN_REPLICAS (0 = off): a change is acknowledged only
	// once WAIT says that many replicas have it, within
	// TOURNEY_REDIS_REPLICA_TIMEOUT.
	MinReplicas    int
	ReplicaTimeout time.Duration
	KeyPrefix      string        // KEY_PREFIX
	LockTimeout    time.Duration // LOCK_TIMEOUT
	ReadCache      bool          // TOURNEY_READ_CACHE: on (default) | off
	KeyEvents      bool          // TOURNEY_REDIS_KEY_EVENTS: on (default: use, and turn on, notifications of expired and evicted keys) | off
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
	FrameAncestors string                   // TOURNEY_PAGE_FRAME_ANCESTORS: who may embed the bracket pages (CSP frame-ancestors; default 'self')
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
			KeyEvents: true, ReplicaTimeout: 100 * time.Millisecond},
		Store: Store{OperationTimeout: 10 * time.Second, ConnectTimeout: 5 * time.Second, GameTimeout: 5 * time.Minute,
			ActiveGamesTTL: 6 * time.Minute, TournamentTTL: 2 * time.Hour, RoundDataTTL: 30 * time.Minute, BracketTTL: 2 * time.Hour},
		Host: Host{HTTPAddr: "127.0.0.1:8080", Primary: "redis", Fallback: "memory", PluginVerify: true, PluginStreams: true,
			PluginProcs: 1, CacheSize: 10000, TimeoutPolicy: tournament.TimeoutRandom, SweepInterval: 5 * time.Second,
			DeadlineWarn: time.Minute, WebhookTimeout: 5 * time.Second, WebhookRetry: 24 * time.Hour, WebhookBackoff: time.Second,
			FrameAncestors: "'self'"},
		Log: Log{Level: "info", Format: "text"},
	}
}

// Fallback modes.
const (
	FallbackMemory   = "memory"
	FallbackReadonly = "readonly"
	FallbackOff      = "off"
)

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
	switch r := c.Redis; {
	case len(r.SentinelAddrs) > 0 && r.SentinelMaster == "":
		return c, fmt.Errorf("REDIS_SENTINEL_ADDRS: set REDIS_SENTINEL_MASTER too (the master's name in the sentinels' configuration)")
	case r.SentinelMaster != "" && len(r.SentinelAddrs) == 0:
		return c, fmt.Errorf("REDIS_SENTINEL_MASTER: set REDIS_SENTINEL_ADDRS too (the sentinels, host:port,...)")
	case len(r.SentinelAddrs) > 0 && (len(r.ClusterAddrs) > 0 || r.URL != ""):
		return c, fmt.Errorf("REDIS_SENTINEL_ADDRS: give Sentinel, REDIS_CLUSTER_ADDRS or REDIS_URL, not two of them")
	case r.MinReplicas > 0 && (r.ReplicaTimeout <= 0 || r.ReplicaTimeout > 900*time.Millisecond):
		return c, fmt.Errorf("TOURNEY_REDIS_REPLICA_TIMEOUT: want a duration above 0 and at most 900ms (a write waits that long for its replicas; WAIT 0 would wait for ever)")
	case r.MinReplicas > 0 && len(r.ClusterAddrs) > 0:
		return c, fmt.Errorf("TOURNEY_REDIS_MIN_REPLICAS: replica acknowledgement is for one Redis or Sentinel, not a Cluster")
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
