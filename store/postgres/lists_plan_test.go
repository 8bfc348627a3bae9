package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// TestListsUseIndexes: with statistics of a network of 20,000 holders and
// 40,000 visits, the planner answers each page of a listing from an index
// read from the cursor on in the page's order: no sequential scan, and no
// sort of the rows before the cursor.
func TestListsUseIndexes(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	for _, q := range []string{
		`INSERT INTO networks (id, name, currency, zone) SELECT 'n' || x, 'n', 'USD', 'UTC' FROM generate_series(0, 999) x`,
		`INSERT INTO locations (network, id, name, zone, day_cutoff_ns, tier) SELECT 'n', 'l' || x, 'l', 'UTC', 0, 0 FROM generate_series(0, 299) x`,
		`INSERT INTO teams (network, id, name, credit_sharing) SELECT 'n', 't' || x, 't', true FROM generate_series(0, 999) x`,
		`INSERT INTO holders (network, id, name, audience, team) SELECT 'n', 'h' || x, 'h', '', '' FROM generate_series(0, 19999) x`,
		`INSERT INTO paygs (network, id, name, daily_cap, daily_cap_currency) SELECT 'n', 'g' || x, 'g', 0, 'USD' FROM generate_series(0, 999) x`,
		`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, date, cost, pass,
			covered_by, payg, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
		SELECT 'n', 'v' || x, 'h' || (x % 20000), 'l' || (x % 300), 'check_in', 'visits',
			CASE WHEN x % 100 = 0 THEN 'open' ELSE 'closed' END, timestamptz '2025-01-01' + x * interval '1 minute',
			date '2025-01-01' + (x / 1440), 1, 'p' || x, '', '', 0, false, '', false, '', '' FROM generate_series(1, 40000) x`,
		`ANALYZE`,
	} {
		if err := Exec(st, q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	page := store.Page{After: "h5", Limit: 100}
	after := &store.VisitCursor{Start: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), ID: "v1"}
	visits := func(q store.VisitQuery) func(store.Lists) error {
		q.Network, q.After, q.Limit = "n", after, 100
		return func(l store.Lists) error { _, err := l.Visits(ctx, q); return err }
	}
	period := store.VisitQuery{Location: "l7", From: calendar.MustDate("2025-01-10"), To: calendar.MustDate("2025-01-20"),
		StartFrom: time.Date(2025, 1, 8, 0, 0, 0, 0, time.UTC), StartBefore: time.Date(2025, 1, 24, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		name  string
		call  func(store.Lists) error
		index string
	}{
		{"Networks", func(l store.Lists) error { _, err := l.Networks(ctx, page); return err }, "networks_pkey"},
		{"Locations", func(l store.Lists) error { _, err := l.Locations(ctx, "n", page); return err }, "locations_pkey"},
		{"Holders", func(l store.Lists) error { _, err := l.Holders(ctx, "n", page); return err }, "holders_pkey"},
		{"Teams", func(l store.Lists) error { _, err := l.Teams(ctx, "n", page); return err }, "teams_pkey"},
		{"PAYGs", func(l store.Lists) error { _, err := l.PAYGs(ctx, "n", page); return err }, "paygs_pkey"},
		{"Occupancy", func(l store.Lists) error {
			_, err := l.Occupancy(ctx, store.OccupancyQuery{Network: "n", Since: time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC), Page: page})
			return err
		}, "visits_open_start"}, // then a sort of the counts by location
		{"Visits", visits(store.VisitQuery{}), "visits_start"},
		{"Visits open", visits(store.VisitQuery{Status: checkin.Open}), "visits_open_start"},
		{"Visits of a holder", visits(store.VisitQuery{Holder: "h7"}), "visits_holder_start"},
		{"Visits of a holder, open", visits(store.VisitQuery{Holder: "h7", Status: checkin.Open}), "visits_holder_open"},
		{"Visits at a location", visits(store.VisitQuery{Location: "l7"}), "visits_location_start"},
		{"Visits at a location, open", visits(store.VisitQuery{Location: "l7", Status: checkin.Open}), "visits_open_start|visits_location_start"},
		{"Visits at a location in a period", visits(period), "visits_location_start"},
	} {
		got, err := statements(st, func(tx store.Tx) error { return c.call(tx.Lists()) })
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: got %d statements, %v; want 1", c.name, len(got), err)
		}
		plan := explainAs(t, st, false, got[0].sql, got[0].args)
		uses := false
		for _, index := range strings.Split(c.index, "|") {
			uses = uses || strings.Contains(plan, "Index Scan using "+index+" ")
		}
		sorts := strings.Contains(plan, "Sort") && !strings.Contains(plan, "Sort Key: o.location")
		if !uses || strings.Contains(plan, "Seq Scan") || sorts {
			t.Errorf("%s: plan of %s: got\n%s\nwant index %s read in order, no sequential scan, no sort", c.name, oneLine(got[0].sql), plan, c.index)
		}
	}
}
