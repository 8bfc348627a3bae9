package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// Accounts returns the unit of work's prepaid account repository.
func (t *tx) Accounts() store.Accounts { return accountRepo{t} }

type accountRepo struct{ t *tx }

var accountColumns = []string{"network", "holder", "currency", "balance", "overdraft", "owed", "entries", "opened_at", "updated_at"}

var accountEntryColumns = []string{"network", "holder", "currency", "seq", "id", "at", "type", "amount", "balance",
	"pass", "visit", "refunds", "idem_key", "actor", "comment"}

var (
	accountCols      = strings.Join(accountColumns, ", ")
	putAccount       = upsert("accounts", 3, accountColumns...)
	accountEntryCols = strings.Join(accountEntryColumns, ", ")
)

// owedText is the text of a visit's owed column: empty when nothing is owed,
// so that only owing visits are in the visits_owed indexes.
func owedText(m money.Money) string {
	if m.Amount.IsZero() {
		return ""
	}
	return sqlutil.FormatDecimal(m.Amount)
}

func scanAccount(s scanner) (a wallet.Account, err error) {
	var balance, overdraft, owed, opened, updated string
	if err = s.Scan(&a.Network, &a.Holder, &a.Currency, &balance, &overdraft, &owed, &a.Entries, &opened, &updated); err != nil {
		return a, err
	}
	var d sqlutil.Decoder
	a.Balance = d.Money(balance, a.Currency)
	a.Overdraft = d.Money(overdraft, a.Currency)
	a.Owed = d.Money(owed, a.Currency)
	a.OpenedAt = d.Time(opened)
	a.UpdatedAt = d.Time(updated)
	return a, d.Err()
}

func scanAccountEntry(s scanner) (e wallet.Entry, err error) {
	var at, amount, balance string
	if err = s.Scan(&e.Network, &e.Holder, &e.Currency, &e.Seq, &e.ID, &at, &e.Type, &amount, &balance,
		&e.Pass, &e.Visit, &e.Refunds, &e.Key, &e.Actor, &e.Comment); err != nil {
		return e, err
	}
	var d sqlutil.Decoder
	e.At = d.Time(at)
	e.Amount = d.Money(amount, e.Currency)
	e.Balance = d.Money(balance, e.Currency)
	return e, d.Err()
}

func (r accountRepo) Get(ctx context.Context, network, holder, currency string) (wallet.Account, error) {
	return one(ctx, r.t, scanAccount, fmt.Sprintf("account of %q in %s", holder, currency),
		`SELECT `+accountCols+` FROM accounts WHERE network = ? AND holder = ? AND currency = ?`, network, holder, currency)
}

func (r accountRepo) Put(ctx context.Context, a wallet.Account) error {
	err := r.t.exec(ctx, putAccount, a.Network, a.Holder, a.Currency, sqlutil.FormatDecimal(a.Balance.Amount),
		sqlutil.FormatDecimal(a.Overdraft.Amount), sqlutil.FormatDecimal(a.Owed.Amount), a.Entries,
		sqlutil.FormatTime(a.OpenedAt), sqlutil.FormatTime(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("account of %q: %w", a.Holder, err)
	}
	return nil
}

// Append inserts the entries in one statement (they are few: a call
// writes one, or a deposit and its settlements), so an ID or position
// that exists (store.ErrConflict) inserts none.
func (r accountRepo) Append(ctx context.Context, entries ...wallet.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	row := "(?" + strings.Repeat(", ?", len(accountEntryColumns)-1) + ")"
	q := `INSERT INTO account_entries (` + accountEntryCols + `) VALUES ` + row + strings.Repeat(", "+row, len(entries)-1)
	args := make([]any, 0, len(entries)*len(accountEntryColumns))
	for _, e := range entries {
		args = append(args, e.Network, e.Holder, e.Currency, e.Seq, e.ID, sqlutil.FormatTime(e.At), string(e.Type),
			sqlutil.FormatDecimal(e.Amount.Amount), sqlutil.FormatDecimal(e.Balance.Amount),
			e.Pass, e.Visit, e.Refunds, e.Key, e.Actor, e.Comment)
	}
	if err := r.t.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("account entries: %w", err)
	}
	return nil
}

