package entitlement_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/entitlement/enttest"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// genOddCase is genCase with what the packed keys must not get wrong
// mixed in: duplicate pass IDs, unit values finer than 10^-8 or beyond
// int64, kinds outside day/visits/time, balances and location counts
// beyond int32, issue instants decades apart, copies and near copies of
// other passes (every key or all but kind and balance tied), and sets of up to max
// passes (past the 8 and 64 the scratch space holds on the stack).
func genOddCase(t *rapid.T) ([]*pass.Pass, *entitlement.Use) {
	max := rapid.SampledFrom([]int{3, 6, 6, 6, 40}).Draw(t, "max")
	ps, u := genCase(t, max)
	if rapid.IntRange(0, 3).Draw(t, "wide_network") == 0 {
		u.NetworkLocations = rapid.SampledFrom([]int{math.MaxInt32, math.MaxInt32 + 1, math.MaxInt64, -1}).Draw(t, "network_locations")
	}
	odd := rapid.IntRange(0, 3).Draw(t, "odd") == 0
	for i, p := range ps {
		if !odd || rapid.IntRange(0, 2).Draw(t, fmt.Sprintf("keep%d", i)) > 0 {
			continue
		}
		switch rapid.IntRange(0, 8).Draw(t, fmt.Sprintf("oddity%d", i)) {
		case 0: // a pass ID another pass has
			p.ID = rapid.SampledFrom(ps).Draw(t, fmt.Sprintf("twin%d", i)).ID
		case 1: // not a whole number of 10^-8, or beyond int64 once scaled
			amount := rapid.SampledFrom([]string{"0.000000001", "5.000000001", "123456789012345678901", "-3", "92233720368.54775807"}).Draw(t, fmt.Sprintf("amount%d", i))
			p.UnitValue = money.MustNew(amount, enttest.Currency)
		case 2: // a kind the order ranks with time passes
			p.Kind = rapid.SampledFrom([]pass.Kind{"", "bogus"}).Draw(t, fmt.Sprintf("kind%d", i))
		case 3:
			p.Balance = rapid.SampledFrom([]int{math.MaxInt32, math.MaxInt32 + 1, math.MaxInt64}).Draw(t, fmt.Sprintf("balance%d", i))
		case 4:
			p.IssuedAt = time.Date(rapid.IntRange(1700, 2250).Draw(t, fmt.Sprintf("year%d", i)), 1, 1, 0, 0, 0, 0, time.UTC)
		case 5:
			p.ExpiresOn = p.ExpiresOn.AddDays(rapid.IntRange(-400, 400).Draw(t, fmt.Sprintf("expiry%d", i)))
		case 6: // a copy of another pass, so that every key ties
			twin := *rapid.SampledFrom(ps).Draw(t, fmt.Sprintf("copy%d", i))
			*p = twin
		default: // a near twin of another pass: its own ID, a kind and balance of its own
			id := p.ID
			*p = *rapid.SampledFrom(ps).Draw(t, fmt.Sprintf("near%d", i))
			p.ID = id
			p.Kind = rapid.SampledFrom([]pass.Kind{pass.Day, pass.Visits, pass.Time, "bogus"}).Draw(t, fmt.Sprintf("twin_kind%d", i))
			p.Balance = rapid.IntRange(1, 4).Draw(t, fmt.Sprintf("twin_balance%d", i))
		}
	}
	return ps, u
}

// byBalance is a host's own key: the smaller balance first.
var byBalance = entitlement.Key{Name: "small_balance", Compare: func(a, b *entitlement.Candidate) int {
	switch {
	case a.Balance < b.Balance:
		return -1
	case a.Balance > b.Balance:
		return 1
	}
	return 0
}}

