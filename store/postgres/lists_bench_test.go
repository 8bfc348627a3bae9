package postgres_test

import (
	"strings"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/postgres"
)

// listBenchRows is how many holders, and visits, the list benchmark seeds.
const listBenchRows = 100_000

// BenchmarkListEnds: the first page of 100 of a list of 100,000 against
// its last, interleaved (enginetest.BenchPageEnds): the network's holders,
// its visits, and a location's visits, on analyzed tables. See
// BENCHMARKS.md.
func BenchmarkListEnds(b *testing.B) {
	st := postgres.NewTestStore(b)
	for _, q := range []string{
		`INSERT INTO networks (id, name, currency, zone) VALUES ('lbench', 'Lists', 'USD', 'UTC')`,
		`INSERT INTO locations (network, id, name, zone, day_cutoff_ns, tier) VALUES ('lbench', 'club', 'Club', 'UTC', 0, 0)`,
		`INSERT INTO holders (network, id, name, audience, team)
		SELECT 'lbench', 'h' || lpad(x::text, 7, '0'), 'Holder', 'member', '' FROM generate_series(0, $1::int - 1) x`,
		`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
			covered_by, payg, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
		SELECT 'lbench', 'v' || lpad(x::text, 7, '0'), 'h' || lpad(x::text, 7, '0'), 'club', 'check_in', 'visits', 'closed',
			timestamptz '2025-01-01' + x * interval '1 minute', timestamptz '2025-01-01' + (x + 1) * interval '1 minute',
			(timestamptz '2025-01-01' + x * interval '1 minute')::date, 1, '', '', '', 0, false, '', false, '', ''
		FROM generate_series(0, $1::int - 1) x`,
		`ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, listBenchRows)
		}
		if err := postgres.Exec(st, q, args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	enginetest.BenchLists(b, passengine.New(st), listBenchRows)
}
