package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/passengine/passengine/store"
)

// tx is one unit of work: a pgx transaction and the repositories on it.
// Every statement goes through exec, query or queryRow, which apply the
// test fault hook.
type tx struct {
	s     *Store
	tx    pgx.Tx
	write bool
}

func (t *tx) Catalog() store.Catalog         { return catalogRepo{t} }
func (t *tx) Passes() store.Passes           { return passRepo{t} }
func (t *tx) Visits() store.Visits           { return visitRepo{t} }
func (t *tx) Ledger() store.Ledger           { return ledgerRepo{t} }
func (t *tx) Idempotency() store.Idempotency { return idemRepo{t} }
func (t *tx) Guards() store.Guards           { return guardRepo{t} }
func (t *tx) Terms() store.Terms             { return termsRepo{t} }

// writable returns ErrReadOnly inside View.
func (t *tx) writable() error {
	if !t.write {
		return ErrReadOnly
	}
	return nil
}

func (t *tx) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.s.inject("statement", sql, args); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.tx.Exec(ctx, sql, args...)
}

func (t *tx) query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.s.inject("statement", sql, args); err != nil {
		return nil, err
	}
	return t.tx.Query(ctx, sql, args...)
}

func (t *tx) queryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.s.inject("statement", sql, args); err != nil {
		return errRow{err}
	}
	return t.tx.QueryRow(ctx, sql, args...)
}

// errRow is a pgx.Row whose Scan returns err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// collect runs a query and scans each row with scan, returning the rows'
// values in order.
func collect[T any](ctx context.Context, t *tx, what string, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, sql, args...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err, what)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, what)
	}
	return out, nil
}

// one runs a query expected to return one row and scans it; no row is
// store.ErrNotFound.
func one[T any](ctx context.Context, t *tx, what string, scan func(pgx.Row) (T, error), sql string, args ...any) (T, error) {
	v, err := scan(t.queryRow(ctx, sql, args...))
	if err != nil {
		var zero T
		return zero, mapErr(err, what)
	}
	return v, nil
}

// page returns the OFFSET and LIMIT clause of a listing; limit 0 means no
// limit.
func page(offset, limit int, args *[]any) string {
	s := ""
	if limit > 0 {
		*args = append(*args, limit)
		s += " LIMIT $" + itoa(len(*args))
	}
	if offset > 0 {
		*args = append(*args, offset)
		s += " OFFSET $" + itoa(len(*args))
	}
	return s
}

// where appends "AND col = $n" for a non-empty value.
func where(sql *string, args *[]any, col string, v string) {
	if v == "" {
		return
	}
	*args = append(*args, v)
	*sql += " AND " + col + " = $" + itoa(len(*args))
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
