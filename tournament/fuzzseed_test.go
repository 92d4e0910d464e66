package tournament_test

import (
	"testing"

	"github.com/tourney/tourney/internal/fuzzcmd"
)

// TestMishapScriptsPassEveryProperty plays each mishap through the
// fuzzer's checks (they are in its corpus too).
func TestMishapScriptsPassEveryProperty(t *testing.T) {
	for _, s := range fuzzcmd.Mishaps {
		t.Run(s.Name, func(t *testing.T) {
			in, err := s.Encode()
			if err != nil {
				t.Fatal(err)
			}
			runFuzzBody(t, in)
		})
	}
}
