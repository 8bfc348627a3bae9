package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// Accounts returns the unit of work's prepaid account repository. Its
// writes (Put, Append) are held like those of Defer and sent with the
// unit of work's next statement or its COMMIT, so an account call costs no
// round trip of its own for them; an entry that exists fails the unit of
// work with store.ErrConflict there.
func (t *tx) Accounts() store.Accounts { return accountRepo{t} }

type accountRepo struct{ t *tx }

const accountCols = `network, holder, currency, balance, overdraft, owed, entries, opened_at, updated_at`

const accountEntryCols = `network, holder, currency, seq, id, at, type, amount, balance, pass, visit, refunds, key, actor, comment`

func scanAccount(r pgx.Row) (a wallet.Account, err error) {
	var (
		balance, overdraft, owed pgtype.Numeric
		opened, updated          pgtype.Timestamptz
	)
	if err = r.Scan(&a.Network, &a.Holder, &a.Currency, &balance, &overdraft, &owed, &a.Entries, &opened, &updated); err != nil {
		return a, err
	}
	a.OpenedAt, a.UpdatedAt = instantOf(opened), instantOf(updated)
	if a.Balance.Amount, err = decimalOf(balance); err != nil {
		return a, err
	}
	if a.Overdraft.Amount, err = decimalOf(overdraft); err != nil {
		return a, err
	}
	if a.Owed.Amount, err = decimalOf(owed); err != nil {
		return a, err
	}
	a.Balance.Currency, a.Overdraft.Currency, a.Owed.Currency = a.Currency, a.Currency, a.Currency
	return a, nil
}

func scanAccountEntry(r pgx.Row) (e wallet.Entry, err error) {
	var (
		at              pgtype.Timestamptz
		amount, balance pgtype.Numeric
	)
	if err = r.Scan(&e.Network, &e.Holder, &e.Currency, &e.Seq, &e.ID, &at, &e.Type, &amount, &balance,
		&e.Pass, &e.Visit, &e.Refunds, &e.Key, &e.Actor, &e.Comment); err != nil {
		return e, err
	}
	e.At = instantOf(at)
	if e.Amount.Amount, err = decimalOf(amount); err != nil {
		return e, err
	}
	if e.Balance.Amount, err = decimalOf(balance); err != nil {
		return e, err
	}
	e.Amount.Currency, e.Balance.Currency = e.Currency, e.Currency
	return e, nil
}

func (r accountRepo) Get(ctx context.Context, network, holder, currency string) (wallet.Account, error) {
	return one(ctx, r.t, fmt.Sprintf("account of %q in %s", holder, currency), scanAccount,
		`SELECT `+accountCols+` FROM accounts WHERE network = $1 AND holder = $2 AND currency = $3`, network, holder, currency)
}

// Put holds the upsert of the account.
func (r accountRepo) Put(_ context.Context, a wallet.Account) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	what := fmt.Sprintf("put account of %q", a.Holder)
	err := r.t.hold(what, `INSERT INTO accounts (`+accountCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (network, holder, currency) DO UPDATE SET balance = excluded.balance, overdraft = excluded.overdraft,
		owed = excluded.owed, entries = excluded.entries, opened_at = excluded.opened_at, updated_at = excluded.updated_at`,
		a.Network, a.Holder, a.Currency, numeric(a.Balance.Amount), numeric(a.Overdraft.Amount), numeric(a.Owed.Amount),
		a.Entries, a.OpenedAt.UTC(), a.UpdatedAt.UTC())
	return mapErr(err, what)
}

// Append holds the insert of the entries, one statement (a call writes a
// few): an ID or position that exists fails it whole.
func (r accountRepo) Append(_ context.Context, entries ...wallet.Entry) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	const n = 15
	args := make([]any, 0, n*len(entries))
	for _, e := range entries {
		args = append(args, e.Network, e.Holder, e.Currency, e.Seq, e.ID, e.At.UTC(), string(e.Type),
			numeric(e.Amount.Amount), numeric(e.Balance.Amount), e.Pass, e.Visit, e.Refunds, e.Key, e.Actor, e.Comment)
	}
	sql := `INSERT INTO account_entries (` + accountEntryCols + `) VALUES ` + valueRows(len(entries), n)
	return mapErr(r.t.hold("append account entries", sql, args...), "append account entries")
}

func (r accountRepo) Entry(ctx context.Context, network, id string) (wallet.Entry, error) {
	return one(ctx, r.t, fmt.Sprintf("account entry %q", id), scanAccountEntry,
		`SELECT `+accountEntryCols+` FROM account_entries WHERE network = $1 AND id = $2`, network, id)
}

// Refunds reads account_entries_refunds.
func (r accountRepo) Refunds(ctx context.Context, network, id string) ([]wallet.Entry, error) {
	return collect(ctx, r.t, "refunds", scanAccountEntry, `SELECT `+accountEntryCols+` FROM account_entries
		WHERE network = $1 AND refunds = $2 AND refunds <> '' ORDER BY at, holder, currency, seq`, network, id)
}

// Entries reads account_entries_holder_at or account_entries_at from the
// cursor on (a row comparison the index serves).
func (r accountRepo) Entries(ctx context.Context, f store.EntryFilter) ([]wallet.Entry, error) {
	sql, args := `SELECT `+accountEntryCols+` FROM account_entries WHERE network = $1`, []any{f.Network}
	order := " ORDER BY at, holder, currency, seq"
	if f.Holder != "" {
		where(&sql, &args, "holder", f.Holder)
		order = " ORDER BY at, currency, seq"
	}
	where(&sql, &args, "currency", f.Currency)
	if !f.From.IsZero() {
		args = append(args, f.From.UTC())
		sql += " AND at >= $" + itoa(len(args))
	}
	if !f.To.IsZero() {
		args = append(args, f.To.UTC())
		sql += " AND at < $" + itoa(len(args))
	}
	if c := f.After; c != nil {
		n := len(args)
		if f.Holder != "" {
			args = append(args, c.At.UTC(), c.Currency, c.Seq)
			sql += fmt.Sprintf(" AND (at, currency, seq) > ($%d, $%d, $%d)", n+1, n+2, n+3)
		} else {
			args = append(args, c.At.UTC(), c.Holder, c.Currency, c.Seq)
			sql += fmt.Sprintf(" AND (at, holder, currency, seq) > ($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4)
		}
	}
	return collect(ctx, r.t, "account entries", scanAccountEntry, sql+order+page(0, f.Limit, &args), args...)
}

func (r accountRepo) List(ctx context.Context, f store.AccountFilter) ([]wallet.Account, error) {
	sql, args := `SELECT `+accountCols+` FROM accounts WHERE network = $1`, []any{f.Network}
	where(&sql, &args, "holder", f.Holder)
	return collect(ctx, r.t, "accounts", scanAccount, sql+" ORDER BY holder, currency"+page(f.Offset, f.Limit, &args), args...)
}

// Debts reads the partial indexes visits_owed_holder and visits_owed.
func (r accountRepo) Debts(ctx context.Context, f store.DebtFilter) ([]checkin.Visit, error) {
	sql, args := `SELECT `+visitCols+` FROM visits WHERE network = $1 AND owed > 0`, []any{f.Network}
	where(&sql, &args, "holder", f.Holder)
	return collect(ctx, r.t, "debts", scanVisit, sql+" ORDER BY start_at, id"+page(f.Offset, f.Limit, &args), args...)
}
