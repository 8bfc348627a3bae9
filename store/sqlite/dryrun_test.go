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

// Rule C10: the dry runs of bookings and redemptions equal the real
// calls' decisions and leave SQLite unchanged (a new database per run).
func TestRule_C10_DryRuns(t *testing.T) {
	dir := t.TempDir()
	n := 0
	enginetest.RunDryRuns(t, func(rt *rapid.T) store.Store {
		n++
		path := filepath.Join(dir, fmt.Sprintf("dry-%d.db", n))
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
