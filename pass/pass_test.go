package pass_test

import (
	"math"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rule A1: a pass that activates on purchase is active at issue; its
// activation date is the purchase date and expiry is activation + validity
// (Rule T3: Jan 31 + 1 month = Feb 29 in 2024).
func TestRule_A1_ActiveAtIssue(t *testing.T) {
	prod := product(pass.Day, 5, "125", func(p *pass.Product) { p.Validity = calendar.Validity{Months: 1} })
	p, _ := issue(t, prod, "2024-01-31")
	assert.True(t, p.Activated())
	assert.Equal(t, date("2024-01-31"), p.ActivatedOn, "activation date = purchase date")
	assert.Equal(t, date("2024-02-29"), p.ExpiresOn, "Rule T3: month end clamps")
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-01-31")))
	assert.False(t, p.ActivateOn(date("2024-02-10"), "v1"), "an active pass does not activate again")
	assert.Equal(t, date("2024-01-31"), p.ActivatedOn)
}

// Rule A2: a pass that activates on first use is inactive until then; the
// first use's service date becomes the activation date and expiry is
// activation + validity.
func TestRule_A2_FirstUseActivates(t *testing.T) {
	prod := product(pass.Visits, 10, "200", func(p *pass.Product) {
		p.Activation, p.Validity = pass.OnFirstUse, calendar.Validity{Months: 2}
	})
	p, _ := issue(t, prod, "2024-10-10")
	assert.False(t, p.Activated())
	assert.True(t, p.ActivatedOn.IsZero())
	assert.True(t, p.ExpiresOn.IsZero(), "no expiry before activation")
	assert.Equal(t, pass.StatusInactive, p.StatusOn(date("2024-10-10")))
	assert.Equal(t, pass.StatusInactive, p.StatusOn(date("2030-01-01")), "an inactive pass does not expire")

	require.True(t, p.ActivateOn(date("2024-10-30"), "booking-1"))
	assert.Equal(t, date("2024-10-30"), p.ActivatedOn, "activation = service date of the first use")
	assert.Equal(t, date("2024-12-30"), p.ExpiresOn, "expiry = activation + validity")
	assert.Equal(t, "booking-1", p.ActivatedBy)
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-10-30")))

	assert.False(t, p.ActivateOn(date("2024-11-05"), "booking-2"), "only the first use activates")
	assert.Equal(t, date("2024-10-30"), p.ActivatedOn)
	assert.Equal(t, "booking-1", p.ActivatedBy)
}

// seed002 is the seed 002 pass: bought Oct 10, first class Oct 30.
func seed002(t *testing.T, locked bool) pass.Pass {
	t.Helper()
	prod := product(pass.Visits, 20, "7600", func(p *pass.Product) {
		p.Activation, p.Locked, p.Validity = pass.OnFirstUse, locked, calendar.Validity{Months: 3}
	})
	p, _ := issue(t, prod, "2024-10-10")
	require.True(t, p.ActivateOn(date("2024-10-30"), "class-oct-30"))
	return p
}

// Rule A4 (seed 002): not locked, once activated on Oct 30 a class on Oct 15
// may still be booked.
func TestRule_A4_NotLockedAllowsEarlierDates(t *testing.T) {
	p := seed002(t, false)
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-10-15")))
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-10-10")))
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2025-01-30")), "up to expiry")
	assert.Equal(t, pass.StatusExpired, p.StatusOn(date("2025-01-31")))
}

// Rule A3 (seed 002): locked, uses must fall inside [activation, expiry]:
// the class on Oct 15 is refused as before activation.
func TestRule_A3_LockedRefusesBeforeActivation(t *testing.T) {
	p := seed002(t, true)
	assert.Equal(t, pass.StatusEarly, p.StatusOn(date("2024-10-15")))
	assert.Equal(t, pass.StatusEarly, p.StatusOn(date("2024-10-29")), "the day before activation")
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-10-30")), "the activation date itself")
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2025-01-30")), "the expiry date itself")
	assert.Equal(t, pass.StatusExpired, p.StatusOn(date("2025-01-31")))
}

// Rule A3: with a merchant-set activation the merchant sets both dates; both
// are required and must be in order.
func TestRule_A3_MerchantSetDates(t *testing.T) {
	prod := product(pass.Visits, 10, "300", func(p *pass.Product) { p.Activation, p.Locked = pass.MerchantSet, true })
	p, _ := issue(t, prod, "2024-10-10", func(s *pass.IssueSpec) {
		s.ActivatedOn, s.ExpiresOn = date("2024-11-01"), date("2024-11-30")
	})
	assert.Equal(t, date("2024-11-01"), p.ActivatedOn)
	assert.Equal(t, date("2024-11-30"), p.ExpiresOn)
	assert.Equal(t, pass.StatusEarly, p.StatusOn(date("2024-10-31")))
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-11-01")))
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-11-30")))
	assert.Equal(t, pass.StatusExpired, p.StatusOn(date("2024-12-01")))
	assert.False(t, p.ActivateOn(date("2024-10-20"), "v"), "a merchant-set pass never activates on use")

	spec := pass.IssueSpec{ID: "p1", Holder: "ada", Source: pass.FromProduct, At: issuedAt, On: date("2024-10-10")}
	_, _, err := pass.Issue(prod, spec)
	requireFieldError(t, err, "activated_on")
	spec.ActivatedOn = date("2024-11-01")
	_, _, err = pass.Issue(prod, spec)
	requireFieldError(t, err, "expires_on")
	spec.ExpiresOn = date("2024-10-31")
	_, _, err = pass.Issue(prod, spec)
	requireFieldError(t, err, "expires_on")
}

// Rule A5: Deactivate makes a pass inactive again only when the cancelled
// use activated it and the pass holds no other use.
func TestRule_A5_Deactivate(t *testing.T) {
	prod := product(pass.Visits, 10, "200", func(p *pass.Product) {
		p.Activation, p.Validity = pass.OnFirstUse, calendar.Validity{Days: 30}
	})
	p, _ := issue(t, prod, "2024-10-10")
	require.True(t, p.ActivateOn(date("2024-10-30"), "b1"))

	other := p.Clone()
	other.Uses = 1
	assert.False(t, other.Deactivate("b1"), "another use still holds the pass")
	assert.Equal(t, date("2024-10-30"), other.ActivatedOn)

	wrong := p.Clone()
	assert.False(t, wrong.Deactivate("b2"), "b2 did not activate the pass")
	assert.True(t, wrong.Activated())

	require.True(t, p.Deactivate("b1"))
	assert.False(t, p.Activated())
	assert.True(t, p.ExpiresOn.IsZero())
	assert.Empty(t, p.ActivatedBy)
	assert.Equal(t, pass.StatusInactive, p.StatusOn(date("2024-10-30")))

	onPurchase, _ := issue(t, product(pass.Visits, 10, "200"), "2024-10-10")
	assert.False(t, onPurchase.Deactivate(""), "a pass active on purchase is never deactivated")
	assert.True(t, onPurchase.Activated())
}

// Rule E1: after expiry a pass is not usable even with units left; on its
// expiry date it still is. A pass without expiry never expires; a used-up
// pass is not usable.
func TestRule_E1_ExpiredNotUsable(t *testing.T) {
	prod := product(pass.Day, 5, "125", func(p *pass.Product) { p.Validity = calendar.Validity{Days: 10} })
	p, _ := issue(t, prod, "2024-06-01")
	require.Equal(t, date("2024-06-11"), p.ExpiresOn)
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-06-11")), "usable on its expiry date")
	assert.Equal(t, pass.StatusExpired, p.StatusOn(date("2024-06-12")))
	assert.Equal(t, 5, p.Balance, "units remain, but cannot be redeemed")

	forever, _ := issue(t, product(pass.Day, 5, "125"), "2024-06-01")
	assert.True(t, forever.ExpiresOn.IsZero())
	assert.Equal(t, pass.StatusActive, forever.StatusOn(date("2099-12-31")), "a pack without expiry works")

	require.NoError(t, forever.Spend(5))
	assert.Equal(t, pass.StatusUsedUp, forever.StatusOn(date("2024-06-02")), "a used-up pack is not usable")
}

// Rule E2: expiry moves either way; moving it past the date makes the
// remaining units usable again.
func TestRule_E2_MovingExpiry(t *testing.T) {
	prod := product(pass.Visits, 10, "200", func(p *pass.Product) { p.Validity = calendar.Validity{Months: 1} })
	p, _ := issue(t, prod, "2024-05-01")
	on := date("2024-06-15")
	require.Equal(t, pass.StatusExpired, p.StatusOn(on))
	p.ExpiresOn = date("2024-06-30")
	assert.Equal(t, pass.StatusActive, p.StatusOn(on), "moved later: usable again")
	p.ExpiresOn = date("2024-05-20")
	assert.Equal(t, pass.StatusExpired, p.StatusOn(date("2024-05-21")), "moved earlier")
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-05-20")))
}

// Rule E3: a freeze [from, to) makes its dates ineligible and moves expiry
// later by the frozen days; ending it early keeps only the days frozen.
func TestRule_E3_Freeze(t *testing.T) {
	prod := product(pass.Day, 10, "250", func(p *pass.Product) { p.Validity = calendar.Validity{Days: 29} })
	p, _ := issue(t, prod, "2024-06-01")
	require.Equal(t, date("2024-06-30"), p.Expiry())

	require.NoError(t, p.AddFreeze(pass.Freeze{From: date("2024-06-10"), To: date("2024-06-15"), Actor: "staff"}))
	assert.Equal(t, 5, p.Freezes[0].Days())
	assert.False(t, p.Frozen(date("2024-06-09")))
	assert.True(t, p.Frozen(date("2024-06-10")), "from is inside")
	assert.True(t, p.Frozen(date("2024-06-14")))
	assert.False(t, p.Frozen(date("2024-06-15")), "to is outside")
	assert.Equal(t, pass.StatusFrozen, p.StatusOn(date("2024-06-12")))
	assert.Equal(t, date("2024-07-05"), p.Expiry(), "expiry moves by 5 frozen days")
	assert.Equal(t, date("2024-06-30"), p.ExpiresOn, "the stored expiry is unchanged")
	assert.Equal(t, pass.StatusActive, p.StatusOn(date("2024-07-05")))
	assert.Equal(t, pass.StatusExpired, p.StatusOn(date("2024-07-06")))

	// Refusals: overlapping, inverted, empty, after expiry.
	requireFieldError(t, p.AddFreeze(pass.Freeze{From: date("2024-06-14"), To: date("2024-06-20")}), "from")
	requireFieldError(t, p.AddFreeze(pass.Freeze{From: date("2024-06-20"), To: date("2024-06-18")}), "to")
	requireFieldError(t, p.AddFreeze(pass.Freeze{From: date("2024-06-20"), To: date("2024-06-20")}), "to")
	requireFieldError(t, p.AddFreeze(pass.Freeze{From: date("2024-07-06"), To: date("2024-07-10")}), "from")
	requireFieldError(t, p.AddFreeze(pass.Freeze{To: date("2024-07-10")}), "from")
	assert.Len(t, p.Freezes, 1, "refused freezes change nothing")

	// A freeze starting after the original expiry but on or before the
	// extended one extends it too.
	require.NoError(t, p.AddFreeze(pass.Freeze{From: date("2024-07-03"), To: date("2024-07-05")}))
	assert.Equal(t, date("2024-07-07"), p.Expiry())

	// Ending the first freeze early, on Jun 12: it ran [Jun 10, Jun 12).
	require.NoError(t, p.EndFreeze(date("2024-06-12")))
	assert.Equal(t, date("2024-06-12"), p.Freezes[0].To)
	assert.False(t, p.Frozen(date("2024-06-12")))
	// Expiry is now Jun 30 + 2 = Jul 2; the planned freeze from Jul 3 starts
	// after that expiry and so no longer extends it (README: choices made).
	assert.Equal(t, date("2024-07-02"), p.Expiry(), "only the days actually frozen count")

	// Ending a planned freeze before it starts removes it.
	require.NoError(t, p.EndFreeze(date("2024-07-01")))
	assert.Len(t, p.Freezes, 1)
	assert.Equal(t, date("2024-07-02"), p.Expiry())

	requireFieldError(t, p.EndFreeze(date("2024-06-20")), "on")
}

// Rule E3: freezes are kept in date order whatever order they were added.
func TestRule_E3_FreezesSorted(t *testing.T) {
	p, _ := issue(t, product(pass.Day, 10, "250"), "2024-06-01")
	require.NoError(t, p.AddFreeze(pass.Freeze{From: date("2024-08-01"), To: date("2024-08-03")}))
	require.NoError(t, p.AddFreeze(pass.Freeze{From: date("2024-07-01"), To: date("2024-07-03")}))
	require.Len(t, p.Freezes, 2)
	assert.Equal(t, date("2024-07-01"), p.Freezes[0].From)
	assert.True(t, p.Frozen(date("2024-08-02")))
	assert.True(t, p.Expiry().IsZero(), "no expiry stays no expiry")
}

// Rule E4: units are added or subtracted; a balance never goes below zero
// and a refused change changes nothing.
func TestRule_E4_AdjustNeverBelowZero(t *testing.T) {
	p, _ := issue(t, product(pass.Visits, 10, "200"), "2024-06-01")
	require.NoError(t, p.Spend(7))
	require.Equal(t, 3, p.Balance)

	before := p.Clone()
	err := p.Adjust(-4)
	require.ErrorIs(t, err, pass.ErrBalance)
	assert.Equal(t, before, p, "nothing changed")

	err = p.Spend(4)
	require.ErrorIs(t, err, pass.ErrBalance)
	assert.Equal(t, before, p, "nothing changed")

	require.NoError(t, p.Adjust(5))
	assert.Equal(t, 8, p.Balance)
	assert.Equal(t, 15, p.Units, "granted units grow with an addition")
	require.NoError(t, p.Adjust(-8))
	assert.Equal(t, 0, p.Balance)
	assert.Equal(t, 7, p.Units)
	require.NoError(t, p.Validate())
}

// Rule E5: proration is price x r / u rounded half-up to the minor unit.
func TestRule_E5_Prorate(t *testing.T) {
	tests := []struct {
		price, currency string
		r, u            int
		want            string
	}{
		{"7600", "USD", 12, 20, "4560.00 USD"}, // seed 002
		{"7600", "TWD", 12, 20, "4560.00 TWD"},
		{"10", "USD", 1, 3, "3.33 USD"},
		{"10", "USD", 2, 3, "6.67 USD"},
		{"0.05", "USD", 1, 2, "0.03 USD"}, // 0.025: half-up
		{"1000", "JPY", 1, 3, "333 JPY"},
		{"1001", "JPY", 1, 2, "501 JPY"}, // 500.5: half-up, 0 decimals
		{"1000", "JPY", 2, 3, "667 JPY"},
		{"1", "KWD", 1, 3, "0.333 KWD"},
		{"99.99", "USD", 20, 20, "99.99 USD"},
		{"99.99", "USD", 0, 20, "0.00 USD"},
	}
	for _, tt := range tests {
		got := pass.Prorate(money.MustNew(tt.price, tt.currency), tt.r, tt.u)
		assert.Equal(t, tt.want, got.String(), "%s %s x %d / %d", tt.price, tt.currency, tt.r, tt.u)
		assert.Equal(t, tt.currency, got.Currency)
	}
	assert.Equal(t, "0.00 USD", pass.Prorate(money.MustNew("10", "USD"), 1, 0).String(), "no units: zero")
}

// Rule E5 (seed 002): importing 12 of 20 points bought for 7,600 issues the
// pass at 4,560 and keeps the history: units granted 20, an "imported"
// entry for the 8 used, balance 12 = sum of the entries.
func TestRule_E5_ImportKeepsHistory(t *testing.T) {
	prod := product(pass.Visits, 20, "7600")
	p, entries := issue(t, prod, "2024-10-10", func(s *pass.IssueSpec) { s.Source, s.Remaining = pass.FromImport, 12 })
	assert.Equal(t, "4560.00 USD", p.Price.String())
	assert.Equal(t, 20, p.Units, "the granted units are kept")
	assert.Equal(t, 12, p.Balance)
	assert.Equal(t, pass.FromImport, p.Source)
	require.Len(t, entries, 2)
	assert.Equal(t, pass.EntryIssue, entries[0].Type)
	assert.Equal(t, 20, entries[0].Units)
	assert.Equal(t, 20, entries[0].Balance)
	assert.Equal(t, pass.EntryImported, entries[1].Type)
	assert.Equal(t, -8, entries[1].Units)
	assert.Equal(t, 12, entries[1].Balance)
	assert.Equal(t, p.Balance, sumUnits(entries), "ledger sum equals balance")
	for _, e := range entries {
		assert.Equal(t, "p1", e.Pass)
		assert.Equal(t, "hub", e.Network)
		assert.Equal(t, "ada", e.Holder)
		assert.True(t, e.At.Equal(issuedAt))
	}

	// A price given at import overrides the proration.
	q, _ := issue(t, prod, "2024-10-10", func(s *pass.IssueSpec) {
		s.Source, s.Remaining, s.Price = pass.FromImport, 12, money.MustNew("4000", "USD")
	})
	assert.Equal(t, "4000.00 USD", q.Price.String())

	// All units remaining: one issue entry, full price.
	full, fullEntries := issue(t, prod, "2024-10-10", func(s *pass.IssueSpec) { s.Remaining = 20 })
	assert.Len(t, fullEntries, 1)
	assert.Equal(t, "7600.00 USD", full.Price.String())
	assert.Equal(t, full.Balance, sumUnits(fullEntries))

	_, _, err := pass.Issue(prod, pass.IssueSpec{ID: "p2", Holder: "ada", Source: pass.FromImport, Remaining: 21, At: issuedAt, On: date("2024-10-10")})
	requireFieldError(t, err, "remaining")
	_, _, err = pass.Issue(prod, pass.IssueSpec{ID: "p2", Holder: "ada", Source: pass.FromImport, Remaining: -1, At: issuedAt, On: date("2024-10-10")})
	requireFieldError(t, err, "remaining")
}

func TestIssueCopiesProductTerms(t *testing.T) {
	prod := product(pass.Day, 5, "125", func(p *pass.Product) {
		p.Locations, p.Tier, p.Audience, p.Priority = []string{"a", "b"}, 2, "member", pass.High
	})
	p, entries := issue(t, prod, "2024-06-01")
	assert.Equal(t, "25.00 USD", p.UnitValue.String(), "unit value = price / units")
	assert.Equal(t, []string{"a", "b"}, p.Locations)
	prod.Locations[0] = "changed"
	assert.Equal(t, "a", p.Locations[0], "later product changes never alter an issued pass")
	assert.Equal(t, 2, p.Tier)
	assert.Equal(t, pass.High, p.Priority)
	assert.Equal(t, p.Balance, sumUnits(entries))
	assert.Equal(t, "125.00 USD", entries[0].Amount.String())

	withValue := product(pass.Day, 5, "125", func(p *pass.Product) { p.UnitValue = money.MustNew("20", "USD") })
	q, _ := issue(t, withValue, "2024-06-01")
	assert.Equal(t, "20.00 USD", q.UnitValue.String(), "an explicit unit value wins")

	// ExpiresOn alone overrides the computed expiry of an on-purchase pass.
	m, _ := issue(t, product(pass.Day, 2, "0"), "2024-06-10", func(s *pass.IssueSpec) {
		s.Source, s.ExpiresOn = pass.FromManual, date("2024-06-30")
	})
	assert.Equal(t, date("2024-06-30"), m.ExpiresOn)
}

func TestIssueRefusesBadSpec(t *testing.T) {
	prod := product(pass.Day, 5, "125")
	good := pass.IssueSpec{ID: "p1", Holder: "ada", Source: pass.FromPlan, At: issuedAt, On: date("2024-06-01")}
	tests := []struct {
		name string
		edit func(*pass.IssueSpec)
		want string
	}{
		{"no id", func(s *pass.IssueSpec) { s.ID = "" }, "id"},
		{"no owner", func(s *pass.IssueSpec) { s.Holder = "" }, "holder"},
		{"two owners", func(s *pass.IssueSpec) { s.Team = "acme" }, "holder"},
		{"bad source", func(s *pass.IssueSpec) { s.Source = "gift" }, "source"},
		{"no date", func(s *pass.IssueSpec) { s.On = calendar.Date{} }, "on"},
		{"bad expiry", func(s *pass.IssueSpec) { s.ExpiresOn = calendar.Date{Year: 2024, Month: 2, Day: 31} }, "expires_on"},
		{"expiry before activation", func(s *pass.IssueSpec) { s.ExpiresOn = date("2024-05-31") }, "expires_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.edit(&s)
			_, _, err := pass.Issue(prod, s)
			requireFieldError(t, err, tt.want)
		})
	}
	team, _, err := pass.Issue(prod, pass.IssueSpec{ID: "t1", Team: "acme", Source: pass.FromPlan, At: issuedAt, On: date("2024-06-01")})
	require.NoError(t, err)
	assert.Equal(t, "acme", team.Team)
	assert.Empty(t, team.Holder)
}

