package enginetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
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

// Hostile is one input no front desk should be able to send, and the
// field its refusal must name.
type Hostile struct {
	// Name says what the input is ("check-in in 1990").
	Name string
	// Field is the name the *FieldError must carry.
	Field string
	// Call sends the input to h's Engine and returns its error.
	Call func(ctx context.Context, h *HostileWorld) error
}

// HostileWorld is the network the hostile inputs are sent to: one
// location, one holder with a visits pass, an installed multipass card
// with 3 visits and a deleted one (Card, Deleted), on a fixed clock.
type HostileWorld struct {
	// Eng is the Engine the inputs are sent to.
	Eng *passengine.Engine
	// Clock is Eng's clock, at 2026-03-02 09:00 UTC.
	Clock *passengine.ManualClock
	// Pass is the ID of the holder's visits pass.
	Pass string
	// Card is the ID of the installed multipass card with 3 visits.
	Card string
	// Deleted is the ID of a deleted card.
	Deleted string
}

const hostileNet = "hostile"

// newHostileWorld builds the hostile world on st.
func newHostileWorld(t *testing.T, st store.Store) *HostileWorld {
	t.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(st, passengine.WithClock(clock), passengine.WithIDs(seqIDs("h%04d")))
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: hostileNet, Currency: "USD", Zone: "America/New_York"}),
		eng.PutLocation(ctx, catalog.Location{Network: hostileNet, ID: "club", Zone: "America/New_York"}),
		eng.PutHolder(ctx, catalog.Holder{Network: hostileNet, ID: "ada", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: hostileNet, ID: "pack", Kind: pass.Visits, Units: 10, Price: usd("90"), Activation: pass.OnPurchase}),
	)
	if err != nil {
		t.Fatalf("hostile world: %v", err)
	}
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue", Network: hostileNet, Product: "pack", Holder: "ada"})
	if err != nil {
		t.Fatalf("hostile world: %v", err)
	}
	h := &HostileWorld{Eng: eng, Clock: clock, Pass: p.ID}
	if err := h.addCards(ctx); err != nil { // cards_hostile.go
		t.Fatalf("hostile world: %v", err)
	}
	return h
}

