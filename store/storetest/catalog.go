package storetest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

var bg = context.Background()

// testCatalog: every Catalog getter returns ErrNotFound before a put, the
// put's value after it (every field), and the new value after a replace;
// lists come ordered by ID.
func (s *suite) testCatalog(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	nw, loc, tm, h := sampleNetwork(n), sampleLocation(n, "loc-a"), sampleTeam(n, "team-1"), sampleHolder(n, "holder-1")
	prod, pg := sampleProduct(n, "product-1"), samplePAYG(n, "payg-1")
	complete(t, "Network", nw)
	complete(t, "Location", loc)
	complete(t, "Team", tm)
	complete(t, "Holder", h)
	complete(t, "Product", prod)
	complete(t, "PAYG", pg)

	view(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		_, err := c.Network(bg, n)
		wantErr(t, "Network before Put", err, store.ErrNotFound)
		_, err = c.Location(bg, n, "loc-a")
		wantErr(t, "Location before Put", err, store.ErrNotFound)
		_, err = c.Team(bg, n, "team-1")
		wantErr(t, "Team before Put", err, store.ErrNotFound)
		_, err = c.Holder(bg, n, "holder-1")
		wantErr(t, "Holder before Put", err, store.ErrNotFound)
		_, err = c.Product(bg, n, "product-1")
		wantErr(t, "Product before Put", err, store.ErrNotFound)
		_, err = c.PAYG(bg, n, "payg-1")
		wantErr(t, "PAYG before Put", err, store.ErrNotFound)
		ls, err := c.Locations(bg, n)
		must(t, "Locations", err)
		if len(ls) != 0 {
			t.Errorf("Locations of an empty network: got %d, want 0", len(ls))
		}
		cnt, err := c.CountLocations(bg, n)
		must(t, "CountLocations", err)
		if cnt != 0 {
			t.Errorf("CountLocations of an empty network: got %d, want 0", cnt)
		}
		return nil
	})

	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		must(t, "PutNetwork", c.PutNetwork(bg, nw))
		for _, id := range []string{"loc-c", "loc-a", "loc-b"} {
			l := loc
			l.ID = id
			must(t, "PutLocation", c.PutLocation(bg, l))
		}
		must(t, "PutTeam", c.PutTeam(bg, tm))
		must(t, "PutHolder", c.PutHolder(bg, h))
		plain := catalog.Holder{Network: n, ID: "holder-2", Name: "No declaration", Audience: catalog.Member}
		must(t, "PutHolder", c.PutHolder(bg, plain))
		must(t, "PutProduct", c.PutProduct(bg, prod))
		for _, id := range []string{"payg-3", "payg-1", "payg-2"} {
			p := pg
			p.ID = id
			must(t, "PutPAYG", c.PutPAYG(bg, p))
		}
		return nil
	})

	view(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		got, err := c.Network(bg, n)
		must(t, "Network", err)
		same(t, "Network", got, nw)
		gl, err := c.Location(bg, n, "loc-a")
		must(t, "Location", err)
		same(t, "Location", gl, loc)
		gt, err := c.Team(bg, n, "team-1")
		must(t, "Team", err)
		same(t, "Team", gt, tm)
		gh, err := c.Holder(bg, n, "holder-1")
		must(t, "Holder", err)
		same(t, "Holder", gh, h)
		gh2, err := c.Holder(bg, n, "holder-2")
		must(t, "Holder", err)
		if gh2.HealthDeclaredAt != nil {
			t.Errorf("Holder without a declaration: got HealthDeclaredAt %v, want nil", gh2.HealthDeclaredAt)
		}
		gp, err := c.Product(bg, n, "product-1")
		must(t, "Product", err)
		same(t, "Product", gp, prod)
		gg, err := c.PAYG(bg, n, "payg-1")
		must(t, "PAYG", err)
		same(t, "PAYG", gg, pg)
		ls, err := c.Locations(bg, n)
		must(t, "Locations", err)
		same(t, "Locations IDs", ids(ls, func(l catalog.Location) string { return l.ID }), []string{"loc-a", "loc-b", "loc-c"})
		cnt, err := c.CountLocations(bg, n)
		must(t, "CountLocations", err)
		if cnt != 3 {
			t.Errorf("CountLocations: got %d, want 3", cnt)
		}
		ps, err := c.PAYGs(bg, n)
		must(t, "PAYGs", err)
		same(t, "PAYGs IDs", ids(ps, func(p billing.PAYG) string { return p.ID }), []string{"payg-1", "payg-2", "payg-3"})
		if len(ps) == 3 {
			same(t, "PAYGs[0]", ps[0], pg)
		}
		return nil
	})

	// Puts replace by ID.
	nw.Name, loc.Tier, tm.CreditSharing, h.Team, h.HealthDeclaredAt = "Renamed", 5, false, "", nil
	prod.Units, prod.Locations, prod.Price = 30, nil, usd("0.01")
	pg.Prices, pg.DailyCap = pg.Prices[:1], money.Money{}
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		must(t, "PutNetwork", c.PutNetwork(bg, nw))
		must(t, "PutLocation", c.PutLocation(bg, loc))
		must(t, "PutTeam", c.PutTeam(bg, tm))
		must(t, "PutHolder", c.PutHolder(bg, h))
		must(t, "PutProduct", c.PutProduct(bg, prod))
		must(t, "PutPAYG", c.PutPAYG(bg, pg))
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		got, _ := c.Network(bg, n)
		same(t, "Network after replace", got, nw)
		gl, _ := c.Location(bg, n, "loc-a")
		same(t, "Location after replace", gl, loc)
		gt, _ := c.Team(bg, n, "team-1")
		same(t, "Team after replace", gt, tm)
		gh, _ := c.Holder(bg, n, "holder-1")
		same(t, "Holder after replace", gh, h)
		gp, _ := c.Product(bg, n, "product-1")
		same(t, "Product after replace", gp, prod)
		gg, _ := c.PAYG(bg, n, "payg-1")
		same(t, "PAYG after replace", gg, pg)
		cnt, _ := c.CountLocations(bg, n)
		if cnt != 3 {
			t.Errorf("CountLocations after replace: got %d, want 3", cnt)
		}
		return nil
	})
}

