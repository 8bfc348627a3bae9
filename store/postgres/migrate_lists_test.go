package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store/storetest"
)

// listsVersion is the migration that adds the listing indexes.
const listsVersion = 6

// TestMigrateToListsKeepsRows: a schema made by the migrations before the
// listing indexes (before 0006), with visits written by the repositories,
// migrates and keeps its rows, which the listings and the check-in path
// then read through the new indexes.
func TestMigrateToListsKeepsRows(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	// NewTestStore migrated the schema to the latest version: start over
	// at the one before the listing indexes.
	if err := Exec(st, `DROP SCHEMA `+st.schema+` CASCADE`); err != nil {
		t.Fatal(err)
	}
	if err := Exec(st, `CREATE SCHEMA `+st.schema); err != nil {
		t.Fatal(err)
	}
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	earlier := sqlutil.Before(ms, listsVersion)
	db := stdlib.OpenDBFromPool(st.pool)
	err = sqlutil.Migrate(ctx, db, earlier, func(n int) string { return fmt.Sprintf("$%d", n) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	storetest.SeedListsMigration(t, st)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from the previous schema: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v < listsVersion {
		t.Fatalf("SchemaVersion: got %d, %v; want at least %d", v, err, listsVersion)
	}
	storetest.CheckListsMigration(t, st)
}
