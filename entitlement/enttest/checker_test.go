package enttest_test

import (
	"cmp"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/entitlement/enttest"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// kindCycle is a deliberately non-transitive key: day before visits,
// visits before time, and time before day.
var kindCycle = entitlement.Key{Name: "kind_cycle", Compare: func(a, b *entitlement.Candidate) int {
	if a.Kind == b.Kind {
		return 0
	}
	beats := map[pass.Kind]pass.Kind{pass.Day: pass.Visits, pass.Visits: pass.Time, pass.Time: pass.Day}
	if beats[a.Kind] == b.Kind {
		return -1
	}
	return 1
}}

// firstAsked is a deliberately order-dependent key: on equal balances it
// puts first whichever pass it is asked about first.
var firstAsked = entitlement.Key{Name: "first_asked", Compare: func(a, b *entitlement.Candidate) int {
	if a.Balance <= b.Balance {
		return -1
	}
	return 1
}}

// roundRobin is a deliberately stateful key: it prefers the pass it has
// been asked about least, so its answers depend on what it was asked
// before, that is, on the order passes are listed and compared in.
func roundRobin() entitlement.Key {
	var mu sync.Mutex
	asked := map[string]int{}
	return entitlement.Key{Name: "round_robin", Compare: func(a, b *entitlement.Candidate) int {
		mu.Lock()
		defer mu.Unlock()
		asked[a.PassID]++
		return cmp.Compare(asked[a.PassID], asked[b.PassID])
	}}
}

// use is a check-in use at loc-a by ada, a member, on enttest.BaseDate.
func use() *entitlement.Use {
	return &entitlement.Use{Holder: catalog.Holder{Network: enttest.Network, ID: enttest.HolderID, Audience: catalog.Member},
		Location: "loc-a", NetworkLocations: len(enttest.Locations), Date: enttest.BaseDate, Cost: 1}
}

// mk returns an eligible pass of ada for use() with the given ID, kind and
// balance.
func mk(id string, k pass.Kind, balance int) *pass.Pass {
	return &pass.Pass{Network: enttest.Network, ID: id, Product: "prod", Holder: enttest.HolderID, Kind: k,
		Source: pass.FromProduct, Units: balance, Balance: balance, UnitValue: money.MustNew("5", "USD"),
		Activation: pass.OnPurchase, ActivatedOn: enttest.BaseDate.AddDays(-1), IssuedAt: enttest.IssuedAt}
}

// requireMinimal fails unless v's passes are a minimal failing set: the
// property holds once any one of them is removed.
func requireMinimal(t *testing.T, policy entitlement.Policy, v *enttest.Violation) {
	t.Helper()
	for i := range v.Passes {
		rest := append(append([]*pass.Pass(nil), v.Passes[:i]...), v.Passes[i+1:]...)
		if w := enttest.FindViolation(policy, &v.Use, rest); w != nil && w.Property == v.Property {
			t.Fatalf("not minimal: without %s the %s property still fails:\n%v", v.Passes[i].ID, v.Property, w)
		}
	}
}

// Rule O8: the default policy passes the checker on hand-made passes that
// tie on many keys, and over generated ones (TestRule_O8_DefaultPolicyPassesTheChecker
// in package entitlement runs it too).
func TestRule_O8_CheckerPassesTheDefaultPolicy(t *testing.T) {
	ps := []*pass.Pass{mk("a", pass.Day, 1), mk("b", pass.Visits, 2), mk("c", pass.Time, 60), mk("d", pass.Time, 90), mk("e", pass.Visits, 2)}
	assert.Nil(t, enttest.FindViolation(entitlement.DefaultPolicy(), use(), ps))
	enttest.CheckPolicy(t, entitlement.DefaultPolicy())
}

// Rule O8: a non-transitive key is caught, with the three passes of one
// cycle as the minimal failing set.
func TestRule_O8_CheckerCatchesANonTransitiveKey(t *testing.T) {
	policy := entitlement.Policy{kindCycle}
	ps := []*pass.Pass{mk("a", pass.Day, 1), mk("b", pass.Visits, 2), mk("c", pass.Time, 60), mk("d", pass.Time, 90), mk("e", pass.Visits, 2)}
	v := enttest.FindViolation(policy, use(), ps)
	require.NotNil(t, v)
	assert.Equal(t, enttest.PropTransitive, v.Property)
	require.Len(t, v.Passes, 3, "one day, one visits and one time pass make the cycle:\n%v", v)
	kinds := map[pass.Kind]bool{}
	for _, p := range v.Passes {
		kinds[p.Kind] = true
	}
	assert.Len(t, kinds, 3, "one pass of each kind")
	requireMinimal(t, policy, v)
	assert.Contains(t, v.Error(), "policy [kind_cycle] is not transitive")
	assert.Contains(t, v.Error(), "minimal passes (3):")
}

// Rule O8: an order-dependent key (ties go to the pass asked about first)
// is caught as not strict, down to one pass that it puts before itself.
func TestRule_O8_CheckerCatchesAnOrderDependentKey(t *testing.T) {
	policy := append(entitlement.Policy{firstAsked}, entitlement.DefaultPolicy()...)
	ps := []*pass.Pass{mk("a", pass.Visits, 2), mk("b", pass.Visits, 2), mk("c", pass.Visits, 3)}
	v := enttest.FindViolation(policy, use(), ps)
	require.NotNil(t, v)
	assert.Equal(t, enttest.PropStrict, v.Property)
	assert.Len(t, v.Passes, 1, "%v", v)
	assert.Contains(t, v.Detail, `key "first_asked" puts`)
	requireMinimal(t, policy, v)
}

// Rule O8: a stateful key, whose answers depend on what it was asked
// before, is caught too.
func TestRule_O8_CheckerCatchesAStatefulKey(t *testing.T) {
	policy := entitlement.Policy{roundRobin()}
	ps := []*pass.Pass{mk("a", pass.Visits, 2), mk("b", pass.Visits, 2), mk("c", pass.Day, 1)}
	v := enttest.FindViolation(policy, use(), ps)
	require.NotNil(t, v)
	assert.Contains(t, []string{enttest.PropStrict, enttest.PropTransitive, enttest.PropKey, enttest.PropListing}, v.Property)
}

// recorder is a rapid.TB that records a failure instead of failing the
// test; FailNow ends the goroutine, as testing.T's does.
type recorder struct {
	mu     sync.Mutex
	failed bool
	out    strings.Builder
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return "recorder" }
func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.out, format+"\n", args...)
}
func (r *recorder) Log(args ...any)                   { r.Logf("%s", fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.Logf(format, args...); r.SkipNow() }
func (r *recorder) Skip(args ...any)                  { r.Log(args...); r.SkipNow() }
func (r *recorder) SkipNow()                          { runtime.Goexit() }
func (r *recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }
func (r *recorder) Error(args ...any)                 { r.Log(args...); r.Fail() }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); r.FailNow() }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); r.FailNow() }
func (r *recorder) FailNow()                          { r.Fail(); runtime.Goexit() }
func (r *recorder) Fail()                             { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recorder) Failed() bool                      { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }
func (r *recorder) output() string                    { r.mu.Lock(); defer r.mu.Unlock(); return r.out.String() }

