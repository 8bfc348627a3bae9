package sqlite_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
)

// TestEngineLists runs the Engine's lists on SQLite: catalog pages,
// visits by holder, location, status and period, occupancy, cursors.
func TestEngineLists(t *testing.T) {
	enginetest.RunLists(t, func(t *testing.T) store.Store { return openTemp(t, sqlite.WithSyncNormal()) })
}
