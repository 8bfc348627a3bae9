package entitlement_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireOrder checks the ranked order, that every listed pass is eligible,
// and the key that decided between the first two.
func requireOrder(t *testing.T, s entitlement.Selection, decidedBy string, want ...string) {
	t.Helper()
	require.Equal(t, want, order(s), "ranked order")
	require.Equal(t, len(want), s.Eligible, "all eligible")
	assert.Equal(t, decidedBy, s.DecidedBy, "decided by: got %q, want %q", s.DecidedBy, decidedBy)
	assert.Equal(t, want[0], s.Chosen().PassID)
	assert.Empty(t, s.Candidates[0].Reason, "the chosen pass has no reason")
	for _, c := range s.Candidates[1:] {
		assert.Equal(t, entitlement.Outranked, c.Reason, "pass %s", c.PassID)
		assert.NotEmpty(t, c.DecidedBy, "pass %s", c.PassID)
	}
}

// Rule O0: product priority high, then normal (the default), then low;
// before every other key (a high-priority time pass beats a day pass).
func TestRule_O0_PriorityFirst(t *testing.T) {
	low := mk("a-low", func(p *pass.Pass) { p.Kind, p.Priority = pass.Day, pass.Low })
	normal := mk("b-normal", func(p *pass.Pass) { p.Kind = pass.Day })
	explicit := mk("c-normal", func(p *pass.Pass) { p.Kind, p.Priority = pass.Day, pass.Normal })
	high := mk("d-high", func(p *pass.Pass) { p.Kind, p.Priority, p.UnitValue = pass.Time, pass.High, money.MustNew("99", "USD") })
	s := selectAll(t, use(), nil, low, normal, explicit, high)
	requireOrder(t, s, "priority", "d-high", "b-normal", "c-normal", "a-low")
	assert.Equal(t, "priority", s.Candidates[3].DecidedBy)
	// The empty priority is normal: the two tie on every key but the ID.
	requireOrder(t, selectAll(t, use(), nil, explicit, normal), "id", "b-normal", "c-normal")
}

// Rule O1: day, then visits, then time.
func TestRule_O1_KindOrder(t *testing.T) {
	tm := mk("a-time", func(p *pass.Pass) { p.Kind = pass.Time })
	vi := mk("b-visits")
	day := mk("c-day", func(p *pass.Pass) { p.Kind = pass.Day })
	requireOrder(t, selectAll(t, use(), nil, tm, vi, day), "kind", "c-day", "b-visits", "a-time")
}

// Rule O2 (seed 001): the cheaper pass first, whatever the source: an
// imported pass at 5 goes before a plan pass at 10.
func TestRule_O2_CheaperFirstWhateverTheSource(t *testing.T) {
	plan := mk("a-plan", func(p *pass.Pass) { p.Source = pass.FromPlan })
	imported := mk("b-import", func(p *pass.Pass) { p.Source, p.UnitValue = pass.FromImport, money.MustNew("5", "USD") })
	manual := mk("c-manual", func(p *pass.Pass) { p.Source, p.UnitValue = pass.FromManual, money.MustNew("7.50", "USD") })
	requireOrder(t, selectAll(t, use(), nil, plan, imported, manual), "unit_value", "b-import", "c-manual", "a-plan")

	// Equal amounts written differently tie, and the next key decides.
	five := mk("d-five", func(p *pass.Pass) { p.Source, p.UnitValue = pass.FromManual, money.MustNew("5", "USD") })
	fiveZero := mk("e-five", func(p *pass.Pass) { p.UnitValue = money.MustNew("5.00", "USD") })
	requireOrder(t, selectAll(t, use(), nil, five, fiveZero), "source", "e-five", "d-five")
}

