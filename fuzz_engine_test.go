package passengine_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
)

// The fuzz targets feed each public request type of the Engine, on
// memstore, with arbitrary strings, counts, instants and amounts: no input
// panics, and a refused call writes nothing (RULES S2, S4, I3). go test
// runs their seeds; go test -fuzz=FuzzCheckIn (say) explores.

// fuzzWorld is a network with a day pass, a visits pass and a time pass
// of ada, an open visit and a booking of hers, PAYG, and a passcode.
type fuzzWorld struct {
	*coreWorld
	pass, visit, booking, code string
}

func newFuzzWorld(t *testing.T) *fuzzWorld {
	w := newCoreWorld(t, "America/New_York", "USD", passengine.WithCodeKey(aggKey))
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5, Price: w.money("50")})
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10, Price: w.money("90")})
	w.payg(billing.PAYG{ID: "walk-in", Prices: []billing.Price{{Hourly: w.money("10")}}, DailyCap: w.money("100")})
	p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "fuzz-issue", Network: coreNet, Product: "pack", Holder: "ada", Passcode: true})
	w.must(err)
	code, err := w.eng.Passcode(w.ctx, coreNet, p.ID)
	w.must(err)
	in := w.checkIn("ada", "downtown", w.clock.Now())
	bk, err := w.book("ada", "uptown", w.clock.Now().Add(24*time.Hour))
	w.must(err)
	return &fuzzWorld{coreWorld: w, pass: p.ID, visit: in.Visit.ID, booking: bk.Visit.ID, code: code}
}

// state is what a refused call must leave as it was: the network's
// snapshot, its holders and products, and the guards of its locations.
func (w *fuzzWorld) state() any {
	s := w.snapshot()
	var extra []any
	w.must(w.st.View(w.ctx, func(tx store.Tx) error {
		for _, h := range []string{"ada", "ben"} {
			hd, err := tx.Catalog().Holder(w.ctx, coreNet, h)
			extra = append(extra, hd, err)
		}
		ps, err := tx.Catalog().Products(w.ctx, coreNet, store.Page{})
		extra = append(extra, ps, err)
		for _, l := range []string{"downtown", "uptown"} {
			g, err := tx.Guards().Get(w.ctx, coreNet, l)
			extra = append(extra, g, err)
		}
		n, err := tx.Catalog().Network(w.ctx, coreNet)
		return errors.Join(err, func() error { extra = append(extra, n); return nil }())
	}))
	return []any{s, extra}
}

// try runs call on a fresh world and fails t if it panics (the fuzz
// engine reports that) or if it is refused after writing something.
func try(t *testing.T, call func(w *fuzzWorld) error) {
	w := newFuzzWorld(t)
	tryOn(t, w, func() error { return call(w) })
}

// tryOn runs call on w and fails t if it is refused after writing
// something.
func tryOn(t *testing.T, w *fuzzWorld, call func() error) {
	before := w.state()
	err := call()
	var re *passengine.RedeemError
	if err == nil || errors.As(err, &re) { // a redemption's refusal is a committed result (P2)
		return
	}
	if after := w.state(); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused with %v, and wrote:\nbefore %+v\nafter  %+v", err, before, after)
	}
	if _, err := enginetest.Take(w.ctx, w.st, coreNet); err != nil {
		t.Fatal(err)
	}
}

// fuzzAt turns a fuzzed count of seconds into an instant around the
// clock, the zero time for 0.
func fuzzAt(w *fuzzWorld, sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return w.clock.Now().Add(time.Duration(sec) * time.Second)
}

func fuzzMoney(amount, currency string) money.Money {
	d, err := decimal.NewFromString(amount)
	if err != nil {
		return money.Money{Currency: currency}
	}
	return money.Money{Amount: d, Currency: currency}
}

func fuzzDate(y, m, d int) calendar.Date { return calendar.Date{Year: y, Month: time.Month(m), Day: d} }

// seeds adds inputs every target starts from: good ones, empty ones,
// hostile ones.
func seeds(f *testing.F, add func(s string, n int, sec int64)) {
	for _, s := range []string{"", "ada", "downtown", "a\x00b", "\xff\xfe", strings.Repeat("x", 300), "k/%2F", "localtime"} {
		for _, n := range []int{0, 1, -1, 1 << 31, -(1 << 62)} {
			add(s, n, int64(n))
		}
	}
	add("ada", 2, -3600)
	add("ada", 1, 1<<40)
}

