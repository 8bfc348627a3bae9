package passengine_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

// This file holds the edges that cost money (issue "Edges that cost
// money"): each test reproduces one observation and names its rule.

// wantField fails t unless err is a *FieldError named name.
func wantField(t *testing.T, what string, err error, name string) {
	t.Helper()
	var fe *passengine.FieldError
	if !errors.As(err, &fe) || fe.Name != name {
		t.Fatalf("%s: got %v, want a *FieldError named %q", what, err, name)
	}
}

// Rule S3: a check-in dated 1990 or 9999 is refused before anything is
// read, so it neither charges decades of PAYG nor blocks the holder for
// ever.
func TestRule_S3_CheckInInstantsAreBounded(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.payg(billing.PAYG{ID: "walk-in", Prices: []billing.Price{{Hourly: w.money("10")}}, DailyCap: w.money("60")})
	before := w.snapshot()
	for _, at := range []time.Time{
		time.Date(1990, 1, 1, 9, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
		w.clock.Now().Add(passengine.DefaultClockSkew + time.Second),
		w.clock.Now().Add(-passengine.DefaultBackdating - time.Second),
	} {
		_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: coreNet, Holder: "ada", Location: "downtown", At: at})
		wantField(t, "check-in at "+at.String(), err, "at")
		_, err = w.eng.Explain(w.ctx, passengine.CheckInRequest{Network: coreNet, Holder: "ada", Location: "downtown", At: at})
		wantField(t, "explain at "+at.String(), err, "at")
	}
	w.unchanged(before)
	// Within the window, a door's offline event is taken.
	in, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: coreNet, Holder: "ada", Location: "downtown",
		At: w.clock.Now().Add(-48 * time.Hour)})
	w.must(err)
	if got := w.clock.Now().Add(-48 * time.Hour); !in.Visit.Start.Equal(got) {
		t.Errorf("offline check-in start: got %s, want %s", in.Visit.Start, got)
	}
}

// Rule I1, S3: a retry of a call accepted inside the backdating window
// returns its first result after the window has passed; the same instant
// under a new key is refused.
func TestRule_I1_RetryAfterTheWindowReturnsTheFirstResult(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10})
	w.issue("ada", "pack")
	w.clock.Advance(time.Hour)
	at := w.clock.Now().Add(-30 * time.Minute)
	req := passengine.CheckInRequest{Key: "door-1", Network: coreNet, Holder: "ada", Location: "downtown", At: at}
	first, err := w.eng.CheckIn(w.ctx, req)
	w.must(err)
	out := passengine.CheckOutRequest{Key: "door-2", Network: coreNet, Visit: first.Visit.ID, At: at.Add(10 * time.Minute)}
	firstOut, err := w.eng.CheckOut(w.ctx, out)
	w.must(err)
	w.clock.Advance(passengine.DefaultBackdating + time.Hour)
	again, err := w.eng.CheckIn(w.ctx, req)
	if err != nil || again.Visit.ID != first.Visit.ID {
		t.Errorf("retried check-in after the window: got %s, %v; want the first result %s", again.Visit.ID, err, first.Visit.ID)
	}
	againOut, err := w.eng.CheckOut(w.ctx, out)
	if err != nil || !againOut.Visit.End.Equal(*firstOut.Visit.End) {
		t.Errorf("retried check-out after the window: got %v, want the first result", err)
	}
	req.Key = "door-3"
	_, err = w.eng.CheckIn(w.ctx, req)
	wantField(t, "a new check-in at the old instant", err, "at")
}

