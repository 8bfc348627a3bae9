package sqlite

import "github.com/passengine/passengine/internal/sqlutil"

// Migrations returns the highest version of the embedded migrations and
// how many there are, for the tests of package sqlite_test.
func Migrations() (last, count int) {
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return ms[len(ms)-1].Version, len(ms)
}
