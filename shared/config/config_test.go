package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsMatchTheSpec(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Redis.Host != "localhost" || c.Redis.Port != 6379 || c.Redis.DB != 1 || c.Store.ActiveGamesTTL != 6*time.Minute ||
		c.Store.TournamentTTL != 2*time.Hour || c.Store.RoundDataTTL != 30*time.Minute || c.Store.BracketTTL != 2*time.Hour ||
		c.Redis.LockTimeout != 30*time.Second || c.Redis.KeyPrefix != "pong:" || c.Store.OperationTimeout != 10*time.Second ||
		c.Store.ConnectTimeout != 5*time.Second || c.Host.HTTPAddr != "127.0.0.1:8080" || c.Host.Primary != "redis" ||
		c.Host.Fallback != "memory" || c.Store.GameTimeout != 5*time.Minute || c.Host.TimeoutPolicy != "random" ||
		c.Host.SweepInterval != 5*time.Second || c.Store.RateLimit != 0 || c.Log.Level != "info" || c.Log.Format != "text" {
		t.Fatalf("defaults differ from the documented ones (README, Configuration): %+v", c)
	}
}

func TestDurationsAcceptGoSyntaxAndSeconds(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"ACTIVE_GAMES_TTL": "360", "TOURNAMENT_TTL": "1h30m"}))
	if err != nil || c.Store.ActiveGamesTTL != 6*time.Minute || c.Store.TournamentTTL != 90*time.Minute {
		t.Fatalf("%v %v %v", c.Store.ActiveGamesTTL, c.Store.TournamentTTL, err)
	}
}

func TestBadValueNamesTheVariable(t *testing.T) {
	for name, v := range map[string]string{
		"REDIS_PORT": "70000", "LOCK_TIMEOUT": "soon", "ACTIVE_GAMES_TTL": "-5", "TOURNEY_FALLBACK": "disk",
		"TOURNEY_TIMEOUT_POLICY": "coin", "TOURNEY_RATE_LIMIT": "-1", "LOG_FORMAT": "xml",
		"REDIS_URL": "http://x", "TOURNEY_PRIMARY": "../evil", "TOURNEY_PRIMARY_SHA256": "abc",
		"REDIS_CLUSTER_ADDRS": "a,b", "TOURNEY_SWEEP_INTERVAL": "0s",
		"TOURNEY_PAGE_FRAME_ANCESTORS": "https://a.example; script-src *",
	} {
		_, err := FromEnv(env(map[string]string{name: v}))
		if err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s=%q: error %v does not name the variable", name, v, err)
		}
	}
}

func TestSentinelAndReplicaSettingsGoTogether(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string // the variable the error names; "" = accepted
	}{
		{map[string]string{"REDIS_SENTINEL_ADDRS": "127.0.0.1:26379,127.0.0.1:26380", "REDIS_SENTINEL_MASTER": "m"}, ""},
		{map[string]string{"REDIS_SENTINEL_ADDRS": "127.0.0.1:26379"}, "REDIS_SENTINEL_ADDRS"},
		{map[string]string{"REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINEL_MASTER"},
		{map[string]string{"REDIS_SENTINEL_ADDRS": "sentinel"}, "REDIS_SENTINEL_ADDRS"},
		{map[string]string{"REDIS_SENTINEL_ADDRS": "a:1", "REDIS_SENTINEL_MASTER": "m", "REDIS_CLUSTER_ADDRS": "b:2,c:3"}, "REDIS_SENTINEL_ADDRS"},
		{map[string]string{"TOURNEY_REDIS_MIN_REPLICAS": "1"}, ""},
		{map[string]string{"TOURNEY_REDIS_MIN_REPLICAS": "1", "TOURNEY_REDIS_REPLICA_TIMEOUT": "2s"}, "TOURNEY_REDIS_REPLICA_TIMEOUT"},
		{map[string]string{"TOURNEY_REDIS_MIN_REPLICAS": "-1"}, "TOURNEY_REDIS_MIN_REPLICAS"},
		{map[string]string{"TOURNEY_REDIS_MIN_REPLICAS": "1", "REDIS_CLUSTER_ADDRS": "b:2,c:3"}, "TOURNEY_REDIS_MIN_REPLICAS"},
	} {
		cfg, err := FromEnv(env(c.env))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.env, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want+":")):
			t.Errorf("%v: error %v, want one naming %s", c.env, err, c.want)
		case c.want == "" && c.env["TOURNEY_REDIS_MIN_REPLICAS"] == "1" && (cfg.Redis.MinReplicas != 1 || cfg.Redis.ReplicaTimeout != 100*time.Millisecond):
			t.Errorf("min replicas %d, timeout %v", cfg.Redis.MinReplicas, cfg.Redis.ReplicaTimeout)
		}
	}
}

func TestFrameAncestorsAreSourcesOnly(t *testing.T) {
	for v, ok := range map[string]bool{"'self'": true, "'none'": true, "'self' https://stream.example.com https://*.example.org:8443": true,
		"https:": true, "'none' 'self'": false, "https://a.example/path": false, "javascript:alert(1)//x": false,
		"'unsafe-inline'": false, "https://a.example,https://b.example": false, "ftp://x.example": false} {
		_, err := FromEnv(env(map[string]string{"TOURNEY_PAGE_FRAME_ANCESTORS": v}))
		if (err == nil) != ok {
			t.Errorf("%q: %v, want accepted %v", v, err, ok)
		}
	}
}

