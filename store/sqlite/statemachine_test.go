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
	dir := t.TempDir()
	n := 0
	enginetest.Run(t, func(rt *rapid.T) store.Store {
		n++
		path := filepath.Join(dir, fmt.Sprintf("sm-%d.db", n))
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
	})
}
