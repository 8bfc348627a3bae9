package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type passRepo struct{ t *tx }

var passColumns = []string{"network", "id", "product", "holder", "team", "kind", "source", "units", "balance",
	"unit_value", "unit_value_currency", "price", "price_currency", "paid", "paid_at", "paid_by", "locations",
	"tier", "audience", "priority", "activation", "locked", "validity_months", "validity_days",
	"activated_on", "activated_by", "expires_on", "freezes", "uses", "issued_at", "issued_on", "code_hash", "code_sealed",
	"paid_with", "card", "revoked"}

var (
	passCols = strings.Join(passColumns, ", ")
	// putPass also writes the derived column expiry (pass.Pass.Expiry).
	putPassColumns = append(passColumns[:len(passColumns):len(passColumns)], "expiry")
	putPass        = upsert("passes", 2, putPassColumns...)
	// liveQuery and liveTeamQuery read the partial indexes
	// passes_live_holder and passes_live_team: used-up passes are not in
	// them.
	liveQuery     = `SELECT ` + passCols + ` FROM passes WHERE network = ? AND holder = ? AND holder <> '' AND balance > 0`
	liveTeamQuery = ` UNION ALL SELECT ` + passCols + ` FROM passes WHERE network = ? AND team = ? AND balance > 0`
	// byCodeQuery repeats the partial index's condition so that
	// passes_code can serve it.
	byCodeQuery = `SELECT ` + passCols + ` FROM passes WHERE network = ? AND code_hash = ? AND code_hash <> ''`
)

// passText is the text columns of a pass row before decoding, scanned
// into one value (as visitText).
type passText struct {
	unitValue, unitCur, price, priceCur, locs, activatedOn, expiresOn, freezes, issuedAt, issuedOn string
	paidAt                                                                                         sql.NullString
}

func scanPass(s scanner) (p pass.Pass, err error) {
	t := new(passText)
	if err = s.Scan(&p.Network, &p.ID, &p.Product, &p.Holder, &p.Team, &p.Kind, &p.Source, &p.Units, &p.Balance,
		&t.unitValue, &t.unitCur, &t.price, &t.priceCur, &p.Paid, &t.paidAt, &p.PaidBy, &t.locs,
		&p.Tier, &p.Audience, &p.Priority, &p.Activation, &p.Locked, &p.Validity.Months, &p.Validity.Days,
		&t.activatedOn, &p.ActivatedBy, &t.expiresOn, &t.freezes, &p.Uses, &t.issuedAt, &t.issuedOn, &p.CodeHash, &p.CodeSealed,
		&p.PaidWith, &p.Card, &p.Revoked); err != nil {
		return p, err
	}
	var d sqlutil.Decoder
	p.UnitValue = d.Money(t.unitValue, t.unitCur)
	p.Price = d.Money(t.price, t.priceCur)
	p.PaidAt = d.TimePtr(t.paidAt)
	d.JSON(t.locs, &p.Locations)
	p.ActivatedOn = d.Date(t.activatedOn)
	p.ExpiresOn = d.Date(t.expiresOn)
	d.JSON(t.freezes, &p.Freezes)
	p.IssuedAt = d.Time(t.issuedAt)
	p.IssuedOn = d.Date(t.issuedOn)
	return p, d.Err()
}

func (r passRepo) Get(ctx context.Context, network, id string) (pass.Pass, error) {
	return one(ctx, r.t, scanPass, fmt.Sprintf("pass %q", id),
		`SELECT `+passCols+` FROM passes WHERE network = ? AND id = ?`, network, id)
}

// Put inserts or replaces the pass; a code hash another pass of the
// network holds violates passes_code and is store.ErrConflict. A pass the
// unit of work read among the live passes of an owner, or put before, is
// written by its changed columns only (rowdiff.go).
func (r passRepo) Put(ctx context.Context, p pass.Pass) error {
	args, err := passArgs(&p)
	if err != nil {
		return err
	}
	if old := r.t.passAsIs(p.Network, p.ID); old != nil {
		if oldArgs, err := passArgs(old); err == nil {
			if oldVals, ok := driverValues(oldArgs); ok {
				// The derived expiry is written with any change: a row of
				// an earlier schema may hold none yet (backfillExpiry).
				done, wrote, _, err := r.t.writeChanged(ctx, "passes", putPassColumns, args, oldVals, 1<<len(passColumns))
				if err != nil {
					return fmt.Errorf("pass %q: %w", p.ID, err)
				}
				if done {
					if wrote {
						r.t.notePut(args[:len(passColumns)])
					}
					return nil
				}
			}
		}
	}
	if err := r.t.exec(ctx, putPass, args...); err != nil {
		return fmt.Errorf("pass %q: %w", p.ID, err)
	}
	r.t.notePut(args[:len(passColumns)])
	return nil
}