func TestCloneIsDeep(t *testing.T) {
	p, _ := issue(t, product(pass.Day, 5, "125", func(p *pass.Product) { p.Locations = []string{"a"} }), "2024-06-01")
	require.NoError(t, p.AddFreeze(pass.Freeze{From: date("2024-07-01"), To: date("2024-07-02")}))
	paid := issuedAt
	p.PaidAt = &paid
	c := p.Clone()
	c.Locations[0] = "x"
	c.Freezes[0].Actor = "x"
	*c.PaidAt = issuedAt.Add(1)
	assert.Equal(t, "a", p.Locations[0])
	assert.Empty(t, p.Freezes[0].Actor)
	assert.True(t, p.PaidAt.Equal(issuedAt))
}

// Rule G2: a pass covers the listed locations, or all when network-wide.
func TestRule_G2_Covers(t *testing.T) {
	p, _ := issue(t, product(pass.Day, 5, "125", func(p *pass.Product) { p.Locations = []string{"a", "b"} }), "2024-06-01")
	assert.True(t, p.Covers("a"))
	assert.False(t, p.Covers("c"))
	all, _ := issue(t, product(pass.Day, 5, "125"), "2024-06-01")
	assert.True(t, all.Covers("anywhere"))
}

func TestPriorityRank(t *testing.T) {
	assert.Equal(t, 0, pass.High.Rank())
	assert.Equal(t, 1, pass.Normal.Rank())
	assert.Equal(t, 1, pass.Priority("").Rank())
	assert.Equal(t, 2, pass.Low.Rank())
	assert.False(t, pass.Priority("urgent").Valid())
}

