package storetest

import (
	"context"
	"errors"
	"fmt"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// Verify checks the ledger invariants of network in st, in one read-only
// unit of work:
//   - every pass's balance is at least zero and equals the sum of the units
//     of its ledger entries;
//   - every entry's Balance is the running sum of its pass's entries up to
//     and including it, in append order;
//   - for every visit and pass, the units the visit's consumptions (its
//     lineage) take from the pass equal minus the net units of that pass's
//     entries for the visit, so nothing was consumed without a ledger row
//     and no ledger row is left without its consumption;
//   - every entry names a pass of the network, and every entry naming a
//     visit names a visit of the network.
//
// It returns nil when all hold, an error listing every broken one
// otherwise (the first 20), or the store's error if reading failed. It
// reads the whole network: for tests, not for production-size data.
func Verify(ctx context.Context, st store.Store, network string) error {
	var problems []error
	add := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	err := st.View(ctx, func(tx store.Tx) error {
		passes, err := tx.Passes().List(ctx, store.PassFilter{Network: network})
		if err != nil {
			return err
		}
		entries, err := tx.Ledger().List(ctx, store.LedgerFilter{Network: network})
		if err != nil {
			return err
		}
		visits, err := tx.Visits().List(ctx, store.VisitFilter{Network: network})
		if err != nil {
			return err
		}
		byID := map[string]*pass.Pass{}
		for i := range passes {
			byID[passes[i].ID] = &passes[i]
		}
		visitIDs := map[string]bool{}
		for _, v := range visits {
			visitIDs[v.ID] = true
		}
		type vp struct{ visit, pass string }
		sum := map[string]int{}
		net := map[vp]int{}
		for _, e := range entries {
			if byID[e.Pass] == nil {
				add("ledger entry %s names pass %q, which the network does not hold", e.ID, e.Pass)
			}
			sum[e.Pass] += e.Units
			if e.Balance != sum[e.Pass] {
				add("ledger entry %s (%s %+d) of pass %s: balance after is %d, the running sum is %d", e.ID, e.Type, e.Units, e.Pass, e.Balance, sum[e.Pass])
			}
			if e.Visit != "" {
				if !visitIDs[e.Visit] {
					add("ledger entry %s names visit %q, which the network does not hold", e.ID, e.Visit)
				}
				net[vp{e.Visit, e.Pass}] += e.Units
			}
		}
		for _, p := range passes {
			if p.Balance < 0 {
				add("pass %s: balance %d is below zero", p.ID, p.Balance)
			}
			if p.Balance != sum[p.ID] {
				add("pass %s: balance %d, the sum of its ledger entries is %d", p.ID, p.Balance, sum[p.ID])
			}
		}
		consumed := map[vp]int{}
		for _, v := range visits {
			for _, c := range v.Consumptions {
				consumed[vp{v.ID, c.Pass}] += c.Units
			}
		}
		for k, units := range consumed {
			if net[k] != -units {
				add("visit %s consumed %d units of pass %s; its ledger entries for the visit net %+d", k.visit, units, k.pass, net[k])
			}
		}
		for k, units := range net {
			if _, ok := consumed[k]; !ok && units != 0 {
				add("visit %s has no consumption of pass %s, yet its ledger entries for the visit net %+d", k.visit, k.pass, units)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storetest: verify network %q: %w", network, err)
	}
	return errors.Join(problems...)
}

// openVisits returns how many visits of network are open check-ins.
func openVisits(vs []checkin.Visit) int {
	n := 0
	for _, v := range vs {
		if v.IsOpen() {
			n++
		}
	}
	return n
}
