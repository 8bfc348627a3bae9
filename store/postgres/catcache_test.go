package postgres

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/internal/catcache"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
)

// catalogVersion is the migration that adds catalog_versions.
const catalogVersion = 7

// loadCatalog runs LoadState for holder h at location l of network n in
// an Update of st and returns the state's catalog rows (network,
// location, count of locations, PAYG products) and the round trips the
// Update took.
func loadCatalog(t *testing.T, st *Store, l string) (catalogOf, int64) {
	t.Helper()
	var got catalogOf
	before := st.roundTrips.Load()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		s, err := tx.(store.StateLoader).LoadState(context.Background(), store.StateQuery{Network: "n", Holder: "h", Location: l,
			Key: "k", From: calendar.MustDate("2026-03-01"), To: calendar.MustDate("2026-03-03")})
		got = catalogOf{s.Network, s.Location, s.Locations, s.PAYG}
		return err
	})
	if err != nil {
		t.Fatalf("LoadState at %s: %v", l, err)
	}
	return got, st.roundTrips.Load() - before
}

// catalogOf is the catalog part of a store.State.
type catalogOf struct {
	Network   catalog.Network
	Location  catalog.Location
	Locations int
	PAYG      []billing.PAYG
}

// sameSchema opens a second store on st's schema: another process
// sharing the database.
func sameSchema(t *testing.T, st *Store) *Store {
	t.Helper()
	ctx := context.Background()
	var schema string
	if err := st.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, RequireDSN(t), WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// put runs fn's catalog puts in one Update of st.
func put(t *testing.T, st *Store, fn func(c store.Catalog) error) {
	t.Helper()
	if err := st.Update(context.Background(), func(tx store.Tx) error { return fn(tx.Catalog()) }); err != nil {
		t.Fatal(err)
	}
}

func payg(id, hourly string) billing.PAYG {
	return billing.PAYG{Network: "n", ID: id, Name: "PAYG " + id,
		Prices: []billing.Price{{Hourly: money.MustNew(hourly, "USD")}}, Locations: []string{"l1"}}
}

// TestCatalogCacheSeesOtherProcessesPuts: a store serves a holder call's
// catalog rows from its cache only while their version is the committed
// one. Each put of a network, location or PAYG product by another store
// on the same database (another process) is seen by the next call, which
// reads the rows again in one more round trip; the call after it takes
// the cache's rows again, in two (LoadState's and the COMMIT). Each state
// equals the one a store with nothing cached reads.
func TestCatalogCacheSeesOtherProcessesPuts(t *testing.T) {
	ctx := context.Background()
	a := NewTestStore(t)
	b := sameSchema(t, a)
	put(t, a, func(c store.Catalog) error {
		return errors.Join(
			c.PutNetwork(ctx, catalog.Network{ID: "n", Name: "N", Currency: "USD", Zone: "UTC"}),
			c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l1", Zone: "UTC"}),
			c.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}))
	})
	check := func(step string, wantTrips int64, ok func(catalogOf) bool) {
		t.Helper()
		got, trips := loadCatalog(t, a, "l1")
		fresh, _ := loadCatalog(t, sameSchema(t, a), "l1")
		if !reflect.DeepEqual(got, fresh) || !ok(got) {
			t.Errorf("%s: got %+v, want %+v", step, got, fresh)
		}
		if wantTrips > 0 && trips != wantTrips {
			t.Errorf("%s: %d round trips, want %d", step, trips, wantTrips)
		}
	}
	check("first read", 0, func(c catalogOf) bool { return c.Network.Name == "N" && c.Locations == 1 && c.PAYG == nil })
	check("cached", 2, func(catalogOf) bool { return true })

	for _, c := range []struct {
		step string
		put  func(c store.Catalog) error
		ok   func(catalogOf) bool
	}{
		{"network renamed", func(c store.Catalog) error {
			return c.PutNetwork(ctx, catalog.Network{ID: "n", Name: "N2", Currency: "USD", Zone: "UTC"})
		}, func(c catalogOf) bool { return c.Network.Name == "N2" }},
		{"location changed", func(c store.Catalog) error {
			return c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l1", Zone: "Europe/Paris", Tier: 3, DayCutoff: 3 * time.Hour})
		}, func(c catalogOf) bool {
			return c.Location.Zone == "Europe/Paris" && c.Location.Tier == 3 && c.Location.DayCutoff == 3*time.Hour
		}},
		{"location added", func(c store.Catalog) error {
			return c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l2", Zone: "UTC"})
		}, func(c catalogOf) bool { return c.Locations == 2 }},
		{"PAYG product added", func(c store.Catalog) error { return c.PutPAYG(ctx, payg("g", "4")) },
			func(c catalogOf) bool { return len(c.PAYG) == 1 && c.PAYG[0].Prices[0].Hourly.Amount.String() == "4" }},
		{"PAYG product repriced", func(c store.Catalog) error { return c.PutPAYG(ctx, payg("g", "5")) },
			func(c catalogOf) bool { return len(c.PAYG) == 1 && c.PAYG[0].Prices[0].Hourly.Amount.String() == "5" }},
	} {
		put(t, b, c.put)
		check(c.step, 3, c.ok)
		check(c.step+", cached again", 2, c.ok)
	}

	// A caller that changes the state's PAYG products changes nothing in
	// the cache.
	err := a.Update(ctx, func(tx store.Tx) error {
		s, err := tx.(store.StateLoader).LoadState(ctx, store.StateQuery{Network: "n", Holder: "h", Location: "l1"})
		if err == nil {
			s.PAYG[0].Name, s.PAYG[0].Prices[0].Audience, s.PAYG[0].Locations[0] = "x", "x", "x"
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after a caller changed its copy", 2, func(c catalogOf) bool { return c.PAYG[0].Name == "PAYG g" })
}

// TestCatalogCacheKeepsNoRolledBackRows: a unit of work that puts a
// location and then reads the state sees its own write, and its rollback
// leaves nothing of it in the cache, even when another unit of work then
// commits a different change under the version the rolled-back one had
// raised.
func TestCatalogCacheKeepsNoRolledBackRows(t *testing.T) {
	ctx := context.Background()
	a := NewTestStore(t)
	b := sameSchema(t, a)
	put(t, a, func(c store.Catalog) error {
		return errors.Join(
			c.PutNetwork(ctx, catalog.Network{ID: "n", Name: "N", Currency: "USD", Zone: "UTC"}),
			c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l1", Zone: "UTC"}),
			c.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}))
	})
	loadCatalog(t, a, "l1") // cached
	rollback := errors.New("rolled back")
	err := a.Update(ctx, func(tx store.Tx) error {
		if err := tx.Catalog().PutLocation(ctx, catalog.Location{Network: "n", ID: "l1", Zone: "Asia/Tokyo"}); err != nil {
			return err
		}
		s, err := tx.(store.StateLoader).LoadState(ctx, store.StateQuery{Network: "n", Holder: "h", Location: "l1"})
		if err != nil {
			return err
		}
		if s.Location.Zone != "Asia/Tokyo" {
			t.Errorf("inside the unit of work that put it: zone %q, want Asia/Tokyo", s.Location.Zone)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("Update: %v", err)
	}
	put(t, b, func(c store.Catalog) error {
		return c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l1", Zone: "America/Lima"})
	})
	if got, _ := loadCatalog(t, a, "l1"); got.Location.Zone != "America/Lima" {
		t.Errorf("after the rollback and another store's put: zone %q, want America/Lima", got.Location.Zone)
	}
}

// TestMigrateToCatalogVersionsKeepsRows: a schema made by the migrations
// before catalog_versions (before 0007), with a network, locations and a
// PAYG product written as that release wrote them, migrates and keeps
// every row; the network, with no version row, is at version 0, its rows
// are cached from the first call and the first put after the migration
// is seen by the next call.
func TestMigrateToCatalogVersionsKeepsRows(t *testing.T) {
	ctx := context.Background()
	st, ms := storeBefore(t, catalogVersion)
	for _, q := range []string{
		`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'N', 'USD', 'UTC')`,
		`INSERT INTO locations (network, id, name, zone, day_cutoff_ns, tier) VALUES ('n', 'l1', 'L1', 'UTC', 0, 1),
			('n', 'l2', 'L2', 'Europe/Paris', 10800000000000, 2)`,
		`INSERT INTO paygs (network, id, name, prices, daily_cap, daily_cap_currency, locations)
			VALUES ('n', 'g', 'PAYG g', '[{"hourly": {"amount": "4", "currency": "USD"}}]', 0, '', '{l1}')`,
		`INSERT INTO holders (network, id, name, audience, team) VALUES ('n', 'h', 'H', 'member', '')`,
	} {
		if err := Exec(st, q); err != nil {
			t.Fatalf("write with the previous schema: %v", err)
		}
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from the previous schema: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].Version {
		t.Fatalf("SchemaVersion: got %d, %v; want %d", v, err, ms[len(ms)-1].Version)
	}
	if n, err := QueryInt(st, `SELECT count(*) FROM catalog_versions`); err != nil || n != 0 {
		t.Fatalf("catalog_versions after the migration: %d rows, %v; want none", n, err)
	}
	wantLocation := catalog.Location{Network: "n", ID: "l2", Name: "L2", Zone: "Europe/Paris", DayCutoff: 3 * time.Hour, Tier: 2}
	first, _ := loadCatalog(t, st, "l2")
	if first.Network != (catalog.Network{ID: "n", Name: "N", Currency: "USD", Zone: "UTC"}) || first.Location != wantLocation ||
		first.Locations != 2 || len(first.PAYG) != 1 || first.PAYG[0].Name != "PAYG g" ||
		first.PAYG[0].Prices[0].Hourly.String() != money.MustNew("4", "USD").String() || !reflect.DeepEqual(first.PAYG[0].Locations, []string{"l1"}) {
		t.Errorf("first read: got %+v", first)
	}
	if cached, _ := loadCatalog(t, st, "l2"); !reflect.DeepEqual(cached, first) {
		t.Errorf("cached: got %+v, want %+v", cached, first)
	}
	var rows []catalog.Location
	err := st.View(ctx, func(tx store.Tx) (err error) {
		rows, err = tx.Catalog().Locations(ctx, "n")
		return err
	})
	if err != nil || len(rows) != 2 || rows[0].Name != "L1" || rows[0].Tier != 1 || rows[1] != wantLocation {
		t.Errorf("locations after the migration: %+v, %v", rows, err)
	}
	other := sameSchema(t, st)
	put(t, other, func(c store.Catalog) error {
		return c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l2", Name: "L2", Zone: "UTC"})
	})
	if got, _ := loadCatalog(t, st, "l2"); got.Location.Zone != "UTC" || got.Location.Tier != 0 {
		t.Errorf("after a put: location %+v, want zone UTC and tier 0", got.Location)
	}
	if n, err := QueryInt(st, `SELECT version FROM catalog_versions WHERE network = 'n'`); err != nil || n != 1 {
		t.Errorf("version after the first put: %d, %v; want 1", n, err)
	}
}

// TestCatalogCacheTrustsAnEntryForMaxAge: a catalog change that did not
// raise the network's version (SQL by hand, a process of the release
// before migration 0007) is served from the cache for at most
// catcache.MaxAge after the rows were read, and seen by the first call
// after it.
func TestCatalogCacheTrustsAnEntryForMaxAge(t *testing.T) {
	ctx := context.Background()
	a := NewTestStore(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a.cat.Now = func() time.Time { return now }
	put(t, a, func(c store.Catalog) error {
		return errors.Join(
			c.PutNetwork(ctx, catalog.Network{ID: "n", Name: "N", Currency: "USD", Zone: "UTC"}),
			c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l1", Zone: "UTC"}),
			c.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}))
	})
	loadCatalog(t, a, "l1") // read and cached
	if _, err := a.pool.Exec(ctx, `UPDATE locations SET zone = 'Europe/Paris' WHERE network = 'n' AND id = 'l1'`); err != nil {
		t.Fatal(err)
	}
	now = now.Add(catcache.MaxAge - time.Second)
	if got, _ := loadCatalog(t, a, "l1"); got.Location.Zone != "UTC" {
		t.Fatalf("within the age: got zone %q, want the cached %q", got.Location.Zone, "UTC")
	}
	now = now.Add(time.Second)
	if got, _ := loadCatalog(t, a, "l1"); got.Location.Zone != "Europe/Paris" {
		t.Errorf("at the age: got zone %q, want %q", got.Location.Zone, "Europe/Paris")
	}
	// Read again, the rows are cached anew: the next call takes them from
	// memory (two round trips: LoadState's and the COMMIT).
	if got, trips := loadCatalog(t, a, "l1"); got.Location.Zone != "Europe/Paris" || trips != 2 {
		t.Errorf("after reading again: got zone %q in %d round trips, want %q in 2", got.Location.Zone, trips, "Europe/Paris")
	}
}
