package memstore_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storetest"
)

// TestConformance runs the store conformance suite on memstore.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

// TestEngineScenarios runs the Engine's scenarios on memstore: day, time
// and PAYG check-ins, replay, refusals, passcodes and payouts, and the
// double spend of a holder's and a team's pass.
func TestEngineScenarios(t *testing.T) {
	enginetest.RunStore(t, func(t *testing.T) store.Store { return memstore.New() })
}

// TestWallet runs the Engine's prepaid account checks on memstore (Rules
// W1, W2 with I1-I3): 200 spends racing for 50, one deposit key sent 20
// times at once, bad input writing nothing, passes paid from the account
// and PAYG debited at check-out.
func TestWallet(t *testing.T) {
	enginetest.RunWallet(t, 5, func(*testing.T) store.Store { return memstore.New() })
}

// TestEngineHostileInput sends the hostile-input table to an Engine on
// memstore (RULES S2, S4).
func TestEngineHostileInput(t *testing.T) {
	enginetest.RunHostile(t, func(t *testing.T) store.Store { return memstore.New() })
}

// TestEngineEdges runs the Engine's store-sensitive edges on memstore.
func TestEngineEdges(t *testing.T) {
	enginetest.RunEdges(t, func(t *testing.T) store.Store { return memstore.New() })
}
