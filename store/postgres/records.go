package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type ledgerRepo struct{ t *tx }

const entryCols = `network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment,
	points, bonus`

func scanEntry(r pgx.Row) (e pass.Entry, err error) {
	var (
		at     pgtype.Timestamptz
		amount moneyCol
	)
	err = r.Scan(&e.Network, &e.ID, &e.Pass, &e.Holder, &e.Visit, &at, &e.Type, &e.Units, &e.Balance,
		&amount.amount, &amount.currency, &e.Key, &e.Actor, &e.Comment, &e.Points, &e.Bonus)
	if err != nil {
		return e, err
	}
	e.At = instantOf(at)
	e.Amount, err = amount.value()
	return e, err
}

// Append inserts the entries, up to appendChunk per statement; the
// identity column seq records the order they were appended in. An entry ID
// that exists (or repeats within entries) is store.ErrConflict, and then
// the transaction is aborted: the unit of work must end.
func (r ledgerRepo) Append(ctx context.Context, entries ...pass.Entry) error {
	if err := r.t.writable(); err != nil {
		return err
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

// appendChunk bounds the rows of one INSERT, keeping its parameters
// (16 a row) under PostgreSQL's limit of 65,535.
const appendChunk = 1000

func (r ledgerRepo) insert(ctx context.Context, entries []pass.Entry) error {
	sql, args := insertEntries(entries)
	_, err := r.t.exec(ctx, sql, args...)
	return mapErr(err, "append ledger entries")
}

// insertEntries returns the statement that inserts entries (at most
// appendChunk).
func insertEntries(entries []pass.Entry) (string, []any) {
	const n = 16
	// Pointers into one copy of the entries and their converted columns
	// (see visitArgs), each row with its arguments.
	rows := make([]struct {
		e      pass.Entry
		at     time.Time
		typ    string
		amount pgtype.Numeric
		args   [n]any
	}, len(entries))
	for i, e := range entries {
		r := &rows[i]
		r.e, r.at, r.typ, r.amount = e, e.At.UTC(), string(e.Type), numeric(e.Amount.Amount)
		r.args = [n]any{&r.e.Network, &r.e.ID, &r.e.Pass, &r.e.Holder, &r.e.Visit, &r.at, &r.typ,
			&r.e.Units, &r.e.Balance, &r.amount, &r.e.Amount.Currency, &r.e.Key, &r.e.Actor, &r.e.Comment,
			&r.e.Points, &r.e.Bonus}
	}
	if len(entries) == 1 {
		return insertEntry, rows[0].args[:]
	}
	args := make([]any, 0, n*len(entries))
	for i := range rows {
		args = append(args, rows[i].args[:]...)
	}
	return `INSERT INTO ledger (` + entryCols + `) VALUES ` + valueRows(len(entries), n), args
}

// insertEntry is insertEntries' statement for one entry, built once.
var insertEntry = `INSERT INTO ledger (` + entryCols + `) VALUES ` + valueRows(1, 16)

// List reads the index ledger_pass, ledger_holder or ledger_network,
// ordered by seq.
func (r ledgerRepo) List(ctx context.Context, f store.LedgerFilter) ([]pass.Entry, error) {
	sql, args := `SELECT `+entryCols+` FROM ledger WHERE network = $1`, []any{f.Network}
	where(&sql, &args, "pass", f.Pass)
	where(&sql, &args, "holder", f.Holder)
	sql += " ORDER BY seq" + page(f.Offset, f.Limit, &args)
	return collect(ctx, r.t, "ledger entries", scanEntry, sql, args...)
}

type idemRepo struct{ t *tx }

func scanRecord(r pgx.Row) (rec store.Record, err error) {
	var at pgtype.Timestamptz
	err = r.Scan(&rec.Network, &rec.Key, &rec.Operation, &rec.Request, &rec.Result, &at)
	rec.At = instantOf(at)
	return rec, err
}

func (r idemRepo) Get(ctx context.Context, network, key string) (store.Record, error) {
	return one(ctx, r.t, fmt.Sprintf("idempotency key %q", key), scanRecord,
		`SELECT network, key, operation, request, result, at FROM idempotency WHERE network = $1 AND key = $2`, network, key)
}

// Put inserts the record. A key that exists is store.ErrConflict without
// aborting the transaction (ON CONFLICT DO NOTHING); a key being written
// by a concurrent unit of work makes Put wait for it to end.
func (r idemRepo) Put(ctx context.Context, rec store.Record) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	request, result := rec.Request, rec.Result
	if request == nil {
		request = []byte{}
	}
	if result == nil {
		result = []byte{}
	}
	tag, err := r.t.exec(ctx, `INSERT INTO idempotency (network, key, operation, request, result, at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (network, key) DO NOTHING`,
		rec.Network, rec.Key, rec.Operation, request, result, rec.At.UTC())
	if err != nil {
		return mapErr(err, fmt.Sprintf("put idempotency key %q", rec.Key))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("idempotency key %q: %w", rec.Key, store.ErrConflict)
	}
	return nil
}

type guardRepo struct{ t *tx }

func (r guardRepo) Get(ctx context.Context, network, location string) (checkin.Guard, error) {
	g := checkin.Guard{Network: network, Location: location}
	var locked pgtype.Timestamptz
	err := r.t.queryRow(ctx, `SELECT failures, locked_until FROM guards WHERE network = $1 AND location = $2`,
		network, location).Scan(&g.Failures, &locked)
	if errors.Is(err, pgx.ErrNoRows) {
		return g, nil
	}
	if err != nil {
		return g, mapErr(err, fmt.Sprintf("guard of location %q", location))
	}
	g.Failures, g.LockedUntil = utcAll(g.Failures), instantOf(locked)
	return g, nil
}

func (r guardRepo) Put(ctx context.Context, g checkin.Guard) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	_, err := r.t.exec(ctx, `INSERT INTO guards (network, location, failures, locked_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (network, location) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
		g.Network, g.Location, instantArray(g.Failures), instantParam(g.LockedUntil))
	return mapErr(err, fmt.Sprintf("put guard of location %q", g.Location))
}

type termsRepo struct{ t *tx }

const termsCols = `network, id, location, effective_from, rates, monthly_visit_cap, monthly_amount_cap,
	monthly_amount_cap_currency, payg_share`

func scanTerms(r pgx.Row) (t billing.Terms, err error) {
	var (
		from      pgtype.Timestamptz
		rates     []byte
		amountCap moneyCol
		share     pgtype.Numeric
	)
	err = r.Scan(&t.Network, &t.ID, &t.Location, &from, &rates, &t.MonthlyVisitCap, &amountCap.amount,
		&amountCap.currency, &share)
	if err != nil {
		return t, err
	}
	t.EffectiveFrom = instantOf(from)
	if t.MonthlyAmountCap, err = amountCap.value(); err != nil {
		return t, err
	}
	if t.PAYGShare, err = decimalOf(share); err != nil {
		return t, err
	}
	return t, jsonOf(rates, &t.Rates)
}

func (r termsRepo) Put(ctx context.Context, t billing.Terms) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	rates, err := jsonParam(t.Rates)
	if err != nil {
		return err
	}
	_, err = r.t.exec(ctx, `INSERT INTO terms (`+termsCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (network, id) DO UPDATE SET location = excluded.location, effective_from = excluded.effective_from,
		rates = excluded.rates, monthly_visit_cap = excluded.monthly_visit_cap,
		monthly_amount_cap = excluded.monthly_amount_cap, monthly_amount_cap_currency = excluded.monthly_amount_cap_currency,
		payg_share = excluded.payg_share`,
		t.Network, t.ID, t.Location, t.EffectiveFrom.UTC(), rates, t.MonthlyVisitCap,
		numeric(t.MonthlyAmountCap.Amount), t.MonthlyAmountCap.Currency, numeric(t.PAYGShare))
	return mapErr(err, fmt.Sprintf("put terms %q", t.ID))
}

func (r termsRepo) Get(ctx context.Context, network, id string) (billing.Terms, error) {
	return one(ctx, r.t, fmt.Sprintf("terms %q", id), scanTerms,
		`SELECT `+termsCols+` FROM terms WHERE network = $1 AND id = $2`, network, id)
}

func (r termsRepo) At(ctx context.Context, network, location string, at time.Time) (billing.Terms, error) {
	return one(ctx, r.t, fmt.Sprintf("terms of location %q at %s", location, at.UTC().Format(time.RFC3339)), scanTerms,
		`SELECT `+termsCols+` FROM terms WHERE network = $1 AND location = $2 AND effective_from <= $3
		ORDER BY effective_from DESC, id DESC LIMIT 1`, network, location, at.UTC())
}

func (r termsRepo) List(ctx context.Context, network, location string) ([]billing.Terms, error) {
	return collect(ctx, r.t, "terms", scanTerms, `SELECT `+termsCols+` FROM terms
		WHERE network = $1 AND location = $2 ORDER BY effective_from, id`, network, location)
}
