package postgres

import (
	"context"
	"testing"

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
	st, ms := storeBefore(t, listsVersion)
	storetest.SeedListsMigration(t, st)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from the previous schema: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].Version {
		t.Fatalf("SchemaVersion: got %d, %v; want %d", v, err, ms[len(ms)-1].Version)
	}
	storetest.CheckListsMigration(t, st)
}