// Rule C8, S3: a PAYG visit checked out years after its check-in counts
// only the maximum visit length: it closes at check-in + max, marked
// automatic, and is charged at most two capped days; WithMaxOpen sets the
// maximum, and CloseStale closes it at the same instant.
func TestRule_C8_CheckOutYearsLaterCountsTheMaximum(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.payg(billing.PAYG{ID: "walk-in", Prices: []billing.Price{{Hourly: w.money("10")}}, DailyCap: w.money("60")})
	in := w.checkIn("ada", "downtown", w.at(2026, 10, 1, 9, 0))
	out := w.checkOut(in.Visit.ID, w.at(2029, 10, 1, 9, 0))
	if out.Visit.End == nil || !out.Visit.End.Equal(w.at(2026, 10, 2, 9, 0)) || !out.Visit.AutoClosed {
		t.Fatalf("check-out 3 years later: got end %v automatic %v, want %s automatic", out.Visit.End, out.Visit.AutoClosed, w.at(2026, 10, 2, 9, 0))
	}
	if got := out.Charge.String(); got != "120.00 USD" {
		t.Errorf("charge: got %s, want 120.00 USD (two days at the 60.00 cap)", got)
	}

	w2 := newCoreWorld(t, "America/New_York", "USD", passengine.WithMaxOpen(6*time.Hour))
	w2.payg(billing.PAYG{ID: "walk-in", Prices: []billing.Price{{Hourly: w2.money("10")}}})
	in2 := w2.checkIn("ada", "downtown", w2.at(2026, 10, 1, 9, 0))
	w2.clock.Set(w2.at(2026, 10, 1, 20, 0))
	closed, err := w2.eng.CloseStale(w2.ctx, passengine.CloseStaleRequest{Key: "sweep", Network: coreNet})
	w2.must(err)
	if len(closed) != 1 || closed[0].Visit.ID != in2.Visit.ID || !closed[0].Visit.End.Equal(w2.at(2026, 10, 1, 15, 0)) {
		t.Fatalf("CloseStale with a 6-hour maximum: got %+v, want the visit closed at 15:00", closed)
	}
	if got := closed[0].Charge.String(); got != "60.00 USD" {
		t.Errorf("charge of the swept visit: got %s, want 60.00 USD", got)
	}
}

// Rule S3: a desk may not redeem at an instant outside the backdating
// window, nor at one before the pass was issued (it would be paid for a
// visit that could not have happened, under older terms).
func TestRule_S3_RedeemInstantsAreBounded(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ana", "visits-5")
	code := w.code(p.ID)
	for name, at := range map[string]time.Time{
		"1990":        time.Date(1990, 1, 1, 9, 0, 0, 0, time.UTC),
		"past window": w.clock.Now().Add(-passengine.DefaultBackdating - time.Minute),
	} {
		_, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("r"), Network: aggNet, Location: "basic", Code: code, At: at})
		wantField(t, name, err, "at")
	}
	r, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("r"), Network: aggNet, Location: "basic", Code: code,
		At: w.clock.Now().Add(-time.Hour)})
	if !errors.Is(err, passengine.ErrPassNotUsable) || r.Reason != "not_yet_issued" {
		t.Errorf("redeem an hour before the pass was issued: got %v (%s), want ErrPassNotUsable, not_yet_issued", err, r.Reason)
	}
	if g := w.guard("basic"); len(g.Failures) != 0 {
		t.Errorf("failures: got %d, want 0: a known code refused is not counted", len(g.Failures))
	}
}

// Rule E4, S4: AdjustUnits(+MaxInt) is a field error and changes nothing;
// a pass at the largest count takes nothing more; below zero is still
// ErrBalance.
func TestRule_S4_AdjustUnitsNeverOverflows(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10})
	p := w.issue("ada", "pack")
	adjust := func(units int) (pass.Pass, error) {
		return w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: w.key("adj"), Network: coreNet, Pass: p.ID, Units: units})
	}
	_, err := adjust(math.MaxInt)
	wantField(t, "adjust +MaxInt", err, "units")
	_, err = adjust(math.MinInt)
	wantField(t, "adjust MinInt", err, "units")
	got, err := adjust(field.MaxCount - 10)
	w.must(err)
	if got.Balance != field.MaxCount || got.Units != field.MaxCount {
		t.Fatalf("adjust to the largest count: got %d of %d", got.Balance, got.Units)
	}
	_, err = adjust(1)
	wantField(t, "adjust past the largest count", err, "units")
	_, err = adjust(-field.MaxCount - 1)
	wantField(t, "adjust below the smallest change", err, "units")
	_, err = adjust(-field.MaxCount)
	w.must(err)
	if _, err := adjust(-1); !errors.Is(err, passengine.ErrBalance) {
		t.Errorf("adjust below zero: got %v, want ErrBalance", err)
	}
}