// HostileInputs returns the hostile-input table: values past what some
// store keeps (years beyond 9999, integers beyond 2^31, validity of
// millions of days), NUL bytes and invalid UTF-8 in IDs and text, amounts
// finer than a currency's minor unit, instants far from the clock (RULES
// S2-S5).
func HostileInputs() []Hostile {
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	year20260 := time.Date(20260, 1, 1, 0, 0, 0, 0, time.UTC)
	year10000 := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	big := 1 << 31
	megabyte := strings.Repeat("x", 1<<20)
	product := func(edit func(*pass.Product)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			p := pass.Product{Network: hostileNet, ID: "new", Kind: pass.Visits, Units: 5, Price: usd("10"), Activation: pass.OnFirstUse}
			edit(&p)
			return h.Eng.PutProduct(ctx, p)
		}
	}
	holder := func(edit func(*catalog.Holder)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			hd := catalog.Holder{Network: hostileNet, ID: "new", Audience: catalog.Member}
			edit(&hd)
			return h.Eng.PutHolder(ctx, hd)
		}
	}
	issue := func(edit func(*passengine.IssueRequest)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			r := passengine.IssueRequest{Key: "hostile-issue", Network: hostileNet, Product: "pack", Holder: "ada"}
			edit(&r)
			_, err := h.Eng.IssuePass(ctx, r)
			return err
		}
	}
	checkIn := func(edit func(*passengine.CheckInRequest)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			r := passengine.CheckInRequest{Key: "hostile-in", Network: hostileNet, Holder: "ada", Location: "club"}
			edit(&r)
			_, err := h.Eng.CheckIn(ctx, r)
			return err
		}
	}
	terms := func(edit func(*billing.Terms)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			tm := billing.Terms{Network: hostileNet, Location: "club", ID: "t1", EffectiveFrom: h.Clock.Now().Add(time.Hour),
				Rates: []billing.Rate{{Tier: 0, Amount: usd("5")}}}
			edit(&tm)
			return h.Eng.PutTerms(ctx, tm)
		}
	}
	return append([]Hostile{
		{"network ID with NUL", "id", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.PutNetwork(ctx, catalog.Network{ID: "a\x00b", Currency: "USD", Zone: "UTC"})
		}},
		{"network name not UTF-8", "name", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.PutNetwork(ctx, catalog.Network{ID: "other", Name: "\xff\xfe", Currency: "USD", Zone: "UTC"})
		}},
		{"zone localtime", "zone", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.PutLocation(ctx, catalog.Location{Network: hostileNet, ID: "x", Zone: "localtime"})
		}},
		{"location tier 2^31", "tier", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.PutLocation(ctx, catalog.Location{Network: hostileNet, ID: "x", Zone: "UTC", Tier: big})
		}},
		{"holder ID not UTF-8", "id", holder(func(hd *catalog.Holder) { hd.ID = "a\xff" })},
		{"holder name of a megabyte", "name", holder(func(hd *catalog.Holder) { hd.Name = megabyte })},
		{"holder name with NUL", "name", holder(func(hd *catalog.Holder) { hd.Name = "Ada\x00" })},
		{"health declared in year 10000", "health_declared_at", holder(func(hd *catalog.Holder) { hd.HealthDeclaredAt = &year10000 })},
		{"team ID with NUL", "team", holder(func(hd *catalog.Holder) { hd.Team = "t\x00" })},
		{"product units 2^31", "units", product(func(p *pass.Product) { p.Units = big })},
		{"product tier 2^40", "tier", product(func(p *pass.Product) { p.Tier = 1 << 40 })},
		{"validity of 3,000,000 days", "validity.days", product(func(p *pass.Product) { p.Validity.Days = 3_000_000 })},
		{"validity of MaxInt months", "validity.months", product(func(p *pass.Product) { p.Validity.Months = math.MaxInt })},
		{"price of 10^30", "price.amount", product(func(p *pass.Product) { p.Price = usd("1e30") })},
		{"price of 33.333 USD", "price.amount", product(func(p *pass.Product) { p.Price = usd("33.333") })},
		{"product name not UTF-8", "name", product(func(p *pass.Product) { p.Name = "\xc3" })},
		{"PAYG cap of 0.001 USD", "daily_cap.amount", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.PutPAYG(ctx, billing.PAYG{Network: hostileNet, ID: "g", Prices: []billing.Price{{Hourly: usd("10")}}, DailyCap: usd("0.001")})
		}},
		{"terms effective in year 20260", "effective_from", terms(func(tm *billing.Terms) { tm.EffectiveFrom = year20260 })},
		{"terms rate tier 2^31", "rates.tier", terms(func(tm *billing.Terms) { tm.Rates[0].Tier = big })},
		{"terms monthly cap 2^31", "monthly_visit_cap", terms(func(tm *billing.Terms) { tm.MonthlyVisitCap = big })},
		{"issue remaining 2^31", "remaining", issue(func(r *passengine.IssueRequest) { r.Remaining = big })},
		{"issue comment with NUL", "comment", issue(func(r *passengine.IssueRequest) { r.Comment = "gift\x00" })},
		{"issue holder not UTF-8", "holder", issue(func(r *passengine.IssueRequest) { r.Holder = "\xff" })},
		{"issue expiring 20260-01-01", "expires_on", issue(func(r *passengine.IssueRequest) {
			r.ExpiresOn = calendar.Date{Year: 20260, Month: 1, Day: 1}
		})},
		{"issue key of 201 bytes", "key", issue(func(r *passengine.IssueRequest) { r.Key = strings.Repeat("k", field.MaxID+1) })},
		{"bulk holder with NUL", "holders", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.BulkIssue(ctx, passengine.BulkIssueRequest{Key: "bulk", Network: hostileNet, Product: "pack", Holders: []string{"ada", "b\x00"}})
			return err
		}},
		{"check-in cost 2^31", "cost", checkIn(func(r *passengine.CheckInRequest) { r.Cost = big })},
		{"check-in at 9999-12-31", "at", checkIn(func(r *passengine.CheckInRequest) { r.At = far })},
		{"check-in in 1990", "at", checkIn(func(r *passengine.CheckInRequest) { r.At = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC) })},
		{"check-in holder with NUL", "holder", checkIn(func(r *passengine.CheckInRequest) { r.Holder = "ada\x00" })},
		{"check-in actor not UTF-8", "actor", checkIn(func(r *passengine.CheckInRequest) { r.Actor = "\xfe" })},
		{"book a class in 9999", "start", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Book(ctx, passengine.BookRequest{Key: "b", Network: hostileNet, Holder: "ada", Location: "club", Start: far})
			return err
		}},
		{"adjust by MaxInt", "units", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.AdjustUnits(ctx, passengine.AdjustRequest{Key: "adj", Network: hostileNet, Pass: h.Pass, Units: math.MaxInt})
			return err
		}},
		{"adjust comment not UTF-8", "comment", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.AdjustUnits(ctx, passengine.AdjustRequest{Key: "adj", Network: hostileNet, Pass: h.Pass, Units: 1, Comment: "\xff"})
			return err
		}},
		{"expiry 9999-12-31", "expires_on", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.SetExpiry(ctx, passengine.ExpiryRequest{Key: "exp", Network: hostileNet, Pass: h.Pass, ExpiresOn: calendar.NewDate(9999, 12, 31)})
			return err
		}},
		{"freeze to 20260", "to", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Freeze(ctx, passengine.FreezeRequest{Key: "fr", Network: hostileNet, Pass: h.Pass,
				From: calendar.NewDate(2026, 3, 3), To: calendar.Date{Year: 20260, Month: 1, Day: 1}})
			return err
		}},
		{"mark paid by a megabyte", "by", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.MarkPaid(ctx, passengine.PaidRequest{Key: "paid", Network: hostileNet, Pass: h.Pass, By: megabyte})
			return err
		}},
		{"passes limit 2^31", "limit", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Passes(ctx, passengine.PassFilter{Network: hostileNet, Limit: big})
			return err
		}},
		{"visits from 2026-02-31", "from", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Visits(ctx, passengine.VisitFilter{Network: hostileNet, From: calendar.Date{Year: 2026, Month: 2, Day: 31}})
			return err
		}},
		{"payout to 20260", "to", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Payout(ctx, passengine.PayoutRequest{Network: hostileNet, From: calendar.NewDate(2026, 3, 1),
				To: calendar.Date{Year: 20260, Month: 1, Day: 1}})
			return err
		}},
		{"holder of an empty ID", "id", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Holder(ctx, hostileNet, "")
			return err
		}},
	}, append(append(walletHostileInputs(), listHostileInputs()...), cardHostileInputs()...)...) // wallet_hostile.go, lists_hostile.go, cards_hostile.go
}

