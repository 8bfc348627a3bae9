package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// errReadOnly is returned by a write inside View.
var errReadOnly = errors.New("sqlite: write in a read-only unit of work")

// tx is one unit of work: the repositories share its SQL transaction.
type tx struct {
	s     *Store
	tx    *sql.Tx
	write bool

	// In an Update, the owners whose live passes a state read saw and the
	// passes put since, for the cache of live passes (tx.install).
	owners map[ownerKey]ownerRead
	puts   []*pass.Pass
	putErr bool

	// In an Update, the rows read that a put may write back by their
	// changed columns only (rowdiff.go).
	snaps []rowSnap

	// In an Update, the visit rows read and written, for the memo once
	// the unit of work commits (visitmemo.go).
	learnt [][]any

	// In an Update, the catalog rows state reads saw, for the catalog
	// cache once the unit of work commits (catcache.go).
	catFills []catFill
}

func (t *tx) Catalog() store.Catalog         { return catalogRepo{t} }
func (t *tx) Passes() store.Passes           { return passRepo{t} }
func (t *tx) Visits() store.Visits           { return visitRepo{t} }
func (t *tx) Ledger() store.Ledger           { return ledgerRepo{t} }
func (t *tx) Idempotency() store.Idempotency { return idemRepo{t} }
func (t *tx) Guards() store.Guards           { return guardRepo{t} }
func (t *tx) Terms() store.Terms             { return termsRepo{t} }
func (t *tx) Cards() store.Cards             { return cardRepo{t} }

// statementTrace sees what units of work send to SQLite: each statement
// with its arguments, and how many rows each state read stepped through.
// Only tests set one (export_test.go: the replay of the Engine's own
// statements, BenchmarkEngineStatements).
type statementTrace struct {
	statement func(query string, args []any, rows bool)
	stateRows func(n int)
}

// tracing is the statement trace, nil for none.
var tracing atomic.Pointer[statementTrace]

// trace passes a statement to the trace, if any: rows says whether it
// returns rows.
func trace(query string, args []any, rows bool) {
	if tr := tracing.Load(); tr != nil {
		tr.statement(query, args, rows)
	}
}

// exec runs a write statement.
func (t *tx) exec(ctx context.Context, query string, args ...any) error {
	if !t.write {
		return errReadOnly
	}
	t.s.statements.Add(1)
	trace(query, args, false)
	var err error
	if st := t.s.cached(true, query); st != nil {
		_, err = t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		_, err = t.tx.ExecContext(ctx, query, args...)
	}
	return mapErr(err)
}

// execCount runs a write statement and returns how many rows it changed.
func (t *tx) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	if !t.write {
		return 0, errReadOnly
	}
	t.s.statements.Add(1)
	trace(query, args, false)
	var res sql.Result
	var err error
	if st := t.s.cached(true, query); st != nil {
		res, err = t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n, mapErr(err)
}

// query runs a statement that returns rows, prepared when it can be.
func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.s.statements.Add(1)
	trace(query, args, true)
	if st := t.s.cached(t.write, query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// queryRow is query for one row.
func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	t.s.statements.Add(1)
	trace(query, args, true)
	if st := t.s.cached(t.write, query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// one returns the single row query selects, decoded by scan, or an error
// wrapping store.ErrNotFound that names what.
func one[T any](ctx context.Context, t *tx, scan func(scanner) (T, error), what string, query string, args ...any) (T, error) {
	v, err := scan(t.queryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return v, mapErr(err)
}

// list returns every row query selects, decoded by scan.
func list[T any](ctx context.Context, t *tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}

// exists returns nil if query selects a row, and an error wrapping
// store.ErrNotFound that names what otherwise.
func exists(ctx context.Context, t *tx, what, query string, args ...any) error {
	var one int
	err := t.queryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return mapErr(err)
}

// upsert returns an INSERT of cols into table that replaces the row with
// the same key columns (the first nkey of cols) in place. Unlike INSERT OR
// REPLACE it never deletes a row that conflicts on another unique index:
// that conflict is an error (store.ErrConflict).
func upsert(table string, nkey int, cols ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES (?%s) ON CONFLICT (%s) DO UPDATE SET ",
		table, strings.Join(cols, ", "), strings.Repeat(", ?", len(cols)-1), strings.Join(cols[:nkey], ", "))
	for i, c := range cols[nkey:] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	return b.String()
}

// insert returns a plain INSERT of cols into table.
func insert(table string, cols ...string) string {
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (?%s)", table, strings.Join(cols, ", "), strings.Repeat(", ?", len(cols)-1))
}

// limit returns the SQLite LIMIT of a filter's Limit: -1 (none) for 0.
func limit(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// b2i stores a bool as 0 or 1 (an int64, which the driver takes as it
// is, without reflection).
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// timeArg returns the argument that stores t: NULL for nil, else its text
// (sqlutil.FormatTime). It is what sqlutil.FormatTimePtr's value stores,
// as a driver value: an interface holding a sql.NullString costs an
// allocation and the driver's reflection on its Value method.
func timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return sqlutil.FormatTime(*t)
}
