// Command studio runs a month at a yoga studio on passengine: multipass
// cards of 10 classes (seed 003) bought from the members' prepaid accounts
// or at the desk (seed 004), classes that earn bonus points, a booking
// cancelled in time, a refund, an expiry extended for an illness, an open
// studio visit paid as you go that the account could not cover and a
// later deposit settled, and the month-end report: each card's figures,
// a member's "My purchases", the expiry reminders, the RFM segments and
// the CSV histories.
//
// It keeps its data in a SQLite file (passengine-studio.db in the working
// directory, or -db PATH). Run it twice: the second run finds the month in
// the file, and every call of the month, sent with the idempotency key it
// had, is answered from the file instead of being done again.
//
//	go run ./examples/studio            # first run: writes the month
//	go run ./examples/studio            # again: the same month, read back
//	go run ./examples/studio -reset     # start from an empty file
//	go run ./examples/studio -memory    # keep nothing (in-memory store)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/internal/exampledb"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

const net = "flow"

func main() {
	dbPath := flag.String("db", "passengine-studio.db", "SQLite file that keeps the data between runs")
	reset := flag.Bool("reset", false, "delete the SQLite file first and start empty")
	memory := flag.Bool("memory", false, "use the in-memory store: keep nothing")
	flag.Parse()
	if err := run(context.Background(), *dbPath, *reset, *memory); err != nil {
		log.Fatal(err)
	}
}

// studio is the month's world: the Engine on its clock, and the names the
// desk uses.
type studio struct {
	ctx   context.Context
	st    store.Store
	eng   *passengine.Engine
	clock *passengine.ManualClock
	zone  *time.Location
	names map[string]string // holder ID -> first name
	cards map[string]string // card ID -> holder ID
}

// at sets the clock to 2026-03-day hour:minute in London and returns it.
func (s *studio) at(day, hour, minute int) time.Time {
	t := time.Date(2026, 3, day, hour, minute, 0, 0, s.zone)
	s.clock.Set(t)
	return t
}

// say prints a line of the month, dated by the clock.
func (s *studio) say(format string, args ...any) {
	fmt.Printf("%s  %s\n", s.clock.Now().In(s.zone).Format("Mon _2 Jan 15:04"), fmt.Sprintf(format, args...))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dbPath string, reset, memory bool) error {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return err
	}
	st, err := exampledb.Open(ctx, dbPath, reset, memory)
	if err != nil {
		return err
	}
	defer st.Close()
	before, err := exampledb.Count(ctx, st, net)
	if err != nil {
		return err
	}
	if before.Cards == 0 {
		fmt.Println("nothing stored yet: this is the first run")
	} else {
		fmt.Printf("already stored from an earlier run: %s\n", tally(before))
		fmt.Println("every call below carries the idempotency key it had then: the Engine answers it from the file")
	}

	clock := passengine.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, london))
	ids := 0
	s := &studio{ctx: ctx, st: st, clock: clock, zone: london,
		names: map[string]string{"maya": "Maya", "leo": "Leo", "sam": "Sam", "priya": "Priya"}, cards: map[string]string{},
		eng: passengine.New(st, passengine.WithClock(clock),
			passengine.WithIDs(func() string { ids++; return fmt.Sprintf("f%05d", ids) }), // the same IDs every run
			passengine.WithBonusRule(card.BonusRule{PerVisit: 10}),                        // 10 points a class (M3)
			passengine.WithAccountDebit())}                                                // open studio time is debited from the account (W2)
	s.setUp()
	s.month()
	s.report()

	after, err := exampledb.Count(ctx, st, net)
	if err != nil {
		return err
	}
	fmt.Printf("\n== The store holds %s\n", tally(after))
	switch {
	case before.Cards > 0 && after == before:
		fmt.Println("this run wrote nothing new: every call was answered from its stored record")
	case !memory:
		fmt.Println("run it again: the month is read back from the file, and nothing is done twice")
	}
	return nil
}

