package sqlite

import (
	"context"
	"strings"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store"
)

// Lists returns the repository of hosts' listings: every page reads an
// index from its position on (migration 0005).
func (t *tx) Lists() store.Lists { return listRepo{t} }

type listRepo struct{ t *tx }

// The catalog pages read the primary keys (network, id) from p.After on.
const (
	networksPage  = `SELECT id, name, currency, zone FROM networks WHERE id > ? ORDER BY id LIMIT ?`
	locationsPage = `SELECT ` + locationCols + ` FROM locations WHERE network = ? AND id > ? ORDER BY id LIMIT ?`
	holdersPage   = `SELECT ` + holderCols + ` FROM holders WHERE network = ? AND id > ? ORDER BY id LIMIT ?`
	teamsPage     = `SELECT network, id, name, credit_sharing FROM teams WHERE network = ? AND id > ? ORDER BY id LIMIT ?`
	paygsPage     = `SELECT ` + paygCols + ` FROM paygs WHERE network = ? AND id > ? ORDER BY id LIMIT ?`
)

func (r listRepo) Networks(ctx context.Context, p store.Page) ([]catalog.Network, error) {
	return list(ctx, r.t, scanNetwork, networksPage, p.After, limit(p.Limit))
}

func (r listRepo) Locations(ctx context.Context, network string, p store.Page) ([]catalog.Location, error) {
	return list(ctx, r.t, scanLocation, locationsPage, network, p.After, limit(p.Limit))
}

func (r listRepo) Holders(ctx context.Context, network string, p store.Page) ([]catalog.Holder, error) {
	return list(ctx, r.t, scanHolder, holdersPage, network, p.After, limit(p.Limit))
}

func (r listRepo) Teams(ctx context.Context, network string, p store.Page) ([]catalog.Team, error) {
	return list(ctx, r.t, scanTeam, teamsPage, network, p.After, limit(p.Limit))
}

func (r listRepo) PAYGs(ctx context.Context, network string, p store.Page) ([]billing.PAYG, error) {
	return list(ctx, r.t, scanPAYG, paygsPage, network, p.After, limit(p.Limit))
}

// Visits reads, from the cursor on, the index of what q names first: the
// holder's open visits (visits_open), the holder's visits
// (visits_holder_start), the network's open visits (visits_open_start,
// also when q names a location: they are the live rows), the location's
// visits (visits_location_start) or the network's (visits_start). The
// other conditions filter the rows of that index.
func (r listRepo) Visits(ctx context.Context, q store.VisitQuery) ([]checkin.Visit, error) {
	sql, args := visitsPage(q)
	return list(ctx, r.t, scanVisit, sql, args...)
}

// visitIndex returns the index Visits reads for q. SQLite is told which
// (INDEXED BY): without statistics it may prefer the network's index and
// filter, whose cost grows with the network's visits.
func visitIndex(q *store.VisitQuery) string {
	open := q.Status == checkin.Open
	switch {
	case q.Holder != "" && open:
		return "visits_open"
	case q.Holder != "":
		return "visits_holder_start"
	case open:
		return "visits_open_start"
	case q.Location != "":
		return "visits_location_start"
	}
	return "visits_start"
}

// visitsPage returns the query of q's page and its arguments.
func visitsPage(q store.VisitQuery) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT ` + visitCols + ` FROM visits INDEXED BY ` + visitIndex(&q) + ` WHERE network = ?`)
	args := []any{q.Network}
	add := func(cond string, arg any) {
		b.WriteString(` AND ` + cond)
		args = append(args, arg)
	}
	if q.Holder != "" {
		add(`holder = ?`, q.Holder)
	}
	if q.Location != "" {
		add(`location = ?`, q.Location)
	}
	switch q.Status {
	case "":
	case checkin.Open: // a literal, which the partial indexes' condition implies
		b.WriteString(` AND status = 'open'`)
	default:
		add(`status = ?`, string(q.Status))
	}
	if q.Kind != "" {
		add(`kind = ?`, string(q.Kind))
	}
	if q.Mode != "" {
		add(`mode = ?`, string(q.Mode))
	}
	if !q.From.IsZero() {
		add(`service_date >= ?`, sqlutil.FormatDate(q.From))
	}
	if !q.To.IsZero() {
		add(`service_date <= ?`, sqlutil.FormatDate(q.To))
	}
	if !q.StartFrom.IsZero() {
		add(`start_at >= ?`, sqlutil.FormatTime(q.StartFrom))
	}
	if !q.StartBefore.IsZero() {
		add(`start_at < ?`, sqlutil.FormatTime(q.StartBefore))
	}
	if c := q.After; c != nil {
		b.WriteString(` AND (start_at, id) > (?, ?)`)
		args = append(args, sqlutil.FormatTime(c.Start), c.ID)
	}
	b.WriteString(` ORDER BY start_at, id LIMIT ?`)
	return b.String(), append(args, limit(q.Limit))
}

// occupancyPage counts the network's open visits that started after the
// first argument by location, in the partial index visits_open_start (the
// live rows: the holders checked in now), for a page of its locations.
const occupancyPage = `SELECT ` + locationCols + `, coalesce(o.n, 0) FROM locations l
	LEFT JOIN (SELECT location, count(*) AS n FROM visits INDEXED BY visits_open_start
		WHERE network = ?1 AND status = 'open' AND start_at > ?2 GROUP BY location) o ON o.location = l.id
	WHERE l.network = ?1 AND l.id > ?3 ORDER BY l.id LIMIT ?4`

func (r listRepo) Occupancy(ctx context.Context, q store.OccupancyQuery) ([]store.Occupancy, error) {
	return list(ctx, r.t, func(s scanner) (o store.Occupancy, err error) {
		o.Location, err = scanLocation(countScanner{s, &o.Open})
		return o, err
	}, occupancyPage, q.Network, sqlutil.FormatTime(q.Since), q.Page.After, limit(q.Page.Limit))
}

// countScanner scans a row's columns and then a count after them.
type countScanner struct {
	scanner
	n *int
}

func (c countScanner) Scan(dest ...any) error { return c.scanner.Scan(append(dest, c.n)...) }
