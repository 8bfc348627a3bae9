package billing_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// A club is paid per redeemed visit at the rate of its terms version (Y1),
// here with a cap of two paid visits per holder a month (Y2), and a share
// of PAYG charges; the statement's total is the sum of its lines, and its
// CSV is the same lines (Y3).
func ExampleComputeStatement() {
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	at := func(day int) time.Time { return time.Date(2026, 3, day, 10, 0, 0, 0, time.UTC) }
	terms := []billing.Terms{{Network: "fit", Location: "city", ID: "city-v1", EffectiveFrom: at(1).Add(-time.Hour),
		Rates: []billing.Rate{{Tier: 1, Amount: usd("7")}}, MonthlyVisitCap: 2, PAYGShare: decimal.RequireFromString("0.25")}}
	visit := func(id string, day int) billing.PayoutVisit {
		return billing.PayoutVisit{ID: id, Location: "city", Holder: "ana", Pass: "p1", Product: "monthly", Tier: 1,
			Date: calendar.DateOf(at(day)), At: at(day), Kind: billing.VisitLine, Terms: "city-v1"}
	}
	payg := billing.PayoutVisit{ID: "v4", Location: "city", Holder: "ben", Date: calendar.DateOf(at(4)), At: at(4),
		Kind: billing.PAYGLine, Charged: usd("30")}
	st, err := billing.ComputeStatement(billing.StatementSpec{Network: "fit", Location: "city",
		From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 31), Currency: "USD"},
		[]billing.PayoutVisit{visit("v1", 2), visit("v2", 3), payg, visit("v3", 5)}, terms)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range st.Lines {
		fmt.Println(l.Visit, l.Kind, l.Amount, "capped:", l.Capped != "")
	}
	fmt.Println("total", st.Total)
	var csv strings.Builder
	if err := st.WriteCSV(&csv); err != nil {
		fmt.Println(err)
	}
	fmt.Print(strings.ReplaceAll(csv.String(), "\r\n", "\n")) // RFC 4180 ends lines with CRLF

	// Output:
	// v1 visit 7.00 USD capped: false
	// v2 visit 7.00 USD capped: false
	// v4 payg 7.50 USD capped: false
	// v3 visit 0.00 USD capped: true
	// total 21.50 USD
	// record,location,date,at,visit,holder,pass,product,tier,kind,terms,rate,share,base,amount,capped,note
	// line,city,2026-03-02,2026-03-02T10:00:00Z,v1,ana,p1,monthly,1,visit,city-v1,7.00,,0.00,7.00,,
	// line,city,2026-03-03,2026-03-03T10:00:00Z,v2,ana,p1,monthly,1,visit,city-v1,7.00,,0.00,7.00,,
	// line,city,2026-03-04,2026-03-04T10:00:00Z,v4,ben,,,0,payg,city-v1,0.00,0.25,30.00,7.50,,
	// line,city,2026-03-05,2026-03-05T10:00:00Z,v3,ana,p1,monthly,1,visit,city-v1,7.00,,0.00,0.00,visit_cap,
	// total,city,,,4,,,,,,,,,,21.50,,
	// total,,,,4,,,,,,,,,,21.50,,
}
