package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

func entryID(e pass.Entry) string { return e.ID }

// testLedger: Append and List in append order (not ID order), filters by
// pass and holder, paging, every field round trips, and an ID that exists
// (in the store or twice in one call) is ErrConflict.
func (s *suite) testLedger(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	full := sampleEntry(n, "e-full", "pass-1")
	complete(t, "Entry", full)
	entry := func(id, passID, holder string, units int) pass.Entry {
		return pass.Entry{Network: n, ID: id, Pass: passID, Holder: holder, At: instant(2, 9, 0), Type: pass.EntryUse, Units: units}
	}
	update(t, st, func(tx store.Tx) error {
		must(t, "Append", tx.Ledger().Append(bg, entry("e3", "pass-1", "holder-1", 5), full))
		must(t, "Append of nothing", tx.Ledger().Append(bg))
		return tx.Ledger().Append(bg, entry("e1", "pass-2", "holder-2", -1))
	})
	update(t, st, func(tx store.Tx) error {
		must(t, "Append", tx.Ledger().Append(bg, entry("e2", "pass-1", "holder-2", -2)))
		got, err := tx.Ledger().List(bg, store.LedgerFilter{Network: n})
		must(t, "List in the same unit of work", err)
		same(t, "List in the same unit of work IDs", ids(got, entryID), []string{"e3", "e-full", "e1", "e2"})
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		for _, c := range []struct {
			name string
			f    store.LedgerFilter
			want []string
		}{
			{"all", store.LedgerFilter{Network: n}, []string{"e3", "e-full", "e1", "e2"}},
			{"pass-1", store.LedgerFilter{Network: n, Pass: "pass-1"}, []string{"e3", "e-full", "e2"}},
			{"holder-2", store.LedgerFilter{Network: n, Holder: "holder-2"}, []string{"e1", "e2"}},
			{"pass-1 of holder-2", store.LedgerFilter{Network: n, Pass: "pass-1", Holder: "holder-2"}, []string{"e2"}},
			{"offset 1, limit 2", store.LedgerFilter{Network: n, Offset: 1, Limit: 2}, []string{"e-full", "e1"}},
			{"pass-1, offset 2", store.LedgerFilter{Network: n, Pass: "pass-1", Offset: 2}, []string{"e2"}},
			{"another network", store.LedgerFilter{Network: "net-2"}, []string{}},
		} {
			got, err := tx.Ledger().List(bg, c.f)
			must(t, "List "+c.name, err)
			same(t, "List("+c.name+") IDs", ids(got, entryID), c.want)
		}
		got, err := tx.Ledger().List(bg, store.LedgerFilter{Network: n, Pass: "pass-1", Offset: 1, Limit: 1})
		must(t, "List", err)
		if len(got) == 1 {
			same(t, "the full entry", got[0], full)
		}
		return nil
	})

	err := st.Update(bg, func(tx store.Tx) error {
		return tx.Ledger().Append(bg, entry("e4", "pass-1", "holder-1", 1), entry("e1", "pass-1", "holder-1", 1))
	})
	wantErr(t, "Append of an ID that exists", err, store.ErrConflict)
	err = st.Update(bg, func(tx store.Tx) error {
		return tx.Ledger().Append(bg, entry("e5", "pass-1", "holder-1", 1), entry("e5", "pass-1", "holder-1", 1))
	})
	wantErr(t, "Append of one ID twice", err, store.ErrConflict)
	// The same ID in another network is another entry.
	update(t, st, func(tx store.Tx) error {
		e := entry("e1", "pass-1", "holder-1", 1)
		e.Network = "net-2"
		return tx.Ledger().Append(bg, e)
	})
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Ledger().List(bg, store.LedgerFilter{Network: n})
		must(t, "List", err)
		same(t, "List after refused appends IDs", ids(got, entryID), []string{"e3", "e-full", "e1", "e2"})
		return nil
	})
}

// testIdempotency: Get of an unknown key is ErrNotFound, Put stores every
// field, and Put of a key that exists is ErrConflict (keys are per network).
func (s *suite) testIdempotency(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	rec := sampleRecord(n, "key-1")
	complete(t, "Record", rec)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Idempotency().Get(bg, n, "key-1")
		wantErr(t, "Get of an unknown key", err, store.ErrNotFound)
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		must(t, "Put", tx.Idempotency().Put(bg, rec))
		got, err := tx.Idempotency().Get(bg, n, "key-1")
		must(t, "Get in the same unit of work", err)
		same(t, "Get in the same unit of work", got, rec)
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Idempotency().Get(bg, n, "key-1")
		must(t, "Get", err)
		same(t, "Get", got, rec)
		_, err = tx.Idempotency().Get(bg, "net-2", "key-1")
		wantErr(t, "Get in another network", err, store.ErrNotFound)
		return nil
	})
	again := rec
	again.Result = []byte("another result")
	err := st.Update(bg, func(tx store.Tx) error { return tx.Idempotency().Put(bg, again) })
	wantErr(t, "Put of a key that exists", err, store.ErrConflict)
	other := rec
	other.Network = "net-2"
	update(t, st, func(tx store.Tx) error { return tx.Idempotency().Put(bg, other) })
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Idempotency().Get(bg, n, "key-1")
		must(t, "Get", err)
		if !bytes.Equal(got.Result, rec.Result) {
			t.Errorf("Result after a refused Put: got %q, want %q", got.Result, rec.Result)
		}
		return nil
	})
}

