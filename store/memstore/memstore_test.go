package memstore_test

import (
	"testing"

	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storetest"
)

// TestConformance runs the store conformance suite on memstore.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}
