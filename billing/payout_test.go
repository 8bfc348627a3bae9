package billing

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

func eur(s string) money.Money { return money.MustNew(s, "EUR") }

func march(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

func terms(id, loc string, from time.Time, rates ...Rate) Terms {
	return Terms{Network: "n", Location: loc, ID: id, EffectiveFrom: from, Rates: rates, PAYGShare: decimal.Zero}
}

func visit(id, loc, holder string, at time.Time, termsID string) PayoutVisit {
	return PayoutVisit{ID: id, Location: loc, Holder: holder, Pass: "p-" + holder, Product: "monthly", Tier: 2,
		Date: calendar.DateOf(at), At: at, Kind: VisitLine, Terms: termsID}
}

func spec(loc string, from, to calendar.Date) StatementSpec {
	return StatementSpec{Network: "n", Location: loc, From: from, To: to, Currency: "EUR"}
}

func mustStatement(t *testing.T, s StatementSpec, vs []PayoutVisit, ts []Terms) Statement {
	t.Helper()
	st, err := ComputeStatement(s, vs, ts)
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, &st)
	return st
}

// checkSums checks Rule Y3 on any statement: each location's total and the
// statement's total are the sums of their lines, and every line is rounded.
func checkSums(t *testing.T, st *Statement) {
	t.Helper()
	total := money.Zero(st.Currency)
	byLoc := map[string]money.Money{}
	for _, l := range st.Lines {
		if !l.Amount.Amount.Equal(l.Amount.Round().Amount) {
			t.Errorf("line %s: amount %s not rounded to the minor unit", l.Visit, l.Amount)
		}
		total = total.Add(l.Amount)
		byLoc[l.Location] = byLoc[l.Location].Add(l.Amount)
	}
	if !total.Amount.Equal(st.Total.Amount) {
		t.Errorf("total: got %s, want the sum of lines %s", st.Total, total)
	}
	for _, lt := range st.Locations {
		if !byLoc[lt.Location].Amount.Equal(lt.Total.Amount) {
			t.Errorf("location %s total: got %s, want the sum of its lines %s", lt.Location, lt.Total, byLoc[lt.Location])
		}
	}
}

func amounts(st Statement) []string {
	out := make([]string, len(st.Lines))
	for i, l := range st.Lines {
		out[i] = l.Amount.Amount.StringFixed(2)
	}
	return out
}

// Rule Y2: a rate naming the product wins; otherwise the rate of the
// highest tier not above the pass's.
func TestRule_Y2_RateFor(t *testing.T) {
	tm := terms("t1", "club", march(1, 0),
		Rate{Tier: 1, Amount: eur("5")}, Rate{Tier: 3, Amount: eur("9")}, Rate{Product: "premium", Amount: eur("12")})
	tests := []struct {
		product string
		tier    int
		want    string
		ok      bool
	}{
		{"premium", 1, "12", true},
		{"monthly", 1, "5", true},
		{"monthly", 2, "5", true},
		{"monthly", 3, "9", true},
		{"monthly", 7, "9", true},
		{"monthly", 0, "", false},
	}
	for _, tt := range tests {
		r, ok := tm.RateFor(tt.product, tt.tier)
		if ok != tt.ok || ok && !r.Amount.Amount.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("RateFor(%q, %d): got %s, %v, want %s, %v", tt.product, tt.tier, r.Amount, ok, tt.want, tt.ok)
		}
	}
}

// Rule Y1: the version in force is the latest not after the instant; ties
// go to the greater ID.
func TestRule_Y1_InForce(t *testing.T) {
	vs := []Terms{terms("b", "club", march(10, 0)), terms("a", "club", march(1, 0)), terms("c", "club", march(10, 0))}
	for _, tt := range []struct {
		at   time.Time
		want string
	}{{march(1, 0).Add(-time.Second), ""}, {march(1, 0), "a"}, {march(9, 23), "a"}, {march(10, 0), "c"}, {march(30, 0), "c"}} {
		got := ""
		if v := InForce(vs, tt.at); v != nil {
			got = v.ID
		}
		if got != tt.want {
			t.Errorf("InForce(%s): got %q, want %q", tt.at, got, tt.want)
		}
	}
}

