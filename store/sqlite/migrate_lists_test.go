package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store/storetest"
)

// listsVersion is the migration that adds the listing indexes.
const listsVersion = 5

// TestMigrateToListsKeepsRows: a database made by the schema before the
// listing indexes (every migration before 0005), with visits written by
// the repositories, migrates and keeps its rows, which the listings and
// the check-in path then read through the new indexes.
func TestMigrateToListsKeepsRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	earlier := sqlutil.Before(ms, listsVersion)
	if err := sqlutil.Migrate(ctx, st.w, earlier, func(int) string { return "?" }); err != nil {
		t.Fatal(err)
	}
	storetest.SeedListsMigration(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from the previous schema: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v < listsVersion {
		t.Fatalf("SchemaVersion: got %d, %v; want at least %d", v, err, listsVersion)
	}
	storetest.CheckListsMigration(t, st)
}
