// Command coworking runs a day at a coworking space on passengine: day
// passes from a plan and a product (the consumption order picks one and
// says why), a day pass reused after lunch, a time pass drained over a
// week, and pay-as-you-go visitors charged in 15-minute increments up to the
// daily cap.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

// clock is the example's clock: it stays where the day's events put it.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

const net = "hub"

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return err
	}
	clk := &clock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, ny)}
	st := memstore.New()
	defer st.Close()
	eng := passengine.New(st, passengine.WithClock(clk))
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, ny) }
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }

	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	must(eng.PutNetwork(ctx, catalog.Network{ID: net, Name: "The Hub", Currency: "USD", Zone: "America/New_York"}))
	for _, id := range []string{"downtown", "uptown"} {
		must(eng.PutLocation(ctx, catalog.Location{Network: net, ID: id, Name: id, Zone: "America/New_York"}))
	}
	must(eng.PutHolder(ctx, catalog.Holder{Network: net, ID: "ada", Name: "Ada", Audience: catalog.Member}))
	must(eng.PutHolder(ctx, catalog.Holder{Network: net, ID: "ben", Name: "Ben", Audience: catalog.Contact}))
	must(eng.PutHolder(ctx, catalog.Holder{Network: net, ID: "cy", Name: "Cy", Audience: catalog.Member}))
	must(eng.PutHolder(ctx, catalog.Holder{Network: net, ID: "dee", Name: "Dee", Audience: catalog.Contact}))
	must(eng.PutProduct(ctx, pass.Product{Network: net, ID: "plan-days", Name: "Plan: 10 day passes", Kind: pass.Day,
		Units: 10, Price: usd("0"), UnitValue: usd("15"), Activation: pass.OnPurchase}))
	must(eng.PutProduct(ctx, pass.Product{Network: net, ID: "day-5", Name: "5 day passes", Kind: pass.Day,
		Units: 5, Price: usd("125"), Activation: pass.OnPurchase, Locations: []string{"downtown"}}))
	must(eng.PutProduct(ctx, pass.Product{Network: net, ID: "hours-8", Name: "8 hours", Kind: pass.Time,
		Units: 8 * 60, Price: usd("60"), Activation: pass.OnFirstUse}))
	must(eng.PutPAYG(ctx, billing.PAYG{Network: net, ID: "payg", Name: "Pay as you go",
		Prices:   []billing.Price{{Audience: catalog.Member, Hourly: usd("10")}, {Audience: catalog.Contact, Hourly: usd("15")}},
		DailyCap: usd("100")}))

	issue := func(holder, product string, src pass.Source) pass.Pass {
		p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue-" + holder + "-" + product, Network: net,
			Product: product, Holder: holder, Source: src, Paid: true})
		must(err)
		return p
	}
	issue("ada", "day-5", pass.FromProduct)
	issue("ada", "plan-days", pass.FromPlan)
	issue("ben", "hours-8", pass.FromProduct)

	n := 0
	in := func(holder, loc string, t time.Time) passengine.VisitResult {
		n++
		clk.t = t
		r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", n), Network: net, Holder: holder, Location: loc})
		must(err)
		fmt.Printf("%s  %-4s in  at %-8s %s\n", t.Format("Mon 15:04"), holder, loc, describe(r))
		return r
	}
	out := func(r passengine.VisitResult, t time.Time) passengine.VisitResult {
		n++
		clk.t = t
		o, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", n), Network: net, Visit: r.Visit.ID})
		must(err)
		fmt.Printf("%s  %-4s out after %d min: %s\n", t.Format("Mon 15:04"), o.Visit.Holder, o.Visit.Minutes(), charged(o))
		return o
	}

	fmt.Println("== Ada: two day passes; the cheaper plan pass goes first, and covers the whole day")
	v := in("ada", "downtown", at(2, 9, 0))
	out(v, at(2, 13, 0))
	v = in("ada", "downtown", at(2, 14, 0))
	out(v, at(2, 18, 0))

	fmt.Println("\n== Ben: an 8-hour time pass over three days")
	out(in("ben", "uptown", at(2, 10, 0)), at(2, 12, 0))
	out(in("ben", "uptown", at(4, 10, 0)), at(4, 11, 0))
	out(in("ben", "uptown", at(5, 9, 0)), at(5, 14, 0))

	fmt.Println("\n== Cy (member, $10/h) and Dee (contact, $15/h) pay as they go; cap $100 a day")
	out(in("cy", "uptown", at(2, 9, 0)), at(2, 13, 0))
	out(in("dee", "uptown", at(2, 9, 0)), at(2, 13, 0))
	out(in("dee", "downtown", at(2, 14, 0)), at(2, 20, 0))

	fmt.Println("\n== Ben again, with no time left and no PAYG for... (he gets PAYG at $15/h)")
	clk.t = at(6, 9, 0)
	e, err := eng.Explain(ctx, passengine.CheckInRequest{Network: net, Holder: "ben", Location: "uptown"})
	must(err)
	fmt.Printf("explain: %s\n", describe(e))

	fmt.Println("\n== Balances")
	for _, h := range []string{"ada", "ben"} {
		ps, err := eng.Passes(ctx, storeFilter(h))
		must(err)
		for _, p := range ps {
			fmt.Printf("%-4s %-10s %-6s balance %3d of %3d (%s)\n", h, p.Product, p.Kind, p.Balance, p.Units, p.Status)
		}
	}

	// A refusal carries every pass's reason.
	_, err = eng.Book(ctx, passengine.BookRequest{Key: "book-1", Network: net, Holder: "ada", Location: "uptown", Start: at(9, 18, 0)})
	var refusal *entitlement.RefusalError
	if errors.As(err, &refusal) {
		fmt.Println("\n== Ada tries to book a class with day passes")
		for _, c := range refusal.Candidates {
			fmt.Printf("refused: %s (%s): %s\n", c.PassID[:8], c.Kind, c.Reason)
		}
	}
	if os.Getenv("PASSENGINE_EXAMPLE_QUIET") == "" {
		fmt.Println("\ndone")
	}
	return nil
}

