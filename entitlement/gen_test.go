package entitlement_test

// Reusable rapid generators for passes and uses, for property tests of
// eligibility and the consumption order. Values are drawn from small sets
// on purpose: ties on the first keys are frequent, so the later keys
// (O3-O7) decide often. Copy them into a QA suite as they are.

import (
	"fmt"
	"math"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// The universe the generators draw from: one network with GenLocations, a
// holder GenHolder in team GenTeam, another holder GenStranger, and dates
// around GenBaseDate.
var (
	GenLocations = []string{"loc-a", "loc-b", "loc-c", "loc-d"}
	GenBaseDate  = calendar.MustDate("2024-06-15")
	GenIssuedAt  = time.Date(2024, time.May, 1, 9, 0, 0, 0, time.UTC)
)

// The parties of the generated universe.
const (
	GenHolder   = "ada"
	GenTeam     = "acme"
	GenStranger = "bob"
)

// genUnitValues has equal amounts written differently ("5" and "5.00").
var genUnitValues = []string{"0", "5", "5.00", "7.5", "10"}

// GenPass returns a generator of a pass with the given ID: owned by
// GenHolder, GenTeam or GenStranger; of any kind, source and priority; a
// unit value from a small set; covering a subset of GenLocations or the
// whole network; tier 0-2; any audience; active, inactive (first use) or
// merchant-set, locked or not; with or without expiry and a freeze; a
// balance of 0-5 of at least as many units; issued within a few hours of
// GenIssuedAt.
func GenPass(id string) *rapid.Generator[*pass.Pass] {
	return rapid.Custom(func(t *rapid.T) *pass.Pass {
		p := &pass.Pass{Network: "hub", ID: id, Product: "prod"}
		switch rapid.IntRange(0, 5).Draw(t, "owner") {
		case 0, 1, 2:
			p.Holder = GenHolder
		case 3, 4:
			p.Team = GenTeam
		default:
			p.Holder = GenStranger
		}
		p.Kind = rapid.SampledFrom([]pass.Kind{pass.Day, pass.Time, pass.Visits}).Draw(t, "kind")
		p.Source = rapid.SampledFrom([]pass.Source{pass.FromPlan, pass.FromProduct, pass.FromManual, pass.FromImport}).Draw(t, "source")
		p.Priority = rapid.SampledFrom([]pass.Priority{"", pass.Normal, pass.High, pass.Low}).Draw(t, "priority")
		p.UnitValue = money.MustNew(rapid.SampledFrom(genUnitValues).Draw(t, "unit_value"), "USD")
		n := rapid.IntRange(0, len(GenLocations)).Draw(t, "locations")
		for _, l := range rapid.Permutation(GenLocations).Draw(t, "location_order")[:n] {
			p.Locations = append(p.Locations, l)
		}
		p.Tier = rapid.IntRange(0, 2).Draw(t, "tier")
		p.Audience = rapid.SampledFrom([]catalog.Audience{"", "", catalog.Member, catalog.Contact}).Draw(t, "audience")
		p.Balance = rapid.IntRange(0, 5).Draw(t, "balance")
		p.Units = p.Balance + rapid.IntRange(0, 3).Draw(t, "used")
		p.Activation = rapid.SampledFrom([]pass.Activation{pass.OnPurchase, pass.OnPurchase, pass.OnFirstUse, pass.MerchantSet}).Draw(t, "activation")
		p.Locked = rapid.Bool().Draw(t, "locked")
		if p.Activation != pass.OnFirstUse || rapid.Bool().Draw(t, "used_once") {
			p.ActivatedOn = GenBaseDate.AddDays(rapid.IntRange(-20, 5).Draw(t, "activated"))
			if rapid.IntRange(0, 3).Draw(t, "has_expiry") > 0 {
				p.ExpiresOn = p.ActivatedOn.AddDays(rapid.IntRange(0, 30).Draw(t, "valid_days"))
			}
		}
		if rapid.IntRange(0, 4).Draw(t, "has_freeze") == 0 {
			from := GenBaseDate.AddDays(rapid.IntRange(-5, 5).Draw(t, "freeze_from"))
			p.Freezes = []pass.Freeze{{From: from, To: from.AddDays(rapid.IntRange(1, 5).Draw(t, "freeze_days"))}}
		}
		p.IssuedAt = GenIssuedAt.Add(time.Duration(rapid.IntRange(0, 3).Draw(t, "issued")) * time.Hour)
		p.IssuedOn = calendar.DateOf(p.IssuedAt)
		return p
	})
}

// GenPasses returns a generator of up to max passes with distinct IDs, in
// an arbitrary order.
func GenPasses(max int) *rapid.Generator[[]*pass.Pass] {
	return rapid.Custom(func(t *rapid.T) []*pass.Pass {
		n := rapid.IntRange(0, max).Draw(t, "n")
		ps := make([]*pass.Pass, n)
		for i := range ps {
			ps[i] = GenPass(fmt.Sprintf("p%02d", i)).Draw(t, fmt.Sprintf("pass%d", i))
		}
		return rapid.Permutation(ps).Draw(t, "order")
	})
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
		p := &pass.Pass{Network: "hub", ID: id, Product: "prod", Holder: u.Holder.ID,
			Activation: pass.OnPurchase, Tier: u.Tier + rapid.IntRange(0, 1).Draw(t, "tier")}
		if u.Holder.Team != "" && u.TeamSharing && rapid.IntRange(0, 2).Draw(t, "team") == 0 {
			p.Holder, p.Team = "", u.Holder.Team
		}
		kinds := u.Kinds
		if kinds == nil {
			kinds = []pass.Kind{pass.Day, pass.Time, pass.Visits}
		}
		p.Kind = rapid.SampledFrom(kinds).Draw(t, "kind")
		p.Source = rapid.SampledFrom([]pass.Source{pass.FromPlan, pass.FromProduct, pass.FromManual, pass.FromImport}).Draw(t, "source")
		p.Priority = rapid.SampledFrom([]pass.Priority{"", pass.Normal, pass.High, pass.Low}).Draw(t, "priority")
		p.UnitValue = money.MustNew(rapid.SampledFrom(genUnitValues).Draw(t, "unit_value"), "USD")
		if n := rapid.IntRange(0, len(GenLocations)-1).Draw(t, "other_locations"); n > 0 || rapid.Bool().Draw(t, "listed") {
			p.Locations = []string{u.Location}
			for _, l := range GenLocations {
				if l != u.Location && len(p.Locations) <= n {
					p.Locations = append(p.Locations, l)
				}
			}
		}
		p.Balance = u.Cost + rapid.IntRange(0, 3).Draw(t, "balance")
		p.Units = p.Balance
		p.ActivatedOn = u.Date.AddDays(-rapid.IntRange(0, 10).Draw(t, "active_days"))
		if rapid.IntRange(0, 3).Draw(t, "has_expiry") > 0 {
			p.ExpiresOn = u.Date.AddDays(rapid.IntRange(0, 4).Draw(t, "expires"))
		}
		p.IssuedAt = GenIssuedAt.Add(time.Duration(rapid.IntRange(0, 2).Draw(t, "issued")) * time.Hour)
		p.IssuedOn = calendar.DateOf(p.IssuedAt)
		return p
	})
}