// passArgs returns the values putPass writes for p, in the order of
// putPassColumns.
func passArgs(p *pass.Pass) ([]any, error) {
	locs, err := sqlutil.FormatJSON(p.Locations)
	if err != nil {
		return nil, err
	}
	freezes, err := sqlutil.FormatJSON(p.Freezes)
	if err != nil {
		return nil, err
	}
	return []any{p.Network, p.ID, p.Product, p.Holder, p.Team, string(p.Kind), string(p.Source), int64(p.Units), int64(p.Balance),
		sqlutil.FormatDecimal(p.UnitValue.Amount), p.UnitValue.Currency, sqlutil.FormatDecimal(p.Price.Amount), p.Price.Currency,
		b2i(p.Paid), timeArg(p.PaidAt), p.PaidBy, locs,
		p.Tier, string(p.Audience), string(p.Priority), string(p.Activation), b2i(p.Locked), int64(p.Validity.Months), int64(p.Validity.Days),
		sqlutil.FormatDate(p.ActivatedOn), p.ActivatedBy, sqlutil.FormatDate(p.ExpiresOn), freezes, int64(p.Uses),
		sqlutil.FormatTime(p.IssuedAt), sqlutil.FormatDate(p.IssuedOn), p.CodeHash, p.CodeSealed,
		p.PaidWith, p.Card, b2i(p.Revoked), sqlutil.FormatDate(p.Expiry())}, nil
}

// passAsIs returns the pass of network and id as its row is in the unit
// of work (an Update), when the unit of work knows it: the last put of
// it, or else as read among the live passes of an owner (the cache of
// live passes holds what the rows decode to). It returns nil when it does
// not know the pass or a put could not be followed (tx.putErr).
func (t *tx) passAsIs(network, id string) *pass.Pass {
	if len(t.owners) == 0 || t.putErr {
		return nil
	}
	for i := len(t.puts) - 1; i >= 0; i-- {
		if p := t.puts[i]; p.Network == network && p.ID == id {
			return p
		}
	}
	for k, r := range t.owners {
		if k.network != network {
			continue
		}
		if i, ok := slices.BinarySearchFunc(r.passes, id, func(p *pass.Pass, id string) int { return strings.Compare(p.ID, id) }); ok {
			return r.passes[i]
		}
	}
	return nil
}

// Live reads the live-pass indexes only (liveQuery).
func (r passRepo) Live(ctx context.Context, network, holder, team string) ([]pass.Pass, error) {
	if team == "" {
		return list(ctx, r.t, scanPass, liveQuery+` ORDER BY id`, network, holder)
	}
	return list(ctx, r.t, scanPass, liveQuery+liveTeamQuery+` ORDER BY id`, network, holder, network, team)
}

func (r passRepo) List(ctx context.Context, f store.PassFilter) ([]pass.Pass, error) {
	q := `SELECT ` + passCols + ` FROM passes WHERE network = ?`
	args := []any{f.Network}
	if f.Holder != "" {
		q += ` AND holder = ?`
		args = append(args, f.Holder)
	}
	if f.Team != "" {
		q += ` AND team = ?`
		args = append(args, f.Team)
	}
	if f.Unpaid {
		q += ` AND paid = 0`
	}
	q += ` ORDER BY issued_at, id LIMIT ? OFFSET ?`
	args = append(args, limit(f.Limit), max(f.Offset, 0))
	return list(ctx, r.t, scanPass, q, args...)
}

func (r passRepo) ByCode(ctx context.Context, network, hash string) (pass.Pass, error) {
	if hash == "" {
		return pass.Pass{}, fmt.Errorf("pass code: %w", store.ErrNotFound)
	}
	return one(ctx, r.t, scanPass, "pass code", byCodeQuery, network, hash)
}
