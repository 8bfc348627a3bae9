package sqlite

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
)

// catalogVersionsVersion is the migration that adds the catalog versions.
const catalogVersionsVersion = 8

// catState reads q's state in a unit of work of st (a View, or an Update
// when write) and reports whether the catalog cache served it: whether
// the network and location were cached at the version the read ended
// with. The read's error fails the test.
func catState(t *testing.T, st *Store, write bool, q store.StateQuery) (s store.State, cached bool) {
	t.Helper()
	ctx := context.Background()
	before, _ := st.cat.Lookup(q.Network, q.Location)
	run := st.View
	if write {
		run = st.Update
	}
	if err := run(ctx, func(tx store.Tx) (err error) { s, err = store.Load(ctx, tx, q); return err }); err != nil {
		t.Fatalf("state of %s/%s: %v", q.Network, q.Location, err)
	}
	after, _ := st.cat.Lookup(q.Network, q.Location)
	return s, before != nil && after == before
}

// seedCatalog writes the network n with the location l (tier 0) and the
// holder h through st's catalog puts.
func seedCatalog(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	if err := st.Update(ctx, func(tx store.Tx) error {
		c := tx.Catalog()
		return errors.Join(
			c.PutNetwork(ctx, catalog.Network{ID: "n", Name: "N", Currency: "USD", Zone: "UTC"}),
			c.PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Name: "L", Zone: "UTC"}),
			c.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}))
	}); err != nil {
		t.Fatal(err)
	}
}

var catQuery = store.StateQuery{Network: "n", Holder: "h", Location: "l", Lookback: 1}

// TestCatalogCacheSeesEveryWriter: a Store's catalog cache serves its
// state reads until the network's catalog changes, and then reads the
// new rows, whoever changed them: the Store itself, another Store on the
// file, or SQL by hand (migration 8's triggers raise the version).
func TestCatalogCacheSeesEveryWriter(t *testing.T) {
	ctx := context.Background()
	a := planStore(t)
	seedCatalog(t, a)
	b, err := Open(ctx, a.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })

	if _, cached := catState(t, a, false, catQuery); cached {
		t.Fatal("first read: served by the cache, want read")
	}
	for _, write := range []bool{false, true} {
		if s, cached := catState(t, a, write, catQuery); !cached || s.Location.Name != "L" || s.Locations != 1 || s.Network.Name != "N" {
			t.Fatalf("read again (write %t): cached %t, location %+v, %d locations, network %+v", write, cached, s.Location, s.Locations, s.Network)
		}
	}
	payg := billing.PAYG{Network: "n", ID: "p", Prices: []billing.Price{{Audience: catalog.Member, Hourly: money.MustNew("4", "USD")}}}
	for _, c := range []struct {
		name   string
		write  func() error
		check  func(s store.State) bool
		reader *Store
	}{
		{"the Store's own put of the location", func() error {
			return a.Update(ctx, func(tx store.Tx) error {
				return tx.Catalog().PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Name: "L2", Zone: "UTC", Tier: 2})
			})
		}, func(s store.State) bool { return s.Location.Name == "L2" && s.Location.Tier == 2 }, a},
		{"another Store's PAYG product", func() error {
			return b.Update(ctx, func(tx store.Tx) error { return tx.Catalog().PutPAYG(ctx, payg) })
		}, func(s store.State) bool {
			return len(s.PAYG) == 1 && s.PAYG[0].ID == "p" && len(s.PAYG[0].Prices) == 1 &&
				s.PAYG[0].Prices[0].Hourly.Amount.Equal(payg.Prices[0].Hourly.Amount)
		}, a},
		{"another Store's second location", func() error {
			return b.Update(ctx, func(tx store.Tx) error {
				return tx.Catalog().PutLocation(ctx, catalog.Location{Network: "n", ID: "m", Zone: "UTC"})
			})
		}, func(s store.State) bool { return s.Locations == 2 }, a},
		{"SQL by hand renaming the network", func() error {
			_, err := b.w.ExecContext(ctx, `UPDATE networks SET name = 'N3' WHERE id = 'n'`)
			return err
		}, func(s store.State) bool { return s.Network.Name == "N3" }, a},
		{"SQL by hand deleting the PAYG product", func() error {
			_, err := b.w.ExecContext(ctx, `DELETE FROM paygs WHERE network = 'n'`)
			return err
		}, func(s store.State) bool { return len(s.PAYG) == 0 }, a},
	} {
		if _, cached := catState(t, c.reader, false, catQuery); !cached {
			t.Fatalf("%s: the read before it was not served by the cache", c.name)
		}
		if err := c.write(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s, cached := catState(t, c.reader, true, catQuery)
		if cached || !c.check(s) {
			t.Errorf("%s: the read after it: cached %t, state network %+v, location %+v, %d locations, PAYG %+v",
				c.name, cached, s.Network, s.Location, s.Locations, s.PAYG)
		}
	}
}

