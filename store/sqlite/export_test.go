package sqlite

import "github.com/passengine/passengine/internal/sqlutil"

// LatestVersion returns the version of the newest embedded migration.
func LatestVersion() int {
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return ms[len(ms)-1].Version
}

// Migrations returns how many migration files are embedded.
func Migrations() int {
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return len(ms)
}

// Statements returns how many statements st has sent to SQLite.
func Statements(st *Store) int64 { return st.statements.Load() }
