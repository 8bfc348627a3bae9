package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

type visitRepo struct{ t *tx }

const visitCols = `network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
	covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at,
	late_cancel, cancelled_by, fee, terms, settled_at, debited, debited_currency, owed, owed_currency`

func scanVisit(r pgx.Row) (checkin.Visit, error) { return scanVisitAfter(r, nil) }

// scanVisitAfter scans a row of visitCols, after a column scanned into
// pre when pre is not nil.
func scanVisitAfter(r pgx.Row, pre any) (checkin.Visit, error) {
	// The visit, the columns that need converting and the destinations,
	// in one variable (one allocation: see scanPass).
	c := &struct {
		v                              checkin.Visit
		start, end, cancelled, settled pgtype.Timestamptz
		date                           pgtype.Date
		consumptions, charges, fee     []byte
		debited, owed                  moneyCol
		dest                           [30]any
	}{}
	v := &c.v
	c.dest = [...]any{pre, &v.Network, &v.ID, &v.Holder, &v.Location, &v.Kind, &v.Mode, &v.Status, &c.start, &c.end,
		&c.date, &v.Cost, &v.Pass, &v.CoveredBy, &v.PAYG, &c.consumptions, &c.charges, &v.UncoveredMinutes, &v.AutoClosed,
		&v.Activated, &c.cancelled, &v.LateCancel, &v.CancelledBy, &c.fee, &v.Terms, &c.settled,
		&c.debited.amount, &c.debited.currency, &c.owed.amount, &c.owed.currency}
	dest := c.dest[:]
	if pre == nil {
		dest = dest[1:]
	}
	if err := r.Scan(dest...); err != nil {
		return *v, err
	}
	var err error
	if v.Debited, err = c.debited.value(); err != nil {
		return *v, err
	}
	if v.Owed, err = c.owed.value(); err != nil {
		return *v, err
	}
	v.Start, v.End, v.CancelledAt, v.SettledAt = instantOf(c.start), instantPtrOf(c.end), instantPtrOf(c.cancelled), instantPtrOf(c.settled)
	v.Date = dateOf(c.date)
	if err = jsonOf(c.consumptions, &v.Consumptions); err != nil {
		return *v, err
	}
	if err = jsonOf(c.charges, &v.Charges); err != nil {
		return *v, err
	}
	return *v, jsonOf(c.fee, &v.Fee)
}

func (r visitRepo) Get(ctx context.Context, network, id string) (checkin.Visit, error) {
	v, err := one(ctx, r.t, fmt.Sprintf("visit %q", id), scanVisit,
		`SELECT `+visitCols+` FROM visits WHERE network = $1 AND id = $2`, network, id)
	if err == nil {
		r.t.sawVisit(v.Network, v.ID)
	}
	return v, err
}

func (r visitRepo) Put(ctx context.Context, v checkin.Visit) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	sql, args, err := upsertVisit(v)
	if err != nil {
		return err
	}
	_, err = r.t.exec(ctx, sql, args...)
	r.t.sawVisit(v.Network, v.ID)
	return mapErr(err, fmt.Sprintf("put visit %q", v.ID))
}

