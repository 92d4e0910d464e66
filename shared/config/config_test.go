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

func TestTTLProfiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "profiles")
	os.WriteFile(file, []byte("# ranked games keep longer\nranked:tournament=24h,active_games=10m\n"), 0o600)
	env := map[string]string{"TOURNEY_TTL_PROFILES": "casual:tournament=30m,active_games=3m", "TOURNEY_TTL_PROFILES_FILE": file}
	c, err := FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	casual, ok := c.TTLs("casual")
	if !ok || casual.Tournament != 30*time.Minute || casual.ActiveGames != 3*time.Minute || casual.RoundData != c.RoundDataTTL || casual.Bracket != c.BracketTTL {
		t.Fatalf("casual: %+v %v", casual, ok)
	}
	if ranked, ok := c.TTLs("ranked"); !ok || ranked.Tournament != 24*time.Hour {
		t.Fatalf("ranked from the file: %+v %v", ranked, ok)
	}
	if _, ok := c.TTLs("nope"); ok {
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
	if err != nil || len(back.TTLProfiles) != 2 {
		t.Fatalf("profiles through Environ: %+v %v", back.TTLProfiles, err)
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
	if err != nil || c.FormatProfiles["single_elimination"] != "casual" {
		t.Fatalf("%+v %v", c.FormatProfiles, err)
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