// TestCatalogCacheNotFilledByRollback: the catalog rows an Update read
// after writing them are cached only once it commits. A rolled-back put
// raised the version to the number the next commit then takes with other
// rows: had the read been cached, the next read would have taken the
// rolled-back rows for that commit's.
func TestCatalogCacheNotFilledByRollback(t *testing.T) {
	ctx := context.Background()
	st := planStore(t)
	seedCatalog(t, st)
	catState(t, st, false, catQuery) // cached
	errRollback := errors.New("roll back")
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Catalog().PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Name: "gone", Zone: "UTC", Tier: 9}); err != nil {
			return err
		}
		s, err := store.Load(ctx, tx, catQuery)
		if err != nil {
			return err
		}
		if s.Location.Tier != 9 {
			t.Errorf("read in the unit of work: tier %d, want its own 9", s.Location.Tier)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Update: %v", err)
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE locations SET name = 'kept', tier = 5 WHERE network = 'n' AND id = 'l'`); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if s, _ := catState(t, st, i == 0, catQuery); s.Location.Name != "kept" || s.Location.Tier != 5 {
			t.Errorf("read %d after the rollback: location %+v, want the committed one (kept, tier 5)", i, s.Location)
		}
	}
}

// TestMigrationCatalogVersionsKeepsRows: a database made by the schema
// before the catalog versions (every migration before 0008), with two
// networks' catalog rows, opens, migrates and keeps every row; no network
// has a version row until its catalog changes, a state read is cached at
// version 0 and served by the cache, and the first change after the
// migration is seen.
func TestMigrationCatalogVersionsKeepsRows(t *testing.T) {
	ctx := context.Background()
	st, path, ms := openBefore(t, catalogVersionsVersion)
	prices, err := sqlutil.FormatJSON([]billing.Price{{Audience: catalog.Member, Hourly: money.MustNew("4", "USD")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'N', 'USD', 'UTC'), ('m', 'M', 'EUR', 'UTC')`,
		`INSERT INTO locations (network, id, name, zone, day_cutoff, tier) VALUES ('n', 'l', 'L', 'UTC', 0, 0), ('m', 'l', 'ML', 'UTC', 0, 1)`,
		`INSERT INTO holders (network, id, name, audience, team, health_declared_at) VALUES ('n', 'h', 'Ada', 'member', '', NULL)`,
		`INSERT INTO paygs (network, id, name, prices, daily_cap, daily_cap_currency, locations)
			VALUES ('n', 'p', 'P', ?, '', '', '[]')`,
	} {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{prices}
		}
		if _, err := st.w.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("write with the previous schema: %v", err)
		}
	}
	var before [][][]string
	for _, table := range []string{"networks", "locations", "paygs"} {
		before = append(before, dumpTable(t, st, table))
	}
	st = reopenMigrated(t, st, path, ms)
	var after [][][]string
	for _, table := range []string{"networks", "locations", "paygs"} {
		after = append(after, dumpTable(t, st, table))
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("catalog rows after Migrate:\ngot  %v\nwant %v", after, before)
	}
	var versions int
	if err := st.w.QueryRowContext(ctx, `SELECT count(*) FROM catalog_versions`).Scan(&versions); err != nil || versions != 0 {
		t.Errorf("catalog_versions after Migrate: %d rows, %v; want none", versions, err)
	}
	s, _ := catState(t, st, false, catQuery)
	if s.Network.Name != "N" || s.Location.Name != "L" || s.Locations != 1 || len(s.PAYG) != 1 {
		t.Fatalf("first read after Migrate: network %+v, location %+v, %d locations, PAYG %+v", s.Network, s.Location, s.Locations, s.PAYG)
	}
	if _, cached := catState(t, st, false, catQuery); !cached {
		t.Error("second read after Migrate: not served by the cache")
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE locations SET name = 'L2' WHERE network = 'n' AND id = 'l'`); err != nil {
		t.Fatal(err)
	}
	if s, cached := catState(t, st, false, catQuery); cached || s.Location.Name != "L2" {
		t.Errorf("read after the first change: cached %t, location %+v", cached, s.Location)
	}
	var v int64
	if err := st.w.QueryRowContext(ctx, `SELECT version FROM catalog_versions WHERE network = 'n'`).Scan(&v); err != nil || v != 1 {
		t.Errorf("version of n after one change: %d, %v; want 1", v, err)
	}
}
