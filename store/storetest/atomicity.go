package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// writeAll puts one of everything in network n: the catalog, a pass with a
// code, a visit, a ledger entry, an idempotency record, a guard and terms.
func writeAll(t testing.TB, tx store.Tx, n string) {
	t.Helper()
	c := tx.Catalog()
	must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork(n)))
	must(t, "PutLocation", c.PutLocation(bg, sampleLocation(n, "loc-a")))
	must(t, "PutTeam", c.PutTeam(bg, sampleTeam(n, "team-1")))
	must(t, "PutHolder", c.PutHolder(bg, sampleHolder(n, "holder-1")))
	must(t, "PutProduct", c.PutProduct(bg, sampleProduct(n, "product-1")))
	must(t, "PutPAYG", c.PutPAYG(bg, samplePAYG(n, "payg-1")))
	must(t, "Passes.Put", tx.Passes().Put(bg, samplePass(n, "pass-1", "holder-1")))
	v := openVisit(n, "visit-1", "holder-1", "loc-a", instant(2, 9, 0), date("2026-03-02"))
	must(t, "Visits.Put", tx.Visits().Put(bg, v))
	must(t, "Ledger.Append", tx.Ledger().Append(bg, sampleEntry(n, "entry-1", "pass-1")))
	must(t, "Idempotency.Put", tx.Idempotency().Put(bg, sampleRecord(n, "key-1")))
	must(t, "Guards.Put", tx.Guards().Put(bg, sampleGuard(n, "loc-a")))
	must(t, "Terms.Put", tx.Terms().Put(bg, sampleTerms(n, "loc-a", "terms-1", instant(1, 0, 0))))
}

// wantNothing fails t unless network n holds none of what writeAll puts:
// every getter is ErrNotFound (the guard is the zero Guard) and every list
// is empty.
func wantNothing(t testing.TB, tx store.Tx, n, why string) {
	t.Helper()
	c := tx.Catalog()
	nf := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %s: got error %v, want ErrNotFound", why, what, err)
		}
	}
	_, err := c.Network(bg, n)
	nf("Network", err)
	_, err = c.Location(bg, n, "loc-a")
	nf("Location", err)
	_, err = c.Team(bg, n, "team-1")
	nf("Team", err)
	_, err = c.Holder(bg, n, "holder-1")
	nf("Holder", err)
	_, err = c.Product(bg, n, "product-1")
	nf("Product", err)
	_, err = c.PAYG(bg, n, "payg-1")
	nf("PAYG", err)
	nf("LockHolder", c.LockHolder(bg, n, "holder-1"))
	nf("LockTeam", c.LockTeam(bg, n, "team-1"))
	nf("LockLocation", c.LockLocation(bg, n, "loc-a"))
	_, err = tx.Passes().Get(bg, n, "pass-1")
	nf("Passes.Get", err)
	_, err = tx.Passes().ByCode(bg, n, "hash-pass-1")
	nf("Passes.ByCode", err)
	_, err = tx.Visits().Get(bg, n, "visit-1")
	nf("Visits.Get", err)
	_, err = tx.Idempotency().Get(bg, n, "key-1")
	nf("Idempotency.Get", err)
	_, err = tx.Terms().Get(bg, n, "terms-1")
	nf("Terms.Get", err)
	_, err = tx.Terms().At(bg, n, "loc-a", instant(9, 0, 0))
	nf("Terms.At", err)

	empty := func(what string, count int, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %s: %v", why, what, err)
		} else if count != 0 {
			t.Errorf("%s: %s: got %d rows, want 0", why, what, count)
		}
	}
	ls, err := c.Locations(bg, n)
	empty("Locations", len(ls), err)
	cnt, err := c.CountLocations(bg, n)
	empty("CountLocations", cnt, err)
	pgs, err := c.PAYGs(bg, n)
	empty("PAYGs", len(pgs), err)
	live, err := tx.Passes().Live(bg, n, "holder-1", "team-1")
	empty("Passes.Live", len(live), err)
	ps, err := tx.Passes().List(bg, store.PassFilter{Network: n})
	empty("Passes.List", len(ps), err)
	open, err := tx.Visits().Open(bg, n, "holder-1")
	empty("Visits.Open", len(open), err)
	on, err := tx.Visits().OnDates(bg, n, "holder-1", date("2026-03-01"), date("2026-03-31"))
	empty("Visits.OnDates", len(on), err)
	ob, err := tx.Visits().OpenBefore(bg, n, instant(9, 0, 0), 0)
	empty("Visits.OpenBefore", len(ob), err)
	vs, err := tx.Visits().List(bg, store.VisitFilter{Network: n})
	empty("Visits.List", len(vs), err)
	es, err := tx.Ledger().List(bg, store.LedgerFilter{Network: n})
	empty("Ledger.List", len(es), err)
	ts, err := tx.Terms().List(bg, n, "loc-a")
	empty("Terms.List", len(ts), err)
	g, err := tx.Guards().Get(bg, n, "loc-a")
	if err != nil {
		t.Errorf("%s: Guards.Get: %v", why, err)
	} else if len(g.Failures) != 0 || !g.LockedUntil.IsZero() {
		t.Errorf("%s: Guards.Get: got %d failures, locked until %v; want none", why, len(g.Failures), g.LockedUntil)
	}
}

