package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// TestListsUseIndexes: each page of a listing reads an index from its
// cursor on, in the order of the page (no sort, no table scan), so that
// its cost does not grow with the rows before the cursor.
func TestListsUseIndexes(t *testing.T) {
	st := planStore(t)
	after := &store.VisitCursor{Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), ID: "v"}
	visits := func(q store.VisitQuery) (string, []any) {
		q.Network, q.After, q.Limit = "n", after, 10
		return visitsPage(q)
	}
	type query struct {
		name, sql string
		args      []any
		index     string
	}
	cases := []query{
		{"Networks", networksPage, []any{"a", 10}, "sqlite_autoindex_networks_1"},
		{"Locations", locationsPage, []any{"n", "a", 10}, "sqlite_autoindex_locations_1"},
		{"Holders", holdersPage, []any{"n", "a", 10}, "sqlite_autoindex_holders_1"},
		{"Teams", teamsPage, []any{"n", "a", 10}, "sqlite_autoindex_teams_1"},
		{"PAYGs", paygsPage, []any{"n", "a", 10}, "sqlite_autoindex_paygs_1"},
		{"Occupancy", occupancyPage, []any{"n", "2026-03-02T00:00:00.000000000Z", "a", 10}, "visits_open_start"},
	}
	for _, c := range []struct {
		name  string
		q     store.VisitQuery
		index string
	}{
		{"network", store.VisitQuery{}, "visits_start"},
		{"open", store.VisitQuery{Status: checkin.Open}, "visits_open_start"},
		{"holder", store.VisitQuery{Holder: "h"}, "visits_holder_start"},
		{"holder open", store.VisitQuery{Holder: "h", Status: checkin.Open}, "visits_open"},
		{"holder at a location", store.VisitQuery{Holder: "h", Location: "l", Kind: checkin.CheckInVisit}, "visits_holder_start"},
		{"location", store.VisitQuery{Location: "l"}, "visits_location_start"},
		{"location open", store.VisitQuery{Location: "l", Status: checkin.Open}, "visits_open_start"},
		{"location in a period", store.VisitQuery{Location: "l", From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 31),
			StartFrom: time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC), StartBefore: time.Date(2026, 4, 4, 0, 0, 0, 0, time.UTC)}, "visits_location_start"},
		{"period", store.VisitQuery{From: calendar.NewDate(2026, 3, 1), Mode: checkin.ByDay,
			StartFrom: time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)}, "visits_start"},
	} {
		sql, args := visits(c.q)
		cases = append(cases, query{"Visits " + c.name, sql, args, c.index})
	}
	for _, c := range cases {
		text := queryPlan(t, st, c.name, c.sql, c.args...)
		if !strings.Contains(text, "INDEX "+c.index+" (") {
			t.Errorf("%s: plan %q does not search index %s", c.name, text, c.index)
		}
		if strings.Contains(text, "TEMP B-TREE FOR ORDER BY") || strings.Contains(text, "SCAN visits") || strings.Contains(text, "SCAN l") {
			t.Errorf("%s: plan %q sorts or scans", c.name, text)
		}
	}
}
