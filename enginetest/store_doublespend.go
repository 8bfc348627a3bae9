package enginetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// testDoubleSpendHolder: Options.Goroutines concurrent check-ins of one
// holder (each at its own location and on its own day, so none is
// "already checked in") against one pass of Options.Units visits: exactly Units succeed, the others are refused for want of an
// entitlement, the balance ends at zero with Units "use" rows, one per
// visit (I2). Repeated Options.Repeats
// times, each round on a new holder.
func (s *storeSuite) testDoubleSpendHolder(t *testing.T) { s.doubleSpend(t, 1) }

// testDoubleSpendTeam is testDoubleSpendHolder on a pass shared by a team
// with credit sharing: five members check in at once (G1, I2).
func (s *storeSuite) testDoubleSpendTeam(t *testing.T) { s.doubleSpend(t, 5) }

func (s *storeSuite) doubleSpend(t *testing.T, members int) {
	st := s.store(t)
	const n = "ds"
	ctx := context.Background()
	eng := passengine.New(st, passengine.WithClock(passengine.NewManualClock(hubAt(2, 8, 0))), scenarioSkew)
	g, units := s.opts.Goroutines, s.opts.Units
	need(t, "PutNetwork", eng.PutNetwork(ctx, catalog.Network{ID: n, Currency: "USD", Zone: "America/New_York"}))
	need(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: n, ID: "visits", Kind: pass.Visits, Units: units,
		Price: usd("100"), Activation: pass.OnPurchase}))
	update(t, st, func(tx store.Tx) error {
		for i := range g {
			l := catalog.Location{Network: n, ID: fmt.Sprintf("loc-%03d", i), Zone: "America/New_York"}
			if err := tx.Catalog().PutLocation(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	for round := range s.opts.Repeats {
		holders := make([]string, members)
		team := ""
		if members > 1 {
			team = fmt.Sprintf("team-%d", round)
			need(t, "PutTeam", eng.PutTeam(ctx, catalog.Team{Network: n, ID: team, CreditSharing: true}))
		}
		for m := range holders {
			holders[m] = fmt.Sprintf("holder-%d-%d", round, m)
			need(t, "PutHolder", eng.PutHolder(ctx, catalog.Holder{Network: n, ID: holders[m], Audience: catalog.Member, Team: team}))
		}
		owner := holders[0]
		if team != "" {
			owner = ""
		}
		p := issue(t, eng, fmt.Sprintf("issue-%d", round), n, "visits", owner, team)

		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			mu       sync.Mutex
			wins     int
			visitIDs = map[string]bool{}
			failures []error
		)
		for i := range g {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Each check-in is on its own day: every call contends
				// for the one pass, while the visits of the days at hand
				// stay few.
				at := hubAt(2, 9, 0).AddDate(0, 0, i)
				r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprintf("in-%d-%d", round, i), Network: n,
					Holder: holders[i%members], Location: fmt.Sprintf("loc-%03d", i), At: at})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
					visitIDs[r.Visit.ID] = true
				case !errors.Is(err, passengine.ErrNoEntitlement):
					failures = append(failures, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, err := range failures[:min(len(failures), 5)] {
			t.Errorf("round %d: a check-in failed with %v, want success or ErrNoEntitlement", round, err)
		}
		if wins != units {
			t.Errorf("round %d: got %d successful check-ins of %d, want exactly %d", round, wins, g, units)
		}
		if got := storedPass(t, st, n, p.ID); got.Balance != 0 {
			t.Errorf("round %d: final balance got %d, want 0", round, got.Balance)
		}
		uses := 0
		for _, e := range ledgerOf(t, st, n, p.ID) {
			if e.Type == pass.EntryUse {
				uses++
				if !visitIDs[e.Visit] {
					t.Errorf("round %d: use entry %s names visit %q, not one of the successful check-ins", round, e.ID, e.Visit)
				}
			}
		}
		if uses != units {
			t.Errorf("round %d: got %d use rows, want %d", round, uses, units)
		}
		visits := 0
		for _, h := range holders {
			visits += len(visitsOf(t, st, store.VisitFilter{Network: n, Holder: h}))
		}
		if visits != units {
			t.Errorf("round %d: got %d visits stored, want %d", round, visits, units)
		}
		if t.Failed() {
			return
		}
	}
	verify(t, st, n)
}
