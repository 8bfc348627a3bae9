package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
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

// syncOptions returns the store's options of durability sync: "full" (the
// default) or "normal".
func syncOptions(sync string) []sqlite.Option {
	if sync == "normal" {
		return []sqlite.Option{sqlite.WithSyncNormal()}
	}
	return nil
}

// pairs runs b.N check-in and check-out pairs of holder "h".
func pairs(b *testing.B, eng *passengine.Engine, clock *passengine.ManualClock) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		pair(b, eng, clock, fmt.Sprint("in-", i), fmt.Sprint("out-", i), nil)
	}
}

// pair checks holder "h" in at location "l" under key in, an hour later
// out under key out, and moves the clock to the next day. A non-nil mark
// is called before each of the two calls.
func pair(b *testing.B, eng *passengine.Engine, clock *passengine.ManualClock, in, out string, mark func()) {
	ctx := context.Background()
	if mark != nil {
		mark()
	}
	r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: in, Network: "n", Holder: "h", Location: "l"})
	if err != nil {
		b.Fatal(err)
	}
	clock.Advance(time.Hour)
	if mark != nil {
		mark()
	}
	if _, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: out, Network: "n", Visit: r.Visit.ID}); err != nil {
		b.Fatal(err)
	}
	clock.Advance(23 * time.Hour)
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
			eng, clock := hotEngine(b, 1, syncOptions(sync)...)
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
			eng, _ := hotEngine(b, 1, syncOptions(sync)...)
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

// The replay's variants, for measuring what one statement costs and what
// a state read checked by PRAGMA data_version would (BENCHMARKS.md, "The
// stop of 2026-12-02, second"): go test -run '^$' -bench
// 'EngineStatements/sync=normal' ./store/sqlite -args -replay.skip 0.1.
var (
	replaySkip            = flag.String("replay.skip", "", "BenchmarkEngineStatements leaves out statement `U.S` (unit of work U, 0 the check-in, 1 the check-out; statement S, 0 its state read)")
	replayProbe           = flag.Bool("replay.probe", false, "BenchmarkEngineStatements sends PRAGMA data_version and the key's lookup in place of each state read")
	replayNoVisitVersions = flag.Bool("replay.novisitversions", false, "BenchmarkEngineStatements leaves the visits' versions out of each state read's head row (NULL in their place)")
)

// capturedStatement is a statement the Engine sent in a unit of work, for
// BenchmarkEngineStatements: its text, arguments (byte slices copied),
// whether it returns rows, and for a state read how many rows the Engine
// stepped through (-1: all of them).
type capturedStatement struct {
	query string
	args  []any
	rows  bool
	read  int
	cols  int // the columns it returns, once known
}

// captureUnits runs call with the store's statements traced and returns
// them as units of work: a new unit starts at each call of mark.
func captureUnits(b *testing.B, call func(mark func())) [][]capturedStatement {
	b.Helper()
	var units [][]capturedStatement
	mark := func() { units = append(units, nil) }
	stop := sqlite.TraceStatements(func(query string, args []any, rows bool) {
		copied := make([]any, len(args))
		for i, a := range args {
			if x, ok := a.([]byte); ok {
				a = bytes.Clone(x)
			}
			copied[i] = a
		}
		u := &units[len(units)-1]
		*u = append(*u, capturedStatement{query: query, args: copied, rows: rows, read: -1})
	}, func(n int) {
		u := units[len(units)-1]
		u[len(u)-1].read = n
	})
	defer stop()
	call(mark)
	return units
}

