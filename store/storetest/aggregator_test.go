package storetest_test

import (
	"testing"

	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storetest"
)

// The aggregator scenarios on memstore; every adapter runs them too.
func TestRunAggregatorMemstore(t *testing.T) {
	storetest.RunAggregator(t, func(*testing.T) store.Store { return memstore.New() })
}
