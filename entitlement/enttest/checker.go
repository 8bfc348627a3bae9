package enttest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// The properties CheckPolicy checks, as a Violation names them.
const (
	// PropStrict: no pass comes before itself, and when a comes before b,
	// b does not come before a. A policy that breaks it ranks by which
	// pass it happens to be asked about first.
	PropStrict = "strict"
	// PropTransitive: when a comes before b and b before c, a comes before
	// c. With PropStrict and the final tie-break by pass ID, it makes the
	// order total: exactly one ranking of any set of passes.
	PropTransitive = "transitive"
	// PropKey: each eligible candidate comes before the next by the first
	// key on which they differ, and each outranked candidate's DecidedBy
	// (and the Selection's, for the second) names the first key on which
	// it differs from the chosen one (O8).
	PropKey = "key"
	// PropListing: the ranking and every reason are the same whatever
	// order the passes are listed in (O7).
	PropListing = "listing"
)

// Violation is a consumption order that does not hold: the property it
// breaks, the policy's key names, the use, a minimal set of passes that
// shows it (removing any one of them makes the property hold) and what
// was seen.
type Violation struct {
	// Property is the property broken: PropStrict, PropTransitive,
	// PropKey or PropListing.
	Property string
	// Policy is the names of the policy's keys, in order.
	Policy []string
	// Use is the use the passes were ranked for.
	Use entitlement.Use
	// Passes is the minimal set of passes that shows the violation.
	Passes []*pass.Pass
	// Detail says what was seen: which passes came in which order, by
	// which key.
	Detail string
}

// Error returns the report: the property and what was seen, the policy,
// the use and each pass of the minimal set with the fields the default
// keys read.
func (v *Violation) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policy %v is not %s: %s\n", v.Policy, propWords[v.Property], v.Detail)
	fmt.Fprintf(&b, "use: %s\n", DescribeUse(&v.Use))
	fmt.Fprintf(&b, "minimal passes (%d):\n", len(v.Passes))
	for _, p := range v.Passes {
		fmt.Fprintf(&b, "  %s\n", DescribePass(p))
	}
	return b.String()
}

var propWords = map[string]string{
	PropStrict:     "a strict order",
	PropTransitive: "transitive",
	PropKey:        "applied key by key",
	PropListing:    "independent of listing order",
}

// FindViolation checks policy on one use and one set of passes (with
// distinct IDs) and returns the first property that fails, with its
// passes shrunk to a minimal failing set, or nil when every property
// holds. The properties are checked in the order PropStrict,
// PropTransitive, PropKey, PropListing, over the passes eligible for u
// (ineligible ones are not ordered by the policy).
func FindViolation(policy entitlement.Policy, u *entitlement.Use, passes []*pass.Pass) *Violation {
	v := checkOnce(policy, u, passes)
	if v == nil {
		return nil
	}
	ps := passes
	for shrunk := true; shrunk; {
		shrunk = false
		for i := range ps {
			smaller := slices.Delete(slices.Clone(ps), i, i+1)
			if w := checkOnce(policy, u, smaller); w != nil && w.Property == v.Property {
				ps, v, shrunk = smaller, w, true
				break
			}
		}
	}
	v.Passes = slices.Clone(ps)
	slices.SortFunc(v.Passes, func(a, b *pass.Pass) int { return strings.Compare(a.ID, b.ID) })
	return v
}

// Option changes what CheckPolicy draws.
type Option func(*checkConfig)

type checkConfig struct {
	uses   *rapid.Generator[*entitlement.Use]
	passes func(u *entitlement.Use) *rapid.Generator[[]*pass.Pass]
}

// WithUses makes CheckPolicy draw uses from g instead of GenUse.
func WithUses(g *rapid.Generator[*entitlement.Use]) Option {
	return func(c *checkConfig) { c.uses = g }
}

// WithPasses makes CheckPolicy draw the passes for a use from gen(u)
// instead of up to 8 passes eligible for it mixed with up to 3 drawn by
// GenPass. Use it when the host's keys read what GenPass does not vary.
func WithPasses(gen func(u *entitlement.Use) *rapid.Generator[[]*pass.Pass]) Option {
	return func(c *checkConfig) { c.passes = gen }
}

