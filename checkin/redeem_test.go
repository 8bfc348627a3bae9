package checkin

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
)

var t0 = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// Rule P2: more than 5 failures within 15 minutes lock for 24 hours; the
// sixth failure locks, the fifth does not.
func TestRule_P2_GuardLocksOnSixthFailure(t *testing.T) {
	var g Guard
	l := DefaultLockout()
	for i := 0; i < 5; i++ {
		if g.Fail(t0.Add(time.Duration(i)*time.Minute), l) {
			t.Fatalf("failure %d locked, want unlocked until the sixth", i+1)
		}
	}
	if g.Locked(t0.Add(5 * time.Minute)) {
		t.Fatal("locked after 5 failures, want unlocked")
	}
	if !g.Fail(t0.Add(5*time.Minute), l) {
		t.Fatal("sixth failure did not lock")
	}
	want := t0.Add(5*time.Minute + 24*time.Hour)
	if !g.LockedUntil.Equal(want) {
		t.Errorf("locked until %s, want %s", g.LockedUntil, want)
	}
	if !g.Locked(want.Add(-time.Nanosecond)) || g.Locked(want) {
		t.Error("lock must hold until its end, exclusive")
	}
	if len(g.Failures) != 0 {
		t.Errorf("failures after lock: got %d, want 0", len(g.Failures))
	}
	g.Unlock()
	if g.Locked(t0.Add(6*time.Minute)) || len(g.Failures) != 0 {
		t.Errorf("after unlock: got %+v, want a clear guard", g)
	}
}

// Rule P2: failures older than the window are forgotten; one exactly 15
// minutes old is out of it.
func TestRule_P2_GuardWindow(t *testing.T) {
	var g Guard
	l := DefaultLockout()
	for i := 0; i < 5; i++ {
		g.Fail(t0.Add(time.Duration(i)*time.Second), l)
	}
	// 15 minutes after the first: the first is out, 5 remain, no lock.
	if g.Fail(t0.Add(15*time.Minute), l) {
		t.Fatal("locked with the first failure out of the window")
	}
	if got := len(g.Failures); got != 5 {
		t.Errorf("failures in window: got %d, want 5", got)
	}
	// One more within the window of the other four locks.
	if !g.Fail(t0.Add(15*time.Minute+500*time.Millisecond), l) {
		t.Error("six failures within 15 minutes did not lock")
	}
}

func TestLockoutOrDefault(t *testing.T) {
	got := Lockout{MaxFailures: 2}.OrDefault()
	want := Lockout{MaxFailures: 2, Window: 15 * time.Minute, Duration: 24 * time.Hour}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	var g Guard
	l := Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Hour}
	g.Fail(t0, l)
	if !g.Fail(t0.Add(time.Second), l) || !g.LockedUntil.Equal(t0.Add(time.Second+time.Hour)) {
		t.Errorf("custom lockout: got %+v, want locked for an hour after the second failure", g)
	}
}

func redeemState(p *pass.Pass) *RedeemState {
	declared := t0.Add(-24 * time.Hour)
	return &RedeemState{
		Location: catalog.Location{Network: "n", ID: "club", Tier: 2},
		Zone:     calendar.Zone{Loc: time.UTC},
		Lockout:  DefaultLockout(),
		Pass:     p,
		Holder:   catalog.Holder{Network: "n", ID: "ana", Audience: catalog.Member, HealthDeclaredAt: &declared},
		Terms:    "terms-1",
	}
}

func dayPass() *pass.Pass {
	return &pass.Pass{Network: "n", ID: "p1", Holder: "ana", Kind: pass.Day, Source: pass.FromProduct,
		Units: 2, Balance: 2, Tier: 2, Activation: pass.OnPurchase,
		ActivatedOn: calendar.NewDate(2026, 3, 1), ExpiresOn: calendar.NewDate(2026, 3, 31)}
}

