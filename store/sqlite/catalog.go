package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type catalogRepo struct{ t *tx }

func (r catalogRepo) Network(ctx context.Context, id string) (catalog.Network, error) {
	return one(ctx, r.t, func(s scanner) (n catalog.Network, err error) {
		err = s.Scan(&n.ID, &n.Name, &n.Currency, &n.Zone)
		return n, err
	}, fmt.Sprintf("network %q", id), `SELECT id, name, currency, zone FROM networks WHERE id = ?`, id)
}

var putNetwork = upsert("networks", 1, "id", "name", "currency", "zone")

func (r catalogRepo) PutNetwork(ctx context.Context, n catalog.Network) error {
	return r.t.exec(ctx, putNetwork, n.ID, n.Name, n.Currency, n.Zone)
}

const locationCols = `network, id, name, zone, day_cutoff, tier`

func scanLocation(s scanner) (l catalog.Location, err error) {
	var cutoff int64
	err = s.Scan(&l.Network, &l.ID, &l.Name, &l.Zone, &cutoff, &l.Tier)
	l.DayCutoff = time.Duration(cutoff)
	return l, err
}

func (r catalogRepo) Location(ctx context.Context, network, id string) (catalog.Location, error) {
	return one(ctx, r.t, scanLocation, fmt.Sprintf("location %q", id),
		`SELECT `+locationCols+` FROM locations WHERE network = ? AND id = ?`, network, id)
}

var putLocation = upsert("locations", 2, "network", "id", "name", "zone", "day_cutoff", "tier")

func (r catalogRepo) PutLocation(ctx context.Context, l catalog.Location) error {
	return r.t.exec(ctx, putLocation, l.Network, l.ID, l.Name, l.Zone, int64(l.DayCutoff), l.Tier)
}

func (r catalogRepo) Locations(ctx context.Context, network string) ([]catalog.Location, error) {
	return list(ctx, r.t, scanLocation, `SELECT `+locationCols+` FROM locations WHERE network = ? ORDER BY id`, network)
}

func (r catalogRepo) CountLocations(ctx context.Context, network string) (int, error) {
	var n int
	err := r.t.queryRow(ctx, `SELECT count(*) FROM locations WHERE network = ?`, network).Scan(&n)
	return n, mapErr(err)
}

func scanTeam(s scanner) (tm catalog.Team, err error) {
	err = s.Scan(&tm.Network, &tm.ID, &tm.Name, &tm.CreditSharing)
	return tm, err
}

func (r catalogRepo) Team(ctx context.Context, network, id string) (catalog.Team, error) {
	return one(ctx, r.t, scanTeam, fmt.Sprintf("team %q", id),
		`SELECT network, id, name, credit_sharing FROM teams WHERE network = ? AND id = ?`, network, id)
}

var putTeam = upsert("teams", 2, "network", "id", "name", "credit_sharing")

func (r catalogRepo) PutTeam(ctx context.Context, tm catalog.Team) error {
	return r.t.exec(ctx, putTeam, tm.Network, tm.ID, tm.Name, b2i(tm.CreditSharing))
}

func scanHolder(s scanner) (h catalog.Holder, err error) {
	var declared sql.NullString
	if err = s.Scan(&h.Network, &h.ID, &h.Name, &h.Audience, &h.Team, &declared); err != nil {
		return h, err
	}
	var d sqlutil.Decoder
	h.HealthDeclaredAt = d.TimePtr(declared)
	return h, d.Err()
}

func (r catalogRepo) Holder(ctx context.Context, network, id string) (catalog.Holder, error) {
	return one(ctx, r.t, scanHolder, fmt.Sprintf("holder %q", id),
		`SELECT network, id, name, audience, team, health_declared_at FROM holders WHERE network = ? AND id = ?`, network, id)
}

var putHolder = upsert("holders", 2, "network", "id", "name", "audience", "team", "health_declared_at")

func (r catalogRepo) PutHolder(ctx context.Context, h catalog.Holder) error {
	return r.t.exec(ctx, putHolder, h.Network, h.ID, h.Name, string(h.Audience), h.Team, sqlutil.FormatTimePtr(h.HealthDeclaredAt))
}

// LockHolder checks that the holder exists: every Update holds the
// database's write lock already (BEGIN IMMEDIATE), which serializes it with
// every other unit of work.
func (r catalogRepo) LockHolder(ctx context.Context, network, id string) error {
	return exists(ctx, r.t, fmt.Sprintf("holder %q", id), `SELECT 1 FROM holders WHERE network = ? AND id = ?`, network, id)
}

// LockTeam checks that the team exists (see LockHolder).
func (r catalogRepo) LockTeam(ctx context.Context, network, id string) error {
	return exists(ctx, r.t, fmt.Sprintf("team %q", id), `SELECT 1 FROM teams WHERE network = ? AND id = ?`, network, id)
}

