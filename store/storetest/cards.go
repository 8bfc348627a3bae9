package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// The conformance tests of multipass cards (RULES M5-M7): the Cards
// repository, holder deletion, the expiring-soon index and the ledger's
// pages.

// sampleCard is a card with every field set.
func sampleCard(network, id, holder, program string) card.Card {
	return card.Card{Network: network, ID: id, Holder: holder, Program: program, Pass: "pass-" + id,
		Status: card.Installed, IssuedAt: instant(2, 9, 15), IssuedOn: date("2026-03-02"),
		Counters: card.Counters{Sold: 12, Redeemed: 5, Removed: 2, Referral: 3, Bonus: 40,
			Purchases: usd("120.123456789"), Refunds: usd("20.5"),
			LastRedemption: instant(5, 18, 30), LastAdding: instant(4, 7, 1)}}
}

func cardID(c card.Card) string { return c.ID }

// testCards: Get, Put (insert and replace), every field round trips, List
// with each filter and keyset paging, one live card per holder and program
// (ErrConflict, and nothing stored by the failed unit of work; a deleted
// card does not count), and network isolation.
func (s *suite) testCards(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	full := sampleCard(n, "card-full", "holder-1", "multipass")
	complete(t, "Card", full)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Cards().Get(bg, n, "card-full")
		wantErr(t, "Get before Put", err, store.ErrNotFound)
		return nil
	})
	simple := func(id, holder, program string, status card.Status) card.Card {
		c := sampleCard(n, id, holder, program)
		c.Status = status
		return c
	}
	cards := []card.Card{
		full,
		simple("card-b", "holder-1", "gold", card.NotInstalled),
		simple("card-a", "holder-2", "multipass", card.Installed),
		simple("card-old", "holder-1", "multipass", card.Deleted),
		simple("card-c", "holder-1", "silver", card.Deleted),
	}
	update(t, st, func(tx store.Tx) error {
		for _, c := range cards {
			must(t, "Put "+c.ID, tx.Cards().Put(bg, c))
		}
		got, err := tx.Cards().Get(bg, n, "card-full")
		must(t, "Get in the same unit of work", err)
		same(t, "Get in the same unit of work", got, full)
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Cards().Get(bg, n, "card-full")
		must(t, "Get", err)
		same(t, "Get", got, full)
		_, err = tx.Cards().Get(bg, "net-2", "card-full")
		wantErr(t, "Get in another network", err, store.ErrNotFound)
		for _, c := range []struct {
			name string
			f    store.CardFilter
			want []string
		}{
			{"all", store.CardFilter{Network: n}, []string{"card-a", "card-b", "card-c", "card-full", "card-old"}},
			{"holder-1", store.CardFilter{Network: n, Holder: "holder-1"}, []string{"card-b", "card-c", "card-full", "card-old"}},
			{"holder-1 multipass", store.CardFilter{Network: n, Holder: "holder-1", Program: "multipass"}, []string{"card-full", "card-old"}},
			{"holder-1 live", store.CardFilter{Network: n, Holder: "holder-1", Live: true}, []string{"card-b", "card-full"}},
			{"live", store.CardFilter{Network: n, Live: true}, []string{"card-a", "card-b", "card-full"}},
			{"after card-b, 2", store.CardFilter{Network: n, After: "card-b", Limit: 2}, []string{"card-c", "card-full"}},
			{"after the last", store.CardFilter{Network: n, After: "card-old"}, []string{}},
			{"another network", store.CardFilter{Network: "net-2"}, []string{}},
		} {
			got, err := tx.Cards().List(bg, c.f)
			must(t, "List "+c.name, err)
			same(t, "List("+c.name+") IDs", ids(got, cardID), c.want)
			for _, g := range got {
				if g.ID == "card-full" {
					same(t, "List("+c.name+") card-full", g, full)
				}
			}
		}
		return nil
	})

	// A second live card of holder-1 and multipass is refused; the unit of
	// work that tried stores nothing.
	err := st.Update(bg, func(tx store.Tx) error {
		must(t, "Put of an unrelated card", tx.Cards().Put(bg, simple("card-x", "holder-3", "multipass", card.Installed)))
		return tx.Cards().Put(bg, simple("card-dup", "holder-1", "multipass", card.NotInstalled))
	})
	wantErr(t, "Put of a second live card of one holder and program", err, store.ErrConflict)
	view(t, st, func(tx store.Tx) error {
		for _, id := range []string{"card-dup", "card-x"} {
			_, err := tx.Cards().Get(bg, n, id)
			wantErr(t, "Get of "+id+" after the failed unit of work", err, store.ErrNotFound)
		}
		return nil
	})
	// Deleting the live card frees the program; replacing keeps one row.
	update(t, st, func(tx store.Tx) error {
		full.Status, full.Bonus, full.Redeemed = card.Deleted, 0, 6
		must(t, "Put of the deleted card", tx.Cards().Put(bg, full))
		return tx.Cards().Put(bg, simple("card-new", "holder-1", "multipass", card.NotInstalled))
	})
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Cards().Get(bg, n, "card-full")
		must(t, "Get", err)
		same(t, "replaced card", got, full)
		live, err := tx.Cards().List(bg, store.CardFilter{Network: n, Holder: "holder-1", Program: "multipass", Live: true})
		must(t, "List", err)
		same(t, "live multipass cards of holder-1", ids(live, cardID), []string{"card-new"})
		return nil
	})
	// The same card ID in another network is another card.
	other := simple("card-full", "holder-1", "multipass", card.Installed)
	other.Network = "net-2"
	update(t, st, func(tx store.Tx) error { return tx.Cards().Put(bg, other) })
}

