// Command coworking runs a day at a coworking space on passengine: day
// passes from a plan and a product (the consumption order picks one and
// says why), a day pass reused after lunch, a time pass drained over a
// week, and pay-as-you-go visitors charged in 15-minute increments up to the
// daily cap.
//
// It keeps its data in a SQLite file (passengine-coworking.db in the
// working directory, or -db PATH). Run it twice: the second run finds the
// first run's passes and visits in the file, every call of the week is
// answered from its stored idempotency record instead of being done again,
// and only the guest's visit of the day is new.
//
//	go run ./examples/coworking            # first run: writes the week
//	go run ./examples/coworking            # again: the same answers, from the file
//	go run ./examples/coworking -reset     # start from an empty file
//	go run ./examples/coworking -memory    # keep nothing (in-memory store)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/internal/exampledb"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// clock is the example's clock: it stays where the day's events put it.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

const net = "hub"

func main() {
	dbPath := flag.String("db", "passengine-coworking.db", "SQLite file that keeps the data between runs")
	reset := flag.Bool("reset", false, "delete the SQLite file first and start empty")
	memory := flag.Bool("memory", false, "use the in-memory store: keep nothing")
	flag.Parse()
	if err := run(context.Background(), *dbPath, *reset, *memory); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dbPath string, reset, memory bool) error {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return err
	}
	clk := &clock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, ny)}
	st, err := exampledb.Open(ctx, dbPath, reset, memory)
	if err != nil {
		return err
	}
	defer st.Close()
	c0, err := exampledb.Count(ctx, st, net)
	passes0, visits0, entries0 := c0.Passes, c0.Visits, c0.Entries
	if err != nil {
		return err
	}
	if visits0 == 0 {
		fmt.Println("nothing stored yet: this is the first run")
	} else {
		fmt.Printf("already stored from earlier runs: %s, %s, %s\n", exampledb.Plural(passes0, "pass", "passes"), exampledb.Plural(visits0, "visit", "visits"), exampledb.Plural(entries0, "ledger entry", "ledger entries"))
	}
	eng := passengine.New(st, passengine.WithClock(clk))
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, ny) }
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }

	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	must(eng.PutNetwork(ctx, catalog.Network{ID: net, Name: "The Hub", Currency: "USD", Zone: "America/New_York"}))
	for id, name := range map[string]string{"downtown": "Downtown", "uptown": "Uptown"} {
		must(eng.PutLocation(ctx, catalog.Location{Network: net, ID: id, Name: name, Zone: "America/New_York"}))
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

	nm := &namer{ctx: ctx, eng: eng, passes: map[string]pass.Pass{}, products: map[string]string{}, people: map[string]string{}, places: map[string]string{}}
	n := 0
	in := func(holder, loc string, t time.Time) passengine.VisitResult {
		n++
		clk.t = t
		r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", n), Network: net, Holder: holder, Location: loc})
		must(err)
		fmt.Printf("%s  %-4s in at %-8s  %s\n", t.Format("Mon 15:04"), nm.person(holder), nm.place(loc), nm.describe(r))
		return r
	}
	out := func(r passengine.VisitResult, t time.Time) passengine.VisitResult {
		n++
		clk.t = t
		o, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", n), Network: net, Visit: r.Visit.ID})
		must(err)
		fmt.Printf("%s  %-4s out after %s: %s\n", t.Format("Mon 15:04"), nm.person(o.Visit.Holder), duration(o.Visit.Minutes()), nm.charged(o))
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

	fmt.Println("\n== Ben again on Friday, with no time left: what would happen (he would pay as he goes, $15/h)")
	clk.t = at(6, 9, 0)
	e, err := eng.Explain(ctx, passengine.CheckInRequest{Network: net, Holder: "ben", Location: "uptown"})
	must(err)
	fmt.Printf("if Ben checked in now: %s\n", nm.describe(e))

	fmt.Println("\n== What is left on each pass")
	for _, h := range []string{"ada", "ben"} {
		ps, err := eng.Passes(ctx, storeFilter(h))
		must(err)
		for _, p := range ps {
			fmt.Printf("%-4s %-22s %s (%s)\n", nm.person(h), nm.product(p.Product), left(p.Kind, p.Balance, p.Units), status(p.Status))
		}
	}

	// A refusal carries every pass's reason.
	_, err = eng.Book(ctx, passengine.BookRequest{Key: "book-1", Network: net, Holder: "ada", Location: "uptown", Start: at(9, 18, 0)})
	var refusal *entitlement.RefusalError
	if errors.As(err, &refusal) {
		fmt.Println("\n== Ada tries to book a class with day passes")
		for _, c := range refusal.Candidates {
			fmt.Printf("%-22s can't pay: %s\n", strconv.Quote(nm.productOf(c.PassID)), c.Reason)
		}
	}
	// The guest comes by once per run, on a new day each time: the only
	// call of a run that is new. The number of the visit shows what the
	// file kept.
	must(eng.PutHolder(ctx, catalog.Holder{Network: net, ID: "guest", Name: "Guest", Audience: catalog.Contact}))
	before, err := eng.Visits(ctx, passengine.VisitFilter{Network: net, Holder: "guest", Limit: 10_000})
	must(err)
	run := len(before.Items) + 1
	day := at(6, 10, 0).AddDate(0, 0, run-1)
	fmt.Printf("\n== The guest drops by for an hour (visit #%d; the earlier ones are kept in the store)\n", run)
	clk.t = day
	g, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("guest-in-", run), Network: net, Holder: "guest", Location: "uptown"})
	must(err)
	clk.t = day.Add(time.Hour)
	gout, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("guest-out-", run), Network: net, Visit: g.Visit.ID})
	must(err)
	fmt.Printf("%s  Guest out after %s: %s\n", clk.t.Format("Mon Jan 2 15:04"), duration(gout.Visit.Minutes()), nm.charged(gout))

	c1, err := exampledb.Count(ctx, st, net)
	passes1, visits1, entries1 := c1.Passes, c1.Visits, c1.Entries
	if err != nil {
		return err
	}
	fmt.Printf("\n== This run wrote %s, %s and %s (the store now holds %d, %d and %d)\n",
		exampledb.Plural(passes1-passes0, "pass", "passes"), exampledb.Plural(visits1-visits0, "visit", "visits"), exampledb.Plural(entries1-entries0, "ledger entry", "ledger entries"),
		passes1, visits1, entries1)
	if visits0 > 0 {
		fmt.Println("every call of the week carried the idempotency key of a call already stored,")
		fmt.Println("so the Engine answered it from the store instead of doing it twice")
	} else if !memory {
		fmt.Println("run it again: the week's calls are answered from the file, and only the guest's visit is new")
	}
	if os.Getenv("PASSENGINE_EXAMPLE_QUIET") == "" {
		fmt.Println("\ndone")
	}
	return nil
}