// Rule P3: each refusal the desk must tell apart has its own outcome and
// sentinel; known-code refusals leave the guard alone.
func TestRule_P3_DecideRedeemOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		change func(st *RedeemState)
		want   RedeemOutcome
		reason entitlement.Reason
		is     error
	}{
		{"redeemed", func(*RedeemState) {}, Redeemed, "", nil},
		{"tier", func(st *RedeemState) { st.Location.Tier = 3 }, NotIncluded, entitlement.TierTooLow, ErrNotIncluded},
		{"not covered", func(st *RedeemState) { st.Pass.Locations = []string{"other"} }, NotIncluded, entitlement.NotCovered, ErrNotIncluded},
		{"expired", func(st *RedeemState) { st.Pass.ExpiresOn = calendar.NewDate(2026, 3, 9) }, PassExpired, entitlement.Expired, ErrPassNotUsable},
		{"not active", func(st *RedeemState) {
			st.Pass.Locked, st.Pass.ActivatedOn = true, calendar.NewDate(2026, 3, 11)
		}, PassNotActive, entitlement.Early, ErrPassNotUsable},
		{"frozen", func(st *RedeemState) {
			st.Pass.Freezes = []pass.Freeze{{From: calendar.NewDate(2026, 3, 10), To: calendar.NewDate(2026, 3, 12)}}
		}, PassFrozen, entitlement.Frozen, ErrPassNotUsable},
		{"used up", func(st *RedeemState) { st.Pass.Balance = 0 }, PassUsedUp, entitlement.NoBalance, ErrPassNotUsable},
		{"time pass", func(st *RedeemState) { st.Pass.Kind = pass.Time }, PassNotEligible, entitlement.KindNotUsable, ErrPassNotUsable},
		{"audience", func(st *RedeemState) { st.Pass.Audience = catalog.Contact }, PassNotEligible, entitlement.Audience, ErrPassNotUsable},
		{"no declaration", func(st *RedeemState) { st.Holder.HealthDeclaredAt = nil }, NoHealthDeclaration, "", ErrNoHealthDeclaration},
		{"declared later", func(st *RedeemState) {
			later := t0.Add(time.Hour)
			st.Holder.HealthDeclaredAt = &later
		}, NoHealthDeclaration, "", ErrNoHealthDeclaration},
		{"unknown code", func(st *RedeemState) { st.Pass = nil }, UnknownCode, "", ErrUnknownCode},
		// Rule S3: a desk's backdated redemption cannot use a pass issued
		// after the visit it claims.
		{"issued after the visit", func(st *RedeemState) { st.Pass.IssuedAt = t0.Add(time.Second) }, PassNotActive, entitlement.NotYetIssued, ErrPassNotUsable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := redeemState(dayPass())
			tt.change(st)
			d := DecideRedeem(st, Redeem{Visit: "v1", At: t0, Now: t0})
			if d.Outcome != tt.want || d.Reason != tt.reason {
				t.Fatalf("got %s (%s), want %s (%s)", d.Outcome, d.Reason, tt.want, tt.reason)
			}
			err := d.Err()
			if tt.is == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("got %v, want errors.Is %v", err, tt.is)
			}
			if wantNoEnt := tt.is == ErrNotIncluded || tt.is == ErrPassNotUsable; errors.Is(err, entitlement.ErrNoEntitlement) != wantNoEnt {
				t.Errorf("errors.Is(err, ErrNoEntitlement): got %v, want %v", !wantNoEnt, wantNoEnt)
			}
			if d.GuardChanged != (tt.want == UnknownCode) {
				t.Errorf("guard changed: got %v, want %v", d.GuardChanged, tt.want == UnknownCode)
			}
			if len(d.Effects.Entries) != 0 || len(d.Effects.Passes) != 0 || d.Effects.Visit.ID != "" {
				t.Errorf("refusal has effects: %+v", d.Effects)
			}
		})
	}
}