// setUp puts the studio's catalog: two rooms, the multipass program, the
// open studio's pay-as-you-go price, and four customers.
func (s *studio) setUp() {
	ctx, e := s.ctx, s.eng
	declared := time.Date(2026, 2, 20, 12, 0, 0, 0, s.zone)
	must(errors.Join(
		e.PutNetwork(ctx, catalog.Network{ID: net, Name: "Studio Flow", Currency: "GBP", Zone: "Europe/London"}),
		e.PutLocation(ctx, catalog.Location{Network: net, ID: "soho", Name: "Soho", Zone: "Europe/London"}),
		e.PutLocation(ctx, catalog.Location{Network: net, ID: "camden", Name: "Camden", Zone: "Europe/London"}),
		e.PutProduct(ctx, pass.Product{Network: net, ID: "multipass", Name: "Multipass, 10 classes", Kind: pass.Visits, Units: 10,
			Price: gbp("120"), Activation: pass.OnPurchase, Validity: calendar.Validity{Days: 45}}),
		e.PutPAYG(ctx, billing.PAYG{Network: net, ID: "open-studio", Name: "Open studio",
			Prices: []billing.Price{{Hourly: gbp("8")}}, DailyCap: gbp("24")}),
		e.PutHolder(ctx, catalog.Holder{Network: net, ID: "maya", Name: "Maya Okafor", Audience: catalog.Member, HealthDeclaredAt: &declared}),
		e.PutHolder(ctx, catalog.Holder{Network: net, ID: "leo", Name: "Leo Brandt", Audience: catalog.Member, HealthDeclaredAt: &declared}),
		e.PutHolder(ctx, catalog.Holder{Network: net, ID: "sam", Name: "Sam Price", Audience: catalog.Member, HealthDeclaredAt: &declared}),
		e.PutHolder(ctx, catalog.Holder{Network: net, ID: "priya", Name: "Priya Shah", Audience: catalog.Contact, HealthDeclaredAt: &declared}),
	))
	fmt.Println("\nStudio Flow, London: Multipass, 10 classes for £120.00, valid 45 days; 10 bonus points a class;")
	fmt.Println("open studio pay as you go at £8.00 an hour; members keep money on a prepaid account")
}

// month runs March.
func (s *studio) month() {
	fmt.Println("\n== March")
	s.at(1, 10, 0)
	s.deposit("maya", "200", "paid by card at the desk")
	s.at(1, 10, 5)
	s.newCard("maya", "MP-1001")
	s.buy("maya", "MP-1001", true, "")
	s.at(1, 10, 10)
	s.shop("maya", "4.00", "Mat rental")

	s.at(2, 8, 30)
	s.deposit("leo", "50", "cash")
	s.newCard("leo", "MP-1002")
	s.buy("leo", "MP-1002", true, "")
	s.buy("leo", "MP-1002", false, "paid by card at the desk")
	s.at(2, 8, 40)
	s.newCard("sam", "MP-1003")
	s.buy("sam", "MP-1003", false, "paid by card at the desk")

	for _, c := range []struct {
		day        int
		who, where string
	}{{2, "maya", "soho"}, {3, "leo", "camden"}, {3, "sam", "soho"}, {4, "maya", "soho"}, {5, "leo", "camden"}, {6, "maya", "camden"}} {
		s.class(c.day, c.who, c.where)
	}

	s.at(7, 10, 55)
	s.deposit("priya", "5", "cash")
	s.openStudio("priya", 7, 11, 0, 90)

	s.at(8, 12, 0)
	s.referral("MP-1001", "priya")
	s.class(9, "maya", "soho")

	s.at(10, 9, 0)
	s.bookAndCancel("leo", "MP-1002")
	s.at(11, 9, 30)
	s.refund("MP-1002", 2, "24", "2 classes refunded: injured knee")
	s.extend("MP-1002", calendar.NewDate(2026, 4, 30), "ill for two weeks")

	s.class(13, "maya", "camden")
	s.at(14, 10, 0)
	s.deposit("priya", "20", "paid by card at the desk")
	s.class(18, "maya", "soho")
	s.at(20, 17, 0)
	s.spendPoints("MP-1001", 50, "Smoothie after class")
	s.at(21, 12, 0)
	s.forget("leo")
	s.class(23, "maya", "soho")
	s.class(27, "maya", "camden")
	s.openStudio("priya", 28, 10, 0, 180)
}