// Rule Y1: each visit is paid by the version recorded on it, so a later
// version never reprices an earlier visit.
func TestRule_Y1_VisitKeepsRecordedVersion(t *testing.T) {
	ts := []Terms{
		terms("v1", "club", march(1, 0), Rate{Tier: 2, Amount: eur("8.00")}),
		terms("v2", "club", march(15, 0), Rate{Tier: 2, Amount: eur("6.50")}),
	}
	vs := []PayoutVisit{visit("a", "club", "ana", march(3, 9), "v1"), visit("b", "club", "ana", march(20, 9), "v2")}
	before := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 14)), vs[:1], ts[:1])
	after := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)), vs, ts)
	if got, want := amounts(after), []string{"8.00", "6.50"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
	if !reflect.DeepEqual(before.Lines[0], after.Lines[0]) {
		t.Errorf("earlier visit repriced: got %+v, want %+v", after.Lines[0], before.Lines[0])
	}
}

// Rule Y2: with a monthly cap of 4 paid visits, the 5th visit of a holder
// at a location in a calendar month pays nothing; another holder, another
// location and the next month each count afresh.
func TestRule_Y2_MonthlyVisitCap(t *testing.T) {
	tm := terms("t", "club", march(1, 0), Rate{Tier: 2, Amount: eur("10")})
	tm.MonthlyVisitCap = 4
	other := terms("o", "gym", march(1, 0), Rate{Tier: 2, Amount: eur("7")})
	other.MonthlyVisitCap = 4
	var vs []PayoutVisit
	for d := 1; d <= 6; d++ {
		vs = append(vs, visit(fmt.Sprintf("ana-%d", d), "club", "ana", march(d, 9), "t"))
	}
	vs = append(vs, visit("ben-1", "club", "ben", march(6, 10), "t"), visit("gym-1", "gym", "ana", march(7, 9), "o"),
		visit("apr-1", "club", "ana", time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), "t"))
	st := mustStatement(t, spec("", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 4, 30)), vs, []Terms{tm, other})
	got := map[string]string{}
	capped := map[string]string{}
	for _, l := range st.Lines {
		got[l.Visit], capped[l.Visit] = l.Amount.Amount.StringFixed(2), l.Capped
	}
	want := map[string]string{"ana-1": "10.00", "ana-2": "10.00", "ana-3": "10.00", "ana-4": "10.00", "ana-5": "0.00",
		"ana-6": "0.00", "ben-1": "10.00", "gym-1": "7.00", "apr-1": "10.00"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
	if capped["ana-5"] != CapVisits || capped["ana-4"] != "" {
		t.Errorf("capped: got ana-4 %q ana-5 %q, want \"\" and %q", capped["ana-4"], capped["ana-5"], CapVisits)
	}
	if st.Total.Amount.StringFixed(2) != "67.00" {
		t.Errorf("total: got %s, want 67.00", st.Total)
	}
}

// Rule Y2: visits earlier in the month than the statement's period count
// toward the cap, though they are not listed.
func TestRule_Y2_CapCountsVisitsBeforePeriod(t *testing.T) {
	tm := terms("t", "club", march(1, 0), Rate{Tier: 2, Amount: eur("10")})
	tm.MonthlyVisitCap = 4
	var vs []PayoutVisit
	for _, d := range []int{2, 5, 9, 16, 20} {
		vs = append(vs, visit(fmt.Sprintf("v%02d", d), "club", "ana", march(d, 9), "t"))
	}
	st := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 15), calendar.NewDate(2026, 3, 31)), vs, []Terms{tm})
	if got, want := amounts(st), []string{"10.00", "0.00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
}

// Rule Y2: the month is the service date's (the business day in the
// location's zone), not the instant's UTC month.
func TestRule_Y2_CapMonthIsServiceDate(t *testing.T) {
	tm := terms("t", "club", march(1, 0), Rate{Tier: 2, Amount: eur("10")})
	tm.MonthlyVisitCap = 1
	a := visit("a", "club", "ana", march(30, 9), "t")
	b := visit("b", "club", "ana", time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC), "t")
	b.Date = calendar.NewDate(2026, 3, 31) // 22:00 on Mar 31 in New York
	st := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)), []PayoutVisit{a, b}, []Terms{tm})
	if got, want := amounts(st), []string{"10.00", "0.00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
}

