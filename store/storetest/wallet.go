package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// The prepaid account repository (store.Accounts, RULES W1, W2): round
// trips of every field, entries paged by cursor in (At, Holder, Currency,
// Seq) order, refunds, debts, conflicts, isolation between networks,
// rollback and copies.

func sampleAccount(network, holder string) wallet.Account {
	return wallet.Account{Network: network, Holder: holder, Currency: "USD", Balance: usd("-12.345678901"),
		Overdraft: usd("50"), Owed: usd("7.25"), Entries: 4, OpenedAt: instant(1, 8, 0), UpdatedAt: instant(3, 9, 30)}
}

func sampleAccountEntry(network, id, holder string, seq int64, at time.Time) wallet.Entry {
	return wallet.Entry{Network: network, Holder: holder, Currency: "USD", Seq: seq, ID: id, At: at,
		Type: wallet.EntryRefund, Amount: usd("12.345678901"), Balance: usd("-0.5"), Pass: "pass-1", Visit: "visit-1",
		Refunds: "spend-1", Key: "key-" + id, Actor: "manager", Comment: "goodwill"}
}

// accountEntry is a plain deposit entry of holder at position seq.
func accountEntry(network, id, holder string, seq int64, at time.Time) wallet.Entry {
	return wallet.Entry{Network: network, Holder: holder, Currency: "USD", Seq: seq, ID: id, At: at,
		Type: wallet.EntryDeposit, Amount: usd("10"), Balance: usd(fmt.Sprint(10 * seq))}
}

func entryIDOf(e wallet.Entry) string       { return e.ID }
func accountHolder(a wallet.Account) string { return a.Holder + "/" + a.Currency }

// owingVisit is a closed PAYG visit of holder that owes owed.
func owingVisit(network, id, holder string, start time.Time, owed string) checkin.Visit {
	v := openVisit(network, id, holder, "loc-a", start, date("2026-03-02"))
	v.Status, v.Mode, v.Debited, v.Owed = checkin.Closed, checkin.ByPAYG, usd("1"), usd(owed)
	return v
}

// testAccounts: Get, Put (insert, replace), List, Append, Entry, Refunds,
// Entries and Debts, with every field round-tripped.
func (s *suite) testAccounts(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	full := sampleAccount(n, "holder-1")
	complete(t, "Account", full)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Accounts().Get(bg, n, "holder-1", "USD")
		wantErr(t, "Get of a missing account", err, store.ErrNotFound)
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		must(t, "Put", tx.Accounts().Put(bg, full))
		got, err := tx.Accounts().Get(bg, n, "holder-1", "USD")
		must(t, "Get in the same unit of work", err)
		same(t, "Get in the same unit of work", got, full)
		other := sampleAccount(n, "holder-0")
		other.Currency, other.Balance, other.Overdraft, other.Owed = "EUR", amount("3", "EUR"), amount("0", "EUR"), amount("0", "EUR")
		must(t, "Put", tx.Accounts().Put(bg, other))
		return tx.Accounts().Put(bg, sampleAccount(n, "holder-2"))
	})
	changed := full
	changed.Balance, changed.Entries, changed.UpdatedAt = usd("99.99"), 5, instant(4, 10, 0)
	update(t, st, func(tx store.Tx) error { return tx.Accounts().Put(bg, changed) })
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Accounts().Get(bg, n, "holder-1", "USD")
		must(t, "Get", err)
		same(t, "Get after a replace", got, changed)
		_, err = tx.Accounts().Get(bg, n, "holder-1", "EUR")
		wantErr(t, "Get in another currency", err, store.ErrNotFound)
		for _, c := range []struct {
			name string
			f    store.AccountFilter
			want []string
		}{
			{"all", store.AccountFilter{Network: n}, []string{"holder-0/EUR", "holder-1/USD", "holder-2/USD"}},
			{"holder-2", store.AccountFilter{Network: n, Holder: "holder-2"}, []string{"holder-2/USD"}},
			{"offset 1, limit 1", store.AccountFilter{Network: n, Offset: 1, Limit: 1}, []string{"holder-1/USD"}},
			{"another network", store.AccountFilter{Network: "net-2"}, []string{}},
		} {
			got, err := tx.Accounts().List(bg, c.f)
			must(t, "List "+c.name, err)
			same(t, "List("+c.name+")", ids(got, accountHolder), c.want)
		}
		return nil
	})
	s.testAccountEntries(t, st, n)
	s.testDebts(t, st, n)
}

