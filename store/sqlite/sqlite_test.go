package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
	"github.com/passengine/passengine/store/storetest"
)

// openTemp opens and migrates a new database in a file of t's temporary
// directory and closes it when t ends.
func openTemp(t testing.TB, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "passengine.db"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

// TestEngineHostileInput sends the hostile-input table to an Engine on
// SQLite: the same field errors as on memstore, nothing written (RULES S2,
// S4).
func TestEngineHostileInput(t *testing.T) {
	enginetest.RunHostile(t, func(t *testing.T) store.Store { return openTemp(t, sqlite.WithSyncNormal()) })
}

// TestConformance runs the store conformance suite on SQLite files
// (synchronous=NORMAL: the crash test covers the default, FULL).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, sqlite.WithSyncNormal()) })
}

// TestEngineScenarios runs the Engine's scenarios on SQLite files: day,
// time and PAYG check-ins, replay, refusals, passcodes and payouts, and
// the double spend of a holder's and a team's pass, 20 rounds each (3
// with -short or -race).
func TestEngineScenarios(t *testing.T) {
	var o enginetest.StoreOptions
	if raceEnabled {
		o.Repeats = 3
	}
	enginetest.RunStoreOptions(t, func(t *testing.T) store.Store { return openTemp(t, sqlite.WithSyncNormal()) }, o)
}

// TestWallet runs the Engine's prepaid account checks on SQLite files
// (Rules W1, W2 with I1-I3): 200 spends racing for 50 (5 rounds, 1 with
// -race), one deposit key sent 20 times at once, bad input writing
// nothing, passes paid from the account and PAYG debited at check-out.
func TestWallet(t *testing.T) {
	rounds := 5
	if raceEnabled {
		rounds = 1
	}
	enginetest.RunWallet(t, rounds, func(t *testing.T) store.Store { return openTemp(t, sqlite.WithSyncNormal()) })
}

// TestEngineEdges runs the Engine's store-sensitive edges on SQLite:
// context cancellation, the passcode key check, the cap across days.
func TestEngineEdges(t *testing.T) {
	enginetest.RunEdges(t, func(t *testing.T) store.Store { return openTemp(t, sqlite.WithSyncNormal()) })
}
