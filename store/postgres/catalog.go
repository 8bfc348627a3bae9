package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type catalogRepo struct{ t *tx }

func scanNetwork(r pgx.Row) (n catalog.Network, err error) {
	err = r.Scan(&n.ID, &n.Name, &n.Currency, &n.Zone)
	return n, err
}

func (r catalogRepo) Network(ctx context.Context, id string) (catalog.Network, error) {
	return one(ctx, r.t, fmt.Sprintf("network %q", id), scanNetwork,
		`SELECT id, name, currency, zone FROM networks WHERE id = $1`, id)
}

func (r catalogRepo) PutNetwork(ctx context.Context, n catalog.Network) error {
	return r.putCatalog(ctx, "network", n.ID, `INSERT INTO networks (id, name, currency, zone) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency, zone = excluded.zone`,
		n.ID, n.Name, n.Currency, n.Zone)
}

// bumpCatalogVersion raises network's catalog version ($1; its row
// begins at 1, version 0 being a network without one): see
// putCatalog.
const bumpCatalogVersion = `INSERT INTO catalog_versions (network, version) VALUES ($1, 1)
	ON CONFLICT (network) DO UPDATE SET version = catalog_versions.version + 1`

// catalogVersionsExist is whether the schema has catalog_versions
// (migration 0007).
const catalogVersionsExist = `SELECT to_regclass('catalog_versions') IS NOT NULL`

// putCatalog runs one insert-or-replace statement of a row that LoadState
// may serve from the store's catalog cache (a network, location or PAYG
// product of network), and raises the network's catalog version in the
// same transaction (held, it goes with the next statement or the COMMIT):
// a process that cached the rows of a lower version reads the new one in
// its next transaction and reads the rows again (catcache.go). Whether
// the schema has the versions is asked with the statement, in the same
// round trip, so that a store opened on a database not migrated yet (or
// migrated since) puts its rows all the same.
func (r catalogRepo) putCatalog(ctx context.Context, what, network, sql string, args ...any) error {
	t := r.t
	if err := t.writable(); err != nil {
		return err
	}
	t.catalogWritten = true
	for _, st := range [...]sqlStmt{{catalogVersionsExist, nil}, {sql, args}} {
		if err := t.s.inject("statement", st.sql, st.args); err != nil {
			return mapErr(err, "put "+what)
		}
	}
	br, err := t.send(ctx, sqlStmt{catalogVersionsExist, nil}, sqlStmt{sql, args})
	if err != nil {
		return mapErr(err, "put "+what)
	}
	exists, err := scanOptional(br, func(r pgx.Row) (ok bool, err error) { return ok, r.Scan(&ok) })
	if err == nil {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return mapErr(err, "put "+what)
	}
	if exists == nil || !*exists {
		return nil
	}
	t.s.versioned.Store(true)
	if err := t.hold("raise catalog version", bumpCatalogVersion, network); err != nil {
		return mapErr(err, "put "+what)
	}
	return nil
}

// put runs one insert-or-replace statement.
func (r catalogRepo) put(ctx context.Context, what, sql string, args ...any) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	_, err := r.t.exec(ctx, sql, args...)
	return mapErr(err, "put "+what)
}

const locationCols = `network, id, name, zone, day_cutoff_ns, tier`

func scanLocation(r pgx.Row) (l catalog.Location, err error) {
	var cutoff int64
	err = r.Scan(&l.Network, &l.ID, &l.Name, &l.Zone, &cutoff, &l.Tier)
	l.DayCutoff = time.Duration(cutoff)
	return l, err
}

func (r catalogRepo) Location(ctx context.Context, network, id string) (catalog.Location, error) {
	return one(ctx, r.t, fmt.Sprintf("location %q", id), scanLocation,
		`SELECT `+locationCols+` FROM locations WHERE network = $1 AND id = $2`, network, id)
}

