package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/sqlite"
)

// The SQLite benchmarks. Each pair is an Engine check-in and check-out,
// two units of work. BenchmarkCheckInOut runs with the default durability
// (sync=full: an fsync per commit) and with sync=normal; BenchmarkHistory
// and BenchmarkHolders run with synchronous=NORMAL, so that the disk's
// fsync time (the same for every commit, and noisy on a shared machine)
// does not hide how the data's size changes the cost. See BENCHMARKS.md
// for figures and commands.

// benchStore opens a migrated store in b's temporary directory.
func benchStore(b *testing.B, opts ...sqlite.Option) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkCheckInOut: throughput with 1, 8 and 32 holders checking in
// concurrently (one goroutine each), and with 32 goroutines on one holder.
func BenchmarkCheckInOut(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		var opts []sqlite.Option
		if sync == "normal" {
			opts = append(opts, sqlite.WithSyncNormal())
		}
		bn := enginetest.NewBench(b, benchStore(b, opts...), 32, 32)
		for _, holders := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("sync=%s/holders=%d", sync, holders), func(b *testing.B) {
				bn.CheckInOut(b, holders, enginetest.BenchHolder)
			})
		}
		b.Run(fmt.Sprintf("sync=%s/goroutines=32/holder=1", sync), func(b *testing.B) {
			bn.CheckInOut(b, 32, func(int) string { return enginetest.BenchHolder(0) })
		})
	}
}

// BenchmarkHistory: one holder with 100,000 visits, 100,000 ledger rows
// and 1,000 used-up passes of history, against a fresh holder, on one
// store.
func BenchmarkHistory(b *testing.B) {
	st := benchStore(b, sqlite.WithSyncNormal())
	bn := enginetest.NewBench(b, st, 2, 1)
	seedHistory(b, st, 1, 100_000, 1_000)
	b.Run("fresh", func(b *testing.B) {
		bn.CheckInOut(b, 1, func(int) string { return enginetest.BenchHolder(0) })
	})
	b.Run("history=100000", func(b *testing.B) {
		bn.CheckInOut(b, 1, func(int) string { return enginetest.BenchHolder(1) })
	})
}

// BenchmarkHolders: check-in cost in a network of 1,000 holders against
// one of 1,000,000 (each with a pass, its ledger row, a past visit and an
// idempotency record), for a holder in the middle.
func BenchmarkHolders(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		// The store outlives the sub-benchmark's runs; the first run seeds
		// it, so a -bench filter that skips this size skips its seeding.
		st := benchStore(b, sqlite.WithSyncNormal())
		var bn *enginetest.Bench
		b.Run(fmt.Sprintf("holders=%d", n), func(b *testing.B) {
			if bn == nil {
				bn = enginetest.NewBench(b, st, 1, 1)
				seedHolders(b, st, 1, n)
			}
			bn.CheckInOut(b, 1, func(int) string { return enginetest.BenchHolder(n / 2) })
		})
	}
}

// series is a recursive CTE counting x from ?1 to ?2 - 1.
const series = `WITH RECURSIVE c(x) AS (SELECT ?1 UNION ALL SELECT x + 1 FROM c WHERE x + 1 < ?2) `

// instantSQL formats the SQL datetime expression e as an instant column.
func instantSQL(e string) string { return `strftime('%Y-%m-%dT%H:%M:%S', ` + e + `) || '.000000000Z'` }