// Rule E3, T6: a freeze of centuries moves the expiry by its civil days,
// not by a saturated duration; one that would take it past 2999 is
// refused.
func TestRule_E3_LongFreezeMovesExpiryByCivilDays(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "year", Kind: pass.Day, Units: 10, Validity: calendar.Validity{Months: 12}})
	p := w.issue("ada", "year") // 2026-10-01 to 2027-10-01
	got, err := w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: w.key("f"), Network: coreNet, Pass: p.ID,
		From: calendar.NewDate(2026, 11, 1), To: calendar.NewDate(2426, 11, 1)})
	w.must(err)
	if want := calendar.NewDate(2027, 10, 1).AddDays(calendar.NewDate(2426, 11, 1).DaysSince(calendar.NewDate(2026, 11, 1))); got.Expiry() != want {
		t.Errorf("expiry after a 400-year freeze: got %s, want %s", got.Expiry(), want)
	}
	_, err = w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: w.key("f"), Network: coreNet, Pass: p.ID,
		From: calendar.NewDate(2426, 12, 1), To: calendar.NewDate(2999, 12, 31)})
	wantField(t, "freeze past 2999", err, "to")
}

// Rule T6, C6: New York, cut-off 02:00, spring forward: $10 an hour with
// a $10 cap from 00:00 EST to 04:00 EDT is two business days, each capped
// once: 20.00, not 30.00.
func TestRule_T6_PAYGCutoffInTheGap(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: "late", Zone: "America/New_York", DayCutoff: 2 * time.Hour}))
	w.payg(billing.PAYG{ID: "walk-in", Prices: []billing.Price{{Hourly: w.money("10")}}, DailyCap: w.money("10")})
	w.clock.Set(time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC))
	out := w.visit("ada", "late", time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC))
	if got := out.Charge.String(); got != "20.00 USD" {
		t.Errorf("charge: got %s, want 20.00 USD", got)
	}
	if len(out.Visit.Charges) != 2 {
		t.Errorf("charges: got %d, want one per business day (2)", len(out.Visit.Charges))
	}
}

// Rule T6, C2: New York, cut-off 01:30, fall back: 05:45Z (01:45 EDT) and
// 06:10Z (01:10 EST, the repeated hour) are one business day, so the
// second check-in reuses the day unit.
func TestRule_T6_DayUnitCutoffInTheOverlap(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: "late", Zone: "America/New_York", DayCutoff: 90 * time.Minute}))
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.clock.Set(time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC))
	p := w.issue("ada", "days")
	w.visit("ada", "late", time.Date(2026, 11, 1, 5, 45, 0, 0, time.UTC), time.Date(2026, 11, 1, 5, 50, 0, 0, time.UTC))
	again := w.checkIn("ada", "late", time.Date(2026, 11, 1, 6, 10, 0, 0, time.UTC))
	if again.Visit.CoveredBy == "" || w.pass(p.ID).Balance != 4 {
		t.Errorf("second check-in 25 minutes later: covered by %q, balance %d; want covered, 4", again.Visit.CoveredBy, w.pass(p.ID).Balance)
	}
}

// Rule C6: a contact at $15 an hour with a $100 cap stays Mon 22:00 to Wed
// 04:00 (Wednesday's part is $60), then comes Wed 09:00-17:00: that visit
// is charged $40, so Wednesday totals $100, not $160.
func TestRule_C6_CapCountsAVisitBegunDaysBefore(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD", passengine.WithMaxOpen(48*time.Hour))
	w.payg(billing.PAYG{ID: "walk-in", Prices: []billing.Price{{Audience: catalog.Contact, Hourly: w.money("15")}}, DailyCap: w.money("100")})
	long := w.visit("ben", "downtown", w.at(2026, 10, 5, 22, 0), w.at(2026, 10, 7, 4, 0))
	wed := calendar.NewDate(2026, 10, 7)
	var wedPart money.Money
	for _, c := range long.Visit.Charges {
		if c.Date == wed {
			wedPart = c.Amount
		}
	}
	if wedPart.String() != "60.00 USD" {
		t.Fatalf("Wednesday's part of the long stay: got %s, want 60.00 USD", wedPart)
	}
	day := w.visit("ben", "downtown", w.at(2026, 10, 7, 9, 0), w.at(2026, 10, 7, 17, 0))
	if got := day.Charge.String(); got != "40.00 USD" {
		t.Errorf("Wednesday 09:00-17:00: got %s, want 40.00 USD (100 less the 60 already charged)", got)
	}
}