// testAccountEntries: Append, Entry, Refunds and Entries with every
// filter, and paging by cursor through the whole list.
func (s *suite) testAccountEntries(t *testing.T, st store.Store, n string) {
	full := sampleAccountEntry(n, "e-full", "holder-1", 2, instant(3, 9, 0))
	complete(t, "Entry", full)
	// The network's order: by instant, then holder, currency, seq.
	update(t, st, func(tx store.Tx) error {
		a := tx.Accounts()
		must(t, "Append", a.Append(bg, accountEntry(n, "b1", "holder-2", 1, instant(3, 8, 0)),
			accountEntry(n, "a1", "holder-1", 1, instant(3, 9, 0)), full))
		must(t, "Append of nothing", a.Append(bg))
		got, err := a.Entry(bg, n, "e-full")
		must(t, "Entry in the same unit of work", err)
		same(t, "Entry in the same unit of work", got, full)
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		a := tx.Accounts()
		eur := accountEntry(n, "c1", "holder-1", 1, instant(3, 9, 0))
		eur.Currency, eur.Amount, eur.Balance = "EUR", amount("1", "EUR"), amount("1", "EUR")
		must(t, "Append", a.Append(bg, eur, accountEntry(n, "b2", "holder-2", 2, instant(3, 9, 0)),
			accountEntry(n, "a3", "holder-1", 3, instant(4, 9, 0))))
		refund := accountEntry(n, "r2", "holder-1", 4, instant(4, 10, 0))
		refund.Type, refund.Refunds = wallet.EntryRefund, "spend-1"
		return a.Append(bg, refund)
	})
	order := []string{"b1", "c1", "a1", "e-full", "b2", "a3", "r2"} // EUR before USD
	view(t, st, func(tx store.Tx) error {
		a := tx.Accounts()
		got, err := a.Entry(bg, n, "e-full")
		must(t, "Entry", err)
		same(t, "the full entry", got, full)
		_, err = a.Entry(bg, n, "missing")
		wantErr(t, "Entry of a missing ID", err, store.ErrNotFound)
		refunds, err := a.Refunds(bg, n, "spend-1")
		must(t, "Refunds", err)
		same(t, "Refunds IDs", ids(refunds, entryIDOf), []string{"e-full", "r2"})
		none, err := a.Refunds(bg, n, "a1")
		must(t, "Refunds of an entry never refunded", err)
		same(t, "Refunds of an entry never refunded", ids(none, entryIDOf), []string{})
		cur := func(id string) *store.EntryCursor {
			for _, e := range s.allEntries(t, tx, n) {
				if e.ID == id {
					c := store.CursorOf(e)
					return &c
				}
			}
			t.Fatalf("no entry %s", id)
			return nil
		}
		for _, c := range []struct {
			name string
			f    store.EntryFilter
			want []string
		}{
			{"all", store.EntryFilter{Network: n}, order},
			{"holder-1", store.EntryFilter{Network: n, Holder: "holder-1"}, []string{"c1", "a1", "e-full", "a3", "r2"}},
			{"holder-1 in USD", store.EntryFilter{Network: n, Holder: "holder-1", Currency: "USD"}, []string{"a1", "e-full", "a3", "r2"}},
			{"in EUR", store.EntryFilter{Network: n, Currency: "EUR"}, []string{"c1"}},
			{"from 3 09:00 to 4 10:00", store.EntryFilter{Network: n, From: instant(3, 9, 0), To: instant(4, 10, 0)},
				[]string{"c1", "a1", "e-full", "b2", "a3"}},
			{"limit 2", store.EntryFilter{Network: n, Limit: 2}, []string{"b1", "c1"}},
			{"after e-full", store.EntryFilter{Network: n, After: cur("e-full")}, []string{"b2", "a3", "r2"}},
			{"holder-1 after a1, limit 2", store.EntryFilter{Network: n, Holder: "holder-1", After: cur("a1"), Limit: 2},
				[]string{"e-full", "a3"}},
			{"after the last", store.EntryFilter{Network: n, After: cur("r2")}, []string{}},
			{"another network", store.EntryFilter{Network: "net-2"}, []string{}},
		} {
			got, err := a.Entries(bg, c.f)
			must(t, "Entries "+c.name, err)
			same(t, "Entries("+c.name+") IDs", ids(got, entryIDOf), c.want)
		}
		// Pages of every size, from the cursor of each page's last entry,
		// give the whole list once.
		for size := 1; size <= len(order); size++ {
			var got []string
			f := store.EntryFilter{Network: n, Limit: size}
			for range len(order) + 1 {
				p, err := a.Entries(bg, f)
				must(t, "Entries page", err)
				if len(p) == 0 {
					break
				}
				got = append(got, ids(p, entryIDOf)...)
				c := store.CursorOf(p[len(p)-1])
				f.After = &c
			}
			same(t, fmt.Sprintf("pages of %d", size), got, order)
		}
		return nil
	})

	err := st.Update(bg, func(tx store.Tx) error {
		return tx.Accounts().Append(bg, accountEntry(n, "z1", "holder-3", 1, instant(5, 9, 0)), accountEntry(n, "a1", "holder-3", 2, instant(5, 9, 0)))
	})
	wantErr(t, "Append of an ID that exists", err, store.ErrConflict)
	err = st.Update(bg, func(tx store.Tx) error {
		return tx.Accounts().Append(bg, accountEntry(n, "z2", "holder-1", 3, instant(5, 9, 0)))
	})
	wantErr(t, "Append at a position that exists", err, store.ErrConflict)
	err = st.Update(bg, func(tx store.Tx) error {
		return tx.Accounts().Append(bg, accountEntry(n, "z3", "holder-3", 1, instant(5, 9, 0)), accountEntry(n, "z3", "holder-3", 2, instant(5, 9, 0)))
	})
	wantErr(t, "Append of one ID twice", err, store.ErrConflict)
	view(t, st, func(tx store.Tx) error {
		same(t, "entries after refused appends", ids(s.allEntries(t, tx, n), entryIDOf), order)
		return nil
	})
}