// seedHistory gives holder i visits closed visits (an hour apart, ending
// before enginetest.BenchStart), the ledger rows of a history pass they
// used up, and usedUp more used-up passes: bulk SQL in one transaction.
func seedHistory(b *testing.B, st *sqlite.Store, i, visits, usedUp int) {
	b.Helper()
	ctx := context.Background()
	h := enginetest.BenchHolder(i)
	start := `datetime('2010-01-01', '+' || x || ' hours')`
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{series + `INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value, unit_value_currency,
			price, price_currency, paid, paid_at, paid_by, locations, tier, audience, priority, activation, locked, validity_months,
			validity_days, activated_on, activated_by, expires_on, freezes, uses, issued_at, issued_on, code_hash, code_sealed) SELECT 'bench', 'hist-' || ?3 || '-' || x, 'bench-visits', ?3, '', 'visits', 'product',
			?4, 0, '1', 'USD', '100', 'USD', 1, NULL, '', '', 0, '', '', 'on_purchase', 0, 0, 0, '2009-12-31', '', '',
			'', ?4, '2009-12-31T00:00:00.000000000Z', '2009-12-31', '', '' FROM c`, []any{0, usedUp + 1, h, visits}},
		{series + `INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, service_date, cost, pass,
			covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at, late_cancel,
			cancelled_by, fee, terms, settled_at) SELECT 'bench', 'hv-' || ?3 || '-' || x, ?3, 'l0000', 'check_in', 'visits', 'closed',
			` + instantSQL(start) + `, ` + instantSQL(`datetime(`+start+`, '+30 minutes')`) + `, date(` + start + `), 1,
			'hist-' || ?3 || '-0', '', '', '[{"pass":"hist-' || ?3 || '-0","kind":"visits","units":1}]', '', 0, 0, '', NULL, 0, '', '', '', NULL
			FROM c`, []any{0, visits, h}},
		{`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, idem_key, actor, comment)
			VALUES ('bench', 'hl-issue-' || ?1, 'hist-' || ?1 || '-0', ?1, '', '2009-12-31T00:00:00.000000000Z', 'issue', ?2, ?2, '100', 'USD', '', '', '')`,
			[]any{h, visits}},
		{series + `INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, idem_key, actor, comment)
			SELECT 'bench', 'hl-' || ?3 || '-' || x, 'hist-' || ?3 || '-0', ?3, 'hv-' || ?3 || '-' || x, ` + instantSQL(start) + `,
			'use', -1, ?2 - x - 1, '0', '', 'hk-' || x, '', '' FROM c`, []any{0, visits, h}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			b.Fatalf("seed history: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	checkpoint(b, st)
}

// seedHolders adds holders from to n-1 (enginetest.BenchHolder IDs), each
// with a live pass, its issue ledger row, one closed visit before
// enginetest.BenchStart and that visit's idempotency record: bulk SQL in
// one transaction.
func seedHolders(b *testing.B, st *sqlite.Store, from, n int) {
	b.Helper()
	ctx := context.Background()
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	id := func(prefix string) string { return `printf('` + prefix + `%07d', x)` }
	start := `datetime('2025-01-01', '+' || (x % 8760) || ' hours')`
	for _, q := range []string{
		`INSERT INTO holders SELECT 'bench', ` + id("h") + `, '', 'member', '', NULL FROM c`,
		`INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value, unit_value_currency,
			price, price_currency, paid, paid_at, paid_by, locations, tier, audience, priority, activation, locked, validity_months,
			validity_days, activated_on, activated_by, expires_on, freezes, uses, issued_at, issued_on, code_hash, code_sealed) SELECT 'bench', ` + id("p") + `, 'bench-visits', ` + id("h") + `, '', 'visits', 'product',
			1000000000, 999999999, '0.0000001', 'USD', '100', 'USD', 1, NULL, '', '', 0, '', '', 'on_purchase', 0, 0, 0,
			'2025-01-01', '', '', '', 1, '2025-01-01T00:00:00.000000000Z', '2025-01-01', '', '' FROM c`,
		`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, idem_key, actor, comment)
			SELECT 'bench', 'issue-' || ` + id("p") + `, ` + id("p") + `, ` + id("h") + `, '', '2025-01-01T00:00:00.000000000Z',
			'issue', 1000000000, 1000000000, '100', 'USD', '', '', '' FROM c`,
		`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, service_date, cost, pass,
			covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at, late_cancel,
			cancelled_by, fee, terms, settled_at) SELECT 'bench', ` + id("v") + `, ` + id("h") + `, 'l0000', 'check_in', 'visits', 'closed',
			` + instantSQL(start) + `, ` + instantSQL(`datetime(`+start+`, '+30 minutes')`) + `, date(` + start + `), 1,
			` + id("p") + `, '', '', '[{"pass":"' || ` + id("p") + ` || '","kind":"visits","units":1}]', '', 0, 0, '', NULL, 0, '', '', '', NULL FROM c`,
		`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, idem_key, actor, comment)
			SELECT 'bench', 'use-' || ` + id("p") + `, ` + id("p") + `, ` + id("h") + `, ` + id("v") + `, ` + instantSQL(start) + `,
			'use', -1, 999999999, '0', '', ` + id("k") + `, '', '' FROM c`,
		`INSERT INTO idempotency SELECT 'bench', ` + id("k") + `, 'check_in', zeroblob(32), '{}', ` + instantSQL(start) + ` FROM c`,
	} {
		if _, err := tx.ExecContext(ctx, series+q, from, n); err != nil {
			b.Fatalf("seed holders: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	checkpoint(b, st)
}

// checkpoint folds the WAL a bulk load left into the database file, so the
// benchmark does not time that copy.
func checkpoint(b *testing.B, st *sqlite.Store) {
	b.Helper()
	if _, err := st.DB().ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
}
