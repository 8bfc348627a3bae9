package sqlite_test

import (
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/sqlite"
)

// listBenchRows is how many holders, and visits, the list benchmark seeds.
const listBenchRows = 100_000

// seedLists writes the list benchmark's network in bulk: holders
// enginetest.ListBenchHolder(0) to (n-1), and n closed visits at
// enginetest.ListBenchLocation, a minute apart from 2025-01-01, each of
// a holder in turn.
func seedLists(b *testing.B, st *sqlite.Store, n int) {
	b.Helper()
	for _, q := range []string{
		`INSERT INTO networks (id, name, currency, zone) VALUES ('lbench', 'Lists', 'USD', 'UTC')`,
		`INSERT INTO locations (network, id, name, zone, day_cutoff, tier) VALUES ('lbench', 'club', 'Club', 'UTC', 0, 0)`,
		`WITH RECURSIVE x(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM x WHERE i < ?1 - 1)
		INSERT INTO holders (network, id, name, audience, team) SELECT 'lbench', printf('h%07d', i), 'Holder', 'member', '' FROM x`,
		`WITH RECURSIVE x(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM x WHERE i < ?1 - 1)
		INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, service_date, cost, pass,
			covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by,
			fee, terms)
		SELECT 'lbench', printf('v%07d', i), printf('h%07d', i), 'club', 'check_in', 'visits', 'closed',
			strftime('%Y-%m-%dT%H:%M:%S.000000000Z', '2025-01-01', '+' || i || ' minutes'),
			strftime('%Y-%m-%dT%H:%M:%S.000000000Z', '2025-01-01', '+' || (i + 1) || ' minutes'),
			date('2025-01-01', '+' || i || ' minutes'), 1, '', '', '', '', '', 0, 0, '', 0, '', '', '' FROM x`,
		`ANALYZE`,
	} {
		if _, err := st.DB().Exec(q, n); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
}

// BenchmarkListEnds: the first page of 100 of a list of 100,000 against
// its last, interleaved (enginetest.BenchPageEnds): the network's holders,
// its visits, and a location's visits. See BENCHMARKS.md.
func BenchmarkListEnds(b *testing.B) {
	st := benchStore(b, sqlite.WithSyncNormal())
	seedLists(b, st, listBenchRows)
	enginetest.BenchLists(b, passengine.New(st), listBenchRows)
}
