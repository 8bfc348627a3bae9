package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type passRepo struct{ t *tx }

const passCols = `network, id, product, holder, team, kind, source, units, balance,
	unit_value, unit_value_currency, price, price_currency, paid, paid_at, paid_by, locations, tier,
	audience, priority, activation, locked, validity_months, validity_days, activated_on, activated_by,
	expires_on, freezes, uses, issued_at, issued_on, code_hash, code_sealed, paid_with, card, revoked`

func scanPass(r pgx.Row) (pass.Pass, error) {
	// The pass, the columns that need converting and the destinations, in
	// one variable: Scan's pointers make what they point into escape, one
	// allocation rather than one each.
	c := &struct {
		p                                pass.Pass
		unitValue, price                 moneyCol
		paidAt, issuedAt                 pgtype.Timestamptz
		activatedOn, expiresOn, issuedOn pgtype.Date
		freezes                          []byte
		dest                             [36]any
	}{}
	p := &c.p
	c.dest = [...]any{&p.Network, &p.ID, &p.Product, &p.Holder, &p.Team, &p.Kind, &p.Source, &p.Units, &p.Balance,
		&c.unitValue.amount, &c.unitValue.currency, &c.price.amount, &c.price.currency, &p.Paid, &c.paidAt, &p.PaidBy,
		&p.Locations, &p.Tier, &p.Audience, &p.Priority, &p.Activation, &p.Locked, &p.Validity.Months,
		&p.Validity.Days, &c.activatedOn, &p.ActivatedBy, &c.expiresOn, &c.freezes, &p.Uses, &c.issuedAt, &c.issuedOn,
		&p.CodeHash, &p.CodeSealed, &p.PaidWith, &p.Card, &p.Revoked}
	if err := r.Scan(c.dest[:]...); err != nil {
		return *p, err
	}
	var err error
	p.PaidAt, p.IssuedAt = instantPtrOf(c.paidAt), instantOf(c.issuedAt)
	p.ActivatedOn, p.ExpiresOn, p.IssuedOn = dateOf(c.activatedOn), dateOf(c.expiresOn), dateOf(c.issuedOn)
	if p.UnitValue, err = c.unitValue.value(); err != nil {
		return *p, err
	}
	if p.Price, err = c.price.value(); err != nil {
		return *p, err
	}
	return *p, jsonOf(c.freezes, &p.Freezes)
}

func (r passRepo) Get(ctx context.Context, network, id string) (pass.Pass, error) {
	return one(ctx, r.t, fmt.Sprintf("pass %q", id), scanPass,
		`SELECT `+passCols+` FROM passes WHERE network = $1 AND id = $2`, network, id)
}

// Put inserts or replaces the pass. A code hash held by another pass of
// the network is store.ErrConflict: checked first, so that the unit of
// work stays usable, and enforced by a unique index against races.
func (r passRepo) Put(ctx context.Context, p pass.Pass) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if p.CodeHash != "" {
		var other string
		err := r.t.queryRow(ctx, `SELECT id FROM passes WHERE network = $1 AND code_hash = $2 AND id <> $3`,
			p.Network, p.CodeHash, p.ID).Scan(&other)
		switch {
		case err == nil:
			return fmt.Errorf("pass %q: code already used by pass %q: %w", p.ID, other, store.ErrConflict)
		case !errors.Is(err, pgx.ErrNoRows):
			return mapErr(err, "put pass")
		}
	}
	sql, args, err := upsertPass(p)
	if err != nil {
		return err
	}
	r.t.forget(p.Network, p.ID)
	_, err = r.t.exec(ctx, sql, args...)
	return mapErr(err, fmt.Sprintf("put pass %q", p.ID))
}

