package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// tx is one unit of work: a pooled connection, the transaction on it and
// the repositories. The transaction is begun by the first statement sent
// (BEGIN goes in the same round trip), and writes held by Defer go with the
// next statement or the COMMIT. Every statement goes through exec, query,
// queryRow or send, which apply the test fault hook.
type tx struct {
	s    *Store
	conn *pgxpool.Conn
	// begin is the BEGIN statement until it is sent, then "".
	begin string
	write bool
	// held are the writes Defer holds, in order.
	held    []heldWrite
	heldBuf [4]heldWrite // held's first array: a check-in holds four
	// loaded are the passes LoadState read after the locks, each replaced
	// by its copy when Defer writes it (narrowPass compares with them).
	loaded []*pass.Pass
	// catalogWritten is set once the unit of work puts a row of the
	// catalog cache's (putCatalog): it then caches nothing.
	catalogWritten bool
	// visits are the visits the unit of work read or wrote (Update only):
	// Defer upserts those and inserts the others (newvisit.go).
	visits   []visitKey
	visitBuf [4]visitKey // visits' first array
}

// heldWrite is a statement held by Defer; what names it in errors.
type heldWrite struct {
	sql  string
	args []any
	// what names the write in errors, with id when it is set (name).
	what, id string
	// affects is set when the write must change a row: one that changes
	// none fails the unit of work with store.ErrConflict.
	affects bool
	// newVisit is the visit a plain INSERT of Defer writes (newvisit.go),
	// when isNew is set.
	newVisit visitKey
	isNew    bool
}

// name is what with the quoted ID: "put visit \"v1\"".
func (h *heldWrite) name() string {
	if h.id == "" {
		return h.what
	}
	return h.what + " " + strconv.Quote(h.id)
}

// heldError is the mapped error of a held write: mapErr leaves it as it is.
type heldError struct{ err error }

func (e *heldError) Error() string { return e.err.Error() }
func (e *heldError) Unwrap() error { return e.err }

func (t *tx) Catalog() store.Catalog         { return catalogRepo{t} }
func (t *tx) Passes() store.Passes           { return passRepo{t} }
func (t *tx) Visits() store.Visits           { return visitRepo{t} }
func (t *tx) Ledger() store.Ledger           { return ledgerRepo{t} }
func (t *tx) Idempotency() store.Idempotency { return idemRepo{t} }
func (t *tx) Guards() store.Guards           { return guardRepo{t} }
func (t *tx) Terms() store.Terms             { return termsRepo{t} }
func (t *tx) Cards() store.Cards             { return cardRepo{t} }

// writable returns ErrReadOnly inside View.
func (t *tx) writable() error {
	if !t.write {
		return ErrReadOnly
	}
	return nil
}

// direct reports whether a statement can go alone: the transaction has
// begun and no write is held.
func (t *tx) direct() bool { return t.begin == "" && len(t.held) == 0 }

// send sends stmts in one round trip, preceded by BEGIN when the
// transaction has not begun and by the held writes. It reads the results
// of those and returns stmts', which the caller reads and closes. The
// error of BEGIN or of a held write is returned mapped.
func (t *tx) send(ctx context.Context, stmts ...sqlStmt) (pgx.BatchResults, error) {
	var pre [1]sqlStmt
	first := pre[:0]
	if t.begin != "" {
		first = append(first, sqlStmt{sql: t.begin})
	}
	held := t.held
	var heldBuf [8]sqlStmt
	heldStmts := heldBuf[:0]
	for _, h := range held {
		heldStmts = append(heldStmts, sqlStmt{h.sql, h.args})
	}
	br, ok, err := t.sendStmts(ctx, first, heldStmts, stmts)
	if err != nil {
		return nil, mapErr(err, "send")
	}
	if !ok { // a statement beyond the connection's prepared ones
		all := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(first)+len(held)+len(stmts))}
		for _, part := range [...][]sqlStmt{first, heldStmts, stmts} {
			for _, st := range part {
				all.Queue(st.sql, st.args...)
			}
		}
		t.s.roundTrips.Add(1)
		br = t.conn.SendBatch(ctx, all)
	}
	begin := t.begin != ""
	t.begin, t.held = "", nil
	if begin {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, mapErr(err, "begin")
		}
	}
	for _, h := range held {
		tag, err := br.Exec()
		if err == nil && h.affects && tag.RowsAffected() == 0 {
			err = fmt.Errorf("no row to update: %w", store.ErrConflict)
		}
		if err != nil && h.isNew {
			t.s.visitExisted(h.newVisit, err)
		}
		if err != nil {
			_ = br.Close()
			return nil, &heldError{mapErr(err, h.name())}
		}
	}
	return br, nil
}

