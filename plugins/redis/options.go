package redis

import (
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"
	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared/config"
)

// Options configure the Redis backend.
type Options struct {
	KeyPrefix        string
	TournamentTTL    time.Duration
	ActiveGamesTTL   time.Duration
	RoundDataTTL     time.Duration
	BracketTTL       time.Duration
	LockTimeout      time.Duration
	OperationTimeout time.Duration
	GameTimeout      time.Duration
	RateLimit        int // mutating calls per second per actor; 0 = off
	RateBurst        int // 0 = same as RateLimit
	// RateLimits are per-operation limits per actor per second (operation
	// names as in config.RateLimitedOps); burst = the rate.
	RateLimits map[string]int
	// TTLProfiles are the named TTL sets a tournament may be created with.
	TTLProfiles map[string]config.TTLProfile
	// ReadCache answers a Get from the plugin's memory, with no Redis round
	// trip, while no change of the tournament was announced since it was
	// read or written (see watchChanges). Needs Subscriber.
	ReadCache bool
	// KeyEvents lets the read cache subscribe to keyspace notifications of
	// expired and evicted keys, turning them on when the user may.
	KeyEvents bool
	// EventsMaxLen bounds each tournament's events stream (approximately).
	EventsMaxLen int64
	Logger       hclog.Logger
	// BeforeCommit, when set, runs between reading a tournament and writing
	// its new state. Tests use it to stall a lock holder.
	BeforeCommit func(id int64)
	// LockEveryChange turns off one-trip writes: every change takes the
	// tournament's lock, reads, and writes (two round trips). By default a
	// change computed from a state the plugin holds at its current
	// revision is written in one trip when nobody holds the lock.
	LockEveryChange bool
	// MinReplicas (0 = off): a write is acknowledged only once WAIT, sent
	// in the write's own round trip, says that many replicas have it
	// within ReplicaTimeout; otherwise the call is unavailable (the write
	// may have happened).
	MinReplicas    int
	ReplicaTimeout time.Duration
	// Sentinel is the master's name when the client follows it through
	// Sentinel: Health then names the master it reaches.
	Sentinel string
	// Subscriber, when set, is the client event subscriptions block on
	// (XREAD BLOCK holds a connection each), so that subscribers never
	// take the data path's pooled connections. Default: the data client.
	Subscriber goredis.UniversalClient
}

// OptionsFromConfig takes the backend's options from its parts of the
// configuration: the Redis one and the store one.
func OptionsFromConfig(r config.Redis, s config.Store) Options {
	return Options{KeyPrefix: r.KeyPrefix, LockTimeout: r.LockTimeout, ReadCache: r.ReadCache, KeyEvents: r.KeyEvents,
		TournamentTTL: s.TournamentTTL, ActiveGamesTTL: s.ActiveGamesTTL, RoundDataTTL: s.RoundDataTTL, BracketTTL: s.BracketTTL,
		OperationTimeout: s.OperationTimeout, GameTimeout: s.GameTimeout, RateLimit: s.RateLimit, RateBurst: s.RateBurst,
		RateLimits: s.RateLimits, TTLProfiles: s.TTLProfiles, MinReplicas: r.MinReplicas, ReplicaTimeout: r.ReplicaTimeout,
		Sentinel: r.SentinelMaster}
}

// ioTimeout bounds one Redis read or write on the data path. It is short on
// purpose: a dead or blackholed Redis must be noticed within a second, not
// after go-redis's default of 3 s times its retries.
const ioTimeout = time.Second

// NewSubscriberClient is NewClient with a pool sized for event
// subscriptions: one connection per live subscriber, up to 10,000.
func NewSubscriberClient(c config.Redis, connectTimeout time.Duration) (goredis.UniversalClient, error) {
	return newClient(c, connectTimeout, 10_000)
}

// NewClient connects as configured: REDIS_URL (redis:// or rediss://, with
// user and password), else REDIS_CLUSTER_ADDRS (Redis Cluster), else
// REDIS_SENTINEL_ADDRS with REDIS_SENTINEL_MASTER (the master Sentinel
// names, followed through promotions), else
// REDIS_HOST:REDIS_PORT with REDIS_CACHE_DB and REDIS_PASSWORD; a dial
// gives up after connectTimeout (CONNECT_TIMEOUT).
func NewClient(c config.Redis, connectTimeout time.Duration) (goredis.UniversalClient, error) {
	return newClient(c, connectTimeout, 0)
}

func newClient(c config.Redis, connectTimeout time.Duration, poolSize int) (goredis.UniversalClient, error) {
	opts := &goredis.UniversalOptions{
		PoolSize:              poolSize, // 0: go-redis's default, 10 per CPU
		Addrs:                 []string{fmt.Sprintf("%s:%d", c.Host, c.Port)},
		DB:                    c.DB,
		Password:              c.Password,
		DialTimeout:           connectTimeout,
		ReadTimeout:           ioTimeout,
		WriteTimeout:          ioTimeout,
		PoolTimeout:           ioTimeout,
		ContextTimeoutEnabled: true,
		MaxRetries:            1,
		DialerRetries:         1, // go-redis would otherwise dial 5 times, 100 ms apart, before failing
		DialerRetryTimeout:    10 * time.Millisecond,
		MinRetryBackoff:       8 * time.Millisecond,
		MaxRetryBackoff:       64 * time.Millisecond,
	}
	switch {
	case c.URL != "":
		u, err := goredis.ParseURL(c.URL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		opts.Addrs, opts.DB, opts.Username, opts.TLSConfig = []string{u.Addr}, u.DB, u.Username, u.TLSConfig
		if u.Password != "" {
			opts.Password = u.Password
		}
	case len(c.ClusterAddrs) > 0:
		opts.Addrs, opts.DB, opts.IsClusterMode = c.ClusterAddrs, 0, true // a cluster has only db 0
	case len(c.SentinelAddrs) > 0:
		// go-redis's failover client: it asks the sentinels for the master
		// and follows a promotion (the sentinels' +switch-master).
		opts.Addrs, opts.MasterName, opts.SentinelPassword = c.SentinelAddrs, c.SentinelMaster, c.SentinelPassword
	}
	return goredis.NewUniversalClient(opts), nil
}
