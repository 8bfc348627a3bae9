package entitlement_test

import (
	"math"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// refCheck is Check as it was before it stopped going through
// pass.Pass.StatusWith (main at 9800b0a), kept verbatim but for its name.
func refCheck(p *pass.Pass, u *entitlement.Use, needBalance bool) entitlement.Reason {
	expiry := p.Expiry()
	if p.Revoked {
		return entitlement.Revoked
	}
	switch {
	case p.Holder != "" && p.Holder == u.Holder.ID:
	case p.Team != "" && p.Team == u.Holder.Team:
		if !u.TeamSharing {
			return entitlement.SharingOff
		}
	default:
		return entitlement.NotHolders
	}
	if !p.Audience.Admits(u.Holder.Audience) {
		return entitlement.Audience
	}
	if !p.Covers(u.Location) {
		return entitlement.NotCovered
	}
	if p.Tier < u.Tier {
		return entitlement.TierTooLow
	}
	if u.Kinds != nil && !refKindIn(p.Kind, u.Kinds) {
		return entitlement.KindNotUsable
	}
	if !u.At.IsZero() && u.At.Before(p.IssuedAt) {
		return entitlement.NotYetIssued
	}
	switch p.StatusWith(u.Date, expiry) {
	case pass.StatusExpired:
		return entitlement.Expired
	case pass.StatusFrozen:
		return entitlement.Frozen
	case pass.StatusEarly:
		return entitlement.Early
	}
	need := 1
	if p.Kind == pass.Visits && u.Cost > 1 {
		need = u.Cost
	}
	if needBalance && p.Balance < need {
		return entitlement.NoBalance
	}
	return ""
}

func refKindIn(k pass.Kind, ks []pass.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Rules G1-G7: Check and CheckCoverage give the reference's reason for any
// pass and use, with freezes, locks, revocations and dates at the ends of
// int (where the date comparison's sign matters).
func TestRule_G_CheckEqualsReference(t *testing.T) {
	ends := []int{math.MinInt, math.MinInt + 1, -1, 0, 1, math.MaxInt - 1, math.MaxInt}
	rapid.Check(t, func(t *rapid.T) {
		ps, u := genOddCase(t)
		if rapid.IntRange(0, 3).Draw(t, "odd_date") == 0 {
			u.Date = calendar.Date{Year: rapid.SampledFrom(append(ends, 2024, 2025, 2026)).Draw(t, "year"),
				Month: time.Month(rapid.SampledFrom(append(ends, 1, 6, 12)).Draw(t, "month")),
				Day:   rapid.SampledFrom(append(ends, 1, 15, 31)).Draw(t, "day")}
		}
		for i, p := range ps {
			switch rapid.IntRange(0, 5).Draw(t, "edit") {
			case 0:
				p.Locked = true
				p.ActivatedOn = u.Date.AddDays(rapid.IntRange(-3, 3).Draw(t, "activated"))
			case 1:
				p.Freezes = append(p.Freezes, pass.Freeze{From: u.Date.AddDays(rapid.IntRange(-5, 2).Draw(t, "from")),
					To: u.Date.AddDays(rapid.IntRange(-2, 5).Draw(t, "to"))})
			case 2:
				p.Revoked = true
			case 3:
				p.ExpiresOn = u.Date.AddDays(rapid.IntRange(-2, 2).Draw(t, "expires"))
			}
			if got, want := entitlement.Check(p, u), refCheck(p, u, true); got != want {
				t.Fatalf("pass %d %s: Check got %q, want %q", i, p.ID, got, want)
			}
			if got, want := entitlement.CheckCoverage(p, u), refCheck(p, u, false); got != want {
				t.Fatalf("pass %d %s: CheckCoverage got %q, want %q", i, p.ID, got, want)
			}
		}
		want := entitlement.RefSelect(ps, u, entitlement.DefaultPolicy(), nil)
		got := entitlement.Select(ps, u, entitlement.DefaultPolicy(), nil)
		if len(got.Candidates) != len(want.Candidates) || got.Eligible != want.Eligible || got.DecidedBy != want.DecidedBy {
			t.Fatalf("Select got %+v, want %+v", got, want)
		}
		for i := range got.Candidates {
			if got.Candidates[i] != want.Candidates[i] {
				t.Fatalf("candidate %d: got %+v, want %+v", i, got.Candidates[i], want.Candidates[i])
			}
		}
	})
}
