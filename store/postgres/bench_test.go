package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/postgres"
)

// The PostgreSQL benchmarks. Each op is a pair: an Engine check-in and
// check-out, two units of work (two transactions). The bulk loads below
// run only under -bench, never in a normal test run. See BENCHMARKS.md for
// figures and commands.

// benchConns is the pool size of the benchmark stores: one connection per
// client, as pgbench -c 32 opens.
const benchConns = 32

// BenchmarkCheckInOut: throughput with 1, 8 and 32 holders checking in
// concurrently (one goroutine each), and with 32 goroutines on one holder,
// in a network of 10,000 holders with a visit each, analyzed before the
// run as pgbench -i analyzes its tables: the planner sees tables the size
// of a running club's, not empty ones.
func BenchmarkCheckInOut(b *testing.B) {
	st := postgres.NewTestStore(b, postgres.WithMaxConns(benchConns))
	bn := enginetest.NewBench(b, st, 32, 32)
	seedHolders(b, st, 32, 10_000)
	for _, holders := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("holders=%d", holders), func(b *testing.B) {
			bn.CheckInOut(b, holders, enginetest.BenchHolder)
		})
	}
	b.Run("goroutines=32/holder=1", func(b *testing.B) {
		bn.CheckInOut(b, 32, func(int) string { return enginetest.BenchHolder(0) })
	})
}

// checkInHolders is how many holders BenchmarkCheckIn seeds: each
// check-in takes one, so a run of more check-ins than this fails.
const checkInHolders = 100_000

// BenchmarkCheckIn: check-ins alone, each of a holder not in yet and each
// its own unit of work, with 1, 8 and 32 clients, in a network of
// checkInHolders analyzed holders with a live pass each: the figure to set
// against pgbench's transactions per second.
func BenchmarkCheckIn(b *testing.B) {
	st := postgres.NewTestStore(b, postgres.WithMaxConns(benchConns))
	bn := enginetest.NewBench(b, st, 0, 32)
	seedHolders(b, st, 0, checkInHolders)
	for _, clients := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			bn.CheckIns(b, clients, checkInHolders)
		})
	}
}

// BenchmarkHistory: one holder with 100,000 closed visits, 100,001 ledger
// rows, 100,000 idempotency records and 1,001 used-up passes of history
// (B), against a fresh holder (A), in one store, their pairs interleaved
// (enginetest.Bench.CheckInOutAgainst), with synchronous_commit off as in
// BenchmarkHolders (asyncDSN): the two holders' pairs wait for the same
// fsyncs, whose latency is not the history's.
func BenchmarkHistory(b *testing.B) {
	st := postgres.NewTestStoreDSN(b, asyncDSN(b), postgres.WithMaxConns(benchConns))
	bn := enginetest.NewBench(b, st, 2, 1)
	seedHistory(b, st, 1, 100_000, 1_000)
	b.Run("history=100000_vs_fresh", func(b *testing.B) {
		bn.CheckInOutAgainst(b, enginetest.BenchHolder(0), bn, enginetest.BenchHolder(1))
	})
}

// BenchmarkHolders: check-in cost in a network of 1,000 holders (A)
// against one of 1,000,000 (B), each holder with a live pass, its issue
// ledger row, a past visit, its use ledger row and an idempotency record,
// for a holder in the middle, their pairs interleaved
// (enginetest.Bench.CheckInOutAgainst). Both networks are seeded and
// settled before either is measured, so that neither side runs while the
// server still works off the other's bulk load; and both run with
// synchronous_commit off (asyncDSN): a pair's two commits wait for the
// same two WAL fsyncs whatever the network's size, and on a shared disk
// their latency, which varies twofold from one minute to the next, made
// the ratio the disk's.
func BenchmarkHolders(b *testing.B) {
	sizes := []int{1_000, 1_000_000}
	benches := make([]*enginetest.Bench, len(sizes))
	for i, n := range sizes {
		st := postgres.NewTestStoreDSN(b, asyncDSN(b), postgres.WithMaxConns(benchConns))
		benches[i] = enginetest.NewBench(b, st, 1, 1)
		seedHolders(b, st, 1, n)
	}
	b.Run("holders=1000000_vs_1000", func(b *testing.B) {
		benches[0].CheckInOutAgainst(b, enginetest.BenchHolder(sizes[0]/2), benches[1], enginetest.BenchHolder(sizes[1]/2))
	})
}

// asyncDSN returns the test database's DSN with synchronous_commit off in
// every session: a COMMIT returns once its WAL is written, before the
// fsync (a crash may lose the last commits, never corrupt the database).
func asyncDSN(b *testing.B) string {
	dsn := postgres.RequireDSN(b)
	switch {
	case !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://"):
		return dsn + " synchronous_commit=off" // keyword=value form
	case strings.Contains(dsn, "?"):
		return dsn + "&synchronous_commit=off"
	}
	return dsn + "?synchronous_commit=off"
}

// exec runs bulk SQL statements on st and fails b on an error.
func exec(b *testing.B, st *postgres.Store, what string, stmts ...string) {
	b.Helper()
	for _, q := range stmts {
		if err := postgres.Exec(st, q); err != nil {
			b.Fatalf("%s: %v", what, err)
		}
	}
}

