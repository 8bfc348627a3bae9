package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
	"pgregory.net/rapid"
)

// TestStateMachine drives the Engine on SQLite with the rapid state machine
// of enginetest, whose model is the expected behaviour (the same machine
// runs on memstore in the root package).
func TestStateMachine(t *testing.T) {
	enginetest.Run(t, rapidStores(t, "sm"))
}

// Rule C10: the dry runs of bookings and redemptions equal the real
// calls' decisions and leave SQLite unchanged (a new database per run).
func TestRule_C10_DryRuns(t *testing.T) {
	enginetest.RunDryRuns(t, rapidStores(t, "dry"))
}

// rapidStores returns a maker of new, migrated SQLite databases, one file
// per rapid run in t's temporary directory, each removed when its run
// ends.
func rapidStores(t *testing.T, prefix string) enginetest.NewStore {
	dir := t.TempDir()
	n := 0
	return func(rt *rapid.T) store.Store {
		n++
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.db", prefix, n))
		ctx := context.Background()
		st, err := sqlite.Open(ctx, path, sqlite.WithSyncNormal())
		if err != nil {
			rt.Fatalf("Open: %v", err)
		}
		rt.Cleanup(func() {
			st.Close()
			os.Remove(path)
		})
		if err := st.Migrate(ctx); err != nil {
			rt.Fatalf("Migrate: %v", err)
		}
		return st
	}
}