func TestPassValidate(t *testing.T) {
	p, _ := issue(t, product(pass.Day, 5, "125"), "2024-06-01")
	tests := []struct {
		name string
		edit func(*pass.Pass)
		want string
	}{
		{"no network", func(p *pass.Pass) { p.Network = "" }, "network"},
		{"no owner", func(p *pass.Pass) { p.Holder = "" }, "holder"},
		{"bad kind", func(p *pass.Pass) { p.Kind = "hours" }, "kind"},
		{"bad source", func(p *pass.Pass) { p.Source = "gift" }, "source"},
		{"negative balance", func(p *pass.Pass) { p.Balance = -1 }, "balance"},
		{"balance above units", func(p *pass.Pass) { p.Balance = 6 }, "balance"},
		{"expiry before activation", func(p *pass.Pass) { p.ExpiresOn = date("2024-05-01") }, "expires_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := p.Clone()
			tt.edit(&q)
			requireFieldError(t, q.Validate(), tt.want)
		})
	}
}

func TestProductValidate(t *testing.T) {
	good := product(pass.Day, 5, "125")
	require.NoError(t, good.Validate("USD"))
	tests := []struct {
		name string
		edit func(*pass.Product)
		want string
	}{
		{"no id", func(p *pass.Product) { p.ID = "" }, "id"},
		{"bad kind", func(p *pass.Product) { p.Kind = "hours" }, "kind"},
		{"zero units", func(p *pass.Product) { p.Units = 0 }, "units"},
		{"negative units", func(p *pass.Product) { p.Units = -5 }, "units"},
		{"currency mismatch", func(p *pass.Product) { p.Price = money.MustNew("1", "EUR") }, "price.currency"},
		{"negative price", func(p *pass.Product) { p.Price = money.MustNew("-1", "USD") }, "price.amount"},
		{"unit value currency", func(p *pass.Product) { p.UnitValue = money.MustNew("1", "EUR") }, "unit_value.currency"},
		{"empty location", func(p *pass.Product) { p.Locations = []string{""} }, "locations"},
		{"negative tier", func(p *pass.Product) { p.Tier = -1 }, "tier"},
		{"bad audience", func(p *pass.Product) { p.Audience = "vip" }, "audience"},
		{"bad priority", func(p *pass.Product) { p.Priority = "urgent" }, "priority"},
		{"bad activation", func(p *pass.Product) { p.Activation = "" }, "activation"},
		{"negative validity", func(p *pass.Product) { p.Validity.Days = -1 }, "validity.days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			tt.edit(&p)
			requireFieldError(t, p.Validate("USD"), tt.want)
		})
	}
}