// allEntries returns every entry of network n.
func (s *suite) allEntries(t testing.TB, tx store.Tx, n string) []wallet.Entry {
	t.Helper()
	es, err := tx.Accounts().Entries(bg, store.EntryFilter{Network: n})
	must(t, "Entries", err)
	return es
}

// testDebts: Debts lists the visits that owe, oldest first, by holder or
// network, and a visit whose debt is paid leaves the list.
func (s *suite) testDebts(t *testing.T, st store.Store, n string) {
	update(t, st, func(tx store.Tx) error {
		v := tx.Visits()
		must(t, "Put", v.Put(bg, owingVisit(n, "v-late", "holder-1", instant(3, 9, 0), "5")))
		must(t, "Put", v.Put(bg, owingVisit(n, "v-early", "holder-1", instant(2, 9, 0), "0.01")))
		must(t, "Put", v.Put(bg, owingVisit(n, "v-other", "holder-2", instant(2, 10, 0), "12.50")))
		paid := owingVisit(n, "v-paid", "holder-1", instant(1, 9, 0), "0")
		must(t, "Put", v.Put(bg, paid))
		must(t, "Put", v.Put(bg, openVisit(n, "v-open", "holder-1", "loc-a", instant(1, 8, 0), date("2026-03-01"))))
		got, err := tx.Accounts().Debts(bg, store.DebtFilter{Network: n, Holder: "holder-1"})
		must(t, "Debts in the same unit of work", err)
		same(t, "Debts in the same unit of work", ids(got, visitID), []string{"v-early", "v-late"})
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		for _, c := range []struct {
			name string
			f    store.DebtFilter
			want []string
		}{
			{"network", store.DebtFilter{Network: n}, []string{"v-early", "v-other", "v-late"}},
			{"holder-1", store.DebtFilter{Network: n, Holder: "holder-1"}, []string{"v-early", "v-late"}},
			{"offset 1, limit 1", store.DebtFilter{Network: n, Offset: 1, Limit: 1}, []string{"v-other"}},
			{"another network", store.DebtFilter{Network: "net-2"}, []string{}},
		} {
			got, err := tx.Accounts().Debts(bg, c.f)
			must(t, "Debts "+c.name, err)
			same(t, "Debts("+c.name+")", ids(got, visitID), c.want)
		}
		got, err := tx.Accounts().Debts(bg, store.DebtFilter{Network: n, Holder: "holder-2"})
		must(t, "Debts", err)
		if len(got) == 1 {
			same(t, "an owing visit", got[0], owingVisit(n, "v-other", "holder-2", instant(2, 10, 0), "12.50"))
		}
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		v := owingVisit(n, "v-early", "holder-1", instant(2, 9, 0), "0")
		return tx.Visits().Put(bg, v)
	})
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Accounts().Debts(bg, store.DebtFilter{Network: n, Holder: "holder-1"})
		must(t, "Debts", err)
		same(t, "Debts after one is paid", ids(got, visitID), []string{"v-late"})
		return nil
	})
}

