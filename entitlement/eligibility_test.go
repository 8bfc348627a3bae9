package entitlement_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The service date of the fixed use in these tests.
var useDate = calendar.MustDate("2024-06-15")

// mk returns an eligible visits pass of holder "ada": 10 of 10 units, unit
// value 10 USD, from a product, active since Jun 1 with no expiry, covering
// the whole network; edit changes it.
func mk(id string, edit ...func(*pass.Pass)) *pass.Pass {
	p := &pass.Pass{Network: "hub", ID: id, Product: "prod", Holder: "ada", Kind: pass.Visits,
		Source: pass.FromProduct, Units: 10, Balance: 10, UnitValue: money.MustNew("10", "USD"),
		Activation: pass.OnPurchase, ActivatedOn: calendar.MustDate("2024-06-01"),
		IssuedAt: time.Date(2024, time.June, 1, 9, 0, 0, 0, time.UTC), IssuedOn: calendar.MustDate("2024-06-01")}
	for _, e := range edit {
		e(p)
	}
	return p
}

// use returns a check-in use by member "ada" of team "acme" (sharing on) at
// "loc-a", tier 0, in a network of 4 locations, on useDate, cost 1.
func use(edit ...func(*entitlement.Use)) *entitlement.Use {
	u := &entitlement.Use{Holder: catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member, Team: "acme"},
		TeamSharing: true, Location: "loc-a", NetworkLocations: 4, Date: useDate, Cost: 1}
	for _, e := range edit {
		e(u)
	}
	return u
}

// selectAll runs Select with policy (nil: the default).
func selectAll(t *testing.T, u *entitlement.Use, policy entitlement.Policy, ps ...*pass.Pass) entitlement.Selection {
	t.Helper()
	if policy == nil {
		policy = entitlement.DefaultPolicy()
	}
	return entitlement.Select(ps, u, policy, nil)
}

// order returns the candidates' pass IDs in ranked order.
func order(s entitlement.Selection) []string {
	ids := make([]string, len(s.Candidates))
	for i, c := range s.Candidates {
		ids[i] = c.PassID
	}
	return ids
}

// reasonOf returns the reason Select gave pass id.
func reasonOf(t *testing.T, s entitlement.Selection, id string) entitlement.Reason {
	t.Helper()
	for _, c := range s.Candidates {
		if c.PassID == id {
			return c.Reason
		}
	}
	t.Fatalf("pass %s not among the candidates %v", id, order(s))
	return ""
}

// Rules G1-G6: each exclusion has its own reason; a pass that passes every
// test has none.
func TestRule_G_EachReason(t *testing.T) {
	tests := []struct {
		rule string
		p    *pass.Pass
		u    *entitlement.Use
		want entitlement.Reason
	}{
		{"eligible", mk("p"), use(), ""},
		{"G1 someone else's", mk("p", func(p *pass.Pass) { p.Holder = "bob" }), use(), entitlement.NotHolders},
		{"G1 team pass, sharing on", mk("p", func(p *pass.Pass) { p.Holder, p.Team = "", "acme" }), use(), ""},
		{"G1 team pass, sharing off", mk("p", func(p *pass.Pass) { p.Holder, p.Team = "", "acme" }),
			use(func(u *entitlement.Use) { u.TeamSharing = false }), entitlement.SharingOff},
		{"G1 another team's pass", mk("p", func(p *pass.Pass) { p.Holder, p.Team = "", "other" }), use(), entitlement.NotHolders},
		{"G1 team pass, holder in no team", mk("p", func(p *pass.Pass) { p.Holder, p.Team = "", "acme" }),
			use(func(u *entitlement.Use) { u.Holder.Team = "" }), entitlement.NotHolders},
		{"G2 not covered", mk("p", func(p *pass.Pass) { p.Locations = []string{"loc-b", "loc-c"} }), use(), entitlement.NotCovered},
		{"G2 listed", mk("p", func(p *pass.Pass) { p.Locations = []string{"loc-b", "loc-a"} }), use(), ""},
		{"G3 tier too low", mk("p", func(p *pass.Pass) { p.Tier = 1 }), use(func(u *entitlement.Use) { u.Tier = 2 }), entitlement.TierTooLow},
		{"G3 tier equal", mk("p", func(p *pass.Pass) { p.Tier = 2 }), use(func(u *entitlement.Use) { u.Tier = 2 }), ""},
		{"G3 tier above", mk("p", func(p *pass.Pass) { p.Tier = 3 }), use(func(u *entitlement.Use) { u.Tier = 2 }), ""},
		{"G4 expired", mk("p", func(p *pass.Pass) { p.ExpiresOn = useDate.AddDays(-1) }), use(), entitlement.Expired},
		{"G4 expires on the date", mk("p", func(p *pass.Pass) { p.ExpiresOn = useDate }), use(), ""},
		{"G4 frozen", mk("p", func(p *pass.Pass) {
			p.Freezes = []pass.Freeze{{From: useDate, To: useDate.AddDays(3)}}
		}), use(), entitlement.Frozen},
		{"G4 locked, before activation", mk("p", func(p *pass.Pass) { p.Locked, p.ActivatedOn = true, useDate.AddDays(1) }), use(), entitlement.Early},
		{"G4 not locked, before activation", mk("p", func(p *pass.Pass) { p.ActivatedOn = useDate.AddDays(1) }), use(), ""},
		{"G4 activates on this use", mk("p", func(p *pass.Pass) {
			p.Activation, p.ActivatedOn, p.Validity = pass.OnFirstUse, calendar.Date{}, calendar.Validity{Days: 30}
		}), use(), ""},
		{"G5 no day left", mk("p", func(p *pass.Pass) { p.Kind, p.Balance = pass.Day, 0 }), use(), entitlement.NoBalance},
		{"G5 one minute is enough", mk("p", func(p *pass.Pass) { p.Kind, p.Balance = pass.Time, 1 }), use(), ""},
		{"G5 no minute left", mk("p", func(p *pass.Pass) { p.Kind, p.Balance = pass.Time, 0 }), use(), entitlement.NoBalance},
		{"G5 visits below the cost", mk("p", func(p *pass.Pass) { p.Balance = 2 }), use(func(u *entitlement.Use) { u.Cost = 3 }), entitlement.NoBalance},
		{"G5 visits equal to the cost", mk("p", func(p *pass.Pass) { p.Balance = 3 }), use(func(u *entitlement.Use) { u.Cost = 3 }), ""},
		{"G5 a day pass pays one unit whatever the cost", mk("p", func(p *pass.Pass) { p.Kind, p.Balance = pass.Day, 1 }),
			use(func(u *entitlement.Use) { u.Cost = 3 }), ""},
		{"G6 audience", mk("p", func(p *pass.Pass) { p.Audience = catalog.Contact }), use(), entitlement.Audience},
		{"G6 audience admits", mk("p", func(p *pass.Pass) { p.Audience = catalog.Member }), use(), ""},
		{"kind not usable", mk("p", func(p *pass.Pass) { p.Kind = pass.Day }),
			use(func(u *entitlement.Use) { u.Kinds = []pass.Kind{pass.Visits} }), entitlement.KindNotUsable},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got := entitlement.Check(tt.p, tt.u)
			assert.Equal(t, tt.want, got, "Check: got %q, want %q", got, tt.want)
			sel := selectAll(t, tt.u, nil, tt.p)
			assert.Equal(t, tt.want, reasonOf(t, sel, "p"), "Select gives the same reason")
			if tt.want == "" {
				assert.Equal(t, 1, sel.Eligible)
			} else {
				assert.Nil(t, sel.Chosen())
			}
		})
	}
}