// testLocks: LockHolder, LockTeam and LockLocation return ErrNotFound for
// an unknown row (or another network's), and units of work that lock one
// row never interleave: concurrent read-increment-write cycles under the
// lock lose no increment (I2).
func (s *suite) testLocks(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork(n)))
		must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork("net-2")))
		must(t, "PutTeam", c.PutTeam(bg, catalog.Team{Network: n, ID: "team-1", Name: "0"}))
		must(t, "PutHolder", c.PutHolder(bg, catalog.Holder{Network: n, ID: "holder-1", Name: "0", Audience: catalog.Member}))
		must(t, "PutLocation", c.PutLocation(bg, catalog.Location{Network: n, ID: "loc-a", Name: "0", Zone: "UTC"}))
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		wantErr(t, "LockHolder of an unknown holder", c.LockHolder(bg, n, "nobody"), store.ErrNotFound)
		wantErr(t, "LockTeam of an unknown team", c.LockTeam(bg, n, "nobody"), store.ErrNotFound)
		wantErr(t, "LockLocation of an unknown location", c.LockLocation(bg, n, "nowhere"), store.ErrNotFound)
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		wantErr(t, "LockHolder in another network", c.LockHolder(bg, "net-2", "holder-1"), store.ErrNotFound)
		wantErr(t, "LockTeam in another network", c.LockTeam(bg, "net-2", "team-1"), store.ErrNotFound)
		wantErr(t, "LockLocation in another network", c.LockLocation(bg, "net-2", "loc-a"), store.ErrNotFound)
		return nil
	})

	// Each goroutine locks a row, reads its Name as a counter and writes
	// it back plus one; without mutual exclusion increments get lost.
	const workers, rounds = 8, 5
	kinds := []struct {
		name string
		step func(c store.Catalog) error
		read func(c store.Catalog) (string, error)
	}{
		{"holder", func(c store.Catalog) error {
			if err := c.LockHolder(bg, n, "holder-1"); err != nil {
				return err
			}
			h, err := c.Holder(bg, n, "holder-1")
			if err != nil {
				return err
			}
			h.Name = incr(h.Name)
			return c.PutHolder(bg, h)
		}, func(c store.Catalog) (string, error) { h, err := c.Holder(bg, n, "holder-1"); return h.Name, err }},
		{"team", func(c store.Catalog) error {
			if err := c.LockTeam(bg, n, "team-1"); err != nil {
				return err
			}
			tm, err := c.Team(bg, n, "team-1")
			if err != nil {
				return err
			}
			tm.Name = incr(tm.Name)
			return c.PutTeam(bg, tm)
		}, func(c store.Catalog) (string, error) { tm, err := c.Team(bg, n, "team-1"); return tm.Name, err }},
		{"location", func(c store.Catalog) error {
			if err := c.LockLocation(bg, n, "loc-a"); err != nil {
				return err
			}
			l, err := c.Location(bg, n, "loc-a")
			if err != nil {
				return err
			}
			l.Name = incr(l.Name)
			return c.PutLocation(bg, l)
		}, func(c store.Catalog) (string, error) { l, err := c.Location(bg, n, "loc-a"); return l.Name, err }},
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*len(kinds))
	for _, k := range kinds {
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					if err := retry(st, func(tx store.Tx) error { return k.step(tx.Catalog()) }); err != nil {
						errs <- fmt.Errorf("%s: %w", k.name, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("locked increment: %v", err)
	}
	view(t, st, func(tx store.Tx) error {
		for _, k := range kinds {
			got, err := k.read(tx.Catalog())
			must(t, "read counter", err)
			if want := strconv.Itoa(workers * rounds); got != want {
				t.Errorf("%s counter after %d locked increments: got %s, want %s", k.name, workers*rounds, got, want)
			}
		}
		return nil
	})
}

func incr(s string) string {
	n, _ := strconv.Atoi(s)
	return strconv.Itoa(n + 1)
}

// testCatalogPages: Products returns a network's products in ID order, a
// page at a time after the last ID of the previous page, and none of
// another network's; the passcode key check of a network is "" until
// recorded, then kept, and a second record is ErrConflict that writes
// nothing (S6).
func (s *suite) testCatalogPages(t *testing.T) {
	st := s.store(t)
	const n, other = "net-1", "net-2"
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork(n)))
		must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork(other)))
		for _, id := range []string{"p-3", "p-1", "p-5", "p-2", "p-4"} {
			must(t, "PutProduct", c.PutProduct(bg, sampleProduct(n, id)))
		}
		must(t, "PutProduct", c.PutProduct(bg, sampleProduct(other, "p-0")))
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		all, err := c.Products(bg, n, store.Page{})
		must(t, "Products", err)
		same(t, "Products IDs", ids(all, func(p pass.Product) string { return p.ID }), []string{"p-1", "p-2", "p-3", "p-4", "p-5"})
		if len(all) > 0 {
			want := sampleProduct(n, "p-1")
			same(t, "Products[0]", all[0], want)
		}
		var got []string
		for after := ""; ; {
			page, err := c.Products(bg, n, store.Page{After: after, Limit: 2})
			must(t, "Products page", err)
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("page of limit 2: got %d", len(page))
			}
			for _, p := range page {
				got = append(got, p.ID)
			}
			after = page[len(page)-1].ID
		}
		same(t, "Products paged by 2", got, []string{"p-1", "p-2", "p-3", "p-4", "p-5"})
		none, err := c.Products(bg, "net-3", store.Page{})
		must(t, "Products of an empty network", err)
		if len(none) != 0 {
			t.Errorf("Products of an empty network: got %d", len(none))
		}
		check, err := c.CodeKeyCheck(bg, n)
		must(t, "CodeKeyCheck", err)
		if check != "" {
			t.Errorf("CodeKeyCheck before any: got %q, want empty", check)
		}
		return nil
	})
	update(t, st, func(tx store.Tx) error { return tx.Catalog().PutCodeKeyCheck(bg, n, "check-1") })
	err := st.Update(bg, func(tx store.Tx) error { return tx.Catalog().PutCodeKeyCheck(bg, n, "check-2") })
	wantErr(t, "PutCodeKeyCheck a second time", err, store.ErrConflict)
	view(t, st, func(tx store.Tx) error {
		for net, want := range map[string]string{n: "check-1", other: ""} {
			got, err := tx.Catalog().CodeKeyCheck(bg, net)
			must(t, "CodeKeyCheck", err)
			if got != want {
				t.Errorf("CodeKeyCheck of %s: got %q, want %q", net, got, want)
			}
		}
		return nil
	})
}
