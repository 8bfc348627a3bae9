package enttest

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// The universe the generators draw from: network Network with Locations,
// dates around BaseDate, passes issued within a few hours of IssuedAt.
var (
	Locations = []string{"loc-a", "loc-b", "loc-c", "loc-d"}
	BaseDate  = calendar.MustDate("2024-06-15")
	IssuedAt  = time.Date(2024, time.May, 1, 9, 0, 0, 0, time.UTC)
)

// The parties of the universe: the network, the holder whose uses are
// generated, the holder's team, and another holder whose passes are never
// eligible for those uses.
const (
	Network    = "hub"
	HolderID   = "ada"
	TeamID     = "acme"
	StrangerID = "bob"
	// Currency is the currency of every amount drawn.
	Currency = "USD"
)

// unitValues has equal amounts written differently ("5" and "5.00"), so
// that ByUnitValue ties on equal amounts, not on equal strings.
var unitValues = []string{"0", "5", "5.00", "7.5", "10"}

var (
	kinds      = []pass.Kind{pass.Day, pass.Time, pass.Visits}
	sources    = []pass.Source{pass.FromPlan, pass.FromProduct, pass.FromManual, pass.FromImport}
	priorities = []pass.Priority{"", pass.Normal, pass.High, pass.Low}
)

// GenPass returns a generator of a pass with the given ID in Network:
// owned by HolderID, TeamID or StrangerID; of any kind, source and
// priority; a unit value from a small set; covering a subset of Locations
// or the whole network; tier 0-2; any audience; active, inactive (first
// use) or merchant-set, locked or not; with or without expiry and a
// freeze; a balance of 0-5 of at least as many units; issued within a few
// hours of IssuedAt. Many of its passes are not eligible for a given use.
func GenPass(id string) *rapid.Generator[*pass.Pass] {
	return rapid.Custom(func(t *rapid.T) *pass.Pass {
		p := &pass.Pass{Network: Network, ID: id, Product: "prod"}
		switch rapid.IntRange(0, 5).Draw(t, "owner") {
		case 0, 1, 2:
			p.Holder = HolderID
		case 3, 4:
			p.Team = TeamID
		default:
			p.Holder = StrangerID
		}
		p.Kind = rapid.SampledFrom(kinds).Draw(t, "kind")
		p.Source = rapid.SampledFrom(sources).Draw(t, "source")
		p.Priority = rapid.SampledFrom(priorities).Draw(t, "priority")
		p.UnitValue = money.MustNew(rapid.SampledFrom(unitValues).Draw(t, "unit_value"), Currency)
		n := rapid.IntRange(0, len(Locations)).Draw(t, "locations")
		p.Locations = append(p.Locations, rapid.Permutation(Locations).Draw(t, "location_order")[:n]...)
		p.Tier = rapid.IntRange(0, 2).Draw(t, "tier")
		p.Audience = rapid.SampledFrom([]catalog.Audience{"", "", catalog.Member, catalog.Contact}).Draw(t, "audience")
		p.Balance = rapid.IntRange(0, 5).Draw(t, "balance")
		p.Units = p.Balance + rapid.IntRange(0, 3).Draw(t, "used")
		p.Activation = rapid.SampledFrom([]pass.Activation{pass.OnPurchase, pass.OnPurchase, pass.OnFirstUse, pass.MerchantSet}).Draw(t, "activation")
		p.Locked = rapid.Bool().Draw(t, "locked")
		if p.Activation != pass.OnFirstUse || rapid.Bool().Draw(t, "used_once") {
			p.ActivatedOn = BaseDate.AddDays(rapid.IntRange(-20, 5).Draw(t, "activated"))
			if rapid.IntRange(0, 3).Draw(t, "has_expiry") > 0 {
				p.ExpiresOn = p.ActivatedOn.AddDays(rapid.IntRange(0, 30).Draw(t, "valid_days"))
			}
		}
		if rapid.IntRange(0, 4).Draw(t, "has_freeze") == 0 {
			from := BaseDate.AddDays(rapid.IntRange(-5, 5).Draw(t, "freeze_from"))
			p.Freezes = []pass.Freeze{{From: from, To: from.AddDays(rapid.IntRange(1, 5).Draw(t, "freeze_days"))}}
		}
		p.IssuedAt = IssuedAt.Add(time.Duration(rapid.IntRange(0, 3).Draw(t, "issued")) * time.Hour)
		p.IssuedOn = calendar.DateOf(p.IssuedAt)
		return p
	})
}

// GenPasses returns a generator of up to max passes drawn by GenPass, with
// the distinct IDs "p00", "p01", ..., listed in an arbitrary order.
func GenPasses(max int) *rapid.Generator[[]*pass.Pass] {
	return genSet(max, "p", GenPass)
}