// Rule Y2: a monthly amount cap pays a line only what is left of it.
func TestRule_Y2_MonthlyAmountCap(t *testing.T) {
	tm := terms("t", "club", march(1, 0), Rate{Tier: 2, Amount: eur("10")})
	tm.MonthlyAmountCap = eur("25")
	var vs []PayoutVisit
	for d := 1; d <= 4; d++ {
		vs = append(vs, visit(fmt.Sprintf("v%d", d), "club", "ana", march(d, 9), "t"))
	}
	st := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)), vs, []Terms{tm})
	if got, want := amounts(st), []string{"10.00", "10.00", "5.00", "0.00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
	if st.Lines[2].Capped != CapAmount || st.Lines[3].Capped != CapAmount {
		t.Errorf("capped: got %q, %q, want %q", st.Lines[2].Capped, st.Lines[3].Capped, CapAmount)
	}
	if st.Locations[0].Paid != 3 || st.Locations[0].Visits != 4 {
		t.Errorf("location total: got %+v, want 4 visits, 3 paid", st.Locations[0])
	}
}

// Rule Y2: a PAYG visit pays the share of the version in force at its
// instant, rounded once; caps do not apply to it.
func TestRule_Y2_PAYGShare(t *testing.T) {
	v1 := terms("v1", "club", march(1, 0))
	v1.PAYGShare = decimal.RequireFromString("0.3")
	v1.MonthlyVisitCap = 1
	v2 := terms("v2", "club", march(15, 0))
	v2.PAYGShare = decimal.RequireFromString("0.5")
	p := func(id string, at time.Time, charged string) PayoutVisit {
		return PayoutVisit{ID: id, Location: "club", Holder: "ana", Date: calendar.DateOf(at), At: at, Kind: PAYGLine, Charged: eur(charged)}
	}
	vs := []PayoutVisit{p("a", march(2, 9), "33.33"), p("b", march(3, 9), "10.00"), p("c", march(16, 9), "12.25")}
	st := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)), vs, []Terms{v1, v2})
	if got, want := amounts(st), []string{"10.00", "3.00", "6.13"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
	if st.Lines[2].Terms != "v2" {
		t.Errorf("terms of c: got %q, want v2", st.Lines[2].Terms)
	}
	early := p("z", time.Date(2026, 2, 27, 9, 0, 0, 0, time.UTC), "10")
	st = mustStatement(t, spec("club", calendar.NewDate(2026, 2, 1), calendar.NewDate(2026, 2, 28)), []PayoutVisit{early}, []Terms{v1})
	if st.Lines[0].Note != NoTerms || !st.Total.Amount.IsZero() {
		t.Errorf("PAYG before any terms: got %+v, want note %q and 0", st.Lines[0], NoTerms)
	}
}

// Rule Y3: lines are rounded one by one and totals are sums of rounded
// lines: three lines of 3.335 are 3.34 each and 10.02 in all (not 10.01).
func TestRule_Y3_RoundedPerLineTotalsSumLines(t *testing.T) {
	tm := terms("t", "club", march(1, 0), Rate{Tier: 2, Amount: eur("3.335")})
	var vs []PayoutVisit
	for d := 1; d <= 3; d++ {
		vs = append(vs, visit(fmt.Sprintf("v%d", d), "club", fmt.Sprintf("h%d", d), march(d, 9), "t"))
	}
	st := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)), vs, []Terms{tm})
	if got, want := amounts(st), []string{"3.34", "3.34", "3.34"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
	if got := st.Total.Amount.StringFixed(2); got != "10.02" {
		t.Errorf("total: got %s, want 10.02", got)
	}
	// JPY has no minor unit.
	jt := Terms{Network: "n", Location: "club", ID: "t", EffectiveFrom: march(1, 0), Rates: []Rate{{Tier: 2, Amount: money.MustNew("333.5", "JPY")}}}
	js := spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31))
	js.Currency = "JPY"
	st = mustStatement(t, js, vs[:2], []Terms{jt})
	if got := st.Total.Amount.String(); got != "668" {
		t.Errorf("JPY total: got %s, want 668", got)
	}
}