// testIsolation: what one network holds is not found from another (S1),
// even under the same IDs.
func (s *suite) testIsolation(t *testing.T) {
	st := s.store(t)
	update(t, st, func(tx store.Tx) error {
		writeAll(t, tx, "net-1")
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		wantNothing(t, tx, "net-2", "another network")
		return nil
	})
	// The same IDs in net-2 are other rows; net-1's stay as they were.
	update(t, st, func(tx store.Tx) error {
		writeAll(t, tx, "net-2")
		h := sampleHolder("net-2", "holder-1")
		h.Name = "net-2's holder"
		return tx.Catalog().PutHolder(bg, h)
	})
	view(t, st, func(tx store.Tx) error {
		h, err := tx.Catalog().Holder(bg, "net-1", "holder-1")
		must(t, "Holder", err)
		same(t, "net-1's holder after net-2 wrote the same ID", h, sampleHolder("net-1", "holder-1"))
		es, err := tx.Ledger().List(bg, store.LedgerFilter{Network: "net-1"})
		must(t, "Ledger.List", err)
		if len(es) != 1 {
			t.Errorf("net-1's ledger after net-2 wrote the same IDs: got %d entries, want 1", len(es))
		}
		return nil
	})
}

var errAbort = errors.New("storetest: abort the unit of work")