// deposit puts money on a holder's prepaid account (W1); a deposit also
// settles what the holder owes, oldest first (W2).
func (s *studio) deposit(who, amount, how string) {
	r, err := s.eng.Deposit(s.ctx, passengine.DepositRequest{Key: "deposit-" + who + "-" + s.stamp(), Network: net, Holder: who,
		Amount: gbp(amount), Actor: "desk", Comment: how})
	must(err)
	line := fmt.Sprintf("%s puts %s on the prepaid account (%s): balance %s", s.names[who], pounds(gbp(amount)), how, pounds(r.Account.Balance))
	for _, en := range r.Entries {
		for _, v := range r.Settled {
			if en.Type == wallet.EntrySettle && en.Visit == v.ID {
				line += fmt.Sprintf("; it first pays the %s still owed for %s on %s", pounds(money.Money{Amount: en.Amount.Amount.Abs(), Currency: "GBP"}),
					visitName(v.PAYG), on(v.Date, "Mon 2 Jan"))
			}
		}
	}
	s.say("%s", line)
}

// newCard gives a holder a multipass card, installed on their phone.
func (s *studio) newCard(who, id string) {
	_, err := s.eng.IssueCard(s.ctx, passengine.IssueCardRequest{Key: "card-" + id, Network: net, Holder: who, Program: "multipass",
		Card: id, Status: card.Installed, Actor: "desk"})
	must(err)
	s.cards[id] = who
}

// buy adds 10 classes for £120.00 to a card, paid from the holder's
// account (W2) or at the desk.
func (s *studio) buy(who, id string, fromAccount bool, how string) {
	key := "buy-" + id
	if fromAccount {
		key += "-account"
	}
	v, err := s.eng.AddVisits(s.ctx, passengine.VisitsRequest{Key: key, Network: net, Card: id, Visits: 10, Amount: gbp("120"),
		PayFromAccount: fromAccount, Actor: "desk", Comment: how})
	var short *wallet.InsufficientFundsError
	switch {
	case errors.As(err, &short):
		s.say("%s wants Multipass, 10 classes from the prepaid account: refused, the account has %s and the package costs %s; nothing was charged",
			s.names[who], pounds(short.Available), pounds(short.Amount))
		return
	case err != nil:
		log.Fatal(err)
	}
	paid := how
	if fromAccount {
		paid = "paid from the prepaid account, " + pounds(s.balanceAfter(who, key)) + " left on it"
	}
	s.say("%s buys Multipass, 10 classes for £120.00 (%s): card %s has %d classes, usable until %s",
		s.names[who], paid, id, v.Metrics.Available, on(v.Metrics.ExpiresOn, "2 Jan"))
}

// balanceAfter returns the balance of the holder's account after the
// entry written with key: the history says it, whatever came after.
func (s *studio) balanceAfter(who, key string) money.Money {
	page, err := s.eng.AccountEntries(s.ctx, passengine.AccountEntriesRequest{Network: net, Holder: who, Limit: 1000})
	must(err)
	for _, en := range page.Entries {
		if en.Key == key {
			return en.Balance
		}
	}
	log.Fatalf("no entry of %s written by %s", who, key)
	return money.Money{}
}

// shop pays a shop purchase from the holder's account (W1).
func (s *studio) shop(who, amount, what string) {
	r, err := s.eng.Spend(s.ctx, passengine.SpendRequest{Key: "shop-" + who + "-" + s.stamp(), Network: net, Holder: who,
		Amount: gbp(amount), Actor: "desk", Comment: what})
	must(err)
	s.say("%s: %s, %s from the prepaid account, %s left", s.names[who], what, pounds(gbp(amount)), pounds(r.Account.Balance))
}