// insertVisitSQL inserts a visit with visitArgs' parameters: Defer's
// statement for a visit the unit of work has not read (newVisit), and
// upsertVisit's first part.
const insertVisitSQL = `INSERT INTO visits (` + visitCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)`

// upsertVisit returns the statement that inserts or replaces v.
func upsertVisit(v checkin.Visit) (string, []any, error) {
	consumptions, err := jsonParam(v.Consumptions)
	if err != nil {
		return "", nil, err
	}
	charges, err := jsonParam(v.Charges)
	if err != nil {
		return "", nil, err
	}
	fee, err := jsonParam(v.Fee)
	if err != nil {
		return "", nil, err
	}
	return insertVisitSQL + `
		ON CONFLICT (network, id) DO UPDATE SET holder = excluded.holder, location = excluded.location,
		kind = excluded.kind, mode = excluded.mode, status = excluded.status, start_at = excluded.start_at,
		end_at = excluded.end_at, date = excluded.date, cost = excluded.cost, pass = excluded.pass,
		covered_by = excluded.covered_by, payg = excluded.payg, consumptions = excluded.consumptions,
		charges = excluded.charges, uncovered_minutes = excluded.uncovered_minutes, auto_closed = excluded.auto_closed,
		activated = excluded.activated, cancelled_at = excluded.cancelled_at, late_cancel = excluded.late_cancel,
		cancelled_by = excluded.cancelled_by, fee = excluded.fee, terms = excluded.terms, settled_at = excluded.settled_at,
		debited = excluded.debited, debited_currency = excluded.debited_currency, owed = excluded.owed,
		owed_currency = excluded.owed_currency`, visitArgs(v, consumptions, charges, fee), nil
}

// visitArgs returns the parameters of upsertVisit: pointers into one copy
// of v and its converted columns, in the same allocation as the slice of
// them, rather than one allocation for each value boxed in an interface
// (encodeFast binds them).
func visitArgs(v checkin.Visit, consumptions, charges, fee any) []any {
	c := &struct {
		v                       checkin.Visit
		kind, mode, status      string
		start                   time.Time
		end, cancelled, settled pgtype.Timestamptz
		date                    pgtype.Date
		debited, owed           pgtype.Numeric
		args                    [29]any
	}{v: v, kind: string(v.Kind), mode: string(v.Mode), status: string(v.Status), start: v.Start.UTC(),
		end: instantPtrParam(v.End), cancelled: instantPtrParam(v.CancelledAt), settled: instantPtrParam(v.SettledAt),
		date: dateParam(v.Date), debited: numeric(v.Debited.Amount), owed: numeric(v.Owed.Amount)}
	c.args = [...]any{
		&c.v.Network, &c.v.ID, &c.v.Holder, &c.v.Location, &c.kind, &c.mode, &c.status,
		&c.start, &c.end, &c.date, &c.v.Cost, &c.v.Pass, &c.v.CoveredBy, &c.v.PAYG,
		consumptions, charges, &c.v.UncoveredMinutes, &c.v.AutoClosed, &c.v.Activated, &c.cancelled,
		&c.v.LateCancel, &c.v.CancelledBy, fee, &c.v.Terms, &c.settled,
		&c.debited, &c.v.Debited.Currency, &c.owed, &c.v.Owed.Currency}
	return c.args[:]
}

// Open reads the partial index visits_holder_open.
func (r visitRepo) Open(ctx context.Context, network, holder string) ([]checkin.Visit, error) {
	return r.t.sawVisits(collect(ctx, r.t, "open visits", scanVisit, `SELECT `+visitCols+` FROM visits
		WHERE network = $1 AND holder = $2 AND status = 'open' ORDER BY start_at, id`, network, holder))
}

// OnDates reads the index visits_holder_date: its cost follows the visits
// of the dates asked for, not the holder's history.
func (r visitRepo) OnDates(ctx context.Context, network, holder string, from, to calendar.Date) ([]checkin.Visit, error) {
	return r.t.sawVisits(collect(ctx, r.t, "visits on dates", scanVisit, `SELECT `+visitCols+` FROM visits
		WHERE network = $1 AND holder = $2 AND date BETWEEN $3 AND $4 ORDER BY start_at, id`,
		network, holder, dateParam(from), dateParam(to)))
}

// OpenBefore reads the partial index visits_open_start.
func (r visitRepo) OpenBefore(ctx context.Context, network string, t time.Time, limit int) ([]checkin.Visit, error) {
	args := []any{network, t.UTC()}
	return r.t.sawVisits(collect(ctx, r.t, "open visits", scanVisit, `SELECT `+visitCols+` FROM visits
		WHERE network = $1 AND status = 'open' AND start_at < $2 ORDER BY start_at, id`+page(0, limit, &args), args...))
}

func (r visitRepo) List(ctx context.Context, f store.VisitFilter) ([]checkin.Visit, error) {
	sql, args := `SELECT `+visitCols+` FROM visits WHERE network = $1`, []any{f.Network}
	where(&sql, &args, "holder", f.Holder)
	where(&sql, &args, "location", f.Location)
	where(&sql, &args, "kind", string(f.Kind))
	where(&sql, &args, "mode", string(f.Mode))
	if !f.From.IsZero() {
		args = append(args, dateParam(f.From))
		sql += " AND date >= $" + itoa(len(args))
	}
	if !f.To.IsZero() {
		args = append(args, dateParam(f.To))
		sql += " AND date <= $" + itoa(len(args))
	}
	sql += " ORDER BY start_at, id" + page(f.Offset, f.Limit, &args)
	return r.t.sawVisits(collect(ctx, r.t, "visits", scanVisit, sql, args...))
}
