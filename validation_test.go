package passengine_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// badInput is one bad request to one public call and the field its
// *FieldError must name.
type badInput struct {
	call, name, field string
	do                func(w *coreWorld, ids map[string]string) error
}

// badInputs lists bad requests for every public Engine call: empty IDs,
// unknown zones, zero and negative units, inverted ranges, a check-out
// before its check-in, amounts in another currency.
func badInputs() []badInput {
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	eur := money.MustNew("10", "EUR")
	d := calendar.NewDate
	network := func(n catalog.Network) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error { return w.eng.PutNetwork(w.ctx, n) }
	}
	location := func(l catalog.Location) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error { return w.eng.PutLocation(w.ctx, l) }
	}
	team := func(t catalog.Team) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error { return w.eng.PutTeam(w.ctx, t) }
	}
	holder := func(h catalog.Holder) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error { return w.eng.PutHolder(w.ctx, h) }
	}
	goodProduct := pass.Product{Network: coreNet, ID: "p", Kind: pass.Day, Units: 1, Price: usd("1"), Activation: pass.OnPurchase}
	product := func(change func(*pass.Product)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			p := goodProduct
			change(&p)
			return w.eng.PutProduct(w.ctx, p)
		}
	}
	goodPAYG := billing.PAYG{Network: coreNet, ID: "g", Prices: []billing.Price{{Hourly: usd("10")}}}
	payg := func(change func(*billing.PAYG)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			p := goodPAYG
			change(&p)
			return w.eng.PutPAYG(w.ctx, p)
		}
	}
	issue := func(change func(*passengine.IssueRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			r := passengine.IssueRequest{Key: "k", Network: coreNet, Product: "pack", Holder: "cy"}
			change(&r)
			_, err := w.eng.IssuePass(w.ctx, r)
			return err
		}
	}
	bulk := func(change func(*passengine.BulkIssueRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			r := passengine.BulkIssueRequest{Key: "k", Network: coreNet, Product: "pack", Holders: []string{"cy"}}
			change(&r)
			_, err := w.eng.BulkIssue(w.ctx, r)
			return err
		}
	}
	adjust := func(change func(*passengine.AdjustRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.AdjustRequest{Key: "k", Network: coreNet, Pass: ids["days"], Units: 1}
			change(&r)
			_, err := w.eng.AdjustUnits(w.ctx, r)
			return err
		}
	}
	expiry := func(change func(*passengine.ExpiryRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.ExpiryRequest{Key: "k", Network: coreNet, Pass: ids["days"], ExpiresOn: d(2026, 12, 31)}
			change(&r)
			_, err := w.eng.SetExpiry(w.ctx, r)
			return err
		}
	}
	freeze := func(change func(*passengine.FreezeRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.FreezeRequest{Key: "k", Network: coreNet, Pass: ids["days"], From: d(2026, 10, 7), To: d(2026, 10, 9)}
			change(&r)
			_, err := w.eng.Freeze(w.ctx, r)
			return err
		}
	}
	unfreeze := func(change func(*passengine.UnfreezeRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.UnfreezeRequest{Key: "k", Network: coreNet, Pass: ids["classes"], On: d(2026, 10, 22)}
			change(&r)
			_, err := w.eng.Unfreeze(w.ctx, r)
			return err
		}
	}
	paid := func(change func(*passengine.PaidRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.PaidRequest{Key: "k", Network: coreNet, Pass: ids["pack"], By: "desk"}
			change(&r)
			_, err := w.eng.MarkPaid(w.ctx, r)
			return err
		}
	}
	checkIn := func(change func(*passengine.CheckInRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			r := passengine.CheckInRequest{Key: "k", Network: coreNet, Holder: "ada", Location: "downtown"}
			change(&r)
			_, err := w.eng.CheckIn(w.ctx, r)
			return err
		}
	}
	explain := func(change func(*passengine.CheckInRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			r := passengine.CheckInRequest{Network: coreNet, Holder: "ada", Location: "downtown"}
			change(&r)
			_, err := w.eng.Explain(w.ctx, r)
			return err
		}
	}
	checkOut := func(change func(*passengine.CheckOutRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.CheckOutRequest{Key: "k", Network: coreNet, Visit: ids["time"]}
			change(&r)
			_, err := w.eng.CheckOut(w.ctx, r)
			return err
		}
	}
	book := func(change func(*passengine.BookRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			r := passengine.BookRequest{Key: "k", Network: coreNet, Holder: "ada", Location: "downtown", Start: w.at(2026, 10, 12, 18, 0)}
			change(&r)
			_, err := w.eng.Book(w.ctx, r)
			return err
		}
	}
	cancel := func(change func(*passengine.CancelRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.CancelRequest{Key: "k", Network: coreNet, Visit: ids["booking"]}
			change(&r)
			_, err := w.eng.CancelBooking(w.ctx, r)
			return err
		}
	}
	attend := func(change func(*passengine.AttendanceRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.AttendanceRequest{Key: "k", Network: coreNet, Visit: ids["booking"]}
			change(&r)
			_, err := w.eng.MarkAttendance(w.ctx, r)
			return err
		}
	}
	move := func(change func(*passengine.MoveRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, ids map[string]string) error {
			r := passengine.MoveRequest{Key: "k", Network: coreNet, Visit: ids["stale"], Pass: ids["pack"]}
			change(&r)
			_, err := w.eng.MoveVisit(w.ctx, r)
			return err
		}
	}
	closeStale := func(change func(*passengine.CloseStaleRequest)) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error {
			r := passengine.CloseStaleRequest{Key: "k", Network: coreNet}
			change(&r)
			_, err := w.eng.CloseStale(w.ctx, r)
			return err
		}
	}
	passes := func(f passengine.PassFilter) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error { _, err := w.eng.Passes(w.ctx, f); return err }
	}
	ledger := func(f passengine.LedgerFilter) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error { _, err := w.eng.Ledger(w.ctx, f); return err }
	}
	visits := func(f passengine.VisitFilter) func(*coreWorld, map[string]string) error {
		return func(w *coreWorld, _ map[string]string) error { _, err := w.eng.Visits(w.ctx, f); return err }
	}
	long := strings.Repeat("x", 201)

	return []badInput{
		{"PutNetwork", "empty ID", "id", network(catalog.Network{Currency: "USD", Zone: "UTC"})},
		{"PutNetwork", "lower-case currency", "currency", network(catalog.Network{ID: "n2", Currency: "usd", Zone: "UTC"})},
		{"PutNetwork", "unknown zone", "zone", network(catalog.Network{ID: "n2", Currency: "USD", Zone: "Mars/Olympus_Mons"})},
		{"PutNetwork", "no zone", "zone", network(catalog.Network{ID: "n2", Currency: "USD"})},
		{"PutNetwork", "Local zone", "zone", network(catalog.Network{ID: "n2", Currency: "USD", Zone: "Local"})},
		{"PutLocation", "empty network", "network", location(catalog.Location{ID: "l2", Zone: "UTC"})},
		{"PutLocation", "empty ID", "id", location(catalog.Location{Network: coreNet, Zone: "UTC"})},
		{"PutLocation", "ID too long", "id", location(catalog.Location{Network: coreNet, ID: long, Zone: "UTC"})},
		{"PutLocation", "control character in ID", "id", location(catalog.Location{Network: coreNet, ID: "a\nb", Zone: "UTC"})},
		{"PutLocation", "unknown zone", "zone", location(catalog.Location{Network: coreNet, ID: "l2", Zone: "Europe/Atlantis"})},
		{"PutLocation", "cut-off of a day", "cutoff", location(catalog.Location{Network: coreNet, ID: "l2", Zone: "UTC", DayCutoff: 24 * time.Hour})},
		{"PutLocation", "negative cut-off", "cutoff", location(catalog.Location{Network: coreNet, ID: "l2", Zone: "UTC", DayCutoff: -time.Hour})},
		{"PutLocation", "negative tier", "tier", location(catalog.Location{Network: coreNet, ID: "l2", Zone: "UTC", Tier: -1})},
		{"PutTeam", "empty ID", "id", team(catalog.Team{Network: coreNet})},
		{"PutTeam", "empty network", "network", team(catalog.Team{ID: "t"})},
		{"PutHolder", "empty ID", "id", holder(catalog.Holder{Network: coreNet, Audience: catalog.Member})},
		{"PutHolder", "unknown audience", "audience", holder(catalog.Holder{Network: coreNet, ID: "h2", Audience: "vip"})},
		{"PutHolder", "blank team", "team", holder(catalog.Holder{Network: coreNet, ID: "h2", Audience: catalog.Member, Team: " "})},
		{"PutProduct", "empty network", "network", product(func(p *pass.Product) { p.Network = "" })},
		{"PutProduct", "empty ID", "id", product(func(p *pass.Product) { p.ID = "" })},
		{"PutProduct", "zero units", "units", product(func(p *pass.Product) { p.Units = 0 })},
		{"PutProduct", "negative units", "units", product(func(p *pass.Product) { p.Units = -5 })},
		{"PutProduct", "unknown kind", "kind", product(func(p *pass.Product) { p.Kind = "hours" })},
		{"PutProduct", "price in another currency", "price.currency", product(func(p *pass.Product) { p.Price = eur })},
		{"PutProduct", "no price", "price.currency", product(func(p *pass.Product) { p.Price = money.Money{} })},
		{"PutProduct", "negative price", "price.amount", product(func(p *pass.Product) { p.Price = usd("-1") })},
		{"PutProduct", "unit value in another currency", "unit_value.currency", product(func(p *pass.Product) { p.UnitValue = eur })},
		{"PutProduct", "negative validity", "validity.days", product(func(p *pass.Product) { p.Validity.Days = -1 })},
		{"PutProduct", "no activation", "activation", product(func(p *pass.Product) { p.Activation = "" })},
		{"PutProduct", "negative tier", "tier", product(func(p *pass.Product) { p.Tier = -1 })},
		{"PutProduct", "empty location", "locations", product(func(p *pass.Product) { p.Locations = []string{""} })},
		{"PutProduct", "unknown priority", "priority", product(func(p *pass.Product) { p.Priority = "urgent" })},
		{"PutPAYG", "empty network", "network", payg(func(p *billing.PAYG) { p.Network = "" })},
		{"PutPAYG", "empty ID", "id", payg(func(p *billing.PAYG) { p.ID = "" })},
		{"PutPAYG", "no prices", "prices", payg(func(p *billing.PAYG) { p.Prices = nil })},
		{"PutPAYG", "price in another currency", "prices.hourly.currency", payg(func(p *billing.PAYG) { p.Prices = []billing.Price{{Hourly: eur}} })},
		{"PutPAYG", "negative price", "prices.hourly.amount", payg(func(p *billing.PAYG) { p.Prices = []billing.Price{{Hourly: usd("-10")}} })},
		{"PutPAYG", "unknown audience", "prices.audience", payg(func(p *billing.PAYG) { p.Prices = []billing.Price{{Audience: "vip", Hourly: usd("1")}} })},
		{"PutPAYG", "cap in another currency", "daily_cap.currency", payg(func(p *billing.PAYG) { p.DailyCap = eur })},
		{"IssuePass", "empty key", "key", issue(func(r *passengine.IssueRequest) { r.Key = "" })},
		{"IssuePass", "empty network", "network", issue(func(r *passengine.IssueRequest) { r.Network = "" })},
		{"IssuePass", "empty product", "product", issue(func(r *passengine.IssueRequest) { r.Product = "" })},
		{"IssuePass", "holder and team", "holder", issue(func(r *passengine.IssueRequest) { r.Team = "t" })},
		{"IssuePass", "no owner", "holder", issue(func(r *passengine.IssueRequest) { r.Holder = "" })},
		{"IssuePass", "unknown source", "source", issue(func(r *passengine.IssueRequest) { r.Source = "gift" })},
		{"IssuePass", "price in another currency", "price.currency", issue(func(r *passengine.IssueRequest) { r.Price = eur })},
		{"IssuePass", "negative price", "price.amount", issue(func(r *passengine.IssueRequest) { r.Price = usd("-1") })},
		{"IssuePass", "negative remaining", "remaining", issue(func(r *passengine.IssueRequest) { r.Remaining = -1 })},
		{"IssuePass", "more remaining than units", "remaining", issue(func(r *passengine.IssueRequest) { r.Remaining = 6 })},
		{"IssuePass", "merchant-set without dates", "activated_on", issue(func(r *passengine.IssueRequest) { r.Product = "merchant" })},
		{"IssuePass", "inverted merchant dates", "expires_on", issue(func(r *passengine.IssueRequest) {
			r.Product, r.ActivatedOn, r.ExpiresOn = "merchant", d(2026, 11, 1), d(2026, 10, 1)
		})},
		{"IssuePass", "expiry before purchase", "expires_on", issue(func(r *passengine.IssueRequest) { r.ExpiresOn = d(2026, 9, 1) })},
		{"IssuePass", "Feb 30", "expires_on", issue(func(r *passengine.IssueRequest) {
			r.ExpiresOn = calendar.Date{Year: 2027, Month: time.February, Day: 30}
		})},
		{"BulkIssue", "empty key", "key", bulk(func(r *passengine.BulkIssueRequest) { r.Key = "" })},
		{"BulkIssue", "empty product", "product", bulk(func(r *passengine.BulkIssueRequest) { r.Product = "" })},
		{"BulkIssue", "no holders", "holders", bulk(func(r *passengine.BulkIssueRequest) { r.Holders = nil })},
		{"BulkIssue", "empty holder", "holders", bulk(func(r *passengine.BulkIssueRequest) { r.Holders = []string{"cy", ""} })},
		{"BulkIssue", "holder twice", "holders", bulk(func(r *passengine.BulkIssueRequest) { r.Holders = []string{"cy", "ada", "cy"} })},
		{"BulkIssue", "unknown source", "source", bulk(func(r *passengine.BulkIssueRequest) { r.Source = "gift" })},
		{"AdjustUnits", "empty key", "key", adjust(func(r *passengine.AdjustRequest) { r.Key = "" })},
		{"AdjustUnits", "empty pass", "pass", adjust(func(r *passengine.AdjustRequest) { r.Pass = "" })},
		{"AdjustUnits", "zero units", "units", adjust(func(r *passengine.AdjustRequest) { r.Units = 0 })},
		{"AdjustUnits", "amount in another currency", "amount.currency", adjust(func(r *passengine.AdjustRequest) { r.Amount = eur })},
		{"AdjustUnits", "negative amount", "amount.amount", adjust(func(r *passengine.AdjustRequest) { r.Amount = usd("-5") })},
		{"SetExpiry", "empty pass", "pass", expiry(func(r *passengine.ExpiryRequest) { r.Pass = "" })},
		{"SetExpiry", "no date", "expires_on", expiry(func(r *passengine.ExpiryRequest) { r.ExpiresOn = calendar.Date{} })},
		{"SetExpiry", "Feb 30", "expires_on", expiry(func(r *passengine.ExpiryRequest) {
			r.ExpiresOn = calendar.Date{Year: 2027, Month: time.February, Day: 30}
		})},
		{"SetExpiry", "before activation", "expires_on", expiry(func(r *passengine.ExpiryRequest) { r.ExpiresOn = d(2026, 9, 30) })},
		{"Freeze", "empty key", "key", freeze(func(r *passengine.FreezeRequest) { r.Key = "" })},
		{"Freeze", "inverted range", "to", freeze(func(r *passengine.FreezeRequest) { r.From, r.To = r.To, r.From })},
		{"Freeze", "empty range", "to", freeze(func(r *passengine.FreezeRequest) { r.To = r.From })},
		{"Freeze", "no start", "from", freeze(func(r *passengine.FreezeRequest) { r.From = calendar.Date{} })},
		{"Freeze", "overlapping", "from", func(w *coreWorld, ids map[string]string) error {
			_, err := w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "k", Network: coreNet, Pass: ids["classes"], From: d(2026, 10, 24), To: d(2026, 10, 28)})
			return err
		}},
		{"Unfreeze", "empty pass", "pass", unfreeze(func(r *passengine.UnfreezeRequest) { r.Pass = "" })},
		{"Unfreeze", "no date", "on", unfreeze(func(r *passengine.UnfreezeRequest) { r.On = calendar.Date{} })},
		{"Unfreeze", "no freeze", "on", unfreeze(func(r *passengine.UnfreezeRequest) { r.On = d(2026, 12, 1) })},
		{"MarkPaid", "empty pass", "pass", paid(func(r *passengine.PaidRequest) { r.Pass = "" })},
		{"MarkPaid", "nobody", "by", paid(func(r *passengine.PaidRequest) { r.By = "" })},
		{"MarkPaid", "blank by", "by", paid(func(r *passengine.PaidRequest) { r.By = "  " })},
		{"CheckIn", "empty key", "key", checkIn(func(r *passengine.CheckInRequest) { r.Key = "" })},
		{"CheckIn", "empty network", "network", checkIn(func(r *passengine.CheckInRequest) { r.Network = "" })},
		{"CheckIn", "empty holder", "holder", checkIn(func(r *passengine.CheckInRequest) { r.Holder = "" })},
		{"CheckIn", "empty location", "location", checkIn(func(r *passengine.CheckInRequest) { r.Location = "" })},
		{"CheckIn", "negative cost", "cost", checkIn(func(r *passengine.CheckInRequest) { r.Cost = -1 })},
		{"Explain", "empty network", "network", explain(func(r *passengine.CheckInRequest) { r.Network = "" })},
		{"Explain", "empty holder", "holder", explain(func(r *passengine.CheckInRequest) { r.Holder = "" })},
		{"Explain", "negative cost", "cost", explain(func(r *passengine.CheckInRequest) { r.Cost = -2 })},
		{"CheckOut", "empty key", "key", checkOut(func(r *passengine.CheckOutRequest) { r.Key = "" })},
		{"CheckOut", "empty visit", "visit", checkOut(func(r *passengine.CheckOutRequest) { r.Visit = "" })},
		{"CheckOut", "before the check-in", "at", checkOut(func(r *passengine.CheckOutRequest) {
			r.At = time.Date(2026, 10, 5, 12, 59, 0, 0, time.UTC) // 08:59 in New York; in at 09:00
		})},
		{"Book", "empty key", "key", book(func(r *passengine.BookRequest) { r.Key = "" })},
		{"Book", "empty holder", "holder", book(func(r *passengine.BookRequest) { r.Holder = "" })},
		{"Book", "empty location", "location", book(func(r *passengine.BookRequest) { r.Location = "" })},
		{"Book", "no start", "start", book(func(r *passengine.BookRequest) { r.Start = time.Time{} })},
		{"Book", "negative cost", "cost", book(func(r *passengine.BookRequest) { r.Cost = -1 })},
		{"CancelBooking", "empty key", "key", cancel(func(r *passengine.CancelRequest) { r.Key = "" })},
		{"CancelBooking", "empty visit", "visit", cancel(func(r *passengine.CancelRequest) { r.Visit = "" })},
		{"MarkAttendance", "empty network", "network", attend(func(r *passengine.AttendanceRequest) { r.Network = "" })},
		{"MarkAttendance", "empty visit", "visit", attend(func(r *passengine.AttendanceRequest) { r.Visit = "" })},
		{"MoveVisit", "empty visit", "visit", move(func(r *passengine.MoveRequest) { r.Visit = "" })},
		{"MoveVisit", "empty pass", "pass", move(func(r *passengine.MoveRequest) { r.Pass = "" })},
		{"CloseStale", "empty key", "key", closeStale(func(r *passengine.CloseStaleRequest) { r.Key = "" })},
		{"CloseStale", "negative limit", "limit", closeStale(func(r *passengine.CloseStaleRequest) { r.Limit = -1 })},
		{"Passes", "empty network", "network", passes(passengine.PassFilter{})},
		{"Passes", "negative offset", "offset", passes(passengine.PassFilter{Network: coreNet, Offset: -1})},
		{"Passes", "negative limit", "limit", passes(passengine.PassFilter{Network: coreNet, Limit: -1})},
		{"Ledger", "empty network", "network", ledger(passengine.LedgerFilter{Pass: "x"})},
		{"Ledger", "negative offset", "offset", ledger(passengine.LedgerFilter{Network: coreNet, Offset: -3})},
		{"Ledger", "negative limit", "limit", ledger(passengine.LedgerFilter{Network: coreNet, Limit: -3})},
		{"Visits", "empty network", "network", visits(passengine.VisitFilter{})},
		{"Visits", "inverted dates", "to", visits(passengine.VisitFilter{Network: coreNet, From: d(2026, 10, 5), To: d(2026, 10, 1)})},
		{"Visits", "negative limit", "limit", visits(passengine.VisitFilter{Network: coreNet, Limit: -1})},
	}
}