// testRollback: a unit of work whose closure returns an error, or panics,
// leaves nothing behind (I3), even though its own reads saw its writes;
// the store stays usable after either.
func (s *suite) testRollback(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	err := st.Update(bg, func(tx store.Tx) error {
		writeAll(t, tx, n)
		h, err := tx.Catalog().Holder(bg, n, "holder-1")
		must(t, "Holder in the same unit of work", err)
		same(t, "Holder in the same unit of work", h, sampleHolder(n, "holder-1"))
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Errorf("Update whose closure failed: got error %v, want the closure's", err)
	}
	view(t, st, func(tx store.Tx) error {
		wantNothing(t, tx, n, "after a failed unit of work")
		return nil
	})

	func() {
		defer func() {
			if r := recover(); r != nil && r != errAbort {
				panic(r)
			}
		}()
		_ = st.Update(bg, func(tx store.Tx) error {
			writeAll(t, tx, n)
			panic(errAbort)
		})
	}()
	view(t, st, func(tx store.Tx) error {
		wantNothing(t, tx, n, "after a panicking unit of work")
		return nil
	})

	// Still usable: a later unit of work commits.
	update(t, st, func(tx store.Tx) error {
		writeAll(t, tx, n)
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		p, err := tx.Passes().Get(bg, n, "pass-1")
		must(t, "Get after rollbacks", err)
		same(t, "pass after rollbacks", p, samplePass(n, "pass-1", "holder-1"))
		return nil
	})
}

// testCopies: values handed to Put and returned by getters share nothing
// with what is stored: changing them afterwards changes nothing stored.
func (s *suite) testCopies(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	p := samplePass(n, "pass-1", "holder-1")
	v := sampleVisit(n, "visit-1", "holder-1")
	prod, pg := sampleProduct(n, "product-1"), samplePAYG(n, "payg-1")
	g, tm := sampleGuard(n, "loc-a"), sampleTerms(n, "loc-a", "terms-1", instant(1, 0, 0))
	rec, h := sampleRecord(n, "key-1"), sampleHolder(n, "holder-1")
	update(t, st, func(tx store.Tx) error {
		must(t, "Passes.Put", tx.Passes().Put(bg, p))
		must(t, "Visits.Put", tx.Visits().Put(bg, v))
		must(t, "PutProduct", tx.Catalog().PutProduct(bg, prod))
		must(t, "PutPAYG", tx.Catalog().PutPAYG(bg, pg))
		must(t, "PutHolder", tx.Catalog().PutHolder(bg, h))
		must(t, "Guards.Put", tx.Guards().Put(bg, g))
		must(t, "Terms.Put", tx.Terms().Put(bg, tm))
		return tx.Idempotency().Put(bg, rec)
	})
	// Change what was put, in place.
	scribble := func(p *pass.Pass, v *checkin.Visit, prod *pass.Product, pg *billing.PAYG, g *checkin.Guard, tm *billing.Terms, rec *store.Record) {
		p.Locations[0], p.Freezes[0].Comment, *p.PaidAt = "scribbled", "scribbled", p.PaidAt.Add(1e9)
		v.Consumptions[0].Units, v.Charges[0].Minutes, *v.End, v.Fee.Minutes = 999, 999, v.End.Add(1e9), 999
		prod.Locations[0] = "scribbled"
		pg.Prices[0].Audience, pg.Locations[0] = "scribbled", "scribbled"
		g.Failures[0] = g.Failures[0].Add(1e9)
		tm.Rates[0].Tier = 99
		rec.Request[0], rec.Result[0] = 'x', 'x'
	}
	want := func() (pass.Pass, checkin.Visit, pass.Product, billing.PAYG, checkin.Guard, billing.Terms, store.Record) {
		return samplePass(n, "pass-1", "holder-1"), sampleVisit(n, "visit-1", "holder-1"), sampleProduct(n, "product-1"),
			samplePAYG(n, "payg-1"), sampleGuard(n, "loc-a"), sampleTerms(n, "loc-a", "terms-1", instant(1, 0, 0)), sampleRecord(n, "key-1")
	}
	scribble(&p, &v, &prod, &pg, &g, &tm, &rec)
	*h.HealthDeclaredAt = h.HealthDeclaredAt.Add(1e9)
	read := func() (pass.Pass, checkin.Visit, pass.Product, billing.PAYG, checkin.Guard, billing.Terms, store.Record, error) {
		var (
			p    pass.Pass
			v    checkin.Visit
			prod pass.Product
			pg   billing.PAYG
			g    checkin.Guard
			tm   billing.Terms
			rec  store.Record
		)
		err := st.View(bg, func(tx store.Tx) (err error) {
			if p, err = tx.Passes().Get(bg, n, "pass-1"); err != nil {
				return err
			}
			if v, err = tx.Visits().Get(bg, n, "visit-1"); err != nil {
				return err
			}
			if prod, err = tx.Catalog().Product(bg, n, "product-1"); err != nil {
				return err
			}
			if pg, err = tx.Catalog().PAYG(bg, n, "payg-1"); err != nil {
				return err
			}
			if g, err = tx.Guards().Get(bg, n, "loc-a"); err != nil {
				return err
			}
			if tm, err = tx.Terms().Get(bg, n, "terms-1"); err != nil {
				return err
			}
			rec, err = tx.Idempotency().Get(bg, n, "key-1")
			return err
		})
		return p, v, prod, pg, g, tm, rec, err
	}
	check := func(why string) {
		t.Helper()
		gp, gv, gprod, gpg, gg, gtm, grec, err := read()
		must(t, "read back", err)
		wp, wv, wprod, wpg, wg, wtm, wrec := want()
		same(t, why+": pass", gp, wp)
		same(t, why+": visit", gv, wv)
		same(t, why+": product", gprod, wprod)
		same(t, why+": PAYG", gpg, wpg)
		same(t, why+": guard", gg, wg)
		same(t, why+": terms", gtm, wtm)
		same(t, why+": record", grec, wrec)
	}
	check("after changing the values put")
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Catalog().Holder(bg, n, "holder-1")
		must(t, "Holder", err)
		same(t, "holder after changing the value put", got, sampleHolder(n, "holder-1"))
		*got.HealthDeclaredAt = got.HealthDeclaredAt.Add(1e9)
		again, err := tx.Catalog().Holder(bg, n, "holder-1")
		must(t, "Holder", err)
		same(t, "holder after changing a value read", again, sampleHolder(n, "holder-1"))
		return nil
	})
	// Change what was read, in place, and read again.
	gp, gv, gprod, gpg, gg, gtm, grec, err := read()
	must(t, "read", err)
	scribble(&gp, &gv, &gprod, &gpg, &gg, &gtm, &grec)
	check("after changing the values read")
}

// testContext: a unit of work on a cancelled context fails and writes
// nothing.
func (s *suite) testContext(t *testing.T) {
	st := s.store(t)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	err := st.Update(ctx, func(tx store.Tx) error {
		return tx.Catalog().PutNetwork(ctx, sampleNetwork("net-1"))
	})
	if err == nil {
		t.Errorf("Update on a cancelled context: got nil error, want one")
	}
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Catalog().Network(bg, "net-1")
		wantErr(t, "Network after an Update on a cancelled context", err, store.ErrNotFound)
		return nil
	})
}
