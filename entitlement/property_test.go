package entitlement_test

import (
	"fmt"
	"testing"

	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/entitlement/enttest"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// genCase draws a use and a set of passes for it: generally drawn passes
// (many ineligible) and passes eligible for the use (many candidates to
// order), mixed.
func genCase(t *rapid.T, max int) ([]*pass.Pass, *entitlement.Use) {
	u := enttest.GenUse().Draw(t, "use")
	ps := enttest.GenPasses(max).Draw(t, "passes")
	ps = append(ps, enttest.GenEligiblePasses(max, u).Draw(t, "eligible")...)
	return rapid.Permutation(ps).Draw(t, "mixed"), u
}

// Rules O0-O7 as a property: for any set of passes and any use, every
// adjacent pair of eligible candidates is ordered by the first key on which
// they differ (an independent model of the default order), and each
// outranked candidate's DecidedBy names the first key that differs between
// it and the chosen one.
func TestRule_O_EachKeyHolds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps, u := genCase(t, 6)
		s := entitlement.Select(ps, u, entitlement.DefaultPolicy(), nil)
		for i := 0; i+1 < s.Eligible; i++ {
			a, b := s.Candidates[i], s.Candidates[i+1]
			c, key := refCompare(refKeyOf(a.Pass, u), refKeyOf(b.Pass, u))
			if c >= 0 {
				t.Fatalf("candidates %d (%s) and %d (%s): key %q orders them the other way (%d)", i, a.PassID, i+1, b.PassID, key, c)
			}
		}
		for i := 1; i < s.Eligible; i++ {
			_, key := refCompare(refKeyOf(s.Candidates[0].Pass, u), refKeyOf(s.Candidates[i].Pass, u))
			if got := s.Candidates[i].DecidedBy; got != key {
				t.Fatalf("candidate %s: DecidedBy got %q, want %q", s.Candidates[i].PassID, got, key)
			}
			if i == 1 && s.DecidedBy != key {
				t.Fatalf("Selection.DecidedBy got %q, want %q", s.DecidedBy, key)
			}
		}
		if s.Eligible < 2 && s.DecidedBy != "" {
			t.Fatalf("DecidedBy %q with %d eligible", s.DecidedBy, s.Eligible)
		}
	})
}

// Rule O7: the choice and the whole ranking are the same whatever order
// the passes are listed in, so every run and every store agree.
func TestRule_O7_SameUnderAnyPermutation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps, u := genCase(t, 6)
		want := enttest.Ranking(entitlement.Select(ps, u, entitlement.DefaultPolicy(), nil))
		shuffled := rapid.Permutation(ps).Draw(t, "shuffled")
		got := enttest.Ranking(entitlement.Select(shuffled, u, entitlement.DefaultPolicy(), nil))
		require.Equal(t, want, got)
	})
}

// Rule O8: whatever keys a host keeps and in whatever order, the order is
// total: the ranking does not depend on the order of the passes.
func TestRule_O8_AnyPolicyIsTotal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps, u := genCase(t, 5)
		policy := enttest.GenPolicy().Draw(t, "policy")
		want := enttest.Ranking(entitlement.Select(ps, u, policy, nil))
		got := enttest.Ranking(entitlement.Select(rapid.Permutation(ps).Draw(t, "shuffled"), u, policy, nil))
		require.Equal(t, want, got, "policy %v", policy.Names())
	})
}

// Rules O0-O8: the default policy passes the policy checker: strict,
// transitive, applied key by key, the same whatever the listing.
func TestRule_O8_DefaultPolicyPassesTheChecker(t *testing.T) {
	enttest.CheckPolicy(t, entitlement.DefaultPolicy())
}

// Rule G7: ineligible passes always carry a non-empty reason (the one Check
// gives), eligible ones not chosen carry Outranked with a DecidedBy, and
// the chosen one neither.
func TestRule_G7_EveryPassHasAReason(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps, u := genCase(t, 6)
		s := entitlement.Select(ps, u, entitlement.DefaultPolicy(), nil)
		require.Len(t, s.Candidates, len(ps), "every pass is a candidate")
		for i, c := range s.Candidates {
			switch {
			case i == 0 && s.Eligible > 0:
				require.Empty(t, c.Reason, "chosen %s", c.PassID)
				require.Empty(t, c.DecidedBy, "chosen %s", c.PassID)
				require.Equal(t, entitlement.Reason(""), entitlement.Check(c.Pass, u))
			case i < s.Eligible:
				require.Equal(t, entitlement.Outranked, c.Reason, "eligible %s", c.PassID)
				require.NotEmpty(t, c.DecidedBy, "eligible %s", c.PassID)
				require.Equal(t, entitlement.Reason(""), entitlement.Check(c.Pass, u))
			default:
				require.NotEmpty(t, c.Reason, "ineligible %s", c.PassID)
				require.NotEqual(t, entitlement.Outranked, c.Reason, "ineligible %s", c.PassID)
				require.Equal(t, entitlement.Check(c.Pass, u), c.Reason, "ineligible %s", c.PassID)
				if i > s.Eligible {
					require.Less(t, s.Candidates[i-1].PassID, c.PassID, "ineligible passes by ID")
				}
			}
		}
	})
}

// eightPasses returns 8 eligible passes that tie on several keys, so
// selection compares through most of the default policy.
func eightPasses() []*pass.Pass {
	kinds := []pass.Kind{pass.Day, pass.Time, pass.Visits}
	ps := make([]*pass.Pass, 8)
	for i := range ps {
		ps[7-i] = mk(fmt.Sprintf("p%d", i), func(p *pass.Pass) {
			p.Kind = kinds[i%3]
			if i%2 == 0 {
				p.Source = pass.FromManual
			}
			if i%4 == 0 {
				p.Holder, p.Team = "", "acme"
			}
		})
	}
	return ps
}

// The target: selection over 8 passes allocates nothing when the
// caller supplies a buffer of sufficient capacity.
func TestSelectOverEightPassesAllocatesNothing(t *testing.T) {
	ps := eightPasses()
	u := use()
	policy := entitlement.DefaultPolicy()
	buf := make([]entitlement.Candidate, 0, len(ps))
	var s entitlement.Selection
	allocs := testing.AllocsPerRun(100, func() {
		s = entitlement.Select(ps, u, policy, buf)
	})
	require.Equal(t, 8, s.Eligible, "the passes are all eligible, so the sort ran")
	require.Zero(t, allocs, "allocations per Select over 8 passes: got %v, want 0", allocs)
}
