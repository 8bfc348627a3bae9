package scenario_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/scenario"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/sqlite"
)

// openSQLite opens a new SQLite database in a file of t's temporary
// directory and closes it when t ends.
func openSQLite(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scenario.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// The project's own scenarios: every seed example of the rules and one
// file per ordering key (O0-O7), on memstore and on SQLite.
func TestScenarios(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		scenario.Run(t, "testdata", func(*testing.T) store.Store { return memstore.New() })
	})
	t.Run("sqlite", func(t *testing.T) {
		scenario.Run(t, "testdata", openSQLite)
	})
}