// RunHostile sends every hostile input to an Engine on a store open makes,
// and to one on a memstore, and checks that each is refused with a
// *FieldError naming the table's field, the same error on both stores,
// and that nothing was written (RULES S2, S4, I3).
func RunHostile(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	st := open(t)
	ref := newHostileWorld(t, memstore.New())
	h := newHostileWorld(t, st)
	before := takeAll(t, st)
	for _, c := range HostileInputs() {
		t.Run(c.Name, func(t *testing.T) {
			want := c.Call(ctx, ref)
			got := c.Call(ctx, h)
			var fe *field.Error
			if !errors.As(got, &fe) || fe.Name != c.Field {
				t.Fatalf("got %v, want a *FieldError named %q", got, c.Field)
			}
			if want == nil || got.Error() != want.Error() {
				t.Errorf("got %q, memstore says %v: the same input must get the same error on every store", got, want)
			}
			if len(got.Error()) > 300 {
				t.Errorf("the error is %d bytes long: it echoes more than a short prefix of the input", len(got.Error()))
			}
		})
	}
	if after := takeAll(t, st); !reflect.DeepEqual(before, after) {
		t.Errorf("the hostile inputs wrote something:\nbefore %+v\nafter  %+v", before, after)
	}
}

// everything is what RunHostile compares before and after: the network's
// snapshot, its holders and products, and the records of the keys the
// table uses.
type everything struct {
	Snapshot
	Networks []catalog.Network
	Holders  []catalog.Holder
	Products []pass.Product
	Terms    []billing.Terms
	Records  []store.Record
}

func takeAll(t *testing.T, st store.Store) everything {
	t.Helper()
	ctx := context.Background()
	s, err := Take(ctx, st, hostileNet)
	if err != nil {
		t.Fatal(err)
	}
	e := everything{Snapshot: s}
	err = st.View(ctx, func(tx store.Tx) error {
		for _, id := range []string{hostileNet, "other"} {
			if n, err := tx.Catalog().Network(ctx, id); err == nil {
				e.Networks = append(e.Networks, n)
			}
		}
		for _, id := range []string{"ada", "new"} {
			if h, err := tx.Catalog().Holder(ctx, hostileNet, id); err == nil {
				e.Holders = append(e.Holders, h)
			}
		}
		var err error
		if e.Products, err = tx.Catalog().Products(ctx, hostileNet, store.Page{}); err != nil {
			return err
		}
		if e.Terms, err = tx.Terms().List(ctx, hostileNet, "club"); err != nil {
			return err
		}
		for _, k := range append([]string{"issue", "hostile-issue", "hostile-in", "b", "adj", "exp", "fr", "paid", "bulk", "wallet-hostile"}, cardHostileKeys...) {
			if r, err := tx.Idempotency().Get(ctx, hostileNet, k); err == nil {
				e.Records = append(e.Records, r)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// seqIDs returns a generator of IDs format applied to 1, 2, ...; safe for
// concurrent use.
func seqIDs(format string) func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf(format, n)
	}
}