// CheckPolicy checks with rapid that policy, a host's consumption order,
// is a strict, transitive (so total) order, the same whatever order the
// passes are listed in, applied key by key (the first key that differs
// decides, and DecidedBy names it) over generated uses and passes. On a
// violation it fails t with the report of the smallest case found: rapid
// shrinks the draws and FindViolation the set of passes.
func CheckPolicy(t rapid.TB, policy entitlement.Policy, opts ...Option) {
	t.Helper()
	c := checkConfig{uses: GenUse(), passes: mixedPasses}
	for _, o := range opts {
		o(&c)
	}
	rapid.Check(t, func(rt *rapid.T) {
		u := c.uses.Draw(rt, "use")
		ps := c.passes(u).Draw(rt, "passes")
		if v := FindViolation(policy, u, ps); v != nil {
			rt.Fatalf("%v", v)
		}
	})
}

// mixedPasses draws up to 8 passes eligible for u and up to 3 general
// ones, listed in a drawn order.
func mixedPasses(u *entitlement.Use) *rapid.Generator[[]*pass.Pass] {
	return rapid.Custom(func(t *rapid.T) []*pass.Pass {
		ps := GenEligiblePasses(8, u).Draw(t, "eligible")
		ps = append(ps, GenPasses(3).Draw(t, "other")...)
		return rapid.Permutation(ps).Draw(t, "listing")
	})
}

// checkOnce checks the properties in order on one case, without
// shrinking.
func checkOnce(policy entitlement.Policy, u *entitlement.Use, passes []*pass.Pass) *Violation {
	fail := func(prop, format string, args ...any) *Violation {
		return &Violation{Property: prop, Policy: policy.Names(), Use: *u, Passes: passes, Detail: fmt.Sprintf(format, args...)}
	}
	s := entitlement.Select(passes, u, policy, nil)
	el := slices.Clone(s.Candidates[:s.Eligible])
	for i := range el {
		a := &el[i]
		if c, key := policy.Compare(a, a); c != 0 {
			return fail(PropStrict, "key %q puts %s before itself", key, a.PassID)
		}
		for j := i + 1; j < len(el); j++ {
			b := &el[j]
			ab, kab := policy.Compare(a, b)
			ba, kba := policy.Compare(b, a)
			if cmp.Compare(ab, 0) != -cmp.Compare(ba, 0) {
				return fail(PropStrict, "compared as (%s, %s) key %q says %s; compared as (%s, %s) key %q says %s",
					a.PassID, b.PassID, kab, verdict(ab, a, b), b.PassID, a.PassID, kba, verdict(ba, b, a))
			}
		}
	}
	for i := range el {
		for j := range el {
			for k := range el {
				a, b, c := &el[i], &el[j], &el[k]
				if i == j || j == k || i == k {
					continue
				}
				ab, kab := policy.Compare(a, b)
				bc, kbc := policy.Compare(b, c)
				ac, kac := policy.Compare(a, c)
				if ab < 0 && bc < 0 && ac >= 0 {
					return fail(PropTransitive, "%s comes before %s (key %q) and %s before %s (key %q), but %s comes after %s (key %q)",
						a.PassID, b.PassID, kab, b.PassID, c.PassID, kbc, a.PassID, c.PassID, kac)
				}
			}
		}
	}
	if v := checkKeys(policy, s, fail); v != nil {
		return v
	}
	want := Ranking(s)
	for _, l := range listings(passes) {
		if got := Ranking(entitlement.Select(l, u, policy, nil)); !slices.Equal(got, want) {
			return fail(PropListing, "listed as %v the ranking is\n    %s\nlisted as %v it is\n    %s",
				ids(passes), strings.Join(want, "\n    "), ids(l), strings.Join(got, "\n    "))
		}
	}
	return nil
}

// checkKeys checks PropKey on s.
func checkKeys(policy entitlement.Policy, s entitlement.Selection, fail func(prop, format string, args ...any) *Violation) *Violation {
	el := s.Candidates[:s.Eligible]
	for i := 0; i+1 < len(el); i++ {
		if c, key := policy.Compare(&el[i], &el[i+1]); c >= 0 {
			return fail(PropKey, "%s is ranked before %s, but the first key that differs, %q, says %s",
				el[i].PassID, el[i+1].PassID, key, verdict(c, &el[i], &el[i+1]))
		}
	}
	for i := 1; i < len(el); i++ {
		_, key := policy.Compare(&el[0], &el[i])
		if el[i].Reason != entitlement.Outranked || el[i].DecidedBy != key {
			return fail(PropKey, "%s: reason %q decided by %q, want %q decided by %q (the first key on which it differs from the chosen %s)",
				el[i].PassID, el[i].Reason, el[i].DecidedBy, entitlement.Outranked, key, el[0].PassID)
		}
		if i == 1 && s.DecidedBy != key {
			return fail(PropKey, "the selection is decided by %q, want %q (the first key on which %s and %s differ)",
				s.DecidedBy, key, el[0].PassID, el[1].PassID)
		}
	}
	return nil
}

