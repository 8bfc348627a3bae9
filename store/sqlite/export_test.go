package sqlite

import (
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
)

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

// PassCacheStats returns how many state reads found their live passes in
// st's cache and how many read the rows, and the owners and passes the
// cache holds.
func PassCacheStats(st *Store) (hits, misses int64, owners, passes int) {
	if st.passes == nil {
		return 0, 0, 0, 0
	}
	owners, passes = st.passes.len()
	return st.passes.hits.Load(), st.passes.misses.Load(), owners, passes
}

// CachedLive returns st's cache entry of the live passes of a holder (or
// of a team), and whether it holds one.
func CachedLive(st *Store, network, owner string, team bool) (version int64, passes []*pass.Pass, ok bool) {
	if st.passes == nil {
		return 0, nil, false
	}
	st.passes.mu.Lock()
	defer st.passes.mu.Unlock()
	el, ok := st.passes.entries[ownerKey{network: network, team: team, id: owner}]
	if !ok {
		return 0, nil, false
	}
	e := el.Value.(*liveEntry)
	return e.version, e.passes, true
}

// TraceStatements calls statement with each statement units of work send
// to SQLite (with its arguments, and whether it returns rows) and
// stateRows with how many rows each state read then stepped through,
// until the returned stop is called. Only one trace runs at a time.
func TraceStatements(statement func(query string, args []any, rows bool), stateRows func(n int)) (stop func()) {
	tracing.Store(&statementTrace{statement: statement, stateRows: stateRows})
	return func() { tracing.Store(nil) }
}
