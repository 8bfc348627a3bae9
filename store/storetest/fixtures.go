package storetest

import (
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
)

// The fixtures' instants are in New York (not UTC) and carry microseconds,
// so a round trip shows the adapter keeps the instant exactly; amounts
// carry more digits than any currency, so it shows decimals stay exact.

var newYork = mustLoad("America/New_York")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// instant returns 2026-03-day hour:minute:07.123456 in New York.
func instant(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 7, 123456000, newYork)
}

func ptr[T any](v T) *T { return &v }

func usd(s string) money.Money { return money.MustNew(s, "USD") }

func date(s string) calendar.Date { return calendar.MustDate(s) }

func sampleNetwork(id string) catalog.Network {
	return catalog.Network{ID: id, Name: "Network " + id, Currency: "USD", Zone: "America/New_York"}
}

func sampleLocation(network, id string) catalog.Location {
	return catalog.Location{Network: network, ID: id, Name: "Location " + id, Zone: "Europe/London",
		DayCutoff: 3*time.Hour + 30*time.Minute, Tier: 2}
}

func sampleTeam(network, id string) catalog.Team {
	return catalog.Team{Network: network, ID: id, Name: "Team " + id, CreditSharing: true}
}

func sampleHolder(network, id string) catalog.Holder {
	return catalog.Holder{Network: network, ID: id, Name: "Holder " + id, Audience: catalog.Contact, Team: "team-1",
		HealthDeclaredAt: ptr(instant(1, 8, 30))}
}

func sampleProduct(network, id string) pass.Product {
	return pass.Product{Network: network, ID: id, Name: "Product " + id, Kind: pass.Visits, Units: 20,
		UnitValue: usd("380.123456789012345678"), Price: usd("7600.10"), Locations: []string{"loc-b", "loc-a"},
		Tier: 2, Audience: catalog.Member, Priority: pass.High, Validity: calendar.Validity{Months: 1, Days: 2},
		Activation: pass.OnFirstUse, Locked: true}
}

func samplePAYG(network, id string) billing.PAYG {
	return billing.PAYG{Network: network, ID: id, Name: "PAYG " + id,
		Prices:   []billing.Price{{Audience: catalog.Member, Hourly: usd("10")}, {Audience: catalog.Contact, Hourly: usd("15.125")}},
		DailyCap: usd("100.00"), Locations: []string{"loc-a"}}
}

// samplePass is a holder's pass with every field set but Team.
func samplePass(network, id, holder string) pass.Pass {
	return pass.Pass{Network: network, ID: id, Product: "product-1", Holder: holder,
		Kind: pass.Visits, Source: pass.FromImport, Units: 20, Balance: 12,
		UnitValue: usd("380.000000001"), Price: usd("4560.00"),
		Paid: true, PaidAt: ptr(instant(2, 10, 0)), PaidBy: "desk-1",
		Locations: []string{"loc-b", "loc-a"}, Tier: 3, Audience: catalog.Contact, Priority: pass.Low,
		Activation: pass.MerchantSet, Locked: true, Validity: calendar.Validity{Months: 2, Days: 3},
		ActivatedOn: date("2026-03-02"), ActivatedBy: "visit-0", ExpiresOn: date("2026-05-05"),
		Freezes: []pass.Freeze{{From: date("2026-03-10"), To: date("2026-03-17"), Actor: "manager", Comment: "travel"}},
		Uses:    8, IssuedAt: instant(2, 9, 15), IssuedOn: date("2026-03-02"),
		CodeHash: "hash-" + id, CodeSealed: "sealed-" + id, PaidWith: "entry-" + id, Card: "card-" + id, Revoked: true}
}

// simplePass is a live holder's pass of kind visits with units left.
func simplePass(network, id, holder string, balance int, issued time.Time) pass.Pass {
	return pass.Pass{Network: network, ID: id, Product: "product-1", Holder: holder, Kind: pass.Visits,
		Source: pass.FromProduct, Units: 10, Balance: balance, UnitValue: usd("10"), Price: usd("100"),
		Activation: pass.OnPurchase, ActivatedOn: calendar.DateOf(issued), IssuedAt: issued, IssuedOn: calendar.DateOf(issued)}
}

func sampleVisit(network, id, holder string) checkin.Visit {
	return checkin.Visit{Network: network, ID: id, Holder: holder, Location: "loc-a",
		Kind: checkin.Booking, Mode: checkin.ByPAYG, Status: checkin.Cancelled,
		Start: instant(3, 9, 0), End: ptr(instant(3, 13, 1)), Date: date("2026-03-03"), Cost: 2,
		Pass: "pass-1", CoveredBy: "visit-0", PAYG: "payg-1",
		Consumptions: []checkin.Consumption{{Pass: "pass-1", Kind: pass.Time, Units: 45}},
		Charges: []billing.DayCharge{{Date: date("2026-03-03"), Minutes: 241, Increments: 17,
			Amount: usd("42.50"), Capped: true, PAYG: "payg-1"}},
		UncoveredMinutes: 5, AutoClosed: true, Activated: "pass-1", CancelledAt: ptr(instant(2, 18, 0)),
		LateCancel: true, CancelledBy: "holder", Fee: &billing.DayCharge{Date: date("2026-03-03"), Minutes: 60,
			Increments: 4, Amount: usd("7.5"), Capped: true, PAYG: "payg-1"},
		Terms: "terms-1", SettledAt: ptr(instant(4, 12, 0)), Debited: usd("30.125"), Owed: usd("19.875")}
}

// openVisit is a check-in of holder at location that is still open.
func openVisit(network, id, holder, location string, start time.Time, d calendar.Date) checkin.Visit {
	return checkin.Visit{Network: network, ID: id, Holder: holder, Location: location, Kind: checkin.CheckInVisit,
		Mode: checkin.ByVisits, Status: checkin.Open, Start: start, Date: d, Cost: 1, Pass: "pass-1"}
}

func sampleEntry(network, id, passID string) pass.Entry {
	return pass.Entry{Network: network, ID: id, Pass: passID, Holder: "holder-1", Visit: "visit-1",
		At: instant(3, 9, 0), Type: pass.EntryAdjust, Units: -3, Balance: 7, Amount: usd("12.345678901234"),
		Key: "key-" + id, Actor: "manager", Comment: "goodwill", Points: -4, Bonus: 11}
}

func sampleGuard(network, location string) checkin.Guard {
	return checkin.Guard{Network: network, Location: location,
		Failures: []time.Time{instant(3, 9, 0), instant(3, 9, 1)}, LockedUntil: instant(4, 9, 1)}
}

func sampleTerms(network, location, id string, from time.Time) billing.Terms {
	return billing.Terms{Network: network, Location: location, ID: id, EffectiveFrom: from,
		Rates:           []billing.Rate{{Product: "product-1", Tier: 1, Amount: usd("8.125")}, {Tier: 2, Amount: usd("6")}},
		MonthlyVisitCap: 8, MonthlyAmountCap: usd("64.00"), PAYGShare: decimal.RequireFromString("0.3333333333")}
}

func sampleRecord(network, key string) store.Record {
	return store.Record{Network: network, Key: key, Operation: "check_in",
		Request: []byte{0, 1, 2, 255}, Result: []byte(`{"visit":{"id":"v1"}}`), At: instant(3, 9, 0)}
}

func amount(s, currency string) money.Money { return money.MustNew(s, currency) }