// GenEligiblePasses returns a generator of up to max passes eligible for
// u, with distinct IDs, in an arbitrary order.
func GenEligiblePasses(max int, u *entitlement.Use) *rapid.Generator[[]*pass.Pass] {
	return rapid.Custom(func(t *rapid.T) []*pass.Pass {
		n := rapid.IntRange(0, max).Draw(t, "n")
		ps := make([]*pass.Pass, n)
		for i := range ps {
			ps[i] = GenEligiblePass(fmt.Sprintf("e%02d", i), u).Draw(t, fmt.Sprintf("pass%d", i))
		}
		return rapid.Permutation(ps).Draw(t, "order")
	})
}

// GenUse returns a generator of a use by GenHolder (member or contact, in
// GenTeam or not, sharing on or off) at one of GenLocations, on a date near
// GenBaseDate, with a cost of 1-3 and any accepted kinds.
func GenUse() *rapid.Generator[*entitlement.Use] {
	return rapid.Custom(func(t *rapid.T) *entitlement.Use {
		u := &entitlement.Use{
			Holder: catalog.Holder{Network: "hub", ID: GenHolder,
				Audience: rapid.SampledFrom([]catalog.Audience{catalog.Member, catalog.Contact}).Draw(t, "audience")},
			TeamSharing:      rapid.Bool().Draw(t, "sharing"),
			Location:         rapid.SampledFrom(GenLocations).Draw(t, "location"),
			Tier:             rapid.IntRange(0, 2).Draw(t, "tier"),
			NetworkLocations: rapid.SampledFrom([]int{0, len(GenLocations)}).Draw(t, "network_locations"),
			Date:             GenBaseDate.AddDays(rapid.IntRange(-10, 10).Draw(t, "date")),
			Cost:             rapid.IntRange(1, 3).Draw(t, "cost"),
		}
		if rapid.IntRange(0, 4).Draw(t, "in_team") > 0 {
			u.Holder.Team = GenTeam
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

// refKey is the default consumption order (O0-O7) written independently of
// the package: the candidate's sort key, field by field, first key first.
type refKey struct {
	priority  int
	kind      int
	unitValue decimal.Decimal
	source    int
	locations int
	minutes   int // minus the balance for time passes (more first), else 0
	shared    int
	expiry    calendar.Date // zero: none, last
	issued    time.Time
	id        string
}

func refKeyOf(p *pass.Pass, u *entitlement.Use) refKey {
	k := refKey{unitValue: p.UnitValue.Amount, issued: p.IssuedAt, id: p.ID, expiry: p.Expiry()}
	switch p.Priority {
	case pass.High:
		k.priority = 0
	case pass.Low:
		k.priority = 2
	default:
		k.priority = 1
	}
	k.kind = map[pass.Kind]int{pass.Day: 0, pass.Visits: 1, pass.Time: 2}[p.Kind]
	if p.Source == pass.FromManual || p.Source == pass.FromImport {
		k.source = 1
	}
	k.locations = len(p.Locations)
	if k.locations == 0 {
		k.locations = u.NetworkLocations
		if k.locations == 0 {
			k.locations = math.MaxInt32
		}
	}
	if p.Kind == pass.Time {
		k.minutes = -p.Balance
	}
	if p.Holder != u.Holder.ID {
		k.shared = 1
	}
	return k
}

// refCompare compares a and b by the reference order and names the policy
// key that decides, as entitlement.DefaultPolicy names it.
func refCompare(a, b refKey) (int, string) {
	cmpInt := func(x, y int) int {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	if c := cmpInt(a.priority, b.priority); c != 0 {
		return c, "priority"
	}
	if c := cmpInt(a.kind, b.kind); c != 0 {
		return c, "kind"
	}
	if c := a.unitValue.Cmp(b.unitValue); c != 0 {
		return c, "unit_value"
	}
	if c := cmpInt(a.source, b.source); c != 0 {
		return c, "source"
	}
	if c := cmpInt(a.locations, b.locations); c != 0 {
		return c, "locations"
	}
	if c := cmpInt(a.minutes, b.minutes); c != 0 {
		return c, "remaining_minutes"
	}
	if c := cmpInt(a.shared, b.shared); c != 0 {
		return c, "ownership"
	}
	switch {
	case a.expiry.IsZero() && !b.expiry.IsZero():
		return 1, "expiry"
	case !a.expiry.IsZero() && b.expiry.IsZero():
		return -1, "expiry"
	case !a.expiry.IsZero():
		if c := a.expiry.Compare(b.expiry); c != 0 {
			return c, "expiry"
		}
	}
	if c := a.issued.Compare(b.issued); c != 0 {
		return c, "issued"
	}
	switch {
	case a.id < b.id:
		return -1, "id"
	case a.id > b.id:
		return 1, "id"
	}
	return 0, "id"
}