// seedHistory gives holder i visits closed visits (an hour apart, ending
// before enginetest.BenchStart) paid by a history pass they used up, that
// pass's issue and use ledger rows, the visits' idempotency records, and
// usedUp more used-up passes: generate_series, one statement per table.
func seedHistory(b *testing.B, st *postgres.Store, i, visits, usedUp int) {
	b.Helper()
	h := enginetest.BenchHolder(i)
	hist := fmt.Sprintf("'hist-%s-' || x", h)
	start := `(timestamptz '2010-01-01 00:00:00+00' + x * interval '1 hour')`
	exec(b, st, "seed history",
		fmt.Sprintf(`INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
			unit_value_currency, price, price_currency, paid, paid_by, tier, audience, priority, activation, locked,
			validity_months, validity_days, activated_on, activated_by, uses, issued_at, issued_on, code_hash, code_sealed)
		SELECT 'bench', %s, 'bench-visits', '%s', '', 'visits', 'product', %d, 0, 1, 'USD', 100, 'USD', true, '', 0, '',
			'', 'on_purchase', false, 0, 0, date '2009-12-31', '', %d, timestamptz '2009-12-31 00:00:00+00',
			date '2009-12-31', '', '' FROM generate_series(0, %d) x`, hist, h, visits, visits, usedUp),
		fmt.Sprintf(`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, date, cost,
			pass, covered_by, payg, consumptions, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
		SELECT 'bench', 'hv-%[1]s-' || x, '%[1]s', 'l0000', 'check_in', 'visits', 'closed', %[2]s,
			%[2]s + interval '30 minutes', (%[2]s)::date, 1, 'hist-%[1]s-0', '', '',
			jsonb_build_array(jsonb_build_object('pass', 'hist-%[1]s-0', 'kind', 'visits', 'units', 1)),
			0, false, '', false, '', '' FROM generate_series(0, %[3]d) x`, h, start, visits-1),
		fmt.Sprintf(`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
		VALUES ('bench', 'hl-issue-%[1]s', 'hist-%[1]s-0', '%[1]s', '', timestamptz '2009-12-31 00:00:00+00', 'issue', %[2]d, %[2]d, 100, 'USD', '', '', '')`,
			h, visits),
		fmt.Sprintf(`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
		SELECT 'bench', 'hl-%[1]s-' || x, 'hist-%[1]s-0', '%[1]s', 'hv-%[1]s-' || x, %[2]s, 'use', -1, %[3]d - x - 1, 0, '',
			'hk-%[1]s-' || x, '', '' FROM generate_series(0, %[4]d) x`, h, start, visits, visits-1),
		fmt.Sprintf(`INSERT INTO idempotency (network, key, operation, request, result, at)
		SELECT 'bench', 'hk-%[1]s-' || x, 'check_in', '\x00'::bytea, '{}'::bytea, %[2]s FROM generate_series(0, %[3]d) x`,
			h, start, visits-1),
	)
	settle(b, st)
}

// seedHolders adds holders from to n-1 (enginetest.BenchHolder IDs), each
// with a live pass, its issue ledger row, one closed visit before
// enginetest.BenchStart with its use ledger row, and that visit's
// idempotency record: generate_series, one statement per table.
func seedHolders(b *testing.B, st *postgres.Store, from, n int) {
	b.Helper()
	id := func(prefix string) string { return `'` + prefix + `' || lpad(x::text, 7, '0')` }
	start := `(timestamptz '2025-01-01 00:00:00+00' + (x % 8760) * interval '1 hour')`
	series := fmt.Sprintf(` FROM generate_series(%d, %d) x`, from, n-1)
	exec(b, st, "seed holders",
		`INSERT INTO holders (network, id, name, audience, team) SELECT 'bench', `+id("h")+`, '', 'member', ''`+series,
		`INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
			unit_value_currency, price, price_currency, paid, paid_by, tier, audience, priority, activation, locked,
			validity_months, validity_days, activated_on, activated_by, uses, issued_at, issued_on, code_hash, code_sealed)
		SELECT 'bench', `+id("p")+`, 'bench-visits', `+id("h")+`, '', 'visits', 'product', 1000000000, 999999999,
			0.0000001, 'USD', 100, 'USD', true, '', 0, '', '', 'on_purchase', false, 0, 0, date '2025-01-01', '', 1,
			timestamptz '2025-01-01 00:00:00+00', date '2025-01-01', '', ''`+series,
		`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
		SELECT 'bench', 'issue-' || `+id("p")+`, `+id("p")+`, `+id("h")+`, '', timestamptz '2025-01-01 00:00:00+00',
			'issue', 1000000000, 1000000000, 100, 'USD', '', '', ''`+series,
		`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
			covered_by, payg, consumptions, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
		SELECT 'bench', `+id("v")+`, `+id("h")+`, 'l0000', 'check_in', 'visits', 'closed', `+start+`,
			`+start+` + interval '30 minutes', (`+start+`)::date, 1, `+id("p")+`, '', '',
			jsonb_build_array(jsonb_build_object('pass', `+id("p")+`, 'kind', 'visits', 'units', 1)),
			0, false, '', false, '', ''`+series,
		`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
		SELECT 'bench', 'use-' || `+id("p")+`, `+id("p")+`, `+id("h")+`, `+id("v")+`, `+start+`,
			'use', -1, 999999999, 0, '', `+id("k")+`, '', ''`+series,
		`INSERT INTO idempotency (network, key, operation, request, result, at)
		SELECT 'bench', `+id("k")+`, 'check_in', '\x00'::bytea, '{}'::bytea, `+start+series,
	)
	settle(b, st)
}

// settle leaves st's seeded tables as a running club's database is once
// autovacuum has been by: vacuumed (the visibility map and hint bits set,
// so the first reads of the bulk load do not write them) and analyzed, and
// the load's dirty pages written by a checkpoint, so that neither an
// autovacuum woken by the load nor the checkpointer runs during the
// measurement of the larger seed only.
func settle(b *testing.B, st *postgres.Store) {
	b.Helper()
	exec(b, st, "settle the seed",
		`VACUUM (ANALYZE) holders, passes, ledger, visits, idempotency`,
		`CHECKPOINT`)
}