// Rule O3 (seed 001): plan and product passes before manual and import
// ones; plan and product tie with each other.
func TestRule_O3_PlanAndProductBeforeManualAndImport(t *testing.T) {
	manual := mk("a-manual", func(p *pass.Pass) { p.Source = pass.FromManual })
	imported := mk("b-import", func(p *pass.Pass) { p.Source = pass.FromImport })
	plan := mk("c-plan", func(p *pass.Pass) { p.Source = pass.FromPlan })
	product := mk("d-product", func(p *pass.Pass) {
		p.Source, p.IssuedAt = pass.FromProduct, p.IssuedAt.Add(-time.Hour)
	})
	s := selectAll(t, use(), nil, manual, imported, plan, product)
	requireOrder(t, s, "issued", "d-product", "c-plan", "a-manual", "b-import")
	assert.Equal(t, "source", s.Candidates[2].DecidedBy, "the chosen product pass beat the manual one by source")
	assert.Equal(t, "source", s.Candidates[3].DecidedBy)
}

// Rule O4 (seed 001): fewer covered locations first; a network-wide pass
// counts as all of the network's locations.
func TestRule_O4_FewerLocationsFirst(t *testing.T) {
	wide := mk("a-wide")
	three := mk("b-three", func(p *pass.Pass) { p.Locations = []string{"loc-a", "loc-b", "loc-c"} })
	one := mk("c-one", func(p *pass.Pass) { p.Locations = []string{"loc-a"} })
	requireOrder(t, selectAll(t, use(), nil, wide, three, one), "locations", "c-one", "b-three", "a-wide")

	// With 3 locations in the network, network-wide ties with a pass listing
	// all 3; the next keys decide (here the issue instant).
	all3 := mk("d-all3", func(p *pass.Pass) {
		p.Locations, p.IssuedAt = []string{"loc-a", "loc-b", "loc-c"}, p.IssuedAt.Add(time.Hour)
	})
	s := selectAll(t, use(func(u *entitlement.Use) { u.NetworkLocations = 3 }), nil, all3, wide)
	requireOrder(t, s, "issued", "a-wide", "d-all3")

	// An unknown network size makes network-wide the widest of all.
	s = selectAll(t, use(func(u *entitlement.Use) { u.NetworkLocations = 0 }), nil, wide, three)
	requireOrder(t, s, "locations", "b-three", "a-wide")
	assert.Greater(t, s.Candidates[1].Locations, 1000, "network-wide reported as all")
}

// Rule O5 (seed 001): among time passes, more remaining minutes first.
func TestRule_O5_MoreRemainingMinutesFirst(t *testing.T) {
	short := mk("a-60", func(p *pass.Pass) { p.Kind, p.Units, p.Balance = pass.Time, 600, 60 })
	long := mk("b-120", func(p *pass.Pass) { p.Kind, p.Units, p.Balance = pass.Time, 600, 120 })
	requireOrder(t, selectAll(t, use(), nil, short, long), "remaining_minutes", "b-120", "a-60")

	// Not a key for visits passes: the one with fewer visits left is not moved.
	few := mk("c-few", func(p *pass.Pass) { p.Balance = 1 })
	many := mk("d-many", func(p *pass.Pass) { p.Balance = 9 })
	requireOrder(t, selectAll(t, use(), nil, many, few), "id", "c-few", "d-many")
}

// Rule O6 (seed 001): the holder's own passes before team-shared ones.
func TestRule_O6_OwnBeforeTeam(t *testing.T) {
	team := mk("a-team", func(p *pass.Pass) { p.Holder, p.Team = "", "acme" })
	own := mk("b-own")
	s := selectAll(t, use(), nil, team, own)
	requireOrder(t, s, "ownership", "b-own", "a-team")
	assert.True(t, s.Candidates[1].Shared)
	assert.False(t, s.Candidates[0].Shared)
}

