package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type ledgerRepo struct{ t *tx }

var ledgerColumns = []string{"network", "id", "pass", "holder", "visit", "at", "type", "units", "balance",
	"amount", "amount_currency", "idem_key", "actor", "comment", "points", "bonus"}

var ledgerCols = strings.Join(ledgerColumns, ", ")

// appendChunk bounds the rows of one INSERT (SQLite's bound on variables).
const appendChunk = 500

// Append inserts the entries in one statement (in a savepoint when they
// need several), so an ID that exists (store.ErrConflict) inserts none.
func (r ledgerRepo) Append(ctx context.Context, entries ...pass.Entry) (err error) {
	if len(entries) == 0 {
		return nil
	}
	if len(entries) > appendChunk {
		if err := r.t.exec(ctx, `SAVEPOINT ledger_append`); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				_, _ = r.t.tx.ExecContext(ctx, `ROLLBACK TO ledger_append`)
			}
			_, _ = r.t.tx.ExecContext(ctx, `RELEASE ledger_append`)
		}()
	}
	for len(entries) > 0 {
		n := min(len(entries), appendChunk)
		if err := r.insert(ctx, entries[:n]); err != nil {
			return err
		}
		entries = entries[n:]
	}
	return nil
}

// insertLedger returns the INSERT of n ledger entries.
func insertLedger(n int) string {
	row := "(?" + strings.Repeat(", ?", len(ledgerColumns)-1) + ")"
	return `INSERT INTO ledger (` + ledgerCols + `) VALUES ` + row + strings.Repeat(", "+row, n-1)
}

// insertLedger1 is the INSERT of one entry, a call's usual append, built
// once.
var insertLedger1 = insertLedger(1)

func (r ledgerRepo) insert(ctx context.Context, entries []pass.Entry) error {
	q := insertLedger1
	if len(entries) != 1 {
		q = insertLedger(len(entries))
	}
	args := make([]any, 0, len(entries)*len(ledgerColumns))
	for _, e := range entries {
		args = append(args, e.Network, e.ID, e.Pass, e.Holder, e.Visit, sqlutil.FormatTime(e.At), string(e.Type), int64(e.Units), int64(e.Balance),
			sqlutil.FormatDecimal(e.Amount.Amount), e.Amount.Currency, e.Key, e.Actor, e.Comment, int64(e.Points), int64(e.Bonus))
	}
	if err := r.t.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("ledger entries: %w", err)
	}
	return nil
}

func scanEntry(s scanner) (e pass.Entry, err error) {
	var at, amount, amountCur string
	if err = s.Scan(&e.Network, &e.ID, &e.Pass, &e.Holder, &e.Visit, &at, &e.Type, &e.Units, &e.Balance,
		&amount, &amountCur, &e.Key, &e.Actor, &e.Comment, &e.Points, &e.Bonus); err != nil {
		return e, err
	}
	var d sqlutil.Decoder
	e.At = d.Time(at)
	e.Amount = d.Money(amount, amountCur)
	return e, d.Err()
}

// List reads ledger_pass or ledger_holder in append order.
func (r ledgerRepo) List(ctx context.Context, f store.LedgerFilter) ([]pass.Entry, error) {
	q := `SELECT ` + ledgerCols + ` FROM ledger WHERE network = ?`
	args := []any{f.Network}
	if f.Pass != "" {
		q += ` AND pass = ?`
		args = append(args, f.Pass)
	}
	if f.Holder != "" {
		q += ` AND holder = ?`
		args = append(args, f.Holder)
	}
	q += ` ORDER BY seq LIMIT ? OFFSET ?`
	args = append(args, limit(f.Limit), max(f.Offset, 0))
	return list(ctx, r.t, scanEntry, q, args...)
}
