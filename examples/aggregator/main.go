// Command aggregator runs a month of a gym aggregator network on
// passengine (RULES P1-P4, Y1-Y3): three clubs of different price tiers,
// customers with a Monthly+ subscription, day passes and a visits pack,
// each with an 8-digit passcode the club's front desk redeems; wrong codes
// until the desk is locked out and a manager unlocks it; a tier refusal
// ("the club is more expensive"); a customer without a health
// declaration; a change of one club's commercial terms in mid-month; and
// the payout statements, printed and as CSV.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
	"github.com/shopspring/decimal"
)

const net = "fitpass"

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// world is the example's network: an Engine on memstore with a manual
// clock.
type world struct {
	ctx   context.Context
	eng   *passengine.Engine
	clock *passengine.ManualClock
	zone  *time.Location
	keys  int
}

func (w *world) key(op string) string { w.keys++; return fmt.Sprintf("%s-%04d", op, w.keys) }

func (w *world) at(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, w.zone)
}

// redeem moves the clock to the given time and has club's desk redeem
// code, printing what the desk is told.
func (w *world) redeem(day, hour, minute int, club, who, code string) error {
	w.clock.Set(w.at(day, hour, minute))
	r, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("desk"), Network: net, Location: club, Code: code})
	stamp := w.clock.Now().In(w.zone).Format("Mon Jan 2 15:04")
	var re *passengine.RedeemError
	switch {
	case err == nil:
		fmt.Printf("%s  %-12s %-5s %s: welcome %s (health declaration %s), %d left on %s\n", stamp, club, who, code,
			r.Holder.Name, r.Health.At.In(w.zone).Format("Jan 2"), r.Balance, r.Product)
		return nil
	case errors.As(err, &re):
		fmt.Printf("%s  %-12s %-5s %s: REFUSED, %s\n", stamp, club, who, code, desk(re, w.zone))
		return nil
	}
	return err
}

// desk says a refusal the way the front desk sees it.
func desk(re *passengine.RedeemError, zone *time.Location) string {
	msg := re.Outcome.Message()
	if !re.LockedUntil.IsZero() {
		msg += fmt.Sprintf(" (locked until %s)", re.LockedUntil.In(zone).Format("Mon Jan 2 15:04"))
	}
	if re.Reason == entitlement.TierTooLow {
		msg += ": the club is more expensive than the pass"
	}
	return msg
}