// GenEligiblePass returns a generator of a pass with the given ID that is
// eligible for u (owned by u's holder, or by its team when u's team shares
// credit; covering u's location; of a tier, audience and kind u admits;
// active on u's date with enough balance), varying only what orders
// passes: priority, kind, unit value, source, covered locations, balance,
// ownership, expiry and issue instant. Sets of them exercise the
// consumption order on every candidate.
func GenEligiblePass(id string, u *entitlement.Use) *rapid.Generator[*pass.Pass] {
	return rapid.Custom(func(t *rapid.T) *pass.Pass {
		p := &pass.Pass{Network: Network, ID: id, Product: "prod", Holder: u.Holder.ID,
			Activation: pass.OnPurchase, Tier: u.Tier + rapid.IntRange(0, 1).Draw(t, "tier")}
		if u.Holder.Team != "" && u.TeamSharing && rapid.IntRange(0, 2).Draw(t, "team") == 0 {
			p.Holder, p.Team = "", u.Holder.Team
		}
		ks := u.Kinds
		if ks == nil {
			ks = kinds
		}
		p.Kind = rapid.SampledFrom(ks).Draw(t, "kind")
		p.Source = rapid.SampledFrom(sources).Draw(t, "source")
		p.Priority = rapid.SampledFrom(priorities).Draw(t, "priority")
		p.UnitValue = money.MustNew(rapid.SampledFrom(unitValues).Draw(t, "unit_value"), Currency)
		if n := rapid.IntRange(0, len(Locations)-1).Draw(t, "other_locations"); n > 0 || rapid.Bool().Draw(t, "listed") {
			p.Locations = []string{u.Location}
			for _, l := range Locations {
				if l != u.Location && len(p.Locations) <= n {
					p.Locations = append(p.Locations, l)
				}
			}
		}
		p.Balance = max(u.Cost, 1) + rapid.IntRange(0, 3).Draw(t, "balance")
		p.Units = p.Balance
		p.ActivatedOn = u.Date.AddDays(-rapid.IntRange(0, 10).Draw(t, "active_days"))
		if rapid.IntRange(0, 3).Draw(t, "has_expiry") > 0 {
			p.ExpiresOn = u.Date.AddDays(rapid.IntRange(0, 4).Draw(t, "expires"))
		}
		p.IssuedAt = IssuedAt.Add(time.Duration(rapid.IntRange(0, 2).Draw(t, "issued")) * time.Hour)
		p.IssuedOn = calendar.DateOf(p.IssuedAt)
		return p
	})
}

// GenEligiblePasses returns a generator of up to max passes eligible for
// u, drawn by GenEligiblePass, with the distinct IDs "e00", "e01", ...,
// listed in an arbitrary order.
func GenEligiblePasses(max int, u *entitlement.Use) *rapid.Generator[[]*pass.Pass] {
	return genSet(max, "e", func(id string) *rapid.Generator[*pass.Pass] { return GenEligiblePass(id, u) })
}

// genSet draws up to max passes of gen with IDs prefix + "00", "01", ...
// and returns them in a drawn order.
func genSet(max int, prefix string, gen func(id string) *rapid.Generator[*pass.Pass]) *rapid.Generator[[]*pass.Pass] {
	return rapid.Custom(func(t *rapid.T) []*pass.Pass {
		n := rapid.IntRange(0, max).Draw(t, "n")
		ps := make([]*pass.Pass, n)
		for i := range ps {
			ps[i] = gen(fmt.Sprintf("%s%02d", prefix, i)).Draw(t, fmt.Sprintf("pass%d", i))
		}
		return rapid.Permutation(ps).Draw(t, "order")
	})
}

// GenUse returns a generator of a use by HolderID (member or contact, in
// TeamID or not, sharing on or off) at one of Locations of tier 0-2, on a
// date within ten days of BaseDate, with a cost of 1-3 and any accepted
// kinds (all, visits only, day and visits, or time only).
func GenUse() *rapid.Generator[*entitlement.Use] {
	return rapid.Custom(func(t *rapid.T) *entitlement.Use {
		u := &entitlement.Use{
			Holder: catalog.Holder{Network: Network, ID: HolderID,
				Audience: rapid.SampledFrom([]catalog.Audience{catalog.Member, catalog.Contact}).Draw(t, "audience")},
			TeamSharing:      rapid.Bool().Draw(t, "sharing"),
			Location:         rapid.SampledFrom(Locations).Draw(t, "location"),
			Tier:             rapid.IntRange(0, 2).Draw(t, "tier"),
			NetworkLocations: rapid.SampledFrom([]int{0, len(Locations)}).Draw(t, "network_locations"),
			Date:             BaseDate.AddDays(rapid.IntRange(-10, 10).Draw(t, "date")),
			Cost:             rapid.IntRange(1, 3).Draw(t, "cost"),
		}
		if rapid.IntRange(0, 4).Draw(t, "in_team") > 0 {
			u.Holder.Team = TeamID
		}
		switch rapid.IntRange(0, 3).Draw(t, "kinds") {
		case 1:
			u.Kinds = []pass.Kind{pass.Visits}
		case 2:
			u.Kinds = []pass.Kind{pass.Day, pass.Visits}
		case 3:
			u.Kinds = []pass.Kind{pass.Time}
		}
		return u
	})
}