// Ranking returns what a selection reports, one line per candidate in
// rank order: its pass ID and "chosen", "outranked by <key>" or its
// reason. Two selections that rank and explain alike have equal rankings.
func Ranking(s entitlement.Selection) []string {
	out := make([]string, len(s.Candidates))
	for i, c := range s.Candidates {
		switch {
		case i < s.Eligible && i == 0:
			out[i] = c.PassID + " chosen"
		case i < s.Eligible:
			out[i] = c.PassID + " outranked by " + c.DecidedBy
		default:
			out[i] = c.PassID + " " + string(c.Reason)
		}
	}
	if s.DecidedBy != "" {
		out = append(out, "decided by "+s.DecidedBy)
	}
	return out
}

// listings returns other listings of passes: reversed, sorted by ID both
// ways, and every rotation.
func listings(passes []*pass.Pass) [][]*pass.Pass {
	n := len(passes)
	if n < 2 {
		return nil
	}
	rev := slices.Clone(passes)
	slices.Reverse(rev)
	byID := slices.Clone(passes)
	slices.SortFunc(byID, func(a, b *pass.Pass) int { return strings.Compare(a.ID, b.ID) })
	byIDRev := slices.Clone(byID)
	slices.Reverse(byIDRev)
	out := [][]*pass.Pass{rev, byID, byIDRev}
	for r := 1; r < n; r++ {
		out = append(out, append(slices.Clone(passes[r:]), passes[:r]...))
	}
	return out
}

func ids(ps []*pass.Pass) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func verdict(c int, a, b *entitlement.Candidate) string {
	switch {
	case c < 0:
		return a.PassID + " first"
	case c > 0:
		return b.PassID + " first"
	}
	return "tie"
}

// DescribePass returns p in one line with what eligibility and the
// default keys read: ID, kind, priority, unit value, source, covered
// locations, tier, balance of units, owner, activation (and lock), expiry
// and issue instant.
func DescribePass(p *pass.Pass) string {
	owner := "holder " + p.Holder
	if p.Team != "" {
		owner = "team " + p.Team
	}
	locs := "network-wide"
	if len(p.Locations) > 0 {
		locs = strings.Join(p.Locations, ",")
	}
	prio := p.Priority
	if prio == "" {
		prio = pass.Normal
	}
	act := string(p.Activation)
	if !p.ActivatedOn.IsZero() {
		act += " " + p.ActivatedOn.String()
	}
	if p.Locked {
		act += " locked"
	}
	exp := "no expiry"
	if !p.ExpiresOn.IsZero() {
		exp = "expires " + p.ExpiresOn.String()
	}
	return fmt.Sprintf("%s: %s, priority %s, unit value %s, source %s, locations %s, tier %d, balance %d/%d, %s, %s, %s, issued %s",
		p.ID, p.Kind, prio, p.UnitValue.Amount.String(), p.Source, locs, p.Tier, p.Balance, p.Units, owner,
		act, exp, p.IssuedAt.UTC().Format("2006-01-02T15:04Z"))
}

// DescribeUse returns u in one line: holder, audience, team and sharing,
// location, tier, network size, date, cost and accepted kinds.
func DescribeUse(u *entitlement.Use) string {
	team := "no team"
	if u.Holder.Team != "" {
		team = fmt.Sprintf("team %s (sharing %t)", u.Holder.Team, u.TeamSharing)
	}
	kinds := "any kind"
	if u.Kinds != nil {
		ks := make([]string, len(u.Kinds))
		for i, k := range u.Kinds {
			ks[i] = string(k)
		}
		kinds = strings.Join(ks, ",")
	}
	return fmt.Sprintf("%s (%s, %s) at %s tier %d of %d locations on %s, cost %d, %s",
		u.Holder.ID, u.Holder.Audience, team, u.Location, u.Tier, u.NetworkLocations, u.Date, u.Cost, kinds)
}
