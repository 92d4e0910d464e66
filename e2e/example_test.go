package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tourney/tourney/internal/testutil"
)

// The embedded example is built and run as a user would: in-process, and
// launching the real plugin binaries.
func TestEmbeddedExamplePlaysATournament(t *testing.T) {
	dir := testutil.Binaries(t)
	bin := filepath.Join(t.TempDir(), "embedded")
	if err := testutil.GoBuild(testutil.RepoRoot(), "./examples/embedded", bin); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{"in-process": {"-players", "11"}, "plugins": {"-players", "6", "-plugins", dir}} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "TOURNEY_PRIMARY=memory")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			games := map[string]string{"in-process": "(10 matches", "plugins": "(5 matches"}[name]
			if !strings.Contains(string(out), "champion:") || !strings.Contains(string(out), games) {
				t.Fatalf("output:\n%s", out)
			}
		})
	}
}