// BenchmarkEngineStatements replays by hand the statements the Engine's
// pair sends (BenchmarkPair's), captured from one pair: each unit of work
// in a transaction of its own, prepared statements, each state read
// stepped through as many rows as the Engine stepped, with the pair's new
// IDs and keys made new and its instants moved a day on for each
// iteration, as the Engine's clock moves. It is the Engine's SQL without
// the Engine: between BenchmarkRawPair (the least a pair must do) and
// BenchmarkPair, it says how much of the Engine's cost over the raw loop
// is its statements and how much its Go code.
func BenchmarkEngineStatements(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		b.Run("sync="+sync, func(b *testing.B) {
			eng, clock := hotEngine(b, 1, syncOptions(sync)...)
			ctx := context.Background()
			db := eng.Store().(*sqlite.Store).DB()
			var passID string
			if err := db.QueryRowContext(ctx, `SELECT id FROM passes WHERE network = 'n' AND holder = 'h'`).Scan(&passID); err != nil {
				b.Fatal(err)
			}
			for i := range 3 { // warm: caches filled, statements prepared
				pair(b, eng, clock, fmt.Sprint("warm-in-", i), fmt.Sprint("warm-out-", i), nil)
			}
			units := captureUnits(b, func(mark func()) { pair(b, eng, clock, "cap-in", "cap-out", mark) })
			if len(units) != 2 {
				b.Fatalf("captured %d units of work, want 2", len(units))
			}
			if *replayNoVisitVersions {
				// What the head's versions of the visits cost (BENCHMARKS.md,
				// "The stop of 2026-12-02, fourth"): their columns as NULL,
				// cut by hand from the captured text.
				cut := func(q, prefix string) string {
					for {
						i := strings.Index(q, prefix)
						if i < 0 {
							return q
						}
						depth, j := 0, i
						for ; j < len(q); j++ {
							if q[j] == '(' {
								depth++
							} else if q[j] == ')' {
								if depth--; depth == 0 {
									break
								}
							}
						}
						q = q[:i] + "NULL" + q[j+1:]
					}
				}
				for _, u := range units {
					for j := range u {
						u[j].query = cut(cut(u[j].query, "(SELECT group_concat("), "(SELECT version * 4 + ")
					}
				}
			}
			prepared := map[string]*sql.Stmt{}
			for _, u := range units {
				for _, s := range u {
					if prepared[s.query] == nil {
						st, err := db.PrepareContext(ctx, s.query)
						if err != nil {
							b.Fatal(err)
						}
						b.Cleanup(func() { st.Close() })
						prepared[s.query] = st
					}
				}
			}
			// How each argument changes from iteration to iteration: the
			// pair's keys and new IDs (UUIDs but the pass's) get the
			// iteration's number, instants and dates move a day on.
			const (
				keep = iota
				number
				instant
				date
			)
			change := func(a any) (int, time.Time) {
				x, ok := a.(string)
				if !ok {
					return keep, time.Time{}
				}
				if x == "cap-in" || x == "cap-out" || len(x) == 36 && x != passID && uuid.Validate(x) == nil {
					return number, time.Time{}
				}
				if t, err := time.Parse(sqlutilTimeLayout, x); err == nil {
					return instant, t
				}
				if t, err := time.Parse(time.DateOnly, x); err == nil {
					return date, t
				}
				return keep, time.Time{}
			}
			type arg struct {
				how int
				at  time.Time
			}
			changes := make([][][]arg, len(units))
			for k, u := range units {
				changes[k] = make([][]arg, len(u))
				for j, s := range u {
					for _, a := range s.args {
						how, at := change(a)
						changes[k][j] = append(changes[k][j], arg{how, at})
					}
				}
			}
			probe, err := db.PrepareContext(ctx, "PRAGMA data_version")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { probe.Close() })
			keyLookup, err := db.PrepareContext(ctx, "SELECT operation FROM idempotency WHERE network = ? AND key = ?")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { keyLookup.Close() })
			vals := make([]any, 64)
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			args := make([]any, 0, 64)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				for k, u := range units {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					for j := range u {
						s := &u[j]
						if *replaySkip == strconv.Itoa(k)+"."+strconv.Itoa(j) {
							continue
						}
						args = args[:0]
						for x, a := range s.args {
							switch c := changes[k][j][x]; c.how {
							case number:
								a = a.(string) + "-" + strconv.Itoa(i)
							case instant:
								a = c.at.AddDate(0, 0, i+1).Format(sqlutilTimeLayout)
							case date:
								a = c.at.AddDate(0, 0, i+1).Format(time.DateOnly)
							}
							args = append(args, a)
						}
						if *replayProbe && s.read >= 0 {
							// The state read as a cache checked by
							// data_version would make it: the probe and
							// the key's lookup (the state query's ?1 and
							// ?9).
							var v int64
							if err := tx.StmtContext(ctx, probe).QueryRowContext(ctx).Scan(&v); err != nil {
								b.Fatal(err)
							}
							var op string
							if err := tx.StmtContext(ctx, keyLookup).QueryRowContext(ctx, args[0], args[8]).Scan(&op); !errors.Is(err, sql.ErrNoRows) {
								b.Fatalf("key lookup: %v", err)
							}
							continue
						}
						st := tx.StmtContext(ctx, prepared[s.query])
						if !s.rows {
							if _, err := st.ExecContext(ctx, args...); err != nil {
								b.Fatalf("%s: %v", s.query, err)
							}
							continue
						}
						rows, err := st.QueryContext(ctx, args...)
						if err != nil {
							b.Fatal(err)
						}
						if s.cols == 0 {
							cols, err := rows.Columns()
							if err != nil {
								b.Fatal(err)
							}
							s.cols = len(cols)
						}
						for n := 0; (s.read < 0 || n < s.read) && rows.Next(); n++ {
							if err := rows.Scan(ptrs[:s.cols]...); err != nil {
								b.Fatal(err)
							}
						}
						if err := rows.Close(); err != nil {
							b.Fatal(err)
						}
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// sqlutilTimeLayout is the layout of the store's instants
// (internal/sqlutil.TimeLayout).
const sqlutilTimeLayout = "2006-01-02T15:04:05.000000000Z"