var _ rapid.TB = (*recorder)(nil)

// checkPolicy runs CheckPolicy on a recorder, without rapid fail files.
func checkPolicy(t *testing.T, policy entitlement.Policy) *recorder {
	t.Helper()
	old := flag.Lookup("rapid.nofailfile").Value.String()
	require.NoError(t, flag.Set("rapid.nofailfile", "true"))
	defer flag.Set("rapid.nofailfile", old)
	r := &recorder{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		enttest.CheckPolicy(r, policy)
	}()
	wg.Wait()
	return r
}

// Rule O8: CheckPolicy fails on the broken keys over generated passes and
// reports the minimal set; it passes the default policy.
func TestRule_O8_CheckPolicyFailsBrokenPolicies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy entitlement.Policy
		want   string
	}{
		{"non-transitive", entitlement.Policy{kindCycle}, "is not transitive"},
		{"order-dependent", append(entitlement.Policy{firstAsked}, entitlement.DefaultPolicy()...), "is not a strict order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := checkPolicy(t, tc.policy)
			require.True(t, r.Failed(), "CheckPolicy passed a broken policy:\n%s", r.output())
			assert.Contains(t, r.output(), tc.want)
			assert.Contains(t, r.output(), "minimal passes")
		})
	}
	r := checkPolicy(t, entitlement.DefaultPolicy())
	assert.False(t, r.Failed(), "CheckPolicy failed the default policy:\n%s", r.output())
}
