package enttest

import (
	"fmt"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// GenProduct returns a generator of a valid product with the given ID in
// Network, priced in Currency: any kind with 1-6 units (for a time pass,
// 1-6 hours in minutes); a price of 0-50 and, one time in three, a unit
// value of its own; network-wide or, one time in four, covering a
// non-empty subset of locations (network-wide when locations is empty);
// tier 0-2; an audience one time in four; any priority; activation on
// purchase or on first use, locked or not; a validity of 0-6 days or, one
// time in six, a month. Merchant-set activation is not drawn: its dates
// are given at issue, not by the product. Every product it returns passes
// Validate(Currency).
func GenProduct(id string, locations ...string) *rapid.Generator[pass.Product] {
	return rapid.Custom(func(t *rapid.T) pass.Product {
		p := pass.Product{Network: Network, ID: id, Name: id,
			Kind:  rapid.SampledFrom(kinds).Draw(t, "kind"),
			Units: rapid.IntRange(1, 6).Draw(t, "units"),
			Price: money.MustNew(fmt.Sprint(rapid.IntRange(0, 50).Draw(t, "price")), Currency),
		}
		if p.Kind == pass.Time {
			p.Units *= 60
		}
		if rapid.IntRange(0, 2).Draw(t, "has_unit_value") == 0 {
			p.UnitValue = money.MustNew(rapid.SampledFrom(unitValues[1:]).Draw(t, "unit_value"), Currency)
		}
		if len(locations) > 0 && rapid.IntRange(0, 3).Draw(t, "listed") == 0 {
			n := rapid.IntRange(1, len(locations)).Draw(t, "locations")
			p.Locations = append(p.Locations, rapid.Permutation(locations).Draw(t, "location_order")[:n]...)
		}
		p.Tier = rapid.IntRange(0, 2).Draw(t, "tier")
		if rapid.IntRange(0, 3).Draw(t, "has_audience") == 0 {
			p.Audience = rapid.SampledFrom([]catalog.Audience{catalog.Member, catalog.Contact}).Draw(t, "audience")
		}
		p.Priority = rapid.SampledFrom(priorities).Draw(t, "priority")
		p.Activation = rapid.SampledFrom([]pass.Activation{pass.OnPurchase, pass.OnFirstUse}).Draw(t, "activation")
		p.Locked = rapid.Bool().Draw(t, "locked")
		if rapid.IntRange(0, 5).Draw(t, "monthly") == 0 {
			p.Validity = calendar.Validity{Months: 1}
		} else {
			p.Validity = calendar.Validity{Days: rapid.IntRange(0, 6).Draw(t, "validity")}
		}
		return p
	})
}
