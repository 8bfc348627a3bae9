package entitlement_test

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// The consumption order is data (O8): the default policy uses a day pass
// before a visits pass (O1); a host that wants the pass expiring soonest
// used first puts ByExpiry ahead. Select names the key that decided, and
// a pass that cannot pay gets its reason (G7).
func ExamplePolicy() {
	issued := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mk := func(id string, kind pass.Kind, expires calendar.Date) *pass.Pass {
		return &pass.Pass{Network: "hub", ID: id, Holder: "ada", Kind: kind, Source: pass.FromProduct, Units: 10, Balance: 10,
			UnitValue: money.MustNew("10", "USD"), Activation: pass.OnPurchase, ActivatedOn: calendar.NewDate(2026, 3, 1),
			ExpiresOn: expires, IssuedAt: issued, IssuedOn: calendar.NewDate(2026, 3, 1)}
	}
	passes := []*pass.Pass{
		mk("day-pack", pass.Day, calendar.NewDate(2026, 12, 31)),
		mk("visits-pack", pass.Visits, calendar.NewDate(2026, 3, 20)),
		mk("old-pack", pass.Visits, calendar.NewDate(2026, 3, 5)),
	}
	use := &entitlement.Use{Holder: catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member},
		Location: "downtown", NetworkLocations: 2, Date: calendar.NewDate(2026, 3, 10), Cost: 1}

	for _, p := range []struct {
		name   string
		policy entitlement.Policy
	}{
		{"default", entitlement.DefaultPolicy()},
		{"expiring first", append(entitlement.Policy{entitlement.ByExpiry}, entitlement.DefaultPolicy()...)},
	} {
		s := entitlement.Select(passes, use, p.policy, nil)
		fmt.Printf("%s: %s (decided by %s)\n", p.name, s.Chosen().PassID, s.DecidedBy)
	}
	s := entitlement.Select(passes, use, entitlement.DefaultPolicy(), nil)
	for _, c := range s.Candidates[s.Eligible:] {
		fmt.Printf("%s: %s (%s)\n", c.PassID, c.Reason, string(c.Reason))
	}
	// Output:
	// default: day-pack (decided by kind)
	// expiring first: visits-pack (decided by expiry)
	// old-pack: pass has expired (expired)
}
