package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/sqlite"
)

// The hot path's comparisons on SQLite (BENCHMARKS.md, "The hot path";
// bench/run runs them interleaved).

// hotEngine returns an Engine on a new store with network "n" (location
// "l", UTC), holder "h" with live visits passes of one product (never used
// up), and a clock that moves a day per pair.
func hotEngine(b *testing.B, passes int, opts ...sqlite.Option) (*passengine.Engine, *passengine.ManualClock) {
	b.Helper()
	ctx := context.Background()
	st := benchStore(b, opts...)
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(st, passengine.WithClock(clock))
	if err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "USD", Zone: "UTC"}),
		eng.PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Zone: "UTC"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: "n", ID: "p", Kind: pass.Visits, Units: 1_000_000_000,
			Price: money.MustNew("100", "USD"), Activation: pass.OnPurchase}),
	); err != nil {
		b.Fatal(err)
	}
	for i := range passes {
		if _, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: fmt.Sprint("issue-", i), Network: "n", Product: "p", Holder: "h"}); err != nil {
			b.Fatal(err)
		}
	}
	return eng, clock
}

// pairs runs b.N check-in and check-out pairs of holder "h".
func pairs(b *testing.B, eng *passengine.Engine, clock *passengine.ManualClock) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", i), Network: "n", Holder: "h", Location: "l"})
		if err != nil {
			b.Fatal(err)
		}
		clock.Advance(time.Hour)
		if _, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", i), Network: "n", Visit: r.Visit.ID}); err != nil {
			b.Fatal(err)
		}
		clock.Advance(23 * time.Hour)
	}
}

// BenchmarkLivePasses is a pair of a holder with 1, 8, 64 and 512 live
// passes of one product (sync=normal).
func BenchmarkLivePasses(b *testing.B) {
	for _, n := range []int{1, 8, 64, 512} {
		b.Run(fmt.Sprintf("passes=%d", n), func(b *testing.B) {
			eng, clock := hotEngine(b, n, sqlite.WithSyncNormal())
			pairs(b, eng, clock)
		})
	}
}

// BenchmarkPair is the Engine's check-in and check-out pair of one holder
// with one pass, at both durabilities: the side of BenchmarkRawPair's
// comparison.
func BenchmarkPair(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		b.Run("sync="+sync, func(b *testing.B) {
			var opts []sqlite.Option
			if sync == "normal" {
				opts = append(opts, sqlite.WithSyncNormal())
			}
			eng, clock := hotEngine(b, 1, opts...)
			pairs(b, eng, clock)
		})
	}
}

// BenchmarkRawPair is the least a check-in and check-out pair must do,
// written by hand on the store's own schema and connection: two
// transactions, each reading a row, updating one and inserting rows (the
// check-in reads and updates the pass and inserts the visit, a ledger
// entry and an idempotency record; the check-out reads and updates the
// visit and inserts an idempotency record), with prepared statements. The
// Engine's pair (BenchmarkPair) is measured against it.
func BenchmarkRawPair(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		b.Run("sync="+sync, func(b *testing.B) {
			var opts []sqlite.Option
			if sync == "normal" {
				opts = append(opts, sqlite.WithSyncNormal())
			}
			eng, _ := hotEngine(b, 1, opts...)
			st := eng.Store().(*sqlite.Store)
			ctx := context.Background()
			db := st.DB()
			var passID string
			if err := db.QueryRowContext(ctx, `SELECT id FROM passes WHERE network = 'n' AND holder = 'h'`).Scan(&passID); err != nil {
				b.Fatal(err)
			}
			var tx *sql.Tx // the unit of work the statements run in
			prep := func(q string) func(args ...any) error {
				s, err := db.PrepareContext(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				return func(args ...any) error { _, err := tx.StmtContext(ctx, s).ExecContext(ctx, args...); return err }
			}
			readPass, err := db.PrepareContext(ctx, `SELECT balance FROM passes WHERE network = 'n' AND id = ?`)
			if err != nil {
				b.Fatal(err)
			}
			readVisit, err := db.PrepareContext(ctx, `SELECT status FROM visits WHERE network = 'n' AND id = ?`)
			if err != nil {
				b.Fatal(err)
			}
			updatePass := prep(`UPDATE passes SET balance = balance - 1, uses = uses + 1 WHERE network = 'n' AND id = ?`)
			insertVisit := prep(`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, service_date,
				cost, pass, covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at,
				late_cancel, cancelled_by, fee, terms, settled_at) VALUES ('n', ?, 'h', 'l', 'check_in', 'visits', 'open', ?, NULL, ?,
				1, ?, '', '', ?, '', 0, 0, '', NULL, 0, '', '', '', NULL)`)
			insertEntry := prep(`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount,
				amount_currency, idem_key, actor, comment) VALUES ('n', ?, ?, 'h', ?, ?, 'use', -1, ?, '0', '', ?, '', '')`)
			insertRecord := prep(`INSERT INTO idempotency (network, key, operation, request, result, at) VALUES ('n', ?, ?, ?, ?, ?)`)
			updateVisit := prep(`UPDATE visits SET status = 'closed', end_at = ? WHERE network = 'n' AND id = ?`)
			request, result := make([]byte, 33), []byte(`{"visit":{"id":"v"}}`)
			at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				visit, start := fmt.Sprint("raw-visit-", i), at.Add(time.Duration(i)*24*time.Hour).Format("2006-01-02T15:04:05.000000000Z")
				tx, err = db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				var balance int
				if err := tx.StmtContext(ctx, readPass).QueryRowContext(ctx, passID).Scan(&balance); err != nil {
					b.Fatal(err)
				}
				if err := errors.Join(updatePass(passID), insertVisit(visit, start, start[:10], passID, `[{"pass":"`+passID+`","kind":"visits","units":1}]`),
					insertEntry(visit+"-use", passID, visit, start, balance-1, fmt.Sprint("raw-in-", i)),
					insertRecord(fmt.Sprint("raw-in-", i), "check_in", request, result, start)); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				tx, err = db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				var status string
				if err := tx.StmtContext(ctx, readVisit).QueryRowContext(ctx, visit).Scan(&status); err != nil {
					b.Fatal(err)
				}
				if err := errors.Join(updateVisit(start, visit), insertRecord(fmt.Sprint("raw-out-", i), "check_out", request, result, start)); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