// testDeleteHolder: DeleteHolder removes the holder's row (Holder and
// LockHolder are ErrNotFound after it) and nothing else; an unknown
// holder is ErrNotFound; a failed unit of work keeps the holder.
func (s *suite) testDeleteHolder(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	update(t, st, func(tx store.Tx) error {
		must(t, "PutNetwork", tx.Catalog().PutNetwork(bg, sampleNetwork(n)))
		for _, id := range []string{"holder-1", "holder-2"} {
			h := sampleHolder(n, id)
			h.Team = ""
			must(t, "PutHolder", tx.Catalog().PutHolder(bg, h))
		}
		return tx.Passes().Put(bg, simplePass(n, "pass-1", "holder-1", 3, instant(2, 9, 0)))
	})
	err := st.Update(bg, func(tx store.Tx) error {
		must(t, "DeleteHolder", tx.Catalog().DeleteHolder(bg, n, "holder-1"))
		return fmt.Errorf("roll back")
	})
	if err == nil {
		t.Fatal("the failing unit of work succeeded")
	}
	update(t, st, func(tx store.Tx) error {
		must(t, "LockHolder before the deletion", tx.Catalog().LockHolder(bg, n, "holder-1"))
		must(t, "DeleteHolder", tx.Catalog().DeleteHolder(bg, n, "holder-1"))
		_, err := tx.Catalog().Holder(bg, n, "holder-1")
		wantErr(t, "Holder in the deleting unit of work", err, store.ErrNotFound)
		wantErr(t, "DeleteHolder again", tx.Catalog().DeleteHolder(bg, n, "holder-1"), store.ErrNotFound)
		wantErr(t, "DeleteHolder of another network's holder", tx.Catalog().DeleteHolder(bg, "net-2", "holder-2"), store.ErrNotFound)
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Catalog().Holder(bg, n, "holder-1")
		wantErr(t, "Holder after DeleteHolder", err, store.ErrNotFound)
		wantErr(t, "LockHolder after DeleteHolder", tx.Catalog().LockHolder(bg, n, "holder-1"), store.ErrNotFound)
		_, err = tx.Catalog().Holder(bg, n, "holder-2")
		must(t, "the other holder", err)
		p, err := tx.Passes().Get(bg, n, "pass-1")
		must(t, "the deleted holder's pass", err)
		if p.Holder != "holder-1" {
			t.Errorf("the deleted holder's pass: got holder %q, want holder-1", p.Holder)
		}
		return nil
	})
}