// class checks a holder in for a 10:00 class of an hour and out after it:
// the card pays like any visits pass, and earns the bonus points (M3).
func (s *studio) class(day int, who, where string) {
	s.at(day, 9, 55)
	key := fmt.Sprintf("class-%s-%02d", who, day)
	in, err := s.eng.CheckIn(s.ctx, passengine.CheckInRequest{Key: key + "-in", Network: net, Holder: who, Location: where, Actor: "desk"})
	must(err)
	line := fmt.Sprintf("%s checks in at %s: 1 class from card %s, %d left", s.names[who], title(where), cardOf(in), left(in))
	for _, p := range in.Points {
		line += fmt.Sprintf("; earns %d points (%d in all)", p.Points, p.Bonus)
	}
	s.say("%s", line)
	s.at(day, 11, 0)
	_, err = s.eng.CheckOut(s.ctx, passengine.CheckOutRequest{Key: key + "-out", Network: net, Visit: in.Visit.ID})
	must(err)
}

// openStudio is a visit of the open studio with nothing on a card: paid
// as you go, debited from the account as far as it goes, the rest owed
// (W2).
func (s *studio) openStudio(who string, day, hour, minute, minutes int) {
	s.at(day, hour, minute)
	key := fmt.Sprintf("open-%s-%02d", who, day)
	in, err := s.eng.CheckIn(s.ctx, passengine.CheckInRequest{Key: key + "-in", Network: net, Holder: who, Location: "soho", Actor: "desk"})
	must(err)
	s.say("%s comes in for the open studio with no classes on a card: pay as you go (%s)", s.names[who], visitName(in.Visit.PAYG))
	s.clock.Advance(time.Duration(minutes) * time.Minute)
	out, err := s.eng.CheckOut(s.ctx, passengine.CheckOutRequest{Key: key + "-out", Network: net, Visit: in.Visit.ID})
	must(err)
	s.say("%s leaves after %d minutes: %s, %s paid from the account, %s still owed",
		s.names[who], out.Visit.Minutes(), pounds(out.Charge), pounds(out.Visit.Debited), pounds(out.Visit.Owed))
}

// referral adds a free class to a card for bringing a friend (M1, M6).
func (s *studio) referral(id, friend string) {
	v, err := s.eng.AddVisits(s.ctx, passengine.VisitsRequest{Key: "referral-" + id + "-" + friend, Network: net, Card: id, Visits: 1,
		Referral: true, Actor: "desk", Comment: "brought " + s.names[friend]})
	must(err)
	s.say("%s brought %s: a free class on card %s, %d left", s.names[s.cards[id]], s.names[friend], id, v.Metrics.Available)
}

// bookAndCancel books Thursday's evening class and cancels it in time:
// the class goes back on the card, and so do its points (B2, M3).
func (s *studio) bookAndCancel(who, id string) {
	b, err := s.eng.Book(s.ctx, passengine.BookRequest{Key: "book-" + who + "-12", Network: net, Holder: who, Location: "camden",
		Start: time.Date(2026, 3, 12, 18, 0, 0, 0, s.zone), Actor: "app"})
	must(err)
	s.say("%s books Thursday's 18:00 class at Camden: 1 class from card %s, %d left; earns %d points",
		s.names[who], id, left(b), sumPoints(b))
	c, err := s.eng.CancelBooking(s.ctx, passengine.CancelRequest{Key: "cancel-" + who + "-12", Network: net, Visit: b.Visit.ID, Actor: "app"})
	must(err)
	s.say("%s phones in ill and cancels it in time: the class goes back on the card, %d left; %d points taken back",
		s.names[who], left(c), -sumPoints(c))
}

