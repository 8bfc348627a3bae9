package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/internal/exampledb"
	"github.com/shopspring/decimal"
)

// report prints the month-end figures a studio manager reads.
func (s *studio) report() {
	s.at(31, 18, 0)
	fmt.Println("\n== End of March: the cards (M6)")
	views, err := s.eng.Cards(s.ctx, passengine.CardFilter{Network: net})
	must(err)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "card\tcustomer\tstatus\tLTV\tnet revenue\tsold\tredeemed\tavailable\ttotal\treferral\tbonus\tlast class\tlast top-up\tissued\tusable until\t")
	for _, v := range views {
		m := v.Metrics
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", v.Card.ID, s.names[v.Card.Holder], v.Card.Status,
			pounds(m.LTV), pounds(m.NetRevenue), m.Sold, m.Redeemed, m.Available, m.TotalVisits, m.ReferralVisits, m.Bonus,
			s.day(m.LastRedemption), s.day(m.LastAdding), on(m.IssuedOn, "2 Jan"), on(m.ExpiresOn, "2 Jan"))
	}
	must(tw.Flush())
	fmt.Println("(LTV counts refunds upward, as the seed's profile does; net revenue is purchases less refunds)")

	fmt.Println("\n== Maya's \"My purchases\" (seed 004)")
	page, err := s.eng.Purchases(s.ctx, passengine.PurchasesRequest{Network: net, Holder: "maya"})
	must(err)
	for _, p := range page.Items {
		what := "Multipass, 10 classes"
		if p.Card != nil {
			what += " on card " + p.Card.ID
		}
		fmt.Printf("%-9s %s: %d used, %d left, usable until %s\n", p.Group, what, p.UnitsUsed, p.UnitsLeft, on(p.Pass.Expiry(), "2 Jan"))
	}

	fmt.Println("\n== Reminders to send: cards with classes left that expire soon (seed 003: 30, 14 and 7 days before)")
	for _, w := range []struct{ from, to int }{{0, 7}, {8, 14}, {15, 30}} {
		exp, err := s.eng.ExpiringSoon(s.ctx, passengine.ExpiringRequest{Network: net, AtLeast: w.from, Within: w.to})
		must(err)
		if len(exp.Items) == 0 {
			fmt.Printf("within %2d days: nobody\n", w.to)
		}
		for _, x := range exp.Items {
			fmt.Printf("within %2d days: %s, card %s: %d classes left, last day %s (%d days)\n",
				w.to, s.names[x.Pass.Holder], x.Card.ID, x.UnitsLeft, on(x.ExpiresOn, "Mon 2 Jan"), x.DaysLeft)
		}
	}

	fmt.Println("\n== Still to collect: visits the prepaid accounts could not pay (W2)")
	owed, err := s.eng.Outstanding(s.ctx, passengine.DebtFilter{Network: net})
	must(err)
	for _, v := range owed {
		fmt.Printf("%s owes %s for %s on %s (%s taken from the account)\n", s.names[v.Holder], pounds(v.Owed), visitName(v.PAYG),
			on(v.Date, "Mon 2 Jan"), pounds(v.Debited))
	}
	if len(owed) == 0 {
		fmt.Println("nothing")
	}

	fmt.Println("\n== RFM segments of the card holders, with the studio's thresholds")
	seg := card.DefaultSegmentation()
	seg.Thresholds = card.Thresholds{
		Recency:   [4]int{3, 7, 14, 28}, // days since the last class
		Frequency: [4]int{8, 6, 4, 2},   // classes in the last 90 days
		Monetary:  [4]decimal.Decimal{decimal.NewFromInt(120), decimal.NewFromInt(90), decimal.NewFromInt(60), decimal.NewFromInt(30)},
	}
	must(s.eng.Segments(s.ctx, passengine.SegmentsRequest{Network: net, Segmentation: &seg}, func(c passengine.CardSegment) error {
		fmt.Printf("%-5s card %s: last class %2d days ago, %s, net %s -> %s\n", s.names[c.Holder], c.Card,
			c.RFM.Recency, exampledb.Plural(c.RFM.Frequency, "class", "classes"), pounds(gbp(c.RFM.Monetary.String())), c.Segment)
		return nil
	}))

	fmt.Println("\n== Maya's card history, as downloaded (CSV, M7)")
	must(s.eng.WriteCardHistoryCSV(s.ctx, net, "MP-1001", os.Stdout))
	fmt.Println("\n== Maya's prepaid account history (CSV)")
	must(s.eng.WriteAccountHistoryCSV(s.ctx, passengine.AccountHistoryRequest{Network: net, Holder: "maya"}, os.Stdout))
}

// day writes an instant as a date in London, or "never".
func (s *studio) day(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(s.zone).Format("2 Jan")
}
