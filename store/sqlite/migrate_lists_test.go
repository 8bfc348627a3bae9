package sqlite

import (
	"testing"

	"github.com/passengine/passengine/store/storetest"
)

// listsVersion is the migration that adds the listing indexes.
const listsVersion = 5

// TestMigrateToListsKeepsRows: a database made by the schema before the
// listing indexes (every migration before 0005), with visits written by
// the repositories, migrates and keeps its rows, which the listings and
// the check-in path then read through the new indexes.
func TestMigrateToListsKeepsRows(t *testing.T) {
	st, path, ms := openBefore(t, listsVersion)
	storetest.SeedListsMigration(t, st)
	storetest.CheckListsMigration(t, reopenMigrated(t, st, path, ms))
}
