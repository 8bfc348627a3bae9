package sqlite_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
)

// TestCards runs the multipass card scenarios (RULES M1-M7, seeds 003 and
// 004, holder deletion) on SQLite files.
func TestCards(t *testing.T) {
	enginetest.RunCards(t, func(t *testing.T) store.Store { return openTemp(t, sqlite.WithSyncNormal()) })
}