func FuzzCheckIn(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, "downtown", n, sec) })
	f.Fuzz(func(t *testing.T, holder, loc string, cost int, sec int64) {
		try(t, func(w *fuzzWorld) error {
			req := passengine.CheckInRequest{Key: "k", Network: coreNet, Holder: holder, Location: loc, Cost: cost, At: fuzzAt(w, sec), Actor: holder}
			if _, err := w.eng.Explain(w.ctx, req); err != nil {
				_, err2 := w.eng.CheckIn(w.ctx, req)
				if err2 == nil {
					t.Fatalf("Explain refused with %v, CheckIn accepted", err)
				}
				return err2
			}
			_, err := w.eng.CheckIn(w.ctx, req)
			return err
		})
	})
}

func FuzzCheckOut(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, sec) })
	f.Fuzz(func(t *testing.T, visit string, sec int64) {
		try(t, func(w *fuzzWorld) error {
			if visit == "ada" {
				visit = w.visit
			}
			_, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "k", Network: coreNet, Visit: visit, At: fuzzAt(w, sec)})
			return err
		})
	})
}

func FuzzBook(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, "uptown", n, sec) })
	f.Fuzz(func(t *testing.T, holder, loc string, cost int, sec int64) {
		try(t, func(w *fuzzWorld) error {
			_, err := w.eng.Book(w.ctx, passengine.BookRequest{Key: "k", Network: coreNet, Holder: holder, Location: loc, Cost: cost, Start: fuzzAt(w, sec)})
			return err
		})
	})
}

func FuzzVisitCalls(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, s, n%4, n%2 == 0) })
	f.Fuzz(func(t *testing.T, visit, other string, which int, flag bool) {
		try(t, func(w *fuzzWorld) error {
			if visit == "ada" {
				visit = w.booking
			}
			var err error
			switch which % 4 {
			case 0:
				_, err = w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: "k", Network: coreNet, Visit: visit, ByBusiness: flag, Actor: other})
			case 1:
				_, err = w.eng.MarkAttendance(w.ctx, passengine.AttendanceRequest{Key: "k", Network: coreNet, Visit: visit, Attended: flag, Actor: other})
			case 2:
				_, err = w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: "k", Network: coreNet, Visit: visit, Pass: other})
			default:
				_, err = w.eng.CloseStale(w.ctx, passengine.CloseStaleRequest{Key: other, Network: coreNet, Limit: len(visit) - 2})
			}
			return err
		})
	})
}

func FuzzIssue(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add("pack", s, "", s, n, "90", int(sec%3000), n%13, n%29) })
	f.Fuzz(func(t *testing.T, product, holder, team, comment string, remaining int, price string, y, m, d int) {
		try(t, func(w *fuzzWorld) error {
			_, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "k", Network: coreNet, Product: product, Holder: holder, Team: team,
				Remaining: remaining, Price: fuzzMoney(price, "USD"), ExpiresOn: fuzzDate(y, m, d), Comment: comment, Actor: comment,
				Passcode: remaining%2 == 1})
			return err
		})
	})
}

func FuzzBulkIssue(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, "ada", s) })
	f.Fuzz(func(t *testing.T, key, h1, h2 string) {
		try(t, func(w *fuzzWorld) error {
			_, err := w.eng.BulkIssue(w.ctx, passengine.BulkIssueRequest{Key: key, Network: coreNet, Product: "pack", Holders: []string{h1, h2}})
			return err
		})
	})
}

func FuzzPassChanges(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, n, "10", int(sec%3000), 3, 4, n%6) })
	f.Fuzz(func(t *testing.T, text string, units int, amount string, y, m, d, which int) {
		try(t, func(w *fuzzWorld) error {
			p := w.pass
			if text == "other" {
				p = text
			}
			var err error
			switch (which%6 + 6) % 6 {
			case 0:
				_, err = w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "k", Network: coreNet, Pass: p, Units: units, Amount: fuzzMoney(amount, "USD"), Comment: text})
			case 1:
				_, err = w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: "k", Network: coreNet, Pass: p, ExpiresOn: fuzzDate(y, m, d), Comment: text})
			case 2:
				_, err = w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "k", Network: coreNet, Pass: p, From: calendar.NewDate(2026, 10, 2), To: fuzzDate(y, m, d), Actor: text})
			case 3:
				_, err = w.eng.Unfreeze(w.ctx, passengine.UnfreezeRequest{Key: "k", Network: coreNet, Pass: p, On: fuzzDate(y, m, d)})
			case 4:
				_, err = w.eng.MarkPaid(w.ctx, passengine.PaidRequest{Key: "k", Network: coreNet, Pass: p, By: text})
			default:
				_, err = w.eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: "k", Network: coreNet, Pass: p, Comment: text})
			}
			return err
		})
	})
}

