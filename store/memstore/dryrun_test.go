package memstore_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"pgregory.net/rapid"
)

// Rule C10: the dry runs of bookings and redemptions equal the real
// calls' decisions and leave memstore unchanged.
func TestRule_C10_DryRuns(t *testing.T) {
	enginetest.RunDryRuns(t, func(*rapid.T) store.Store { return memstore.New() })
}