// Rule S5: a network's currency is fixed once it has something priced in
// it; a product priced in another currency is never issued; amounts finer
// than the currency's minor unit are refused.
func TestRule_S5_CurrencyIsFixed(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Name: "renamed", Currency: "USD", Zone: "America/New_York"}))
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Currency: "EUR", Zone: "America/New_York"}))
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Currency: "USD", Zone: "America/New_York"}))
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10, Price: w.money("90")})
	err := w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Currency: "EUR", Zone: "America/New_York"})
	wantField(t, "currency change with a product", err, "currency")
	if n, _ := w.eng.Network(w.ctx, coreNet); n.Currency != "USD" {
		t.Errorf("currency after a refused change: got %s, want USD", n.Currency)
	}

	// A product stored in another currency (by an earlier release) is not
	// issued.
	w.must(w.st.Update(w.ctx, func(tx store.Tx) error {
		return tx.Catalog().PutProduct(w.ctx, pass.Product{Network: coreNet, ID: "old", Kind: pass.Day, Units: 1,
			Price: money.MustNew("10", "EUR"), Activation: pass.OnPurchase})
	}))
	_, err = w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("issue"), Network: coreNet, Product: "old", Holder: "ada"})
	wantField(t, "issue of a EUR product in a USD network", err, "product")

	err = w.eng.PutPAYG(w.ctx, billing.PAYG{Network: coreNet, ID: "g", Prices: []billing.Price{{Hourly: w.money("10")}}, DailyCap: w.money("33.333")})
	wantField(t, "a cap of 33.333 USD", err, "daily_cap.amount")
	j := newCoreWorld(t, "Asia/Tokyo", "JPY")
	err = j.eng.PutProduct(j.ctx, pass.Product{Network: coreNet, ID: "p", Kind: pass.Day, Units: 1, Price: j.money("2500.5"), Activation: pass.OnPurchase})
	wantField(t, "a price of 2500.5 JPY", err, "price.amount")
}

// Rule I4: holders "a\xff" and "a\xfe" are not valid IDs, so they can
// never share a fingerprint; the same instant in UTC and in New York time,
// and a cost of 0 and of 1, are the same request.
func TestRule_I4_FingerprintIsOfTheNormalizedRequest(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10})
	w.issue("ada", "pack")
	for _, h := range []string{"a\xff", "a\xfe"} {
		_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "k", Network: coreNet, Holder: h, Location: "downtown"})
		wantField(t, "holder "+h, err, "holder")
	}
	w.clock.Advance(2 * time.Hour)
	at := w.clock.Now().Add(-time.Hour).Truncate(time.Second)
	first, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "in", Network: coreNet, Holder: "ada", Location: "downtown", At: at.UTC()})
	w.must(err)
	again, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "in", Network: coreNet, Holder: "ada", Location: "downtown", At: at.In(w.zone), Cost: 1, Actor: "other desk"})
	if err != nil || again.Visit.ID != first.Visit.ID {
		t.Errorf("the same instant in New York time, cost 1 for 0, another desk: got %v, %v; want the first result", again.Visit.ID, err)
	}
	_, err = w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "in", Network: coreNet, Holder: "ada", Location: "downtown", At: at.UTC(), Cost: 2})
	if !errors.Is(err, passengine.ErrKeyReused) {
		t.Errorf("cost 2 with the key: got %v, want ErrKeyReused", err)
	}
}