// genAnyPolicy draws the default policy, a host policy (enttest.GenPolicy),
// one with keys repeated or renamed, or one with a key of the host's own.
func genAnyPolicy(t *rapid.T) entitlement.Policy {
	switch rapid.IntRange(0, 4).Draw(t, "policy_kind") {
	case 0:
		return entitlement.DefaultPolicy()
	case 1:
		p := enttest.GenPolicy().Draw(t, "policy")
		if len(p) > 0 {
			p = append(p, p[rapid.IntRange(0, len(p)-1).Draw(t, "repeat")])
		}
		return append(p, enttest.GenPolicy().Draw(t, "more")...)
	case 2:
		p := slices.Clone(enttest.GenPolicy().Draw(t, "policy"))
		for i := range p {
			if rapid.Bool().Draw(t, fmt.Sprintf("rename%d", i)) {
				p[i].Name = "host_" + p[i].Name
			}
		}
		return p
	case 3:
		p := enttest.GenPolicy().Draw(t, "policy")
		at := rapid.IntRange(0, len(p)).Draw(t, "own_at")
		return slices.Insert(slices.Clone(p), at, byBalance)
	}
	return enttest.GenPolicy().Draw(t, "policy")
}

// Rules O0-O8, G7: Select over packed keys gives exactly the selection of
// the reference (the comparison sort it replaced): the same candidates in
// the same order, each with the same reason and deciding key, the same
// eligible count and DecidedBy, for any passes, use and policy.
func TestRule_O_SelectEqualsReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps, u := genOddCase(t)
		policy := genAnyPolicy(t)
		var bufs [2][]entitlement.Candidate // nil or of a drawn length and capacity
		if rapid.Bool().Draw(t, "buffer") {
			n := rapid.IntRange(0, 3).Draw(t, "buf_len")
			c := rapid.IntRange(n, 80).Draw(t, "buf_cap")
			bufs = [2][]entitlement.Candidate{make([]entitlement.Candidate, n, c), make([]entitlement.Candidate, n, c)}
		}
		want := entitlement.RefSelect(ps, u, policy, bufs[0])
		got := entitlement.Select(ps, u, policy, bufs[1])
		require.Equal(t, want, got, "policy %v", policy.Names())
	})
}

// Rank over packed keys equals the reference's Rank on candidates whose
// reasons are set and may carry a previous ranking's marks.
func TestRule_O_RankEqualsReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ps, u := genOddCase(t)
		policy := genAnyPolicy(t)
		cands := entitlement.RefSelect(ps, u, entitlement.DefaultPolicy(), nil).Candidates
		for i := range cands {
			switch rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("mark%d", i)) {
			case 0:
				cands[i].Reason, cands[i].DecidedBy = entitlement.Outranked, "stale"
			case 1:
				cands[i].Reason = ""
			case 2:
				cands[i].Reason, cands[i].DecidedBy = entitlement.Expired, "stale"
			}
		}
		want := entitlement.RefRank(slices.Clone(cands), policy)
		got := entitlement.Rank(slices.Clone(cands), policy)
		require.Equal(t, want, got, "policy %v", policy.Names())
	})
}

// The issue's target: selection over 8 and over 64 passes allocates
// nothing when the caller supplies a buffer, with the default policy and
// with a host's reordered one.
func TestSelectWithBufferAllocatesNothing(t *testing.T) {
	u := benchUse()
	reordered := entitlement.Policy{entitlement.ByExpiry, entitlement.ByKind, entitlement.ByRemainingMinutes, entitlement.ByUnitValue}
	for _, n := range []int{8, 64} {
		for _, policy := range []entitlement.Policy{entitlement.DefaultPolicy(), reordered} {
			ps := benchPasses(n)
			buf := make([]entitlement.Candidate, 0, n)
			var s entitlement.Selection
			allocs := testing.AllocsPerRun(100, func() {
				s = entitlement.Select(ps, u, policy, buf)
			})
			require.Greater(t, s.Eligible, n/2, "most passes eligible, so the sort ran")
			require.Zero(t, allocs, "allocations per Select over %d passes, policy %v: got %v, want 0", n, policy.Names(), allocs)
		}
	}
}