// testGuards: Get of a location without a guard is a zero Guard naming
// it; Put inserts and replaces.
func (s *suite) testGuards(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	g := sampleGuard(n, "loc-a")
	complete(t, "Guard", g)
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Guards().Get(bg, n, "loc-a")
		must(t, "Get of a location without a guard", err)
		same(t, "Get of a location without a guard", got, checkin.Guard{Network: n, Location: "loc-a"})
		return nil
	})
	update(t, st, func(tx store.Tx) error { return tx.Guards().Put(bg, g) })
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Guards().Get(bg, n, "loc-a")
		must(t, "Get", err)
		same(t, "Get", got, g)
		got, err = tx.Guards().Get(bg, "net-2", "loc-a")
		must(t, "Get in another network", err)
		same(t, "Get in another network", got, checkin.Guard{Network: "net-2", Location: "loc-a"})
		return nil
	})
	g.Failures, g.LockedUntil = g.Failures[:1], time.Time{}
	update(t, st, func(tx store.Tx) error { return tx.Guards().Put(bg, g) })
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Guards().Get(bg, n, "loc-a")
		must(t, "Get", err)
		same(t, "Get after replace", got, g)
		if !got.LockedUntil.IsZero() {
			t.Errorf("LockedUntil after unlock: got %v, want the zero time", got.LockedUntil)
		}
		return nil
	})
}

func termsID(t billing.Terms) string { return t.ID }

// testTerms: Put, Get, List by EffectiveFrom then ID, and At: the version
// with the latest EffectiveFrom not after t, the greater ID on a tie.
func (s *suite) testTerms(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	jan, feb := instant(1, 0, 0).AddDate(0, -2, 0), instant(1, 0, 0).AddDate(0, -1, 0)
	v1 := sampleTerms(n, "loc-a", "v1", jan)
	oneRate := v1
	oneRate.Rates = v1.Rates[:1] // the second rate is a tier's: no product
	complete(t, "Terms", oneRate)
	v3, v2 := sampleTerms(n, "loc-a", "v3", feb), sampleTerms(n, "loc-a", "v2", feb)
	v2.Rates = v2.Rates[:1]
	other := sampleTerms(n, "loc-b", "v9", jan.Add(-time.Hour))
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Terms().Get(bg, n, "v1")
		wantErr(t, "Get before Put", err, store.ErrNotFound)
		_, err = tx.Terms().At(bg, n, "loc-a", feb)
		wantErr(t, "At with no versions", err, store.ErrNotFound)
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		for _, v := range []billing.Terms{v3, v1, other, v2} {
			must(t, "Put "+v.ID, tx.Terms().Put(bg, v))
		}
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Terms().Get(bg, n, "v1")
		must(t, "Get", err)
		same(t, "Get", got, v1)
		got, err = tx.Terms().Get(bg, n, "v2")
		must(t, "Get", err)
		same(t, "Get", got, v2)
		ls, err := tx.Terms().List(bg, n, "loc-a")
		must(t, "List", err)
		same(t, "List(loc-a) IDs", ids(ls, termsID), []string{"v1", "v2", "v3"})
		for _, c := range []struct {
			name string
			at   time.Time
			want string
		}{
			{"at v1's start", jan, "v1"},
			{"between versions", feb.Add(-time.Microsecond), "v1"},
			{"at the tie", feb, "v3"},
			{"later", feb.AddDate(1, 0, 0), "v3"},
		} {
			got, err := tx.Terms().At(bg, n, "loc-a", c.at)
			must(t, "At "+c.name, err)
			if got.ID != c.want {
				t.Errorf("At(%s): got %s, want %s", c.name, got.ID, c.want)
			}
		}
		_, err = tx.Terms().At(bg, n, "loc-a", jan.Add(-time.Microsecond))
		wantErr(t, "At before the first version", err, store.ErrNotFound)
		got, err = tx.Terms().At(bg, n, "loc-b", feb)
		must(t, "At(loc-b)", err)
		same(t, "At(loc-b)", got, other)
		return nil
	})
	v1.MonthlyVisitCap, v1.Rates = 3, nil
	update(t, st, func(tx store.Tx) error { return tx.Terms().Put(bg, v1) })
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Terms().Get(bg, n, "v1")
		must(t, "Get", err)
		same(t, "Get after replace", got, v1)
		ls, err := tx.Terms().List(bg, n, "loc-a")
		must(t, "List", err)
		if len(ls) != 3 {
			t.Errorf("List after replace: got %d versions, want 3", len(ls))
		}
		return nil
	})
}