// Rule I4, E6: bulk keys are derived unambiguously (key "b" with holder
// "x/y" and key "b/x" with holder "y" are two issues) and checked before
// anything is issued (a long key that would overflow for some holder is
// refused for all).
func TestRule_I4_BulkKeysAreUnambiguous(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10})
	for _, h := range []string{"x/y", "y"} {
		w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: h, Audience: catalog.Member}))
	}
	a, err := w.eng.BulkIssue(w.ctx, passengine.BulkIssueRequest{Key: "b", Network: coreNet, Product: "pack", Holders: []string{"x/y"}})
	w.must(err)
	b, err := w.eng.BulkIssue(w.ctx, passengine.BulkIssueRequest{Key: "b/x", Network: coreNet, Product: "pack", Holders: []string{"y"}})
	w.must(err)
	if a[0].Err != nil || b[0].Err != nil || a[0].Pass.ID == b[0].Pass.ID || b[0].Pass.Holder != "y" {
		t.Fatalf("two bulk issues: got %+v and %+v, want two passes", a[0], b[0])
	}
	before := w.snapshot()
	_, err = w.eng.BulkIssue(w.ctx, passengine.BulkIssueRequest{Key: strings.Repeat("k", 150), Network: coreNet, Product: "pack",
		Holders: []string{"ada", strings.Repeat("h", 60)}})
	wantField(t, "a 150-byte key with a 60-byte holder", err, "key")
	w.unchanged(before)
}

// Rule S2, S4: getters refuse an empty or malformed ID with a field error
// (not ErrNotFound), errors quote no more than a short prefix of an input,
// "localtime" is no zone, a zero health declaration is none, and a visit
// filter refuses 2026-02-31.
func TestRule_S2_SmallerEdges(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	ctx := w.ctx
	_, err := w.eng.Network(ctx, "")
	wantField(t, "Network of \"\"", err, "id")
	_, err = w.eng.Location(ctx, coreNet, "")
	wantField(t, "Location of \"\"", err, "id")
	_, err = w.eng.Holder(ctx, coreNet, "")
	wantField(t, "Holder of \"\"", err, "id")
	_, err = w.eng.Product(ctx, coreNet, "")
	wantField(t, "Product of \"\"", err, "id")
	_, err = w.eng.Pass(ctx, coreNet, "")
	wantField(t, "Pass of \"\"", err, "pass")
	_, err = w.eng.Visit(ctx, coreNet, "")
	wantField(t, "Visit of \"\"", err, "visit")

	huge := strings.Repeat("\xff", 1<<20)
	for _, err := range []error{
		w.eng.PutHolder(ctx, catalog.Holder{Network: coreNet, ID: huge, Audience: catalog.Member}),
		w.eng.PutHolder(ctx, catalog.Holder{Network: coreNet, ID: "zed", Name: huge, Audience: catalog.Member}),
		w.eng.PutLocation(ctx, catalog.Location{Network: coreNet, ID: "x", Zone: huge}),
	} {
		if err == nil || len(err.Error()) > 200 {
			t.Errorf("a 1 MB input: got an error of %d bytes, want one under 200", len(err.Error()))
		}
	}
	err = w.eng.PutLocation(ctx, catalog.Location{Network: coreNet, ID: "x", Zone: "localtime"})
	wantField(t, "zone localtime", err, "zone")

	zero := time.Time{}
	w.must(w.eng.PutHolder(ctx, catalog.Holder{Network: coreNet, ID: "zed", Audience: catalog.Member, HealthDeclaredAt: &zero}))
	if h, _ := w.eng.Holder(ctx, coreNet, "zed"); h.HealthDeclaredAt != nil {
		t.Errorf("a zero declaration: got %v stored, want none", h.HealthDeclaredAt)
	}
	future := w.clock.Now().Add(time.Hour)
	err = w.eng.PutHolder(ctx, catalog.Holder{Network: coreNet, ID: "zed", Audience: catalog.Member, HealthDeclaredAt: &future})
	wantField(t, "a declaration an hour ahead", err, "health_declared_at")

	_, err = w.eng.Visits(ctx, passengine.VisitFilter{Network: coreNet, From: calendar.Date{Year: 2026, Month: 2, Day: 31}})
	wantField(t, "visits from 2026-02-31", err, "from")
}