// testExpiring: Passes.Expiring lists the network's passes with units
// left, not revoked, whose expiry with freezes falls in the window, by
// expiry then ID, in pages; passes leave and join it as they change.
func (s *suite) testExpiring(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	t0 := instant(2, 9, 0)
	expiring := func(id string, balance int, expires string) pass.Pass {
		p := simplePass(n, id, "holder-1", balance, t0)
		p.ExpiresOn = date(expires)
		return p
	}
	frozen := expiring("pass-frozen", 2, "2026-03-20") // a week's freeze: 2026-03-27
	frozen.Freezes = []pass.Freeze{{From: date("2026-03-10"), To: date("2026-03-17")}}
	revoked := expiring("pass-revoked", 2, "2026-04-01")
	revoked.Revoked = true
	other := expiring("pass-other-net", 2, "2026-04-01")
	other.Network = "net-2"
	passes := []pass.Pass{
		expiring("pass-b", 1, "2026-04-01"), expiring("pass-a", 5, "2026-04-01"),
		expiring("pass-used", 0, "2026-04-01"), expiring("pass-past", 4, "2026-02-01"),
		expiring("pass-late", 4, "2026-06-01"), expiring("pass-edge", 1, "2026-03-25"),
		simplePass(n, "pass-forever", "holder-1", 3, t0), frozen, revoked, other,
	}
	update(t, st, func(tx store.Tx) error {
		for _, p := range passes {
			must(t, "Put "+p.ID, tx.Passes().Put(bg, p))
		}
		return nil
	})
	from, to := date("2026-03-25"), date("2026-04-01")
	all := func(tx store.Tx, limit int) []string {
		var got []string
		cursor := ""
		for range 20 {
			ps, next, err := tx.Passes().Expiring(bg, n, from, to, cursor, limit)
			must(t, "Expiring", err)
			if len(ps) > limit {
				t.Fatalf("Expiring returned %d passes, above the limit %d", len(ps), limit)
			}
			got = append(got, ids(ps, passID)...)
			if next == "" {
				return got
			}
			cursor = next
		}
		t.Fatal("Expiring never returned an empty cursor")
		return nil
	}
	want := []string{"pass-edge", "pass-frozen", "pass-a", "pass-b"}
	view(t, st, func(tx store.Tx) error {
		for _, limit := range []int{1, 2, 3, 10} {
			same(t, fmt.Sprintf("Expiring in pages of %d", limit), all(tx, limit), want)
		}
		ps, _, err := tx.Passes().Expiring(bg, n, from, to, "", 10)
		must(t, "Expiring", err)
		for _, p := range ps {
			if p.ID == "pass-frozen" {
				same(t, "Expiring pass", p, frozen)
			}
		}
		_, _, err = tx.Passes().Expiring(bg, n, from, to, "not a cursor", 10)
		wantErr(t, "Expiring with a cursor it did not make", err, store.ErrCursor)
		return nil
	})
	// Used up, revoked, unfrozen or extended passes leave; a refill joins.
	update(t, st, func(tx store.Tx) error {
		a, b, fr, used := passes[1], passes[0], frozen, passes[2]
		a.Balance = 0
		b.Revoked = true
		fr.Freezes = nil // now expires on 2026-03-20, before the window
		used.Balance = 1
		for _, p := range []pass.Pass{a, b, fr, used} {
			must(t, "Put", tx.Passes().Put(bg, p))
		}
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		same(t, "Expiring after the changes", all(tx, 10), []string{"pass-edge", "pass-used"})
		return nil
	})
}