func (r accountRepo) Entry(ctx context.Context, network, id string) (wallet.Entry, error) {
	return one(ctx, r.t, scanAccountEntry, fmt.Sprintf("account entry %q", id),
		`SELECT `+accountEntryCols+` FROM account_entries WHERE network = ? AND id = ?`, network, id)
}

// Refunds reads account_entries_refunds.
func (r accountRepo) Refunds(ctx context.Context, network, id string) ([]wallet.Entry, error) {
	return list(ctx, r.t, scanAccountEntry, `SELECT `+accountEntryCols+` FROM account_entries
		WHERE network = ? AND refunds = ? AND refunds <> '' ORDER BY at, holder, currency, seq`, network, id)
}

// Entries reads account_entries_holder_at or account_entries_at from the
// cursor on (a row-value range).
func (r accountRepo) Entries(ctx context.Context, f store.EntryFilter) ([]wallet.Entry, error) {
	q := `SELECT ` + accountEntryCols + ` FROM account_entries WHERE network = ?`
	args := []any{f.Network}
	order := ` ORDER BY at, holder, currency, seq`
	if f.Holder != "" {
		q += ` AND holder = ?`
		args = append(args, f.Holder)
		order = ` ORDER BY at, currency, seq`
	}
	if f.Currency != "" {
		// "+currency": a filter, not an index term, so that the rows come
		// in index order and need no sort (SQLite would otherwise sort on
		// seq).
		q += ` AND +currency = ?`
		args = append(args, f.Currency)
	}
	if !f.From.IsZero() {
		q += ` AND at >= ?`
		args = append(args, sqlutil.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		q += ` AND at < ?`
		args = append(args, sqlutil.FormatTime(f.To))
	}
	if c := f.After; c != nil {
		if f.Holder != "" {
			q += ` AND (at, currency, seq) > (?, ?, ?)`
			args = append(args, sqlutil.FormatTime(c.At), c.Currency, c.Seq)
		} else {
			q += ` AND (at, holder, currency, seq) > (?, ?, ?, ?)`
			args = append(args, sqlutil.FormatTime(c.At), c.Holder, c.Currency, c.Seq)
		}
	}
	args = append(args, limit(f.Limit))
	return list(ctx, r.t, scanAccountEntry, q+order+` LIMIT ?`, args...)
}

func (r accountRepo) List(ctx context.Context, f store.AccountFilter) ([]wallet.Account, error) {
	q, args := holderPage(`SELECT `+accountCols+` FROM accounts WHERE network = ?`, f.Network, f.Holder,
		` ORDER BY holder, currency`, f.Offset, f.Limit)
	return list(ctx, r.t, scanAccount, q, args...)
}

// Debts reads the partial indexes visits_owed_holder and visits_owed.
func (r accountRepo) Debts(ctx context.Context, f store.DebtFilter) ([]checkin.Visit, error) {
	q, args := holderPage(`SELECT `+visitCols+` FROM visits WHERE network = ? AND owed <> ''`, f.Network, f.Holder,
		` ORDER BY start_at, id`, f.Offset, f.Limit)
	return list(ctx, r.t, scanVisit, q, args...)
}

// holderPage completes q, a query of a network's rows, with the holder
// condition when holder is set, order and a page.
func holderPage(q, network, holder, order string, offset, n int) (string, []any) {
	args := []any{network}
	if holder != "" {
		q += ` AND holder = ?`
		args = append(args, holder)
	}
	return q + order + ` LIMIT ? OFFSET ?`, append(args, limit(n), max(offset, 0))
}
