package entitlement_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// benchPasses returns n passes of a member "h" with a mix of kinds, unit
// values, sources, locations and expiries, so that selection compares on
// several keys, and every fourth pass ineligible for some reason.
func benchPasses(n int) []*pass.Pass {
	kinds := []pass.Kind{pass.Day, pass.Visits, pass.Time}
	sources := []pass.Source{pass.FromPlan, pass.FromProduct, pass.FromManual, pass.FromImport}
	issued := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	ps := make([]*pass.Pass, n)
	for i := range n {
		p := &pass.Pass{
			Network: "n", ID: fmt.Sprintf("pass-%04d", i), Holder: "h", Kind: kinds[i%3], Source: sources[i%4],
			Units: 100, Balance: 10 + i%7, UnitValue: money.MustNew(fmt.Sprint(5+i%3), "USD"),
			Activation: pass.OnPurchase, ActivatedOn: calendar.NewDate(2026, 1, 1),
			ExpiresOn: calendar.NewDate(2026, 6, 1+i%20), IssuedAt: issued.Add(time.Duration(i%5) * time.Hour),
		}
		if i%2 == 1 {
			p.Locations = []string{"a", "b"}
		}
		if i%4 == 3 {
			p.Locations = []string{"elsewhere"} // location_not_covered
		}
		ps[i] = p
	}
	return ps
}

// benchUse returns the use benchPasses' passes are checked against.
func benchUse() *entitlement.Use {
	return &entitlement.Use{Holder: catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member},
		Location: "a", NetworkLocations: 10, Date: calendar.NewDate(2026, 3, 2), Cost: 1}
}

// BenchmarkSelect ranks 1, 8 and 64 passes for one use with the default
// policy, reusing one candidate buffer as the check-in path can.
func BenchmarkSelect(b *testing.B) {
	for _, n := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("passes=%d", n), func(b *testing.B) {
			ps := benchPasses(n)
			u := benchUse()
			policy := entitlement.DefaultPolicy()
			buf := make([]entitlement.Candidate, 0, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s := entitlement.Select(ps, u, policy, buf)
				if s.Eligible == 0 {
					b.Fatal("no eligible pass")
				}
			}
		})
	}
}