// Rule O7: ties go to the earlier expiry (none last), then the earlier
// issue, then the pass ID.
func TestRule_O7_TieBreaks(t *testing.T) {
	none := mk("a-none")
	late := mk("b-late", func(p *pass.Pass) { p.ExpiresOn = calendar.MustDate("2024-07-31") })
	soon := mk("c-soon", func(p *pass.Pass) { p.ExpiresOn = calendar.MustDate("2024-06-30") })
	requireOrder(t, selectAll(t, use(), nil, none, late, soon), "expiry", "c-soon", "b-late", "a-none")

	// Expiry is the frozen-extended one (E3).
	frozen := mk("d-frozen", func(p *pass.Pass) {
		p.ExpiresOn = calendar.MustDate("2024-06-20")
		p.Freezes = []pass.Freeze{{From: calendar.MustDate("2024-06-01"), To: calendar.MustDate("2024-06-15")}}
	})
	requireOrder(t, selectAll(t, use(), nil, frozen, soon), "expiry", "c-soon", "d-frozen")

	older := mk("e-older", func(p *pass.Pass) { p.IssuedAt = p.IssuedAt.Add(-time.Minute) })
	newer := mk("f-newer")
	requireOrder(t, selectAll(t, use(), nil, newer, older), "issued", "e-older", "f-newer")

	x := mk("x")
	y := mk("y")
	requireOrder(t, selectAll(t, use(), nil, y, x), "id", "x", "y")
}

// Rule O8: the policy is data. A host may reorder keys (expiry before unit
// value), drop keys (no source key: the next one decides), and add its own
// (a paid-first key). Each selection reports the deciding key by name.
func TestRule_O8_CustomPolicy(t *testing.T) {
	cheapLate := mk("a-cheap", func(p *pass.Pass) {
		p.UnitValue, p.ExpiresOn = money.MustNew("5", "USD"), calendar.MustDate("2024-12-31")
	})
	dearSoon := mk("b-dear", func(p *pass.Pass) { p.ExpiresOn = calendar.MustDate("2024-06-20") })

	requireOrder(t, selectAll(t, use(), nil, cheapLate, dearSoon), "unit_value", "a-cheap", "b-dear")

	// Reordered: expiring soonest first.
	expiringFirst := entitlement.Policy{entitlement.ByExpiry, entitlement.ByPriority, entitlement.ByKind, entitlement.ByUnitValue}
	requireOrder(t, selectAll(t, use(), expiringFirst, cheapLate, dearSoon), "expiry", "b-dear", "a-cheap")
	assert.Equal(t, []string{"expiry", "priority", "kind", "unit_value"}, expiringFirst.Names())

	// Added: a host key putting the soonest-expiring pass within 7 days
	// first, before the default order.
	soon := entitlement.Key{Name: "expires_within_7_days", Compare: func(a, b *entitlement.Candidate) int {
		within := func(c *entitlement.Candidate) int {
			e := c.Pass.Expiry()
			if !e.IsZero() && e.DaysSince(useDate) <= 7 {
				return 0
			}
			return 1
		}
		return within(a) - within(b)
	}}
	added := append(entitlement.Policy{soon}, entitlement.DefaultPolicy()...)
	requireOrder(t, selectAll(t, use(), added, cheapLate, dearSoon), "expires_within_7_days", "b-dear", "a-cheap")

	// Dropped: without the source key a manual pass and a plan pass go by
	// the keys that remain.
	plan := mk("c-plan", func(p *pass.Pass) { p.Source, p.IssuedAt = pass.FromPlan, p.IssuedAt.Add(time.Hour) })
	manual := mk("d-manual", func(p *pass.Pass) { p.Source = pass.FromManual })
	requireOrder(t, selectAll(t, use(), nil, plan, manual), "source", "c-plan", "d-manual")
	var noSource entitlement.Policy
	for _, k := range entitlement.DefaultPolicy() {
		if k.Name != entitlement.BySource.Name {
			noSource = append(noSource, k)
		}
	}
	requireOrder(t, selectAll(t, use(), noSource, plan, manual), "issued", "d-manual", "c-plan")

	// The empty policy still gives a total order, by pass ID.
	requireOrder(t, selectAll(t, use(), entitlement.Policy{}, dearSoon, cheapLate), "id", "a-cheap", "b-dear")
}