// upsertPass returns the statement that inserts or replaces p.
func upsertPass(p pass.Pass) (string, []any, error) {
	freezes, err := jsonParam(p.Freezes)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO passes (` + passCols + `, expiry) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33,
		$34, $35, $36, $37)
		ON CONFLICT (network, id) DO UPDATE SET product = excluded.product, holder = excluded.holder,
		team = excluded.team, kind = excluded.kind, source = excluded.source, units = excluded.units,
		balance = excluded.balance, unit_value = excluded.unit_value, unit_value_currency = excluded.unit_value_currency,
		price = excluded.price, price_currency = excluded.price_currency, paid = excluded.paid,
		paid_at = excluded.paid_at, paid_by = excluded.paid_by, locations = excluded.locations, tier = excluded.tier,
		audience = excluded.audience, priority = excluded.priority, activation = excluded.activation,
		locked = excluded.locked, validity_months = excluded.validity_months, validity_days = excluded.validity_days,
		activated_on = excluded.activated_on, activated_by = excluded.activated_by, expires_on = excluded.expires_on,
		freezes = excluded.freezes, uses = excluded.uses, issued_at = excluded.issued_at, issued_on = excluded.issued_on,
		code_hash = excluded.code_hash, code_sealed = excluded.code_sealed, paid_with = excluded.paid_with,
		card = excluded.card, revoked = excluded.revoked, expiry = excluded.expiry`, []any{
			p.Network, p.ID, p.Product, p.Holder, p.Team, string(p.Kind), string(p.Source), p.Units, p.Balance,
			numeric(p.UnitValue.Amount), p.UnitValue.Currency, numeric(p.Price.Amount), p.Price.Currency,
			p.Paid, instantPtrParam(p.PaidAt), p.PaidBy, textArray(p.Locations), p.Tier, string(p.Audience),
			string(p.Priority), string(p.Activation), p.Locked, p.Validity.Months, p.Validity.Days,
			dateParam(p.ActivatedOn), p.ActivatedBy, dateParam(p.ExpiresOn), freezes, p.Uses,
			p.IssuedAt.UTC(), dateParam(p.IssuedOn), p.CodeHash, p.CodeSealed, p.PaidWith, p.Card, p.Revoked, expiryParam(p.Expiry())}, nil
}

// Live reads the partial indexes passes_live_holder and passes_live_team:
// its cost follows the live passes, not the used-up ones.
func (r passRepo) Live(ctx context.Context, network, holder, team string) ([]pass.Pass, error) {
	if team == "" {
		return collect(ctx, r.t, "live passes", scanPass, `SELECT `+passCols+` FROM passes
			WHERE network = $1 AND holder = $2 AND team = '' AND balance > 0 ORDER BY id`, network, holder)
	}
	return collect(ctx, r.t, "live passes", scanPass, `SELECT * FROM (
			SELECT `+passCols+` FROM passes WHERE network = $1 AND holder = $2 AND team = '' AND balance > 0
			UNION ALL
			SELECT `+passCols+` FROM passes WHERE network = $1 AND team = $3 AND team <> '' AND balance > 0
		) live ORDER BY id`, network, holder, team)
}

func (r passRepo) List(ctx context.Context, f store.PassFilter) ([]pass.Pass, error) {
	sql, args := `SELECT `+passCols+` FROM passes WHERE network = $1`, []any{f.Network}
	where(&sql, &args, "holder", f.Holder)
	where(&sql, &args, "team", f.Team)
	if f.Unpaid {
		sql += " AND NOT paid"
	}
	sql += " ORDER BY issued_at, id" + page(f.Offset, f.Limit, &args)
	return collect(ctx, r.t, "passes", scanPass, sql, args...)
}

func (r passRepo) ByCode(ctx context.Context, network, hash string) (pass.Pass, error) {
	if hash == "" {
		return pass.Pass{}, fmt.Errorf("pass code: %w", store.ErrNotFound)
	}
	return one(ctx, r.t, "pass code", scanPass,
		`SELECT `+passCols+` FROM passes WHERE network = $1 AND code_hash = $2`, network, hash)
}