// Rule S6: an Engine restarted with another passcode key refuses every
// passcode call of the network at once with ErrCodeKeyMismatch and counts
// nothing toward the lockout; the right key works again.
func TestRule_S6_WrongCodeKeyRefusedAtOnce(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ana", "visits-5")
	code := w.code(p.ID)
	other := passengine.New(w.st, passengine.WithClock(w.clock), passengine.WithCodeKey([]byte(strings.Repeat("x", 32))))
	for i := range 8 {
		_, err := other.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("r"), Network: aggNet, Location: "basic", Code: code})
		if !errors.Is(err, passengine.ErrCodeKeyMismatch) {
			t.Fatalf("redeem %d with another key: got %v, want ErrCodeKeyMismatch", i, err)
		}
	}
	if g := w.guard("basic"); len(g.Failures) != 0 || g.Locked(w.clock.Now()) {
		t.Errorf("after 8 redemptions with another key: %d failures, locked %v; want none", len(g.Failures), g.Locked(w.clock.Now()))
	}
	if _, err := other.Passcode(w.ctx, aggNet, p.ID); !errors.Is(err, passengine.ErrCodeKeyMismatch) {
		t.Errorf("Passcode with another key: got %v, want ErrCodeKeyMismatch", err)
	}
	_, err := other.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("i"), Network: aggNet, Product: "visits-5", Holder: "ben", Passcode: true})
	if !errors.Is(err, passengine.ErrCodeKeyMismatch) {
		t.Errorf("issue with a code under another key: got %v, want ErrCodeKeyMismatch", err)
	}
	_, err = other.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: w.key("rot"), Network: aggNet, Pass: p.ID})
	if !errors.Is(err, passengine.ErrCodeKeyMismatch) {
		t.Errorf("rotate under another key: got %v, want ErrCodeKeyMismatch", err)
	}
	if _, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("r"), Network: aggNet, Location: "basic", Code: code}); err != nil {
		t.Errorf("redeem with the network's key: %v", err)
	}
}

// Rule S6: on a store without a recorded key check (written by an earlier
// release), the first redemption that finds its code records the key.
func TestRule_S6_KeyCheckRecordedOnFirstProof(t *testing.T) {
	st := memstore.New()
	w := newAggWorldOn(t, st)
	p := w.issue("ana", "visits-5")
	code := w.code(p.ID)
	// Forget the check, as a database of an earlier release would have none.
	fresh := memstore.New()
	copyNetwork(t, st, fresh, aggNet)
	eng := passengine.New(fresh, passengine.WithClock(w.clock), passengine.WithCodeKey(aggKey))
	if _, err := eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "r1", Network: aggNet, Location: "basic", Code: code}); err != nil {
		t.Fatal(err)
	}
	var check string
	w.must(fresh.View(w.ctx, func(tx store.Tx) (err error) { check, err = tx.Catalog().CodeKeyCheck(w.ctx, aggNet); return err }))
	if check == "" {
		t.Fatal("no key check recorded after a redemption that found its code")
	}
	other := passengine.New(fresh, passengine.WithClock(w.clock), passengine.WithCodeKey([]byte(strings.Repeat("x", 32))))
	if _, err := other.Redeem(w.ctx, passengine.RedeemRequest{Key: "r2", Network: aggNet, Location: "basic", Code: code}); !errors.Is(err, passengine.ErrCodeKeyMismatch) {
		t.Errorf("another key after the check was recorded: got %v, want ErrCodeKeyMismatch", err)
	}
}

// copyNetwork copies what a redemption reads of network (the network, its
// locations, holders and passes) from one store to another through the
// repositories: to another store with no passcode key check recorded, as
// a database written by an earlier release has none.
func copyNetwork(t *testing.T, from, to store.Store, network string) {
	t.Helper()
	ctx := t.Context()
	var n catalog.Network
	var locs []catalog.Location
	var holders []catalog.Holder
	var passes []pass.Pass
	err := from.View(ctx, func(tx store.Tx) (err error) {
		if n, err = tx.Catalog().Network(ctx, network); err != nil {
			return err
		}
		if locs, err = tx.Catalog().Locations(ctx, network); err != nil {
			return err
		}
		if passes, err = tx.Passes().List(ctx, store.PassFilter{Network: network}); err != nil {
			return err
		}
		for _, p := range passes {
			h, err := tx.Catalog().Holder(ctx, network, p.Holder)
			if err != nil {
				return err
			}
			holders = append(holders, h)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = to.Update(ctx, func(tx store.Tx) error {
		errs := []error{tx.Catalog().PutNetwork(ctx, n)}
		for _, l := range locs {
			errs = append(errs, tx.Catalog().PutLocation(ctx, l))
		}
		for _, h := range holders {
			errs = append(errs, tx.Catalog().PutHolder(ctx, h))
		}
		for _, p := range passes {
			errs = append(errs, tx.Passes().Put(ctx, p))
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
}