func describe(r passengine.VisitResult) string {
	v := r.Visit
	var b strings.Builder
	switch {
	case v.CoveredBy != "":
		fmt.Fprintf(&b, "day pass %s already covers %s", short(v.Pass), v.Date)
	case v.PAYG != "":
		fmt.Fprintf(&b, "no pass: pay as you go (%s)", v.PAYG)
	default:
		fmt.Fprintf(&b, "%s pass %s", v.Mode, short(v.Pass))
	}
	if r.Selection.DecidedBy != "" {
		fmt.Fprintf(&b, "; chosen over %s by %s", short(r.Selection.Candidates[1].PassID), r.Selection.DecidedBy)
	}
	for _, bal := range r.Balances {
		fmt.Fprintf(&b, "; %s left %d", short(bal.Pass), bal.Balance)
	}
	return b.String()
}

func charged(r passengine.VisitResult) string {
	var parts []string
	for _, c := range r.Visit.Consumptions {
		parts = append(parts, fmt.Sprintf("%d %s from %s", c.Units, unit(c.Kind), short(c.Pass)))
	}
	for _, c := range r.Visit.Charges {
		s := fmt.Sprintf("%d x 15 min on %s = %s", c.Increments, c.Date, c.Amount)
		if c.Capped {
			s += " (daily cap reached)"
		}
		parts = append(parts, s)
	}
	if r.Visit.UncoveredMinutes > 0 {
		parts = append(parts, fmt.Sprintf("%d minutes uncovered", r.Visit.UncoveredMinutes))
	}
	if len(parts) == 0 {
		return "nothing more to pay"
	}
	return strings.Join(parts, ", ")
}

func unit(k pass.Kind) string {
	switch k {
	case pass.Time:
		return "min"
	case pass.Day:
		return "day"
	}
	return "visit"
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func storeFilter(holder string) store.PassFilter {
	return store.PassFilter{Network: net, Holder: holder}
}