// namer turns the IDs of a result into what a manager reads: people's
// and places' names, product names, units left and reasons in words.
type namer struct {
	ctx      context.Context
	eng      *passengine.Engine
	passes   map[string]pass.Pass
	products map[string]string
	people   map[string]string
	places   map[string]string
}

// pass returns the pass with ID id.
func (n *namer) pass(id string) pass.Pass {
	if p, ok := n.passes[id]; ok {
		return p
	}
	v, err := n.eng.Pass(n.ctx, net, id)
	if err != nil {
		log.Fatal(err)
	}
	n.passes[id] = v.Pass
	return v.Pass
}

// product returns the name of the product with ID id.
func (n *namer) product(id string) string {
	if s, ok := n.products[id]; ok {
		return s
	}
	p, err := n.eng.Product(n.ctx, net, id)
	if err != nil {
		log.Fatal(err)
	}
	n.products[id] = p.Name
	return p.Name
}

// productOf returns the name of the product the pass with ID id was
// issued from.
func (n *namer) productOf(passID string) string { return n.product(n.pass(passID).Product) }

// person returns the holder's name.
func (n *namer) person(id string) string {
	if s, ok := n.people[id]; ok {
		return s
	}
	h, err := n.eng.Holder(n.ctx, net, id)
	if err != nil {
		log.Fatal(err)
	}
	n.people[id] = h.Name
	return h.Name
}

// place returns the location's name.
func (n *namer) place(id string) string {
	if s, ok := n.places[id]; ok {
		return s
	}
	l, err := n.eng.Location(n.ctx, net, id)
	if err != nil {
		log.Fatal(err)
	}
	n.places[id] = l.Name
	return l.Name
}

// describe says what a check-in did (or would do): which pass paid and
// what is left on it, or that the visitor pays as they go, and why the
// pass was chosen over the others.
func (n *namer) describe(r passengine.VisitResult) string {
	v := r.Visit
	var b strings.Builder
	switch {
	case v.CoveredBy != "":
		fmt.Fprintf(&b, "the day taken from %q this morning covers it, nothing more is taken", n.productOf(v.Pass))
	case v.PAYG != "":
		fmt.Fprintf(&b, "no pass covers this visit: %s", n.paygName(v.PAYG))
	default:
		fmt.Fprintf(&b, "pays with %q", n.productOf(v.Pass))
	}
	for _, bal := range r.Balances {
		p := n.pass(bal.Pass)
		fmt.Fprintf(&b, ", %s", left(bal.Kind, bal.Balance, p.Units))
	}
	if r.Selection.DecidedBy != "" && len(r.Selection.Candidates) > 1 {
		chosen, other := n.pass(r.Selection.Candidates[0].PassID), n.pass(r.Selection.Candidates[1].PassID)
		fmt.Fprintf(&b, "; used before %q because %s", n.product(other.Product), why(r.Selection.DecidedBy, chosen, other))
	}
	return b.String()
}