// Rule P3: success records a closed redemption visit with the terms in
// force and takes one day unit; a second redemption of the same day pass
// on the same date takes none (C2).
func TestRule_P3_DecideRedeemSuccessAndCoverage(t *testing.T) {
	st := redeemState(dayPass())
	d := DecideRedeem(st, Redeem{Visit: "v1", At: t0, Now: t0})
	if d.Outcome != Redeemed {
		t.Fatalf("got %s, want redeemed", d.Outcome)
	}
	v := d.Effects.Visit
	if v.Kind != Redemption || v.Status != Closed || v.Terms != "terms-1" || v.Holder != "ana" || !v.Start.Equal(t0) || v.Mode != ByDay {
		t.Errorf("visit: got %+v", v)
	}
	if st.Pass.Balance != 1 || len(d.Effects.Entries) != 1 || d.Effects.Entries[0].Units != -1 {
		t.Errorf("balance %d, entries %+v: want 1 and one use of -1", st.Pass.Balance, d.Effects.Entries)
	}
	st.Recent = []Visit{v}
	d2 := DecideRedeem(st, Redeem{Visit: "v2", At: t0.Add(5 * time.Hour), Now: t0.Add(5 * time.Hour)})
	if d2.Outcome != Redeemed || d2.Effects.Visit.CoveredBy != "v1" || len(d2.Effects.Entries) != 0 || st.Pass.Balance != 1 {
		t.Errorf("second redemption: got %s covered by %q, %d entries, balance %d; want covered by v1, none, 1",
			d2.Outcome, d2.Effects.Visit.CoveredBy, len(d2.Effects.Entries), st.Pass.Balance)
	}
	// A used-up day pass still admits the day it covers.
	st.Pass.Balance = 0
	if d3 := DecideRedeem(st, Redeem{Visit: "v3", At: t0.Add(6 * time.Hour), Now: t0.Add(6 * time.Hour)}); d3.Outcome != Redeemed {
		t.Errorf("covered day with no balance: got %s, want redeemed", d3.Outcome)
	}
	// The next day it is used up.
	next := t0.Add(24 * time.Hour)
	if d4 := DecideRedeem(st, Redeem{Visit: "v4", At: next, Now: next}); d4.Outcome != PassUsedUp {
		t.Errorf("next day: got %s, want pass_used_up", d4.Outcome)
	}
}

// Rule P3: a visits pass gives one visit per redemption, and a pass that
// activates on first use activates on the redemption's date (A2).
func TestRule_P3_DecideRedeemVisitsActivates(t *testing.T) {
	p := &pass.Pass{Network: "n", ID: "p2", Holder: "ana", Kind: pass.Visits, Source: pass.FromProduct,
		Units: 10, Balance: 10, Tier: 3, Activation: pass.OnFirstUse, Validity: calendar.Validity{Months: 1}}
	st := redeemState(p)
	d := DecideRedeem(st, Redeem{Visit: "v1", At: t0, Now: t0})
	if d.Outcome != Redeemed || p.Balance != 9 || p.ActivatedOn != calendar.NewDate(2026, 3, 10) ||
		p.ExpiresOn != calendar.NewDate(2026, 4, 10) || d.Effects.Visit.Activated != "p2" {
		t.Errorf("got %s, balance %d, activated %s expires %s; want redeemed, 9, 2026-03-10, 2026-04-10",
			d.Outcome, p.Balance, p.ActivatedOn, p.ExpiresOn)
	}
}

// Rule P2: a locked location refuses every code, even a good one, with the
// lock's end, and changes nothing.
func TestRule_P2_DecideRedeemLocked(t *testing.T) {
	st := redeemState(dayPass())
	st.Guard.LockedUntil = t0.Add(time.Hour)
	d := DecideRedeem(st, Redeem{Visit: "v1", At: t0, Now: t0})
	var re *RedeemError
	if d.Outcome != LocationLocked || !errors.As(d.Err(), &re) || !re.LockedUntil.Equal(t0.Add(time.Hour)) || d.GuardChanged {
		t.Errorf("got %s, %v, changed %v; want location_locked until %s, guard unchanged", d.Outcome, d.Err(), d.GuardChanged, t0.Add(time.Hour))
	}
	if st.Pass.Balance != 2 {
		t.Errorf("balance: got %d, want 2", st.Pass.Balance)
	}
	// The lock is measured on the clock, not on the visit's instant.
	d = DecideRedeem(st, Redeem{Visit: "v1", At: t0.Add(-48 * time.Hour), Now: t0})
	if d.Outcome != LocationLocked {
		t.Errorf("backdated instant: got %s, want location_locked", d.Outcome)
	}
}