func run(ctx context.Context) error {
	zone, err := time.LoadLocation("Europe/London")
	if err != nil {
		return err
	}
	st := memstore.New()
	defer st.Close()
	w := &world{ctx: ctx, zone: zone, clock: passengine.NewManualClock(time.Date(2026, 3, 1, 7, 0, 0, 0, zone))}
	// A host loads its passcode key from its secret store and keeps the
	// default random source (crypto/rand) and IDs (UUIDv7). The example
	// uses a fixed key, a seeded source and numbered IDs so that its output
	// is the same on every run.
	ids := 0
	w.eng = passengine.New(st, passengine.WithClock(w.clock),
		passengine.WithIDs(func() string { ids++; return fmt.Sprintf("id%05d", ids) }),
		passengine.WithCodeKey([]byte("example key: load yours from a secret store")),
		passengine.WithCodeSource(rand.NewChaCha8([32]byte{'f', 'i', 't', 'p', 'a', 's', 's'})))
	gbp := func(s string) money.Money { return money.MustNew(s, "GBP") }
	var errs []error
	must := func(err error) { errs = append(errs, err) }

	must(w.eng.PutNetwork(ctx, catalog.Network{ID: net, Name: "FitPass", Currency: "GBP", Zone: "Europe/London"}))
	clubs := []catalog.Location{
		{Network: net, ID: "corner-gym", Name: "The Corner Gym", Zone: "Europe/London", Tier: 1},
		{Network: net, ID: "city-fitness", Name: "City Fitness", Zone: "Europe/London", Tier: 2},
		{Network: net, ID: "the-lux", Name: "The Lux Club", Zone: "Europe/London", Tier: 3},
	}
	for _, c := range clubs {
		must(w.eng.PutLocation(ctx, c))
	}
	// Commercial terms from March 1: a rate per visit by pass tier, a cap
	// of 4 paid visits per customer per month at the Corner Gym.
	now := w.clock.Now()
	must(w.eng.PutTerms(ctx, billing.Terms{Network: net, Location: "corner-gym", ID: "corner-2026-03", EffectiveFrom: now,
		Rates: []billing.Rate{{Tier: 1, Amount: gbp("4.50")}}, MonthlyVisitCap: 4, PAYGShare: decimal.Zero}))
	must(w.eng.PutTerms(ctx, billing.Terms{Network: net, Location: "city-fitness", ID: "city-2026-03", EffectiveFrom: now,
		Rates: []billing.Rate{{Tier: 2, Amount: gbp("7.00")}, {Tier: 3, Amount: gbp("8.50")}}, PAYGShare: decimal.Zero}))
	must(w.eng.PutTerms(ctx, billing.Terms{Network: net, Location: "the-lux", ID: "lux-2026-03", EffectiveFrom: now,
		Rates: []billing.Rate{{Tier: 3, Amount: gbp("12.00")}}, PAYGShare: decimal.Zero}))

	// Products. Monthly+ is a subscription: one pass with a day unit per
	// day of the month, so a second club the same day takes nothing more.
	must(w.eng.PutProduct(ctx, pass.Product{Network: net, ID: "monthly-plus", Name: "Monthly+ (tier 2)", Kind: pass.Day,
		Units: 31, Tier: 2, Price: gbp("59"), Validity: calendar.Validity{Months: 1}, Activation: pass.OnPurchase}))
	must(w.eng.PutProduct(ctx, pass.Product{Network: net, ID: "day-pass", Name: "Day pass (tier 3)", Kind: pass.Day,
		Units: 1, Tier: 3, Price: gbp("18"), Validity: calendar.Validity{Days: 30}, Activation: pass.OnFirstUse}))
	must(w.eng.PutProduct(ctx, pass.Product{Network: net, ID: "ten-visits", Name: "10 visits (tier 1)", Kind: pass.Visits,
		Units: 10, Tier: 1, Price: gbp("40"), Validity: calendar.Validity{Months: 3}, Activation: pass.OnPurchase}))

	declared := time.Date(2026, 2, 27, 20, 15, 0, 0, zone)
	for _, h := range []catalog.Holder{
		{Network: net, ID: "ana", Name: "Ana", Audience: catalog.Member, HealthDeclaredAt: &declared},
		{Network: net, ID: "ben", Name: "Ben", Audience: catalog.Member, HealthDeclaredAt: &declared},
		{Network: net, ID: "cleo", Name: "Cleo", Audience: catalog.Member, HealthDeclaredAt: &declared},
		{Network: net, ID: "dev", Name: "Dev", Audience: catalog.Member}, // no health declaration yet
	} {
		must(w.eng.PutHolder(ctx, h))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}

	issue := func(holder, product string) (string, string, error) {
		p, err := w.eng.IssuePass(ctx, passengine.IssueRequest{Key: w.key("order"), Network: net, Product: product,
			Holder: holder, Paid: true, Passcode: true})
		if err != nil {
			return "", "", err
		}
		code, err := w.eng.Passcode(ctx, net, p.ID) // what the customer's app shows
		return p.ID, code, err
	}
	_, ana, err := issue("ana", "monthly-plus")
	if err != nil {
		return err
	}
	_, cleo, err := issue("cleo", "ten-visits")
	if err != nil {
		return err
	}
	_, dev, err := issue("dev", "monthly-plus")
	if err != nil {
		return err
	}
	fmt.Printf("Passcodes: Ana's Monthly+ %s (hers for life), Cleo's 10 visits %s, Dev's Monthly+ %s\n\n", ana, cleo, dev)

	type event struct {
		day, hour, minute int
		club, who         string
		code              func() string
	}
	fixed := func(c string) func() string { return func() string { return c } }
	var benCode string
	benDayPass := func() string { return benCode }
	var events []event
	for day := 2; day <= 31; day++ {
		switch time.Date(2026, 3, day, 0, 0, 0, 0, zone).Weekday() {
		case time.Monday, time.Wednesday, time.Friday:
			events = append(events, event{day, 7, 30, "corner-gym", "ana", fixed(ana)})
			events = append(events, event{day, 18, 10, "city-fitness", "ana", fixed(ana)}) // same day: no more units
		case time.Tuesday, time.Thursday:
			events = append(events, event{day, 12, 5, "city-fitness", "ana", fixed(ana)})
			events = append(events, event{day, 17, 45, "corner-gym", "cleo", fixed(cleo)})
		case time.Saturday:
			events = append(events, event{day, 10, 0, "the-lux", "ben", benDayPass})
		}
	}
	// Things that happen besides the regular visits, each before the first
	// visit of its day.
	specials := map[int]func() error{
		3: func() error {
			// Ana tries the Lux Club: her tier 2 pass does not include it.
			if err := w.redeem(3, 9, 0, "the-lux", "ana", ana); err != nil {
				return err
			}
			// Dev has not completed the health declaration.
			return w.redeem(3, 9, 20, "city-fitness", "dev", dev)
		},
		10: func() error {
			// Someone at City Fitness tries codes until the desk locks; even
			// Ana's right code is refused until a manager unlocks.
			for i := 0; i < 7; i++ {
				if err := w.redeem(10, 11, 40+i, "city-fitness", "?", fmt.Sprintf("%08d", 40_000_017+i*7_919)); err != nil {
					return err
				}
			}
			if err := w.redeem(10, 11, 55, "city-fitness", "ana", ana); err != nil {
				return err
			}
			w.clock.Set(w.at(10, 11, 58))
			r, err := w.eng.Unlock(ctx, passengine.UnlockRequest{Key: w.key("unlock"), Network: net, Location: "city-fitness",
				Actor: "manager Zoe", Comment: "helpdesk checked the desk"})
			if err != nil {
				return err
			}
			fmt.Printf("%s  city-fitness unlocked by %s (was locked until %s)\n", w.clock.Now().In(zone).Format("Mon Jan 2 15:04"),
				r.Actor, r.LockedUntil.In(zone).Format("Mon Jan 2 15:04"))
			return nil
		},
		16: func() error {
			// New terms at City Fitness from March 16: earlier visits keep
			// the old ones.
			w.clock.Set(w.at(16, 0, 0))
			fmt.Println("Mon Mar 16 00:00  city-fitness new commercial terms: 7.50 (tier 2), 9.00 (tier 3)")
			return w.eng.PutTerms(ctx, billing.Terms{Network: net, Location: "city-fitness", ID: "city-2026-03-16",
				EffectiveFrom: w.clock.Now(), Rates: []billing.Rate{{Tier: 2, Amount: gbp("7.50")}, {Tier: 3, Amount: gbp("9.00")}},
				PAYGShare: decimal.Zero})
		},
	}
	for _, ev := range events {
		if f := specials[ev.day]; f != nil {
			delete(specials, ev.day)
			if err := f(); err != nil {
				return err
			}
		}
		if ev.who == "ben" {
			if _, benCode, err = issue("ben", "day-pass"); err != nil { // a new day pass, a new code
				return err
			}
		}
		if err := w.redeem(ev.day, ev.hour, ev.minute, ev.club, ev.who, ev.code()); err != nil {
			return err
		}
	}

	for _, who := range []string{"ana", "dev"} {
		ok, err := w.eng.CanLeaveFeedback(ctx, net, who, "city-fitness")
		if err != nil {
			return err
		}
		fmt.Printf("\n%s may leave feedback for City Fitness: %v", who, ok)
	}
	fmt.Print("\n\nPayout statements for March 2026\n\n")
	month := passengine.PayoutRequest{Network: net, From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 31)}
	for _, c := range clubs {
		req := month
		req.Location = c.ID
		s, err := w.eng.Payout(ctx, req)
		if err != nil {
			return err
		}
		printStatement(c.Name, s)
	}
	all, err := w.eng.Payout(ctx, month)
	if err != nil {
		return err
	}
	fmt.Printf("Network: %d visits, %s owed to %d clubs\n", len(all.Lines), all.Total, len(all.Locations))
	fmt.Print("\nCity Fitness statement as CSV:\n\n")
	month.Location = "city-fitness"
	return w.eng.WritePayoutCSV(ctx, month, os.Stdout)
}

// printStatement prints one club's statement: a summary per terms version
// and cap, then the total.
func printStatement(name string, s billing.Statement) {
	fmt.Printf("%s (%s to %s)\n", name, s.From, s.To)
	type group struct {
		terms, rate, capped string
		n                   int
		total               money.Money
	}
	var groups []*group
	for _, l := range s.Lines {
		k := group{terms: l.Terms, rate: l.Rate.String(), capped: l.Capped}
		var g *group
		for _, x := range groups {
			if x.terms == k.terms && x.rate == k.rate && x.capped == k.capped {
				g = x
			}
		}
		if g == nil {
			k.total = money.Zero(s.Currency)
			g = &k
			groups = append(groups, g)
		}
		g.n++
		g.total = g.total.Add(l.Amount)
	}
	for _, g := range groups {
		note := ""
		if g.capped != "" {
			note = " (monthly cap reached: not paid)"
		}
		fmt.Printf("  %2d visits under %-16s at %s%s: %s\n", g.n, g.terms, g.rate, note, g.total)
	}
	fmt.Printf("  total %s for %d visits\n\n", s.Total, len(s.Lines))
}
