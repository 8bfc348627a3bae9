package passengine_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

// TestRule_M_CardsMemstore runs the multipass card scenarios (RULES
// M1-M7, seeds 003 and 004, holder deletion) on memstore.
func TestRule_M_CardsMemstore(t *testing.T) {
	enginetest.RunCards(t, func(*testing.T) store.Store { return memstore.New() })
}