func FuzzRedeem(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add("downtown", s, sec) })
	f.Add("downtown", "good", int64(0))
	f.Fuzz(func(t *testing.T, loc, code string, sec int64) {
		try(t, func(w *fuzzWorld) error {
			if code == "good" {
				code = w.code
			}
			_, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "k", Network: coreNet, Location: loc, Code: code, At: fuzzAt(w, sec), Actor: code})
			return err
		})
	})
}

func FuzzUnlockAndTerms(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, "7.50", n, sec) })
	f.Fuzz(func(t *testing.T, text, rate string, tier int, sec int64) {
		try(t, func(w *fuzzWorld) error {
			if _, err := w.eng.Unlock(w.ctx, passengine.UnlockRequest{Key: "k", Network: coreNet, Location: "downtown", Actor: text}); err != nil {
				return err
			}
			return w.eng.PutTerms(w.ctx, billing.Terms{Network: coreNet, Location: "downtown", ID: text, EffectiveFrom: fuzzAt(w, sec),
				Rates: []billing.Rate{{Tier: tier, Amount: fuzzMoney(rate, "USD")}}, MonthlyVisitCap: tier})
		})
	})
}

func FuzzCatalog(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, s, n, "10", sec, n%7) })
	f.Fuzz(func(t *testing.T, id, text string, n int, amount string, sec int64, which int) {
		try(t, func(w *fuzzWorld) error {
			declared := fuzzAt(w, sec)
			switch (which%7 + 7) % 7 {
			case 0:
				return w.eng.PutNetwork(w.ctx, catalog.Network{ID: id, Name: text, Currency: text, Zone: text})
			case 1:
				return w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Name: text, Currency: text, Zone: "UTC"})
			case 2:
				return w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: id, Name: text, Zone: text, DayCutoff: time.Duration(n), Tier: n})
			case 3:
				return w.eng.PutTeam(w.ctx, catalog.Team{Network: coreNet, ID: id, Name: text})
			case 4:
				return w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: id, Name: text, Audience: catalog.Audience(text), Team: text, HealthDeclaredAt: &declared})
			case 5:
				return w.eng.PutProduct(w.ctx, pass.Product{Network: coreNet, ID: id, Name: text, Kind: pass.Kind(text), Units: n, Tier: n,
					Price: fuzzMoney(amount, "USD"), Validity: calendar.Validity{Days: n}, Activation: pass.OnPurchase})
			default:
				return w.eng.PutPAYG(w.ctx, billing.PAYG{Network: coreNet, ID: id, Name: text, Prices: []billing.Price{{Hourly: fuzzMoney(amount, "USD")}},
					DailyCap: fuzzMoney(amount, text)})
			}
		})
	})
}

func FuzzReads(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, n, int(sec%3000), 2, 31) })
	f.Fuzz(func(t *testing.T, id string, n, y, m, d int) {
		try(t, func(w *fuzzWorld) error {
			_, e1 := w.eng.Passes(w.ctx, passengine.PassFilter{Network: coreNet, Holder: id, Offset: n, Limit: n})
			_, e2 := w.eng.Visits(w.ctx, passengine.VisitFilter{Network: coreNet, Location: id, From: fuzzDate(y, m, d), Limit: n})
			_, e3 := w.eng.Ledger(w.ctx, passengine.LedgerFilter{Network: coreNet, Pass: id, Offset: n})
			_, e4 := w.eng.Payout(w.ctx, passengine.PayoutRequest{Network: coreNet, Location: id, From: calendar.NewDate(2026, 10, 1), To: fuzzDate(y, m, d)})
			_, e5 := w.eng.Pass(w.ctx, coreNet, id)
			_, e6 := w.eng.CanLeaveFeedback(w.ctx, coreNet, id, id)
			return errors.Join(e1, e2, e3, e4, e5, e6)
		})
	})
}
