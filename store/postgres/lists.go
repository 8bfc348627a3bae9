package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// Lists returns the repository of hosts' listings: every page reads an
// index from its position on (migration 0006).
func (t *tx) Lists() store.Lists { return listRepo{t} }

type listRepo struct{ t *tx }

// The catalog pages read the primary keys (network, id) from p.After on.
// LIMIT NULL is no limit.
const (
	networksPage  = `SELECT id, name, currency, zone FROM networks WHERE id > $1 ORDER BY id LIMIT $2`
	locationsPage = `SELECT ` + locationCols + ` FROM locations WHERE network = $1 AND id > $2 ORDER BY id LIMIT $3`
	holdersPage   = `SELECT network, id, name, audience, team, health_declared_at FROM holders
		WHERE network = $1 AND id > $2 ORDER BY id LIMIT $3`
	teamsPage = `SELECT network, id, name, credit_sharing FROM teams WHERE network = $1 AND id > $2 ORDER BY id LIMIT $3`
	paygsPage = `SELECT ` + paygCols + ` FROM paygs WHERE network = $1 AND id > $2 ORDER BY id LIMIT $3`
)

// limitParam is a LIMIT's parameter: nil (no limit) for 0.
func limitParam(n int) any {
	if n <= 0 {
		return nil
	}
	return n
}

func (r listRepo) Networks(ctx context.Context, p store.Page) ([]catalog.Network, error) {
	return collect(ctx, r.t, "networks", scanNetwork, networksPage, p.After, limitParam(p.Limit))
}

func (r listRepo) Locations(ctx context.Context, network string, p store.Page) ([]catalog.Location, error) {
	return collect(ctx, r.t, "locations", scanLocation, locationsPage, network, p.After, limitParam(p.Limit))
}

func (r listRepo) Holders(ctx context.Context, network string, p store.Page) ([]catalog.Holder, error) {
	return collect(ctx, r.t, "holders", scanHolder, holdersPage, network, p.After, limitParam(p.Limit))
}

func (r listRepo) Teams(ctx context.Context, network string, p store.Page) ([]catalog.Team, error) {
	return collect(ctx, r.t, "teams", scanTeam, teamsPage, network, p.After, limitParam(p.Limit))
}

func (r listRepo) PAYGs(ctx context.Context, network string, p store.Page) ([]billing.PAYG, error) {
	return collect(ctx, r.t, "PAYG products", scanPAYG, paygsPage, network, p.After, limitParam(p.Limit))
}

// Visits reads, from the cursor on, an index in (start, ID) order: the
// holder's open visits (visits_holder_open) or all its visits
// (visits_holder_start), the network's open visits (visits_open_start,
// also when q names a location: they are the live rows), the location's
// visits (visits_location_start) or the network's (visits_start). The
// other conditions filter its rows.
func (r listRepo) Visits(ctx context.Context, q store.VisitQuery) ([]checkin.Visit, error) {
	sql, args := visitsPage(q)
	return collect(ctx, r.t, "visits", scanVisit, sql, args...)
}

// visitsPage returns the query of q's page and its arguments.
func visitsPage(q store.VisitQuery) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT ` + visitCols + ` FROM visits WHERE network = $1`)
	args := []any{q.Network}
	add := func(cond string, arg any) {
		args = append(args, arg)
		b.WriteString(` AND ` + strings.ReplaceAll(cond, "$?", "$"+itoa(len(args))))
	}
	if q.Holder != "" {
		add(`holder = $?`, q.Holder)
	}
	if q.Location != "" {
		add(`location = $?`, q.Location)
	}
	switch q.Status {
	case "":
	case checkin.Open: // a literal, which the partial indexes' condition implies
		b.WriteString(` AND status = 'open'`)
		if q.Holder == "" {
			// visits_open_start's condition (migration 8), which holds
			// for every row: start_at is NOT NULL.
			b.WriteString(` AND start_at IS NOT NULL`)
		}
	default:
		add(`status = $?`, string(q.Status))
	}
	if q.Kind != "" {
		add(`kind = $?`, string(q.Kind))
	}
	if q.Mode != "" {
		add(`mode = $?`, string(q.Mode))
	}
	if !q.From.IsZero() {
		add(`date >= $?`, dateParam(q.From))
	}
	if !q.To.IsZero() {
		add(`date <= $?`, dateParam(q.To))
	}
	if !q.StartFrom.IsZero() {
		add(`start_at >= $?`, q.StartFrom.UTC())
	}
	if !q.StartBefore.IsZero() {
		add(`start_at < $?`, q.StartBefore.UTC())
	}
	if c := q.After; c != nil {
		args = append(args, c.Start.UTC(), c.ID)
		b.WriteString(` AND (start_at, id) > ($` + itoa(len(args)-1) + `, $` + itoa(len(args)) + `)`)
	}
	args = append(args, limitParam(q.Limit))
	b.WriteString(` ORDER BY start_at, id LIMIT $` + itoa(len(args)))
	return b.String(), args
}

// occupancyPage counts the network's open visits that started after $2
// by location, in the partial index visits_open_start (the live rows: the
// holders checked in now), for a page of its locations.
const occupancyPage = `SELECT ` + locationCols + `, coalesce(o.n, 0) FROM locations l
	LEFT JOIN (SELECT location, count(*) AS n FROM visits
		WHERE network = $1 AND status = 'open' AND start_at > $2 GROUP BY location) o ON o.location = l.id
	WHERE l.network = $1 AND l.id > $3 ORDER BY l.id LIMIT $4`

func (r listRepo) Occupancy(ctx context.Context, q store.OccupancyQuery) ([]store.Occupancy, error) {
	return collect(ctx, r.t, "occupancy", func(row pgx.Row) (o store.Occupancy, err error) {
		o.Location, err = scanLocation(countRow{row, &o.Open})
		return o, err
	}, occupancyPage, q.Network, q.Since.UTC(), q.Page.After, limitParam(q.Page.Limit))
}

// countRow scans a row's columns and then a count after them.
type countRow struct {
	pgx.Row
	n *int
}

func (c countRow) Scan(dest ...any) error { return c.Row.Scan(append(dest, c.n)...) }
