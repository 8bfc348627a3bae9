package postgres_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/postgres"
)

// TestEngineLists runs the Engine's lists on PostgreSQL: catalog pages,
// visits by holder, location, status and period, occupancy, cursors.
func TestEngineLists(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunLists(t, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}
