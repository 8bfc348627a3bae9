package postgres_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"pgregory.net/rapid"

	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/postgres"
	"github.com/passengine/passengine/store/storetest"
)

// TestConformance runs the store conformance suite, each test on its own
// schema.
func TestConformance(t *testing.T) {
	postgres.RequireDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}

// TestEngineScenarios runs the Engine's scenarios, each on its own schema:
// day, time and PAYG check-ins, replay, refusals, passcodes and payouts,
// and the double-spend tests on a holder's pass and on a team's shared
// pass (200 goroutines, a pass of 50 visits, 20 rounds each).
func TestEngineScenarios(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunStore(t, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}

// TestEngineModel runs the Engine's rapid state machine on PostgreSQL,
// compared step by step with its model (a new schema per run).
func TestEngineModel(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.Run(t, func(t *rapid.T) store.Store { return postgres.NewTestStore(t) })
}

// TestEngineConcurrency runs the Engine's concurrency checks: the double
// spend of one holder's pass and one request sent 20 times at once with
// the same idempotency key.
func TestEngineConcurrency(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunConcurrency(t, 5, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}

// TestWallet runs the Engine's prepaid account checks (Rules W1, W2 with
// I1-I3): 200 spends racing for 50, one deposit key sent 20 times at
// once, bad input writing nothing, passes paid from the account and PAYG
// debited at check-out.
func TestWallet(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunWallet(t, 5, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}

// TestEngineHostileInput sends the hostile-input table to an Engine on
// PostgreSQL: the same field errors as on memstore, nothing written
// (RULES S2, S4).
func TestEngineHostileInput(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunHostile(t, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}

// TestEngineEdges runs the Engine's store-sensitive edges on PostgreSQL:
// context cancellation, the passcode key check, the cap across days.
func TestEngineEdges(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunEdges(t, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}