// sendOne is send of one statement.
func (t *tx) sendOne(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	return t.send(ctx, sqlStmt{sql, args})
}

func (t *tx) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.s.inject("statement", sql, args); err != nil {
		return pgconn.CommandTag{}, err
	}
	if t.direct() {
		t.s.roundTrips.Add(1)
		return t.conn.Exec(ctx, sql, args...)
	}
	br, err := t.sendOne(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (t *tx) query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.s.inject("statement", sql, args); err != nil {
		return nil, err
	}
	if t.direct() {
		t.s.roundTrips.Add(1)
		return t.conn.Query(ctx, sql, args...)
	}
	br, err := t.sendOne(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return batchRows{rows, br}, nil
}

func (t *tx) queryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.s.inject("statement", sql, args); err != nil {
		return errRow{err}
	}
	if t.direct() {
		t.s.roundTrips.Add(1)
		return t.conn.QueryRow(ctx, sql, args...)
	}
	br, err := t.sendOne(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	return batchRow{br.QueryRow(), br}
}

// hold queues a write for the next statement or the commit.
func (t *tx) hold(what, sql string, args ...any) error {
	return t.holdWrite(heldWrite{sql: sql, args: args, what: what})
}

// holdWrite queues h for the next statement or the commit.
func (t *tx) holdWrite(h heldWrite) error {
	if err := t.s.inject("statement", h.sql, h.args); err != nil {
		return err
	}
	if t.held == nil {
		t.held = t.heldBuf[:0]
	}
	t.held = append(t.held, h)
	return nil
}

// commit sends the held writes and COMMIT in one round trip. A unit of
// work that sent nothing and holds nothing has nothing to commit.
func (t *tx) commit(ctx context.Context) error {
	if t.begin != "" && len(t.held) == 0 {
		return nil
	}
	br, err := t.send(ctx, sqlStmt{sql: "COMMIT"})
	if err != nil {
		return err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return mapErr(err, "commit")
	}
	if tag.String() != "COMMIT" { // COMMIT of a failed transaction rolls back
		return mapErr(pgx.ErrTxCommitRollback, "commit")
	}
	return nil
}

// rollback ends the transaction, even when ctx is done: a connection left
// in a transaction is not reused (the pool destroys it on release). Its
// error is of no use to the caller, who already has the reason for the
// rollback.
func (t *tx) rollback(ctx context.Context) {
	t.held = nil
	if t.begin != "" {
		return // nothing was sent
	}
	pc := t.conn.Conn().PgConn()
	if pc.IsClosed() || pc.TxStatus() == 'I' {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = t.conn.Exec(rctx, "ROLLBACK")
}

// batchRows are the rows of a statement sent by send: closing them closes
// the batch.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r batchRows) Close() {
	r.Rows.Close()
	_ = r.br.Close()
}

// batchRow is the row of a statement sent by send: scanning it closes the
// batch.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil || errors.Is(err, pgx.ErrNoRows) && cerr != nil {
		err = cerr
	}
	return err
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
	return scanAll(rows, what, scan)
}

// scanAll scans each of rows with scan.
func scanAll[T any](rows pgx.Rows, what string, scan func(pgx.Row) (T, error)) ([]T, error) {
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

// valueRows returns the VALUES rows of an INSERT of rows rows of n
// parameters each: "($1, $2), ($3, $4)" for 2 and 2.
func valueRows(rows, n int) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for j := range n {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + itoa(i*n+j+1))
		}
		b.WriteString(")")
	}
	return b.String()
}