// Rule Y3: the same input, in any order, gives the same statement and the
// same CSV bytes.
func TestRule_Y3_Deterministic(t *testing.T) {
	ts := []Terms{terms("a", "alpha", march(1, 0), Rate{Tier: 2, Amount: eur("4.10")}),
		terms("b", "beta", march(1, 0), Rate{Tier: 2, Amount: eur("6.20")})}
	ts[0].MonthlyVisitCap = 3
	var vs []PayoutVisit
	for i := 0; i < 40; i++ {
		loc, tid := "alpha", "a"
		if i%3 == 0 {
			loc, tid = "beta", "b"
		}
		vs = append(vs, visit(fmt.Sprintf("v%02d", i), loc, fmt.Sprintf("h%d", i%4), march(1+i%28, 6+i%12), tid))
	}
	sp := spec("", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31))
	first := mustStatement(t, sp, vs, ts)
	var want bytes.Buffer
	if err := first.WriteCSV(&want); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ {
		r.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		r.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		again := mustStatement(t, sp, vs, ts)
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("shuffle %d: statement differs", i)
		}
		var got bytes.Buffer
		if err := again.WriteCSV(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("shuffle %d: CSV differs", i)
		}
	}
	if len(first.Locations) != 2 || first.Locations[0].Location != "alpha" || first.Locations[1].Location != "beta" {
		t.Errorf("locations: got %+v, want alpha then beta", first.Locations)
	}
}

// Rule Y3: the CSV is RFC 4180 (quoted where needed, CRLF), a row per line
// and total rows whose amounts are the statement's totals.
func TestRule_Y3_CSV(t *testing.T) {
	tm := terms("t", "club", march(1, 0), Rate{Tier: 2, Amount: eur("3.335")})
	vs := []PayoutVisit{visit("v,1", "club", "ana \"the\" member", march(2, 9), "t"), visit("v2", "club", "ben", march(3, 9), "")}
	st := mustStatement(t, spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)), vs, []Terms{tm})
	var b bytes.Buffer
	if err := st.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("\r\n")) || !bytes.Contains(b.Bytes(), []byte(`"v,1"`)) {
		t.Errorf("CSV not RFC 4180: %q", b.String())
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		csvHeader,
		{"line", "club", "2026-03-02", "2026-03-02T09:00:00Z", "v,1", "ana \"the\" member", "p-ana \"the\" member", "monthly", "2", "visit", "t", "3.335", "", "0.00", "3.34", "", ""},
		{"line", "club", "2026-03-03", "2026-03-03T09:00:00Z", "v2", "ben", "p-ben", "monthly", "2", "visit", "", "0.00", "", "0.00", "0.00", "", NoTerms},
		{"total", "club", "", "", "2", "", "", "", "", "", "", "", "", "", "3.34", "", ""},
		{"total", "", "", "", "2", "", "", "", "", "", "", "", "", "", "3.34", "", ""},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\ngot  %q\nwant %q", rows, want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteCSVError(t *testing.T) {
	st := Statement{Currency: "EUR", Total: eur("0")}
	if err := st.WriteCSV(failWriter{}); err == nil {
		t.Error("got nil, want the writer's error")
	}
}

func TestComputeStatementErrors(t *testing.T) {
	good := spec("club", calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31))
	bad := []struct {
		name string
		spec StatementSpec
		want string
	}{
		{"network", StatementSpec{Currency: "EUR", From: good.From, To: good.To}, "network"},
		{"currency", StatementSpec{Network: "n", Currency: "eu", From: good.From, To: good.To}, "currency"},
		{"from", StatementSpec{Network: "n", Currency: "EUR", To: good.To}, "from"},
		{"to", StatementSpec{Network: "n", Currency: "EUR", From: good.To, To: good.From}, "to"},
	}
	for _, tt := range bad {
		var fe *field.Error
		if _, err := ComputeStatement(tt.spec, nil, nil); !errors.As(err, &fe) || fe.Name != tt.want {
			t.Errorf("%s: got %v, want a field error named %s", tt.name, err, tt.want)
		}
	}
	_, err := ComputeStatement(good, []PayoutVisit{visit("v", "club", "ana", march(2, 9), "gone")}, nil)
	if !errors.Is(err, ErrTermsMissing) {
		t.Errorf("missing terms: got %v, want ErrTermsMissing", err)
	}
}

func TestTermsSame(t *testing.T) {
	a := terms("t", "club", march(1, 0), Rate{Tier: 2, Amount: eur("10")})
	b := terms("t", "club", march(1, 0).In(time.FixedZone("x", 3600)), Rate{Tier: 2, Amount: eur("10.00")})
	if !a.Same(b) {
		t.Error("same version in another zone and scale: got different, want same")
	}
	b.Rates[0].Amount = eur("10.01")
	if a.Same(b) {
		t.Error("different rate: got same")
	}
}