// Rule S2: every public call refuses bad input with a *FieldError naming
// the field, never panics, and (I3) writes nothing.
func TestRule_S2_BadInputNamesTheField(t *testing.T) {
	w, _, ids := busyWorld(t)
	w.product(pass.Product{ID: "merchant", Kind: pass.Day, Units: 5, Activation: pass.MerchantSet})
	calls := map[string]bool{}
	for _, c := range badInputs() {
		calls[c.call] = true
		t.Run(c.call+"/"+c.name, func(t *testing.T) {
			before := w.snapshot()
			err := c.do(w, ids)
			var fe *passengine.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, passengine.ErrInvalid) {
				t.Fatalf("got %v, want a *FieldError naming %q", err, c.field)
			}
			if fe.Name != c.field {
				t.Fatalf("field: got %q (%v), want %q", fe.Name, err, c.field)
			}
			w.unchanged(before)
		})
	}
	// Every public call is covered.
	for _, name := range []string{"PutNetwork", "PutLocation", "PutTeam", "PutHolder", "PutProduct", "PutPAYG",
		"IssuePass", "BulkIssue", "AdjustUnits", "SetExpiry", "Freeze", "Unfreeze", "MarkPaid", "CheckIn", "Explain",
		"CheckOut", "Book", "CancelBooking", "MarkAttendance", "MoveVisit", "CloseStale", "Passes", "Ledger", "Visits"} {
		if !calls[name] {
			t.Errorf("no bad-input case for %s", name)
		}
	}
}