func (r catalogRepo) PutLocation(ctx context.Context, l catalog.Location) error {
	return r.putCatalog(ctx, "location", l.Network, `INSERT INTO locations (`+locationCols+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (network, id) DO UPDATE SET name = excluded.name, zone = excluded.zone,
		day_cutoff_ns = excluded.day_cutoff_ns, tier = excluded.tier`,
		l.Network, l.ID, l.Name, l.Zone, int64(l.DayCutoff), l.Tier)
}

func (r catalogRepo) Locations(ctx context.Context, network string) ([]catalog.Location, error) {
	return collect(ctx, r.t, "locations", scanLocation,
		`SELECT `+locationCols+` FROM locations WHERE network = $1 ORDER BY id`, network)
}

func (r catalogRepo) CountLocations(ctx context.Context, network string) (int, error) {
	var n int
	err := r.t.queryRow(ctx, `SELECT count(*) FROM locations WHERE network = $1`, network).Scan(&n)
	return n, mapErr(err, "count locations")
}

func scanTeam(r pgx.Row) (t catalog.Team, err error) {
	err = r.Scan(&t.Network, &t.ID, &t.Name, &t.CreditSharing)
	return t, err
}

func (r catalogRepo) Team(ctx context.Context, network, id string) (catalog.Team, error) {
	return one(ctx, r.t, fmt.Sprintf("team %q", id), scanTeam,
		`SELECT network, id, name, credit_sharing FROM teams WHERE network = $1 AND id = $2`, network, id)
}

func (r catalogRepo) PutTeam(ctx context.Context, t catalog.Team) error {
	return r.put(ctx, "team", `INSERT INTO teams (network, id, name, credit_sharing) VALUES ($1, $2, $3, $4)
		ON CONFLICT (network, id) DO UPDATE SET name = excluded.name, credit_sharing = excluded.credit_sharing`,
		t.Network, t.ID, t.Name, t.CreditSharing)
}

func scanHolder(r pgx.Row) (catalog.Holder, error) {
	c := &struct { // one allocation (see scanPass)
		h        catalog.Holder
		declared pgtype.Timestamptz
		dest     [6]any
	}{}
	c.dest = [...]any{&c.h.Network, &c.h.ID, &c.h.Name, &c.h.Audience, &c.h.Team, &c.declared}
	err := r.Scan(c.dest[:]...)
	c.h.HealthDeclaredAt = instantPtrOf(c.declared)
	return c.h, err
}

func (r catalogRepo) Holder(ctx context.Context, network, id string) (catalog.Holder, error) {
	return one(ctx, r.t, fmt.Sprintf("holder %q", id), scanHolder,
		`SELECT network, id, name, audience, team, health_declared_at FROM holders WHERE network = $1 AND id = $2`, network, id)
}

func (r catalogRepo) PutHolder(ctx context.Context, h catalog.Holder) error {
	return r.put(ctx, "holder", `INSERT INTO holders (network, id, name, audience, team, health_declared_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (network, id) DO UPDATE SET name = excluded.name, audience = excluded.audience,
		team = excluded.team, health_declared_at = excluded.health_declared_at`,
		h.Network, h.ID, h.Name, string(h.Audience), h.Team, instantPtrParam(h.HealthDeclaredAt))
}

// lock takes SELECT ... FOR UPDATE on one row of table: every other unit
// of work locking it waits until this one ends (I2). Inside View, whose
// snapshot no other unit of work can change, it only checks the row
// exists. No row is store.ErrNotFound.
func (r catalogRepo) lock(ctx context.Context, table, what, network, id string) error {
	sql := `SELECT 1 FROM ` + table + ` WHERE network = $1 AND id = $2`
	if r.t.write {
		sql += ` FOR UPDATE`
	}
	var one int
	err := r.t.queryRow(ctx, sql, network, id).Scan(&one)
	return mapErr(err, fmt.Sprintf("lock %s %q", what, id))
}

// LockHolder locks the holder's row with SELECT ... FOR UPDATE until the
// unit of work ends. It returns store.ErrNotFound for an unknown holder.
func (r catalogRepo) LockHolder(ctx context.Context, network, id string) error {
	return r.lock(ctx, "holders", "holder", network, id)
}

// LockTeam locks the team's row with SELECT ... FOR UPDATE until the unit
// of work ends. It returns store.ErrNotFound for an unknown team.
func (r catalogRepo) LockTeam(ctx context.Context, network, id string) error {
	return r.lock(ctx, "teams", "team", network, id)
}

// LockLocation locks the location's row with SELECT ... FOR UPDATE until
// the unit of work ends. It returns store.ErrNotFound for an unknown
// location.
func (r catalogRepo) LockLocation(ctx context.Context, network, id string) error {
	return r.lock(ctx, "locations", "location", network, id)
}

const productCols = `network, id, name, kind, units, unit_value, unit_value_currency, price, price_currency,
	locations, tier, audience, priority, validity_months, validity_days, activation, locked`

func scanProduct(r pgx.Row) (p pass.Product, err error) {
	var unitValue, price moneyCol
	err = r.Scan(&p.Network, &p.ID, &p.Name, &p.Kind, &p.Units, &unitValue.amount, &unitValue.currency,
		&price.amount, &price.currency, &p.Locations, &p.Tier, &p.Audience, &p.Priority,
		&p.Validity.Months, &p.Validity.Days, &p.Activation, &p.Locked)
	if err != nil {
		return p, err
	}
	if p.UnitValue, err = unitValue.value(); err != nil {
		return p, err
	}
	p.Price, err = price.value()
	return p, err
}

func (r catalogRepo) Product(ctx context.Context, network, id string) (pass.Product, error) {
	return one(ctx, r.t, fmt.Sprintf("product %q", id), scanProduct,
		`SELECT `+productCols+` FROM products WHERE network = $1 AND id = $2`, network, id)
}

func (r catalogRepo) PutProduct(ctx context.Context, p pass.Product) error {
	return r.put(ctx, "product", `INSERT INTO products (`+productCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (network, id) DO UPDATE SET name = excluded.name, kind = excluded.kind, units = excluded.units,
		unit_value = excluded.unit_value, unit_value_currency = excluded.unit_value_currency,
		price = excluded.price, price_currency = excluded.price_currency, locations = excluded.locations,
		tier = excluded.tier, audience = excluded.audience, priority = excluded.priority,
		validity_months = excluded.validity_months, validity_days = excluded.validity_days,
		activation = excluded.activation, locked = excluded.locked`,
		p.Network, p.ID, p.Name, string(p.Kind), p.Units, numeric(p.UnitValue.Amount), p.UnitValue.Currency,
		numeric(p.Price.Amount), p.Price.Currency, textArray(p.Locations), p.Tier, string(p.Audience),
		string(p.Priority), p.Validity.Months, p.Validity.Days, string(p.Activation), p.Locked)
}

const paygCols = `network, id, name, prices, daily_cap, daily_cap_currency, locations`

func scanPAYG(r pgx.Row) (p billing.PAYG, err error) {
	var prices []byte
	var dailyCap moneyCol
	if err = r.Scan(&p.Network, &p.ID, &p.Name, &prices, &dailyCap.amount, &dailyCap.currency, &p.Locations); err != nil {
		return p, err
	}
	if err = jsonOf(prices, &p.Prices); err != nil {
		return p, err
	}
	p.DailyCap, err = dailyCap.value()
	return p, err
}

func (r catalogRepo) PAYG(ctx context.Context, network, id string) (billing.PAYG, error) {
	return one(ctx, r.t, fmt.Sprintf("PAYG product %q", id), scanPAYG,
		`SELECT `+paygCols+` FROM paygs WHERE network = $1 AND id = $2`, network, id)
}

func (r catalogRepo) PutPAYG(ctx context.Context, p billing.PAYG) error {
	prices, err := jsonParam(p.Prices)
	if err != nil {
		return err
	}
	return r.putCatalog(ctx, "PAYG product", p.Network, `INSERT INTO paygs (`+paygCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (network, id) DO UPDATE SET name = excluded.name, prices = excluded.prices,
		daily_cap = excluded.daily_cap, daily_cap_currency = excluded.daily_cap_currency, locations = excluded.locations`,
		p.Network, p.ID, p.Name, prices, numeric(p.DailyCap.Amount), p.DailyCap.Currency, textArray(p.Locations))
}

func (r catalogRepo) PAYGs(ctx context.Context, network string) ([]billing.PAYG, error) {
	return collect(ctx, r.t, "PAYG products", scanPAYG,
		`SELECT `+paygCols+` FROM paygs WHERE network = $1 ORDER BY id`, network)
}

func (r catalogRepo) Products(ctx context.Context, network string, p store.Page) ([]pass.Product, error) {
	args := []any{network, p.After}
	return collect(ctx, r.t, "products", scanProduct,
		`SELECT `+productCols+` FROM products WHERE network = $1 AND id > $2 ORDER BY id`+page(0, p.Limit, &args), args...)
}

func (r catalogRepo) CodeKeyCheck(ctx context.Context, network string) (string, error) {
	var check string
	err := r.t.queryRow(ctx, `SELECT code_key_check FROM network_keys WHERE network = $1`, network).Scan(&check)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return check, mapErr(err, "passcode key check")
}

func (r catalogRepo) PutCodeKeyCheck(ctx context.Context, network, check string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	_, err := r.t.exec(ctx, `INSERT INTO network_keys (network, code_key_check) VALUES ($1, $2)`, network, check)
	return mapErr(err, "put passcode key check")
}