// testAccountsIsolation: the same account, entry and visit IDs in two
// networks are distinct rows; one network's reads never see the other's.
func (s *suite) testAccountsIsolation(t *testing.T) {
	st := s.store(t)
	for i, n := range []string{"net-a", "net-b"} {
		update(t, st, func(tx store.Tx) error {
			a := sampleAccount(n, "holder-1")
			a.Entries = int64(i + 1)
			must(t, "Put", tx.Accounts().Put(bg, a))
			must(t, "Put visit", tx.Visits().Put(bg, owingVisit(n, "visit-1", "holder-1", instant(2, 9, 0), "3")))
			e := sampleAccountEntry(n, "entry-1", "holder-1", 1, instant(3, 9, 0))
			e.Comment = n
			return tx.Accounts().Append(bg, e)
		})
	}
	view(t, st, func(tx store.Tx) error {
		for i, n := range []string{"net-a", "net-b"} {
			a, err := tx.Accounts().Get(bg, n, "holder-1", "USD")
			must(t, "Get", err)
			if a.Entries != int64(i+1) {
				t.Errorf("%s: Get: got the account of another network (%d entries)", n, a.Entries)
			}
			e, err := tx.Accounts().Entry(bg, n, "entry-1")
			must(t, "Entry", err)
			same(t, n+": Entry comment", e.Comment, n)
			for what, count := range map[string]func() (int, error){
				"Entries": func() (int, error) {
					es, err := tx.Accounts().Entries(bg, store.EntryFilter{Network: n})
					return len(es), err
				},
				"Refunds": func() (int, error) { es, err := tx.Accounts().Refunds(bg, n, "spend-1"); return len(es), err },
				"List": func() (int, error) {
					as, err := tx.Accounts().List(bg, store.AccountFilter{Network: n})
					return len(as), err
				},
				"Debts": func() (int, error) {
					vs, err := tx.Accounts().Debts(bg, store.DebtFilter{Network: n})
					return len(vs), err
				},
			} {
				got, err := count()
				must(t, what, err)
				if got != 1 {
					t.Errorf("%s: %s: got %d rows, want 1", n, what, got)
				}
			}
		}
		_, err := tx.Accounts().Get(bg, "net-c", "holder-1", "USD")
		wantErr(t, "Get in a third network", err, store.ErrNotFound)
		_, err = tx.Accounts().Entry(bg, "net-c", "entry-1")
		wantErr(t, "Entry in a third network", err, store.ErrNotFound)
		return nil
	})
}

