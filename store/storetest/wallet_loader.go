package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// testAccountLoader: a Tx that is a store.AccountLoader returns exactly
// what store.ReadAccount returns through the repositories (a holder with
// an account and debts, without debts asked, one with no account), inside
// Update and inside View; the same errors for an unknown network or
// holder; and it holds the holder's lock: concurrent read-increment-write
// cycles of an account loaded with it lose no increment (I2). A store
// without AccountLoader skips it.
func (s *suite) testAccountLoader(t *testing.T) {
	st := s.store(t)
	loader := false
	view(t, st, func(tx store.Tx) error { _, loader = tx.(store.AccountLoader); return nil })
	if !loader {
		t.Skip("the store's Tx is not a store.AccountLoader")
	}
	const n = "net-1"
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork(n)))
		must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork("net-2")))
		for _, h := range []string{"holder-1", "holder-2"} {
			must(t, "PutHolder", c.PutHolder(bg, catalog.Holder{Network: n, ID: h, Audience: catalog.Member}))
		}
		a := sampleAccount(n, "holder-1")
		a.Owed = usd("8")
		must(t, "Put", tx.Accounts().Put(bg, a))
		eur := wallet.New(n, "holder-1", "EUR")
		eur.Entries = 9
		must(t, "Put", tx.Accounts().Put(bg, eur))
		must(t, "Put visit", tx.Visits().Put(bg, owingVisit(n, "v2", "holder-1", instant(3, 9, 0), "5")))
		must(t, "Put visit", tx.Visits().Put(bg, owingVisit(n, "v1", "holder-1", instant(2, 9, 0), "3")))
		must(t, "Put visit", tx.Visits().Put(bg, owingVisit(n, "v0", "holder-1", instant(1, 9, 0), "0")))
		return nil
	})
	for _, q := range []store.AccountQuery{
		{Network: n, Holder: "holder-1", Debts: true},
		{Network: n, Holder: "holder-1"},
		{Network: n, Holder: "holder-2", Debts: true},
	} {
		for _, write := range []bool{true, false} {
			var got, want store.AccountState
			var gerr, werr error
			run := st.View
			if write {
				run = st.Update
			}
			err := run(bg, func(tx store.Tx) error {
				got, gerr = tx.(store.AccountLoader).LoadAccount(bg, q)
				want, werr = store.ReadAccount(bg, tx, q)
				return nil
			})
			must(t, "unit of work", err)
			if gerr != nil || werr != nil {
				t.Errorf("%+v (update %t): got errors %v and %v, want none", q, write, gerr, werr)
				continue
			}
			same(t, fmt.Sprintf("LoadAccount(%+v) (update %t)", q, write), got, want)
		}
	}
	view(t, st, func(tx store.Tx) error {
		got, err := tx.(store.AccountLoader).LoadAccount(bg, store.AccountQuery{Network: n, Holder: "holder-1", Debts: true})
		must(t, "LoadAccount", err)
		same(t, "debts oldest first", ids(got.Debts, visitID), []string{"v1", "v2"})
		same(t, "the account in the network's currency", got.Account.Currency, "USD")
		for _, q := range []store.AccountQuery{{Network: "nowhere", Holder: "holder-1"}, {Network: n, Holder: "nobody"},
			{Network: "net-2", Holder: "holder-1"}} {
			_, err := tx.(store.AccountLoader).LoadAccount(bg, q)
			wantErr(t, fmt.Sprintf("LoadAccount(%+v)", q), err, store.ErrNotFound)
			_, err = store.ReadAccount(bg, tx, q)
			wantErr(t, fmt.Sprintf("ReadAccount(%+v)", q), err, store.ErrNotFound)
		}
		return nil
	})

	const workers, rounds = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				err := retry(st, func(tx store.Tx) error {
					s, err := tx.(store.AccountLoader).LoadAccount(bg, store.AccountQuery{Network: n, Holder: "holder-2"})
					if err != nil {
						return err
					}
					s.Account.Entries++
					return tx.Accounts().Put(bg, s.Account)
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("locked increment: %v", err)
	}
	view(t, st, func(tx store.Tx) error {
		a, err := tx.Accounts().Get(bg, n, "holder-2", "USD")
		must(t, "Get", err)
		if a.Entries != workers*rounds {
			t.Errorf("account counter after %d locked increments: got %d", workers*rounds, a.Entries)
		}
		return nil
	})
}