// paygName returns the name of the pay-as-you-go product with ID id.
func (n *namer) paygName(id string) string {
	p, err := n.eng.PAYG(n.ctx, net, id)
	if err != nil {
		log.Fatal(err)
	}
	return strings.ToLower(p.Name)
}

// charged says what a check-out took: units of passes, or the money of
// pay-as-you-go time, with the daily cap when it applied.
func (n *namer) charged(r passengine.VisitResult) string {
	var parts []string
	for _, c := range r.Visit.Consumptions {
		s := fmt.Sprintf("%s from %q", amount(c.Kind, c.Units), n.productOf(c.Pass))
		for _, bal := range r.Balances {
			if bal.Pass == c.Pass {
				s += " (" + left(bal.Kind, bal.Balance, n.pass(c.Pass).Units) + ")"
			}
		}
		parts = append(parts, s)
	}
	for _, c := range r.Visit.Charges {
		s := fmt.Sprintf("%s of time at %s", duration(c.Minutes), dollars(c.Amount))
		if c.Capped {
			s += " (daily cap reached)"
		}
		parts = append(parts, s)
	}
	if r.Visit.UncoveredMinutes > 0 {
		parts = append(parts, fmt.Sprintf("%s not covered by any pass", duration(r.Visit.UncoveredMinutes)))
	}
	if len(parts) == 0 {
		return "nothing more to pay"
	}
	return strings.Join(parts, ", ")
}

// why says in words why the consumption order used chosen before other:
// the policy key that decided (O0-O7).
func why(key string, chosen, other pass.Pass) string {
	switch key {
	case "day_coverage":
		return "it already covers today"
	case "priority":
		return "its product is set to be used first"
	case "kind":
		return "day passes are used before visits, and visits before time"
	case "unit_value":
		return fmt.Sprintf("a %s on it is worth less (%s against %s)", unitName(chosen.Kind), dollars(chosen.UnitValue), dollars(other.UnitValue))
	case "source":
		return "passes from a plan or a purchase are used before manual and imported ones"
	case "locations":
		return "it is valid at fewer locations"
	case "remaining_minutes":
		return "it has more time left"
	case "ownership":
		return "it is the customer's own, not the team's"
	case "expiry":
		return "it expires sooner"
	case "issued":
		return "it was bought earlier"
	}
	return "of the order the network set (" + key + ")"
}

// left returns "9 of 10 days left", "2 h of 8 h left", "no visits left".
func left(k pass.Kind, balance, units int) string {
	if k == pass.Time {
		if balance == 0 {
			return fmt.Sprintf("no time left of %s", duration(units))
		}
		return fmt.Sprintf("%s of %s left", duration(balance), duration(units))
	}
	if balance == 0 {
		return fmt.Sprintf("no %ss left of %d", unitName(k), units)
	}
	return fmt.Sprintf("%d of %d %ss left", balance, units, unitName(k))
}

// amount returns "1 day", "2 visits", "1 h 30 min".
func amount(k pass.Kind, n int) string {
	if k == pass.Time {
		return duration(n)
	}
	return plural(n, unitName(k), unitName(k)+"s")
}

// unitName returns the unit of a pass kind: day, visit or minute.
func unitName(k pass.Kind) string {
	switch k {
	case pass.Time:
		return "minute"
	case pass.Day:
		return "day"
	}
	return "visit"
}

// duration returns minutes as "45 min", "2 h" or "1 h 30 min".
func duration(min int) string {
	switch h, m := min/60, min%60; {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	default:
		return fmt.Sprintf("%d h %d min", h, m)
	}
}

// dollars returns an amount as "$15.00" (the network's currency is USD).
func dollars(m money.Money) string { return "$" + m.Amount.StringFixed(2) }

// status says a pass's status in words.
func status(s pass.Status) string {
	switch s {
	case pass.StatusUsedUp:
		return "used up"
	case pass.StatusInactive:
		return "not started yet"
	case pass.StatusEarly:
		return "not started yet"
	}
	return string(s)
}

// plural returns "n one" or "n many".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func storeFilter(holder string) passengine.PassFilter {
	return passengine.PassFilter{Network: net, Holder: holder}
}