// testAccountsRollback: a unit of work that fails, panics or conflicts
// after writing an account, its entries and an owing visit leaves none of
// them (I3).
func (s *suite) testAccountsRollback(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	update(t, st, func(tx store.Tx) error {
		return tx.Accounts().Append(bg, accountEntry(n, "taken", "holder-9", 1, instant(2, 9, 0)))
	})
	write := func(tx store.Tx) {
		must(t, "Put", tx.Accounts().Put(bg, sampleAccount(n, "holder-1")))
		must(t, "Append", tx.Accounts().Append(bg, accountEntry(n, "e1", "holder-1", 1, instant(3, 9, 0))))
		must(t, "Put visit", tx.Visits().Put(bg, owingVisit(n, "visit-1", "holder-1", instant(2, 9, 0), "3")))
	}
	failed := errors.New("refused")
	err := st.Update(bg, func(tx store.Tx) error { write(tx); return failed })
	if !errors.Is(err, failed) {
		t.Fatalf("Update: got %v, want the closure's error", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = st.Update(bg, func(tx store.Tx) error { write(tx); panic("boom") })
	}()
	err = st.Update(bg, func(tx store.Tx) error {
		write(tx)
		return tx.Accounts().Append(bg, accountEntry(n, "taken", "holder-1", 2, instant(3, 9, 0)))
	})
	wantErr(t, "Update whose Append conflicts", err, store.ErrConflict)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Accounts().Get(bg, n, "holder-1", "USD")
		wantErr(t, "Get after rollback", err, store.ErrNotFound)
		_, err = tx.Accounts().Entry(bg, n, "e1")
		wantErr(t, "Entry after rollback", err, store.ErrNotFound)
		debts, err := tx.Accounts().Debts(bg, store.DebtFilter{Network: n})
		must(t, "Debts", err)
		same(t, "Debts after rollback", len(debts), 0)
		same(t, "entries after rollback", ids(s.allEntries(t, tx, n), entryIDOf), []string{"taken"})
		return nil
	})
}

// testAccountsCopies: values read back are copies, and reads inside View
// cannot write.
func (s *suite) testAccountsCopies(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	update(t, st, func(tx store.Tx) error {
		must(t, "Put visit", tx.Visits().Put(bg, sampleVisit(n, "visit-1", "holder-1")))
		return nil
	})
	update(t, st, func(tx store.Tx) error {
		v, err := tx.Visits().Get(bg, n, "visit-1")
		must(t, "Get", err)
		v.Owed, v.Status = usd("4"), checkin.Closed
		return tx.Visits().Put(bg, v)
	})
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Accounts().Debts(bg, store.DebtFilter{Network: n})
		must(t, "Debts", err)
		if len(got) != 1 {
			t.Fatalf("Debts: got %d visits, want 1", len(got))
		}
		got[0].Consumptions[0].Units = 999
		got[0].Owed = money.Money{}
		again, err := tx.Accounts().Debts(bg, store.DebtFilter{Network: n})
		must(t, "Debts", err)
		same(t, "a debt read again after changing the copy", again[0].Consumptions[0].Units, 45)
		err = tx.Accounts().Put(bg, sampleAccount(n, "holder-1"))
		if err == nil {
			t.Errorf("Put inside View: got nil error, want one")
		}
		err = tx.Accounts().Append(bg, accountEntry(n, "e1", "holder-1", 1, instant(3, 9, 0)))
		if err == nil {
			t.Errorf("Append inside View: got nil error, want one")
		}
		return nil
	})
}