func TestEnvironRoundTrips(t *testing.T) {
	in := map[string]string{"REDIS_PORT": "7000", "TOURNEY_RATE_LIMIT": "5", "KEY_PREFIX": "x:",
		"REDIS_CLUSTER_ADDRS": "a:1,b:2", "TOURNEY_TIMEOUT_POLICY": "none", "LOCK_TIMEOUT": "2s"}
	c, err := FromEnv(env(in))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, kv := range c.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	back, err := FromEnv(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(back.Environ(), "\n") != strings.Join(c.Environ(), "\n") {
		t.Fatalf("Environ does not round-trip:\n%v\n%v", c.Environ(), back.Environ())
	}
}

func TestTTLProfiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "profiles")
	os.WriteFile(file, []byte("# ranked games keep longer\nranked:tournament=24h,active_games=10m\n"), 0o600)
	env := map[string]string{"TOURNEY_TTL_PROFILES": "casual:tournament=30m,active_games=3m", "TOURNEY_TTL_PROFILES_FILE": file}
	c, err := FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	casual, ok := c.Store.TTLs("casual")
	if !ok || casual.Tournament != 30*time.Minute || casual.ActiveGames != 3*time.Minute || casual.RoundData != c.Store.RoundDataTTL || casual.Bracket != c.Store.BracketTTL {
		t.Fatalf("casual: %+v %v", casual, ok)
	}
	if ranked, ok := c.Store.TTLs("ranked"); !ok || ranked.Tournament != 24*time.Hour {
		t.Fatalf("ranked from the file: %+v %v", ranked, ok)
	}
	if _, ok := c.Store.TTLs("nope"); ok {
		t.Fatal("an unknown profile was found")
	}
	// The plugins get every profile, the file's too.
	back, err := FromEnv(func(k string) (string, bool) {
		for _, kv := range c.Environ() {
			if n, v, _ := strings.Cut(kv, "="); n == k {
				return v, true
			}
		}
		return "", false
	})
	if err != nil || len(back.Store.TTLProfiles) != 2 {
		t.Fatalf("profiles through Environ: %+v %v", back.Store.TTLProfiles, err)
	}
	for _, bad := range []string{"casual:tournament=forever", "casual:ttl=3m", "Bad Name:tournament=1m", "nocolon"} {
		_, err := FromEnv(func(k string) (string, bool) {
			if k == "TOURNEY_TTL_PROFILES" {
				return bad, true
			}
			return "", false
		})
		if err == nil || !strings.Contains(err.Error(), "TOURNEY_TTL_PROFILES") {
			t.Errorf("%q: %v, want an error naming the variable", bad, err)
		}
	}
}

func TestFormatTTLProfiles(t *testing.T) {
	env := map[string]string{"TOURNEY_TTL_PROFILES": "casual:tournament=30m", "TOURNEY_FORMAT_TTL_PROFILES": "single_elimination=casual"}
	c, err := FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil || c.Host.FormatProfiles["single_elimination"] != "casual" {
		t.Fatalf("%+v %v", c.Host.FormatProfiles, err)
	}
	env["TOURNEY_FORMAT_TTL_PROFILES"] = "single_elimination=ranked"
	if _, err := FromEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v,
			ok
	}); err == nil || !strings.Contains(err.Error(), "ranked") {
		t.Fatalf("a format naming an unknown profile: %v", err)
	}
	env["TOURNEY_FORMAT_TTL_PROFILES"] = "swiss_chess=casual"
	if _, err := FromEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v,
			ok
	}); err == nil || !strings.Contains(err.Error(), "TOURNEY_FORMAT_TTL_PROFILES") {
		t.Fatalf("an unknown format: %v", err)
	}
}

// Each consumer gets its part: the plugins are handed the Redis, store and
// log settings, never the host's own (its address, token, plugin paths,
// fallback, webhooks, data directory).
func TestPluginsGetTheirPartOnly(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"TOURNEY_API_TOKEN": "s3cret", "KEY_PREFIX": "x:", "TOURNEY_RATE_LIMIT": "5"}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, kv := range c.PluginEnviron() {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	for _, name := range []string{"REDIS_HOST", "REDIS_CLUSTER_ADDRS", "KEY_PREFIX", "LOCK_TIMEOUT", "TOURNEY_READ_CACHE",
		"OPERATION_TIMEOUT", "TOURNAMENT_TTL", "TOURNEY_GAME_TIMEOUT", "TOURNEY_TTL_PROFILES", "TOURNEY_RATE_LIMITS", "LOG_LEVEL"} {
		if _, ok := got[name]; !ok || HostVariable(name) {
			t.Errorf("%s is a plugin's and is not handed to plugins", name)
		}
	}
	for _, name := range []string{"TOURNEY_API_TOKEN", "TOURNEY_HTTP_ADDR", "TOURNEY_PRIMARY", "TOURNEY_FALLBACK", "TOURNEY_DATA_DIR",
		"TOURNEY_WEBHOOK_TIMEOUT", "TOURNEY_FORMAT_TTL_PROFILES", "TOURNEY_PLUGIN_DIR"} {
		if _, ok := got[name]; ok || !HostVariable(name) {
			t.Errorf("%s is the host's and is handed to plugins", name)
		}
	}
	if got["KEY_PREFIX"] != "x:" || got["TOURNEY_RATE_LIMIT"] != "5" {
		t.Fatalf("plugin settings %v", got)
	}
	if HostVariable("PATH") {
		t.Fatal("PATH is not a configuration variable")
	}
}
