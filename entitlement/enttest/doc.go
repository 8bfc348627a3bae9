// Package enttest holds reusable pgregory.net/rapid generators of passes,
// products, uses, consumption-order policies and time zones with daylight
// saving transitions, and a checker of host consumption orders
// (CheckPolicy), for property tests of eligibility (RULES G1-G7) and the
// consumption order (O0-O8) written by QA teams and by passengine itself.
//
// The generators draw from a small universe on purpose: one network
// (Network) with four locations (Locations), a holder (HolderID) in a team
// (TeamID), another holder (StrangerID), and dates around BaseDate. Values
// are drawn from small sets, so ties on the first keys of the order are
// frequent and the later keys decide often. A property composes them:
//
//	rapid.Check(t, func(t *rapid.T) {
//		u := enttest.GenUse().Draw(t, "use")
//		ps := enttest.GenEligiblePasses(6, u).Draw(t, "passes")
//		s := entitlement.Select(ps, u, myPolicy, nil)
//		// ... check what the host's rule says about s
//	})
//
// The package imports entitlement, so entitlement's own tests that use it
// are in package entitlement_test.
package enttest
