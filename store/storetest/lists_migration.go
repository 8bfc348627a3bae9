package storetest

import (
	"context"
	"testing"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// listsMigrationVisits are the visits SeedListsMigration writes: ada's
// closed visit and her open one, and ben's open one at another location.
func listsMigrationVisits() []checkin.Visit {
	return []checkin.Visit{
		listVisit("n", "v1", "ada", "loc-a", checkin.CheckInVisit, checkin.ByVisits, checkin.Closed, instant(2, 9, 0)),
		listVisit("n", "v2", "ada", "loc-a", checkin.CheckInVisit, checkin.ByDay, checkin.Open, instant(3, 9, 0)),
		listVisit("n", "v3", "ben", "loc-b", checkin.CheckInVisit, checkin.ByPAYG, checkin.Open, instant(3, 10, 0)),
	}
}

// SeedListsMigration writes, through st's repositories, the rows
// CheckListsMigration expects: network "n" with locations loc-a and
// loc-b, holders ada and ben, and three visits. An adapter's migration
// test calls it on a store at the schema before the listing indexes and
// CheckListsMigration after migrating it.
func SeedListsMigration(t testing.TB, st store.Store) {
	t.Helper()
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork("n")))
		for _, id := range []string{"loc-b", "loc-a"} {
			must(t, "PutLocation", c.PutLocation(bg, sampleLocation("n", id)))
		}
		for _, id := range []string{"ben", "ada"} {
			must(t, "PutHolder", c.PutHolder(bg, catalog.Holder{Network: "n", ID: id, Name: id, Audience: catalog.Member}))
		}
		for _, v := range listsMigrationVisits() {
			must(t, "Visits.Put", tx.Visits().Put(bg, v))
		}
		return nil
	})
}

// CheckListsMigration checks a store seeded by SeedListsMigration and
// migrated since: the rows read back whole through Lists (the holders and
// locations in ID order, the visits in start order, ada's and the open
// ones alone, each location's occupancy) and through the check-in path's
// Visits.Open. It fails t on any difference.
func CheckListsMigration(t testing.TB, st store.Store) {
	t.Helper()
	want := listsMigrationVisits()
	view(t, st, func(tx store.Tx) error {
		ctx := context.Background()
		l := tx.Lists()
		hs, err := l.Holders(ctx, "n", store.Page{})
		must(t, "Holders", err)
		same(t, "Holders", ids(hs, func(h catalog.Holder) string { return h.ID }), []string{"ada", "ben"})
		vs, err := l.Visits(ctx, store.VisitQuery{Network: "n"})
		must(t, "Visits", err)
		same(t, "Visits", vs, want)
		vs, err = l.Visits(ctx, store.VisitQuery{Network: "n", Holder: "ada"})
		must(t, "Visits of ada", err)
		same(t, "Visits of ada", ids(vs, visitID), []string{"v1", "v2"})
		vs, err = l.Visits(ctx, store.VisitQuery{Network: "n", Status: checkin.Open})
		must(t, "open Visits", err)
		same(t, "open Visits", ids(vs, visitID), []string{"v2", "v3"})
		os, err := l.Occupancy(ctx, store.OccupancyQuery{Network: "n"})
		must(t, "Occupancy", err)
		same(t, "Occupancy", os, []store.Occupancy{{Location: sampleLocation("n", "loc-a"), Open: 1}, {Location: sampleLocation("n", "loc-b"), Open: 1}})
		open, err := tx.Visits().Open(ctx, "n", "ada")
		must(t, "Visits.Open", err)
		same(t, "Visits.Open of ada", open, want[1:2])
		return nil
	})
}
