package enttest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/entitlement/enttest"
	"github.com/passengine/passengine/pass"
)

// A property draws with Draw inside rapid.Check; these examples take a
// few values with Example(seed), which is deterministic, and print what
// holds for every value the generator draws.

func ExampleGenPass() {
	// In a property: p := enttest.GenPass("p1").Draw(t, "pass")
	ok := true
	for seed := range 50 {
		p := enttest.GenPass("p1").Example(seed)
		ok = ok && p.ID == "p1" && p.Network == enttest.Network && p.Balance <= p.Units && (p.Holder == "") != (p.Team == "")
	}
	fmt.Println("ID as given, balance within units, one owner:", ok)
	// Output: ID as given, balance within units, one owner: true
}

func ExampleGenPasses() {
	ps := enttest.GenPasses(6).Example(3)
	ids := map[string]bool{}
	for _, p := range ps {
		ids[p.ID] = true
	}
	fmt.Println("at most 6:", len(ps) <= 6, "distinct IDs:", len(ids) == len(ps))
	// Output: at most 6: true distinct IDs: true
}

func ExampleGenEligiblePass() {
	eligible := true
	for seed := range 50 {
		u := enttest.GenUse().Example(seed)
		p := enttest.GenEligiblePass("e1", u).Example(seed)
		eligible = eligible && entitlement.Check(p, u) == ""
	}
	fmt.Println("every pass eligible for its use:", eligible)
	// Output: every pass eligible for its use: true
}

func ExampleGenEligiblePasses() {
	u := enttest.GenUse().Example(7)
	ps := enttest.GenEligiblePasses(5, u).Example(7)
	s := entitlement.Select(ps, u, entitlement.DefaultPolicy(), nil)
	fmt.Println("all ranked as eligible:", s.Eligible == len(ps))
	// Output: all ranked as eligible: true
}

func ExampleGenUse() {
	ok := true
	for seed := range 50 {
		u := enttest.GenUse().Example(seed)
		ok = ok && u.Holder.ID == enttest.HolderID && u.Cost >= 1 && u.Cost <= 3 &&
			!u.Date.Before(enttest.BaseDate.AddDays(-10)) && !u.Date.After(enttest.BaseDate.AddDays(10))
	}
	fmt.Println("by", enttest.HolderID, "within ten days of", enttest.BaseDate, "cost 1-3:", ok)
	// Output: by ada within ten days of 2024-06-15 cost 1-3: true
}

func ExampleGenProduct() {
	valid := true
	for seed := range 50 {
		p := enttest.GenProduct("prod", "downtown", "uptown").Example(seed)
		valid = valid && p.Validate(enttest.Currency) == nil && p.Activation != pass.MerchantSet
	}
	fmt.Println("every product valid:", valid)
	// Output: every product valid: true
}

func ExampleGenPolicy() {
	p := enttest.GenPolicy().Example(2)
	known := map[string]bool{}
	for _, n := range entitlement.DefaultPolicy().Names() {
		known[n] = true
	}
	ok := true
	for _, n := range p.Names() {
		ok = ok && known[n]
	}
	fmt.Println("keys of the default policy:", ok)
	// Output: keys of the default policy: true
}

func ExampleGenZone() {
	z := enttest.GenZone().Example(1)
	year := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println("changes its clocks in 2024:", len(enttest.Transitions(z, year, year.AddDate(1, 0, 0))) >= 2)
	// Output: changes its clocks in 2024: true
}

func ExampleGenDSTInstant() {
	z := enttest.GenZone().Example(4)
	t := enttest.GenDSTInstant(z).Example(4)
	ts := enttest.Transitions(z, t.Add(-36*time.Hour), t.Add(36*time.Hour+time.Second))
	fmt.Println("a transition within 36 hours:", len(ts) > 0)
	// Output: a transition within 36 hours: true
}

func ExampleTransitions() {
	ny, _ := calendar.LoadZone("America/New_York", 0)
	year := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	for _, t := range enttest.Transitions(ny, year, year.AddDate(1, 0, 0)) {
		fmt.Println(t.Format(time.RFC3339), t.In(ny.Loc).Format("15:04 MST"))
	}
	// Output:
	// 2024-03-10T07:00:00Z 03:00 EDT
	// 2024-11-03T06:00:00Z 01:00 EST
}

func ExampleFindViolation() {
	// A host key that ranks time passes by remaining minutes but ties
	// them with every other kind: without ByKind before it, the order is
	// not transitive.
	policy := entitlement.Policy{entitlement.ByRemainingMinutes}
	u := enttest.GenUse().Example(0)
	u.Kinds = nil
	mk := func(id string, k pass.Kind, balance int) *pass.Pass {
		p := enttest.GenEligiblePass(id, u).Example(0)
		p.Kind, p.Balance, p.Units = k, balance, balance
		return p
	}
	// c (90 minutes) before a (30), a before b by pass ID, b before c by
	// pass ID: a cycle.
	ps := []*pass.Pass{mk("a", pass.Time, 30), mk("b", pass.Visits, 5), mk("c", pass.Time, 90), mk("d", pass.Day, 2)}
	v := enttest.FindViolation(policy, u, ps)
	fmt.Println(v.Property, v.Passes[0].ID, v.Passes[1].ID, v.Passes[2].ID)
	fmt.Println(enttest.FindViolation(entitlement.DefaultPolicy(), u, ps) == nil)
	// Output:
	// transitive a b c
	// true
}

func ExampleCheckPolicy() {
	// A host's policy: expiring soonest first, then the default order.
	ourPolicy := append(entitlement.Policy{entitlement.ByExpiry}, entitlement.DefaultPolicy()...)
	// Its test, run by go test as func TestOurPolicy(t *testing.T). On a
	// violation CheckPolicy fails t with the report of a minimal set of
	// passes.
	testOurPolicy := func(t *testing.T) { enttest.CheckPolicy(t, ourPolicy) }
	_ = testOurPolicy
}