// LockLocation checks that the location exists (see LockHolder).
func (r catalogRepo) LockLocation(ctx context.Context, network, id string) error {
	return exists(ctx, r.t, fmt.Sprintf("location %q", id), `SELECT 1 FROM locations WHERE network = ? AND id = ?`, network, id)
}

const productCols = `network, id, name, kind, units, unit_value, unit_value_currency, price, price_currency,
	locations, tier, audience, priority, validity_months, validity_days, activation, locked`

func scanProduct(s scanner) (p pass.Product, err error) {
	var unitValue, unitCur, price, priceCur, locs string
	if err = s.Scan(&p.Network, &p.ID, &p.Name, &p.Kind, &p.Units, &unitValue, &unitCur, &price, &priceCur,
		&locs, &p.Tier, &p.Audience, &p.Priority, &p.Validity.Months, &p.Validity.Days, &p.Activation, &p.Locked); err != nil {
		return p, err
	}
	var d sqlutil.Decoder
	p.UnitValue = d.Money(unitValue, unitCur)
	p.Price = d.Money(price, priceCur)
	d.JSON(locs, &p.Locations)
	return p, d.Err()
}

func (r catalogRepo) Product(ctx context.Context, network, id string) (pass.Product, error) {
	return one(ctx, r.t, scanProduct, fmt.Sprintf("product %q", id),
		`SELECT `+productCols+` FROM products WHERE network = ? AND id = ?`, network, id)
}

var putProduct = upsert("products", 2, "network", "id", "name", "kind", "units", "unit_value", "unit_value_currency",
	"price", "price_currency", "locations", "tier", "audience", "priority", "validity_months", "validity_days", "activation", "locked")

func (r catalogRepo) PutProduct(ctx context.Context, p pass.Product) error {
	locs, err := sqlutil.FormatJSON(p.Locations)
	if err != nil {
		return err
	}
	return r.t.exec(ctx, putProduct, p.Network, p.ID, p.Name, string(p.Kind), p.Units,
		sqlutil.FormatDecimal(p.UnitValue.Amount), p.UnitValue.Currency, sqlutil.FormatDecimal(p.Price.Amount), p.Price.Currency,
		locs, p.Tier, string(p.Audience), string(p.Priority), p.Validity.Months, p.Validity.Days, string(p.Activation), b2i(p.Locked))
}

const paygCols = `network, id, name, prices, daily_cap, daily_cap_currency, locations`

func scanPAYG(s scanner) (p billing.PAYG, err error) {
	var prices, capAmount, capCur, locs string
	if err = s.Scan(&p.Network, &p.ID, &p.Name, &prices, &capAmount, &capCur, &locs); err != nil {
		return p, err
	}
	var d sqlutil.Decoder
	d.JSON(prices, &p.Prices)
	p.DailyCap = d.Money(capAmount, capCur)
	d.JSON(locs, &p.Locations)
	return p, d.Err()
}

func (r catalogRepo) PAYG(ctx context.Context, network, id string) (billing.PAYG, error) {
	return one(ctx, r.t, scanPAYG, fmt.Sprintf("PAYG product %q", id),
		`SELECT `+paygCols+` FROM paygs WHERE network = ? AND id = ?`, network, id)
}

var putPAYG = upsert("paygs", 2, "network", "id", "name", "prices", "daily_cap", "daily_cap_currency", "locations")

func (r catalogRepo) PutPAYG(ctx context.Context, p billing.PAYG) error {
	prices, err := sqlutil.FormatJSON(p.Prices)
	if err != nil {
		return err
	}
	locs, err := sqlutil.FormatJSON(p.Locations)
	if err != nil {
		return err
	}
	return r.t.exec(ctx, putPAYG, p.Network, p.ID, p.Name, prices,
		sqlutil.FormatDecimal(p.DailyCap.Amount), p.DailyCap.Currency, locs)
}

func (r catalogRepo) PAYGs(ctx context.Context, network string) ([]billing.PAYG, error) {
	return list(ctx, r.t, scanPAYG, `SELECT `+paygCols+` FROM paygs WHERE network = ? ORDER BY id`, network)
}

func (r catalogRepo) Products(ctx context.Context, network string, p store.Page) ([]pass.Product, error) {
	return list(ctx, r.t, scanProduct, `SELECT `+productCols+` FROM products WHERE network = ? AND id > ? ORDER BY id LIMIT ?`,
		network, p.After, limit(p.Limit))
}

func (r catalogRepo) CodeKeyCheck(ctx context.Context, network string) (string, error) {
	var check string
	err := r.t.queryRow(ctx, `SELECT code_key_check FROM network_keys WHERE network = ?`, network).Scan(&check)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return check, mapErr(err)
}

func (r catalogRepo) PutCodeKeyCheck(ctx context.Context, network, check string) error {
	return r.t.exec(ctx, `INSERT INTO network_keys (network, code_key_check) VALUES (?, ?)`, network, check)
}
