package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/backendtest"
	"github.com/tourney/tourney/shared/config"
)

// The example third-party plugin passes the conformance suite, run against
// its real binary over go-plugin's gRPC: what it promises in its doc.
func TestThirdPartyPluginPassesTheConformanceSuite(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "plugin-audit")
	if err := testutil.GoBuild(testutil.RepoRoot(), "./examples/plugin-audit", bin); err != nil {
		t.Fatal(err)
	}
	backendtest.Run(t, func(t *testing.T, s backendtest.Settings) shared.Backend {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), fmt.Sprintf("TOURNEY_RATE_LIMIT=%d", s.RateLimit), fmt.Sprintf("TOURNEY_RATE_BURST=%d", s.RateBurst),
			"TOURNEY_RATE_LIMITS="+config.FormatRateLimits(s.RateLimits))
		if s.GameTimeout > 0 {
			cmd.Env = append(cmd.Env, "TOURNEY_GAME_TIMEOUT="+s.GameTimeout.String())
		}
		client := plugin.NewClient(&plugin.ClientConfig{
			HandshakeConfig:  shared.Handshake,
			VersionedPlugins: shared.PluginSets(nil),
			Cmd:              cmd,
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
			AutoMTLS:         true,
			Logger:           hclog.NewNullLogger(),
			StartTimeout:     10 * time.Second,
		})
		t.Cleanup(client.Kill)
		rpc, err := client.Client()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := rpc.Dispense(shared.PluginName)
		if err != nil {
			t.Fatal(err)
		}
		return raw.(shared.Backend)
	})
}