// Rule E4, S4: unit arithmetic never overflows: adding MaxInt to a pass is
// refused with a field error and changes nothing, a pass at MaxCount takes
// nothing more, and a subtraction below zero is still ErrBalance.
func TestRule_S4_AdjustNeverOverflows(t *testing.T) {
	p := pass.Pass{ID: "p", Units: 5, Balance: 0}
	requireFieldError(t, p.Adjust(math.MaxInt), "units")
	requireFieldError(t, p.Adjust(math.MinInt), "units")
	assert.Equal(t, 5, p.Units)
	assert.Equal(t, 0, p.Balance)
	full := pass.Pass{ID: "q", Units: field.MaxCount, Balance: field.MaxCount}
	requireFieldError(t, full.Adjust(1), "units")
	require.NoError(t, full.Adjust(-field.MaxCount))
	assert.Equal(t, 0, full.Balance)
	assert.ErrorIs(t, full.Adjust(-1), pass.ErrBalance)
	require.NoError(t, full.Adjust(field.MaxCount))
	assert.Equal(t, field.MaxCount, full.Balance)
}

// Rule E3, S4: a freeze is counted in civil days, and one that would take
// the expiry past the last year every store keeps is refused, changing
// nothing; dates of freezes must be real dates in range.
func TestRule_E3_FreezeKeepsExpiryInRange(t *testing.T) {
	p := pass.Pass{ID: "p", Balance: 1, ActivatedOn: calendar.NewDate(2026, 1, 1), ExpiresOn: calendar.NewDate(2026, 12, 31)}
	long := pass.Freeze{From: calendar.NewDate(2026, 6, 1), To: calendar.NewDate(2526, 6, 1)}
	require.NoError(t, p.AddFreeze(long), "500 years: past the 292 years of a time.Duration")
	assert.Equal(t, calendar.NewDate(2526, 12, 31), p.Expiry())
	q := pass.Pass{ID: "q", Balance: 1, ActivatedOn: calendar.NewDate(2026, 1, 1), ExpiresOn: calendar.NewDate(2026, 12, 31)}
	requireFieldError(t, q.AddFreeze(pass.Freeze{From: calendar.NewDate(2026, 6, 1), To: calendar.NewDate(2999, 12, 1)}), "to")
	assert.Empty(t, q.Freezes)
	requireFieldError(t, q.AddFreeze(pass.Freeze{From: calendar.Date{Year: 2026, Month: 2, Day: 31}, To: calendar.NewDate(2026, 3, 5)}), "from")
	requireFieldError(t, q.AddFreeze(pass.Freeze{From: calendar.NewDate(2026, 3, 1), To: calendar.Date{Year: 20260, Month: 1, Day: 1}}), "to")
}
