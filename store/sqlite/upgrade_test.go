package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/sqlite"
)

// TestUpgradeFromPreviousRelease opens a database file the previous
// release wrote (schema version 1: testdata/previous-v1.db), migrates it,
// and checks that every row reads back as that release wrote it and that
// the Engine goes on from it.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile("testdata/previous-v1.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "previous.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.SchemaVersion(ctx); err != nil || v != 1 {
		t.Fatalf("schema version of the file: got %d, %v; want 1", v, err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != sqlite.LatestVersion() {
		t.Errorf("schema version after Migrate: got %d, %v; want %d", v, err, sqlite.LatestVersion())
	}
	enginetest.CheckUpgrade(t, st)
}
