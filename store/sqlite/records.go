package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store"
)

type idemRepo struct{ t *tx }

func scanRecord(s scanner) (rec store.Record, err error) {
	var at string
	if err = s.Scan(&rec.Network, &rec.Key, &rec.Operation, &rec.Request, &rec.Result, &at); err != nil {
		return rec, err
	}
	var d sqlutil.Decoder
	rec.At = d.Time(at)
	return rec, d.Err()
}

func (r idemRepo) Get(ctx context.Context, network, key string) (store.Record, error) {
	return one(ctx, r.t, scanRecord, fmt.Sprintf("idempotency key %q", key),
		`SELECT network, key, operation, request, result, at FROM idempotency WHERE network = ? AND key = ?`, network, key)
}

var putRecord = insert("idempotency", "network", "key", "operation", "request", "result", "at")

// Put inserts the record; a key that exists violates the primary key and
// is store.ErrConflict.
func (r idemRepo) Put(ctx context.Context, rec store.Record) error {
	err := r.t.exec(ctx, putRecord, rec.Network, rec.Key, rec.Operation, nonNil(rec.Request), nonNil(rec.Result), sqlutil.FormatTime(rec.At))
	if err != nil {
		return fmt.Errorf("idempotency key %q: %w", rec.Key, err)
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

type guardRepo struct{ t *tx }

func (r guardRepo) Get(ctx context.Context, network, location string) (checkin.Guard, error) {
	g, err := one(ctx, r.t, func(s scanner) (g checkin.Guard, err error) {
		var failures, until string
		if err = s.Scan(&g.Network, &g.Location, &failures, &until); err != nil {
			return g, err
		}
		var d sqlutil.Decoder
		d.JSON(failures, &g.Failures)
		for i := range g.Failures {
			g.Failures[i] = g.Failures[i].UTC()
		}
		g.LockedUntil = d.Time(until)
		return g, d.Err()
	}, "guard", `SELECT network, location, failures, locked_until FROM guards WHERE network = ? AND location = ?`, network, location)
	if errors.Is(err, store.ErrNotFound) {
		return checkin.Guard{Network: network, Location: location}, nil
	}
	return g, err
}

var putGuard = upsert("guards", 2, "network", "location", "failures", "locked_until")

func (r guardRepo) Put(ctx context.Context, g checkin.Guard) error {
	utc := make([]time.Time, len(g.Failures))
	for i, f := range g.Failures {
		utc[i] = f.UTC()
	}
	failures, err := sqlutil.FormatJSON(utc)
	if err != nil {
		return err
	}
	return r.t.exec(ctx, putGuard, g.Network, g.Location, failures, sqlutil.FormatTime(g.LockedUntil))
}

type termsRepo struct{ t *tx }

const termsCols = `network, id, location, effective_from, rates, monthly_visit_cap, monthly_amount_cap, monthly_amount_cap_currency, payg_share`

func scanTerms(s scanner) (t billing.Terms, err error) {
	var from, rates, capAmount, capCur, share string
	if err = s.Scan(&t.Network, &t.ID, &t.Location, &from, &rates, &t.MonthlyVisitCap, &capAmount, &capCur, &share); err != nil {
		return t, err
	}
	var d sqlutil.Decoder
	t.EffectiveFrom = d.Time(from)
	d.JSON(rates, &t.Rates)
	t.MonthlyAmountCap = d.Money(capAmount, capCur)
	t.PAYGShare = d.Decimal(share)
	return t, d.Err()
}

var putTerms = upsert("terms", 2, "network", "id", "location", "effective_from", "rates", "monthly_visit_cap",
	"monthly_amount_cap", "monthly_amount_cap_currency", "payg_share")

func (r termsRepo) Put(ctx context.Context, t billing.Terms) error {
	rates, err := sqlutil.FormatJSON(t.Rates)
	if err != nil {
		return err
	}
	return r.t.exec(ctx, putTerms, t.Network, t.ID, t.Location, sqlutil.FormatTime(t.EffectiveFrom), rates, t.MonthlyVisitCap,
		sqlutil.FormatDecimal(t.MonthlyAmountCap.Amount), t.MonthlyAmountCap.Currency, sqlutil.FormatDecimal(t.PAYGShare))
}

func (r termsRepo) Get(ctx context.Context, network, id string) (billing.Terms, error) {
	return one(ctx, r.t, scanTerms, fmt.Sprintf("terms %q", id),
		`SELECT `+termsCols+` FROM terms WHERE network = ? AND id = ?`, network, id)
}

// At reads terms_location backwards from t.
func (r termsRepo) At(ctx context.Context, network, location string, at time.Time) (billing.Terms, error) {
	return one(ctx, r.t, scanTerms, fmt.Sprintf("terms of location %q at %s", location, at.UTC().Format(time.RFC3339)),
		`SELECT `+termsCols+` FROM terms WHERE network = ? AND location = ? AND effective_from <= ?
		ORDER BY effective_from DESC, id DESC LIMIT 1`, network, location, sqlutil.FormatTime(at))
}

func (r termsRepo) List(ctx context.Context, network, location string) ([]billing.Terms, error) {
	return list(ctx, r.t, scanTerms, `SELECT `+termsCols+` FROM terms WHERE network = ? AND location = ?
		ORDER BY effective_from, id`, network, location)
}