// Rule G3 (seed 000): the tier refusal reads "location is above the pass's
// tier"; every reason has words for a front desk.
func TestRule_G3_TierReasonText(t *testing.T) {
	assert.Equal(t, "location is above the pass's tier", entitlement.TierTooLow.String())
	for _, r := range []entitlement.Reason{entitlement.NotHolders, entitlement.SharingOff, entitlement.Audience,
		entitlement.NotCovered, entitlement.TierTooLow, entitlement.KindNotUsable, entitlement.Expired,
		entitlement.Frozen, entitlement.Early, entitlement.NoBalance, entitlement.Outranked} {
		assert.NotEqual(t, string(r), r.String(), "reason %q has words", r)
	}
	assert.Equal(t, "custom", entitlement.Reason("custom").String())
}

// Rule C2 (with G5): CheckCoverage skips only the balance test, so a day
// pass whose unit already covers the date may be used with no day left.
func TestRule_G5_CheckCoverageIgnoresBalance(t *testing.T) {
	p := mk("p", func(p *pass.Pass) { p.Kind, p.Balance = pass.Day, 0 })
	assert.Equal(t, entitlement.NoBalance, entitlement.Check(p, use()))
	assert.Equal(t, entitlement.Reason(""), entitlement.CheckCoverage(p, use()))
	p.Locations = []string{"loc-b"}
	assert.Equal(t, entitlement.NotCovered, entitlement.CheckCoverage(p, use()), "coverage still needs the location")
}

// Rule G7: every pass not used gets a typed reason; a refusal carries each
// pass's reason, unwraps to ErrNoEntitlement, and says why in words.
func TestRule_G7_RefusalCarriesEveryReason(t *testing.T) {
	ps := []*pass.Pass{
		mk("expired", func(p *pass.Pass) { p.Tier, p.ExpiresOn = 1, useDate.AddDays(-30) }),
		mk("bobs", func(p *pass.Pass) { p.Tier, p.Holder = 1, "bob" }),
		mk("tier", func(p *pass.Pass) { p.Tier = 0 }),
		mk("empty", func(p *pass.Pass) { p.Tier, p.Balance = 1, 0 }),
	}
	u := use(func(u *entitlement.Use) { u.Tier = 1 })
	sel := selectAll(t, u, nil, ps...)
	require.Nil(t, sel.Chosen())
	assert.Equal(t, 0, sel.Eligible)
	assert.Equal(t, []string{"bobs", "empty", "expired", "tier"}, order(sel), "ineligible passes by ID")

	var err error = &entitlement.RefusalError{Candidates: sel.Candidates}
	require.ErrorIs(t, err, entitlement.ErrNoEntitlement)
	wrapped := fmt.Errorf("check-in: %w", err)
	var re *entitlement.RefusalError
	require.ErrorAs(t, wrapped, &re)
	want := map[string]entitlement.Reason{"bobs": entitlement.NotHolders, "empty": entitlement.NoBalance,
		"expired": entitlement.Expired, "tier": entitlement.TierTooLow}
	for _, c := range re.Candidates {
		assert.Equal(t, want[c.PassID], c.Reason, "pass %s", c.PassID)
		assert.Contains(t, err.Error(), c.PassID+": "+c.Reason.String())
	}
	assert.True(t, strings.HasPrefix(err.Error(), "no eligible pass: "), err.Error())
	assert.Equal(t, "no eligible pass", (&entitlement.RefusalError{}).Error())
	assert.True(t, errors.Is(err, entitlement.ErrNoEntitlement))
}