// testLedgerPages: Ledger.PassPage returns a pass's entries in append
// order in pages; Ledger.PeriodPage a network's entries of [from, to) by
// instant then append order, in pages; both refuse a foreign cursor.
func (s *suite) testLedgerPages(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	t0 := instant(2, 9, 0)
	entry := func(id, passID string, at time.Time) pass.Entry {
		return pass.Entry{Network: n, ID: id, Pass: passID, Holder: "holder-1", At: at, Type: pass.EntryUse, Units: -1}
	}
	full := sampleEntry(n, "e-full", "pass-1")
	full.At = t0.Add(30 * time.Minute)
	batches := [][]pass.Entry{
		{entry("e1", "pass-1", t0.Add(time.Hour)), entry("e2", "pass-2", t0)},
		{full, entry("e3", "pass-1", t0.Add(-time.Hour))}, // written later, earlier instant
		{entry("e4", "pass-1", t0.Add(time.Hour)), entry("e5", "pass-2", t0.Add(2*time.Hour))},
	}
	for _, b := range batches {
		update(t, st, func(tx store.Tx) error { return tx.Ledger().Append(bg, b...) })
	}
	other := entry("e1", "pass-1", t0)
	other.Network = "net-2"
	update(t, st, func(tx store.Tx) error { return tx.Ledger().Append(bg, other) })

	type pager func(tx store.Tx, cursor string, limit int) ([]pass.Entry, string, error)
	all := func(tx store.Tx, read pager, limit int) []string {
		var got []string
		cursor := ""
		for range 20 {
			es, next, err := read(tx, cursor, limit)
			must(t, "page", err)
			if len(es) > limit {
				t.Fatalf("a page of %d entries, above the limit %d", len(es), limit)
			}
			for _, e := range es {
				if e.ID == "e-full" {
					same(t, "the full entry", e, full)
				}
			}
			got = append(got, ids(es, entryID)...)
			if next == "" {
				return got
			}
			cursor = next
		}
		t.Fatal("the pages never ended")
		return nil
	}
	passPage := func(id string) pager {
		return func(tx store.Tx, cursor string, limit int) ([]pass.Entry, string, error) {
			return tx.Ledger().PassPage(bg, n, id, cursor, limit)
		}
	}
	period := func(from, to time.Time) pager {
		return func(tx store.Tx, cursor string, limit int) ([]pass.Entry, string, error) {
			return tx.Ledger().PeriodPage(bg, n, from, to, cursor, limit)
		}
	}
	view(t, st, func(tx store.Tx) error {
		for _, limit := range []int{1, 2, 3, 100} {
			same(t, fmt.Sprintf("PassPage(pass-1) in pages of %d", limit), all(tx, passPage("pass-1"), limit),
				[]string{"e1", "e-full", "e3", "e4"})
			same(t, fmt.Sprintf("PassPage(pass-2) in pages of %d", limit), all(tx, passPage("pass-2"), limit), []string{"e2", "e5"})
			same(t, fmt.Sprintf("PeriodPage(all) in pages of %d", limit), all(tx, period(t0.Add(-24*time.Hour), t0.Add(24*time.Hour)), limit),
				[]string{"e3", "e2", "e-full", "e1", "e4", "e5"})
			// [t0, t0+1h) takes e2 at t0 and e-full, not e1 or e4 at t0+1h.
			same(t, fmt.Sprintf("PeriodPage([t0, t0+1h)) in pages of %d", limit), all(tx, period(t0, t0.Add(time.Hour)), limit),
				[]string{"e2", "e-full"})
		}
		same(t, "PassPage of a pass with no entries", all(tx, passPage("pass-none"), 5), []string{})
		same(t, "PeriodPage of an empty period", all(tx, period(t0.Add(48*time.Hour), t0.Add(72*time.Hour)), 5), []string{})
		_, _, err := tx.Ledger().PassPage(bg, n, "pass-1", "not a cursor", 5)
		wantErr(t, "PassPage with a cursor it did not make", err, store.ErrCursor)
		_, _, err = tx.Ledger().PeriodPage(bg, n, t0, t0.Add(time.Hour), "not a cursor", 5)
		wantErr(t, "PeriodPage with a cursor it did not make", err, store.ErrCursor)
		return nil
	})
}