// refund takes classes off a card and gives money back (M2): LTV counts
// the refund as seed 003 does, net revenue takes it off.
func (s *studio) refund(id string, classes int, amount, why string) {
	v, err := s.eng.SubtractVisits(s.ctx, passengine.VisitsRequest{Key: "refund-" + id, Network: net, Card: id, Visits: classes,
		Amount: gbp(amount), Actor: "manager", Comment: why})
	must(err)
	s.say("refund: %d classes off card %s, %s back to %s (%s): %d left; LTV %s, net revenue %s",
		classes, id, pounds(gbp(amount)), s.names[s.cards[id]], why, v.Metrics.Available, pounds(v.Metrics.LTV), pounds(v.Metrics.NetRevenue))
}

// extend moves a card's expiry (E2).
func (s *studio) extend(id string, to calendar.Date, why string) {
	v, err := s.eng.SetCardExpiry(s.ctx, passengine.CardExpiryRequest{Key: "extend-" + id, Network: net, Card: id, ExpiresOn: to,
		Actor: "manager", Comment: why})
	must(err)
	s.say("card %s now usable until %s (%s)", id, on(v.Metrics.ExpiresOn, "2 Jan"), why)
}

// spendPoints takes bonus points off a card for a reward (M4).
func (s *studio) spendPoints(id string, points int, what string) {
	v, err := s.eng.SubtractBonus(s.ctx, passengine.BonusRequest{Key: "reward-" + id + "-" + s.stamp(), Network: net, Card: id,
		Points: points, Actor: "desk", Comment: what})
	must(err)
	s.say("%s spends %d points: %s; %d points left", s.names[s.cards[id]], points, what, v.Metrics.Bonus)
}

// forget asks to delete a holder: refused while their card is installed
// on their phone (M5) or money is owed either way (W1, W2).
func (s *studio) forget(who string) {
	_, err := s.eng.DeleteHolder(s.ctx, passengine.DeleteHolderRequest{Key: "forget-" + who, Network: net, Holder: who, Actor: "manager"})
	var installed *passengine.CardInstalledError
	var fe *passengine.FieldError
	switch {
	case errors.As(err, &installed):
		s.say("%s asks to be forgotten: not yet, card %s is still installed on the phone; delete the card first", s.names[who], installed.Card)
	case errors.As(err, &fe):
		s.say("%s asks to be forgotten: not yet, %s", s.names[who], fe.Problem)
	case err != nil:
		log.Fatal(err)
	default:
		s.say("%s is forgotten", s.names[who])
	}
}

// stamp is the clock's minute, part of the keys of calls a customer may
// make more than once.
func (s *studio) stamp() string { return s.clock.Now().In(s.zone).Format("0102-1504") }

// gbp returns amount pounds.
func gbp(amount string) money.Money { return money.MustNew(amount, "GBP") }

// pounds writes m as a desk would: £12.50.
func pounds(m money.Money) string {
	if m.Amount.IsNegative() {
		return "-£" + m.Amount.Neg().StringFixed(2)
	}
	return "£" + m.Amount.StringFixed(2)
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// visitName names a PAYG product the way the desk does.
func visitName(payg string) string {
	if payg == "open-studio" {
		return "the open studio"
	}
	return payg
}

// cardOf returns the card whose classes paid a visit: the card IDs are
// the serials, named in the visit's balance by its pass.
func cardOf(r passengine.VisitResult) string {
	for _, p := range r.Points {
		return p.Card
	}
	return "?"
}

// left returns the classes left on the pass that paid.
func left(r passengine.VisitResult) int {
	for _, b := range r.Balances {
		if b.Pass == r.Visit.Pass {
			return b.Balance
		}
	}
	return 0
}

func sumPoints(r passengine.VisitResult) int {
	n := 0
	for _, p := range r.Points {
		n += p.Points
	}
	return n
}

// tally writes what the studio's store holds.
func tally(c exampledb.Counts) string {
	return fmt.Sprintf("%d cards, %d visits, %d card and pass entries, %d account entries", c.Cards, c.Visits, c.Entries, c.AccountEntries)
}

// on writes a date with a time layout.
func on(d calendar.Date, layout string) string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(layout)
}
