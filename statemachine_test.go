package passengine_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"pgregory.net/rapid"
)

// TestRule_StateMachine_Memstore drives the Engine on memstore with random
// operations against a model of balances, activation and visits
// (enginetest.Run): balances equal the model's and never go negative
// (E4, C4), each pass's balance is the sum of its ledger entries, the pass
// chosen follows the consumption order (O1-O3, O5, O7), refusals carry
// each pass's reason (G7), and Explain agrees with the real check-in (C10).
func TestRule_StateMachine_Memstore(t *testing.T) {
	// Rules E4, C2, C4, C10, G7, A2-A5, B1-B3, O1-O3, O5, O7
	enginetest.Run(t, func(*rapid.T) store.Store { return memstore.New() })
}
