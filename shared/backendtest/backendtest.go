// Package backendtest is the conformance suite every tourney Backend runs
// against itself: the memory and Redis plugins in this repository, and any
// third-party plugin. Call Run from a test with a factory that returns a
// fresh, empty backend configured with the given Settings.
package backendtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tourney/tourney/shared"
	T "github.com/tourney/tourney/tournament"
)

// Settings are the backend options a test needs to control.
type Settings struct {
	RateLimit   int            // per actor per second; 0 = off
	RateBurst   int            // 0 = same as RateLimit
	RateLimits  map[string]int // per operation, per actor per second (TOURNEY_RATE_LIMITS)
	GameTimeout time.Duration  // 0 = the backend's default
}

// Factory returns a new, empty backend. It registers its own cleanup.
type Factory func(t *testing.T, s Settings) shared.Backend

// Run runs every conformance test against backends made by factory: the
// core contract, and each optional part the backend serves (what a
// plugin announces; a part it does not serve is skipped, saying so).
func Run(t *testing.T, factory Factory) {
	tests := []struct {
		name string
		part shared.Capability // "" = the core contract
		fn   func(t *testing.T, f Factory)
	}{
		{"CreateGetList", "", testCreateGetList},
		{"CreateTwiceIsAlreadyExists", "", testCreateTwice},
		{"MissingIsNotFound", "", testMissing},
		{"FullTournamentOddPlayers", "", testFullTournament},
		{"DomainErrorsKeepTheirCodes", "", testDomainErrors},
		{"ResultIsIdempotent", "", testIdempotentResult},
		{"RemoveThenNotFoundAndReusable", "", testRemove},
		{"ExportImportRoundTrip", "", testExportImport},
		{"ImportRejectsInvalidSnapshotAtomically", "", testImportInvalid},
		{"ConcurrentJoinsFillExactlyTheSeats", "", testConcurrentJoins},
		{"ConcurrentDuplicateResults", "", testConcurrentResults},
		{"TimeoutsResolveOverdueGames", "", testTimeouts},
		{"RateLimitPerActor", "", testRateLimit},
		{"RateLimitPerOperation", "", testRateLimitPerOperation},
		{"MaintainAndHealth", "", testMaintainHealth},
		{"SubscribeIsOrderedAndResumable", "", testSubscribe},
		{"ReconcileGuardsByVersionAndRecordsConflicts", shared.CapReconcile, testReconcile},
		{"RemovedTournamentsAreNeverResurrected", shared.CapReconcile, testTombstones},
		{"CompareAndSetRecordsNothingAndKnowsItsOwnWrite", shared.CapReconcile, testCAS},
		{"ConflictRecordsKeepTheRejectedChanges", shared.CapReconcile, testConflictRecord},
		{"DiscardForgetsWithoutEventsOrTombstones", shared.CapReconcile, testDiscard},
		{"HealthReportsAStableEpoch", "", testEpoch},
		{"ProjectionsMatchTheStateAfterEveryCommand", "", testProjections},
		{"EveryFormatPlaysToTheEnd", "", testFormats},
		{"CorrectionsAndEndKeepProjections", "", testCorrections},
		{"SidesAndSeedsFollowTheRules", "", testSidesAndSeeds},
		{"MishapsKeepResultsAndIDs", "", testMishaps},
		{"ParticipantsKeepTheirRecords", "", testParticipants},
		{"PlayerIndexListsLiveTournaments", shared.CapPlayerIndex, testPlayerIndex},
		{"WebhookRegistry", shared.CapWebhooks, testWebhookRegistry},
		{"DeliveriesAreLeasedAndRecorded", shared.CapWebhooks, testDeliveries},
		{"ConcurrentClaimsNeverShareADelivery", shared.CapWebhooks, testConcurrentClaims},
		{"DeliveryLogIsBounded", shared.CapWebhooks, testDeliveryLogIsBounded},
	}
	probe := factory(t, Settings{})
	serves := shared.CapabilitiesOf(probe)
	t.Logf("the backend serves %v beyond the core contract", serves)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.part != "" && !slices.Contains(serves, tc.part) {
				t.Skipf("the backend does not serve %s", tc.part)
			}
			tc.fn(t, factory)
		})
	}
}

// reconciler returns b as a Reconciler (Run runs the tests that need one
// only for a backend that serves that part).
func reconciler(t *testing.T, b shared.Backend) shared.Reconciler {
	t.Helper()
	r, ok := shared.ReconcilerOf(b)
	if !ok {
		t.Fatal("the backend announces write-backs but is no Reconciler")
	}
	return r
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func create(t *testing.T, b shared.Backend, id int64, max int) *T.Tournament {
	t.Helper()
	c, err := b.Create(ctx(t),
		shared.CreateRequest{Params: T.CreateParams{ID: id, Name: fmt.Sprintf("Cup %d", id), MaxPlayers: max, CreatorID: 1}})
	if err != nil {
		t.Fatalf("create %d: %v", id, err)
	}
	return c.Tournament
}

func apply(t *testing.T, b shared.Backend, id int64, cmd T.Command) shared.Change {
	t.Helper()
	c, err := b.Apply(ctx(t), shared.ApplyRequest{TournamentID: id, Command: cmd})
	if err != nil {
		t.Fatalf("%s on %d: %v", cmd.Name(), id, err)
	}
	return c
}

// startedWith creates tournament id with n players (1001...) and starts it.
func startedWith(t *testing.T, b shared.Backend, id int64, n int) *T.Tournament {
	t.Helper()
	create(t, b, id, n)
	for i := range n {
		apply(t, b, id, T.AddPlayer{UserID: int64(1001 + i)})
	}
	return apply(t, b, id, T.Start{}).Tournament
}

func wantCode(t *testing.T, err error, want *T.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v (%T), want %s", err, err, want.Code)
	}
}

// ProjectionChecker is implemented by backends that keep projections of a
// tournament beside its state (the Redis backend's seed-compatible keys):
// CheckProjections reports how they differ from the stored state.
type ProjectionChecker interface {
	CheckProjections(ctx context.Context, id int64) error
}