// The cases the packed keys hand to the comparison sort, or pack with care,
// each equal to the reference under every listing of its passes (O7, O8):
// a time pass and a pass of an unknown kind tied on ByKind before
// ByRemainingMinutes; ByRemainingMinutes without ByKind; duplicate pass
// IDs with ByID before other keys; a unit value finer than 10^-8; a
// location count beyond int32; a host's own key; a renamed ByID.
func TestRule_O_PackedKeyEdgesEqualReference(t *testing.T) {
	timePass := func(id string, balance int) *pass.Pass {
		return mk(id, func(p *pass.Pass) { p.Kind, p.Units, p.Balance = pass.Time, 100, balance })
	}
	bogus := mk("k-bogus", func(p *pass.Pass) { p.Kind = "bogus" })
	renamedID := entitlement.ByID
	renamedID.Name = "pass_id"
	twinA := mk("dup", func(p *pass.Pass) { p.Source = pass.FromManual })
	twinB := mk("dup", func(p *pass.Pass) { p.IssuedAt = p.IssuedAt.Add(-time.Hour) })
	for _, tc := range []struct {
		name   string
		u      *entitlement.Use
		policy entitlement.Policy
		passes []*pass.Pass
	}{
		{"time and unknown kind tie on kind", use(), entitlement.Policy{entitlement.ByKind, entitlement.ByRemainingMinutes},
			[]*pass.Pass{timePass("k-long", 90), bogus, timePass("k-short", 30)}},
		{"remaining minutes without kind", use(), entitlement.Policy{entitlement.ByRemainingMinutes},
			[]*pass.Pass{timePass("m-long", 90), mk("m-visits"), timePass("m-short", 30)}},
		{"duplicate IDs, ID before source", use(), entitlement.Policy{entitlement.ByID, entitlement.BySource, entitlement.ByIssue},
			[]*pass.Pass{twinA, twinB, mk("a-first")}},
		{"duplicate IDs, default policy", use(), entitlement.DefaultPolicy(), []*pass.Pass{twinA, twinB, mk("z-last")}},
		{"unit value finer than 1e-8", use(), entitlement.DefaultPolicy(), []*pass.Pass{
			mk("u-fine", func(p *pass.Pass) { p.UnitValue = money.MustNew("10.000000001", "USD") }), mk("u-plain")}},
		{"network beyond int32", use(func(u *entitlement.Use) { u.NetworkLocations = math.MaxInt32 + 1 }), entitlement.DefaultPolicy(),
			[]*pass.Pass{mk("l-wide"), mk("l-one", func(p *pass.Pass) { p.Locations = []string{"loc-a"} })}},
		{"host key", use(), entitlement.Policy{byBalance, entitlement.ByKind},
			[]*pass.Pass{mk("h-ten"), mk("h-three", func(p *pass.Pass) { p.Balance = 3 }), timePass("h-time", 3)}},
		{"exact twins, default order with ID renamed", use(), append(entitlement.DefaultPolicy()[:9:9], renamedID),
			[]*pass.Pass{mk("same", func(p *pass.Pass) { p.Kind = pass.Day }), mk("same", func(p *pass.Pass) { p.Kind = pass.Day }), mk("other")}},
		{"renamed ID", use(), entitlement.Policy{entitlement.ByKind, renamedID},
			[]*pass.Pass{mk("r-b"), mk("r-a"), mk("r-c", func(p *pass.Pass) { p.Kind = pass.Day })}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, ps := range permutations(tc.passes) {
				want := entitlement.RefSelect(ps, tc.u, tc.policy, nil)
				got := entitlement.Select(ps, tc.u, tc.policy, nil)
				require.Equal(t, want, got, "listed as %v", ids(ps))
			}
		})
	}
}

// permutations returns every order of ps.
func permutations(ps []*pass.Pass) [][]*pass.Pass {
	if len(ps) <= 1 {
		return [][]*pass.Pass{slices.Clone(ps)}
	}
	var out [][]*pass.Pass
	for i := range ps {
		rest := slices.Concat(ps[:i], ps[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]*pass.Pass{ps[i]}, p...))
		}
	}
	return out
}

// ids returns the passes' IDs.
func ids(ps []*pass.Pass) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