// Rule O8: DecidedBy on each outranked candidate names the key that put the
// chosen pass before it, which may differ from pass to pass.
func TestRule_O8_DecidedByPerCandidate(t *testing.T) {
	day := mk("a-day", func(p *pass.Pass) { p.Kind = pass.Day })
	dayDear := mk("b-day-dear", func(p *pass.Pass) { p.Kind, p.UnitValue = pass.Day, money.MustNew("20", "USD") })
	visits := mk("c-visits")
	ineligible := mk("d-bobs", func(p *pass.Pass) { p.Holder = "bob" })
	s := selectAll(t, use(), nil, visits, ineligible, dayDear, day)
	assert.Equal(t, []string{"a-day", "b-day-dear", "c-visits", "d-bobs"}, order(s))
	assert.Equal(t, 3, s.Eligible)
	assert.Equal(t, "unit_value", s.DecidedBy)
	assert.Equal(t, "unit_value", s.Candidates[1].DecidedBy)
	assert.Equal(t, "kind", s.Candidates[2].DecidedBy)
	assert.Equal(t, entitlement.NotHolders, s.Candidates[3].Reason)
	assert.Empty(t, s.Candidates[3].DecidedBy, "ineligible passes are not ranked")

	one := selectAll(t, use(), nil, day)
	assert.Empty(t, one.DecidedBy, "nothing to decide with one candidate")
	none := selectAll(t, use(), nil)
	assert.Nil(t, none.Chosen())
	assert.Empty(t, none.Candidates)
}

// Rank on candidates whose reasons are set (as a re-rank after a change)
// resets the previous ranking's marks.
func TestRankResetsMarks(t *testing.T) {
	a := mk("a", func(p *pass.Pass) { p.Kind = pass.Day })
	b := mk("b")
	cands := []entitlement.Candidate{
		{Pass: b, PassID: "b", Kind: b.Kind, Reason: ""},
		{Pass: a, PassID: "a", Kind: a.Kind, Reason: entitlement.Outranked, DecidedBy: "stale"},
	}
	s := entitlement.Rank(cands, entitlement.DefaultPolicy())
	assert.Equal(t, []string{"a", "b"}, order(s))
	assert.Empty(t, s.Candidates[0].Reason)
	assert.Empty(t, s.Candidates[0].DecidedBy)
	assert.Equal(t, entitlement.Outranked, s.Candidates[1].Reason)
	assert.Equal(t, "kind", s.Candidates[1].DecidedBy)
}

// Select reuses the caller's buffer and does not depend on its contents.
func TestSelectReusesBuffer(t *testing.T) {
	buf := make([]entitlement.Candidate, 3, 8)
	buf[0].PassID = "junk"
	ps := []*pass.Pass{mk("b"), mk("a")}
	s := entitlement.Select(ps, use(), entitlement.DefaultPolicy(), buf)
	assert.Equal(t, []string{"a", "b"}, order(s))
	assert.Same(t, &buf[:1][0], &s.Candidates[0], "the buffer's array is used")
}

// Rule O8 with O7: a host policy that keeps remaining_minutes but drops
// kind compares a 100-minute time pass before a 50-minute one while each
// ties with a visits pass; the selection must still be the same whatever
// order the store lists the passes in.
func TestRule_O8_PolicyWithoutKindIsDeterministic(t *testing.T) {
	long := mk("p2", func(p *pass.Pass) { p.Kind, p.Units, p.Balance = pass.Time, 100, 100 })
	short := mk("p0", func(p *pass.Pass) { p.Kind, p.Units, p.Balance = pass.Time, 100, 50 })
	visits := mk("p1")
	policy := entitlement.Policy{entitlement.ByRemainingMinutes}
	want := order(selectAll(t, use(), policy, long, short, visits))
	for _, ps := range [][]*pass.Pass{
		{long, visits, short}, {visits, long, short}, {visits, short, long}, {short, long, visits}, {short, visits, long},
	} {
		got := order(selectAll(t, use(), policy, ps...))
		assert.Equal(t, want, got, "listed as %s %s %s", ps[0].ID, ps[1].ID, ps[2].ID)
	}
}
