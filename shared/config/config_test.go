package config

import (
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
	if c.RedisHost != "localhost" || c.RedisPort != 6379 || c.RedisDB != 1 || c.ActiveGamesTTL != 6*time.Minute ||
		c.TournamentTTL != 2*time.Hour || c.RoundDataTTL != 30*time.Minute || c.BracketTTL != 2*time.Hour ||
		c.LockTimeout != 30*time.Second || c.KeyPrefix != "pong:" || c.OperationTimeout != 10*time.Second ||
		c.ConnectTimeout != 5*time.Second || c.HTTPAddr != "127.0.0.1:8080" || c.Primary != "redis" ||
		c.Fallback != "memory" || c.GameTimeout != 5*time.Minute || c.TimeoutPolicy != "random" ||
		c.SweepInterval != 5*time.Second || c.RateLimit != 0 || c.LogLevel != "info" || c.LogFormat != "text" {
		t.Fatalf("defaults differ from the documented ones (README, Configuration): %+v", c)
	}
}

func TestDurationsAcceptGoSyntaxAndSeconds(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"ACTIVE_GAMES_TTL": "360", "TOURNAMENT_TTL": "1h30m"}))
	if err != nil || c.ActiveGamesTTL != 6*time.Minute || c.TournamentTTL != 90*time.Minute {
		t.Fatalf("%v %v %v", c.ActiveGamesTTL, c.TournamentTTL, err)
	}
}

func TestBadValueNamesTheVariable(t *testing.T) {
	for name, v := range map[string]string{
		"REDIS_PORT": "70000", "LOCK_TIMEOUT": "soon", "ACTIVE_GAMES_TTL": "-5", "TOURNEY_FALLBACK": "disk",
		"TOURNEY_TIMEOUT_POLICY": "coin", "TOURNEY_RATE_LIMIT": "-1", "LOG_FORMAT": "xml",
		"REDIS_URL": "http://x", "TOURNEY_PRIMARY": "../evil", "TOURNEY_PRIMARY_SHA256": "abc",
		"REDIS_CLUSTER_ADDRS": "a,b", "TOURNEY_SWEEP_INTERVAL": "0s",
	} {
		_, err := FromEnv(env(map[string]string{name: v}))
		if err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s=%q: error %v does not name the variable", name, v, err)
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
