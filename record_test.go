package passengine

import (
	"encoding/json"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// roundTrip returns r's compact record read back, after putting r in
// canonical form.
func roundTrip(tb interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}, r *VisitResult) VisitResult {
	tb.Helper()
	b, err := recordOf(r, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if b[0] != recordCompact {
		tb.Fatalf("got first byte %#x, want %#x", b[0], recordCompact)
	}
	var got VisitResult
	if err := readCompact(b[1:], &got); err != nil {
		tb.Fatalf("reading back: %v", err)
	}
	return got
}

// fill sets every exported field reachable from v to a value other than
// its zero: slices get two elements, pointers a value, so that a field the
// record leaves out reads back different.
func fill(v reflect.Value, n *int) {
	*n++
	switch x := v.Addr().Interface().(type) {
	case *time.Time:
		*x = time.Date(2026, 3, 2, 9, 0, 0, *n*1000, time.UTC)
		return
	case *decimal.Decimal:
		*x = decimal.New(int64(1000+*n), -2)
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strings.Repeat("x", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), n)
		fill(v.Index(1), n)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	}
}

// Rule I1: a replay returns the first answer field for field; the compact
// record of a VisitResult holds every field a caller reads, so a field
// added to the result, a visit, a charge or a candidate and left out of the
// record fails here.
func TestRule_I1_CompactRecordKeepsEveryField(t *testing.T) {
	var r VisitResult
	var n int
	fill(reflect.ValueOf(&r).Elem(), &n)
	for i := range r.Selection.Candidates {
		if r.Selection.Candidates[i].Pass == nil {
			t.Fatal("the filler left a candidate's pass unset")
		}
	}
	want := r
	got := roundTrip(t, &r)
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("read back:\n got %+v\nwant %+v", got, r)
	}
	// Only the candidates' passes are left out: the rest is what was filled.
	for i := range want.Selection.Candidates {
		want.Selection.Candidates[i].Pass = nil
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("canonical form of a canonical result changed it:\n got %+v\nwant %+v", r, want)
	}
}

// genDecimal draws amounts in every form arithmetic makes: the zero
// Decimal, zeros of several exponents (with an empty or a nil
// coefficient), small and large coefficients, negative ones.
func genDecimal(t *rapid.T, label string) decimal.Decimal {
	switch rapid.IntRange(0, 4).Draw(t, label) {
	case 0:
		return decimal.Decimal{}
	case 1:
		a := decimal.New(rapid.Int64Range(-1e6, 1e6).Draw(t, label+"a"), int32(rapid.IntRange(-4, 2).Draw(t, label+"e")))
		return a.Sub(a) // a zero whose coefficient was computed
	case 2:
		return decimal.New(0, int32(rapid.IntRange(-30, 30).Draw(t, label+"e")))
	case 3:
		c, _ := new(big.Int).SetString(rapid.StringMatching(`-?[1-9][0-9]{18,40}`).Draw(t, label+"big"), 10)
		return decimal.NewFromBigInt(c, int32(rapid.IntRange(-40, 0).Draw(t, label+"e")))
	}
	return decimal.New(rapid.Int64().Draw(t, label+"c"), int32(rapid.IntRange(-18, 18).Draw(t, label+"e")))
}

func genTime(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+"zero") {
		return time.Time{}
	}
	loc := rapid.SampledFrom([]*time.Location{time.UTC, time.FixedZone("x", 5*3600+1800), time.Local}).Draw(t, label+"loc")
	return time.Unix(rapid.Int64Range(-2208988800, 32503680000).Draw(t, label+"s"), rapid.Int64Range(0, 999_999_999).Draw(t, label+"ns")).In(loc)
}

func genTimePtr(t *rapid.T, label string) *time.Time {
	if rapid.Bool().Draw(t, label) {
		return nil
	}
	tm := genTime(t, label)
	return &tm
}

func genMoneyExact(t *rapid.T, label string) money.Money {
	return money.Money{Amount: genDecimal(t, label), Currency: rapid.SampledFrom([]string{"", "USD", "JPY"}).Draw(t, label+"cur")}
}

// genSlice draws a nil, an empty or a short slice.
func genSlice[T any](t *rapid.T, label string, gen func(*rapid.T, string) T) []T {
	switch n := rapid.IntRange(-1, 3).Draw(t, label); n {
	case -1:
		return nil
	default:
		s := make([]T, n)
		for i := range s {
			s[i] = gen(t, label)
		}
		return s
	}
}

func genCharge(t *rapid.T, label string) billing.DayCharge {
	return billing.DayCharge{Date: calendar.Date{Year: rapid.IntRange(1900, 2999).Draw(t, label+"y"), Month: time.March, Day: 2},
		Minutes: rapid.Int().Draw(t, label+"m"), Increments: rapid.Int().Draw(t, label+"i"), Amount: genMoneyExact(t, label),
		Capped: rapid.Bool().Draw(t, label+"c"), PAYG: rapid.String().Draw(t, label+"p")}
}

func genVisit(t *rapid.T, label string) checkin.Visit {
	str := func(l string) string { return rapid.String().Draw(t, label+l) }
	v := checkin.Visit{Network: str("n"), ID: str("id"), Holder: str("h"), Location: str("l"),
		Kind: checkin.Kind(str("k")), Mode: checkin.Mode(str("mo")), Status: checkin.Status(str("st")),
		Start: genTime(t, label+"start"), End: genTimePtr(t, label+"end"), Date: calendar.Date{Year: 2026, Month: time.March, Day: 2},
		Cost: rapid.Int().Draw(t, label+"cost"), Pass: str("pass"), CoveredBy: str("cov"), PAYG: str("payg"),
		Consumptions: genSlice(t, label+"cons", func(t *rapid.T, l string) checkin.Consumption {
			return checkin.Consumption{Pass: rapid.String().Draw(t, l+"p"), Kind: pass.Kind(rapid.String().Draw(t, l+"k")), Units: rapid.Int().Draw(t, l+"u")}
		}),
		Charges:          genSlice(t, label+"charges", genCharge),
		UncoveredMinutes: rapid.Int().Draw(t, label+"um"), AutoClosed: rapid.Bool().Draw(t, label+"ac"), Activated: str("act"),
		CancelledAt: genTimePtr(t, label+"cancelled"), LateCancel: rapid.Bool().Draw(t, label+"late"), CancelledBy: str("by"),
		Terms: str("terms"), SettledAt: genTimePtr(t, label+"settled"), Debited: genMoneyExact(t, label+"deb"), Owed: genMoneyExact(t, label+"owed"),
	}
	if rapid.Bool().Draw(t, label+"fee") {
		f := genCharge(t, label+"fee")
		v.Fee = &f
	}
	return v
}

func genResult(t *rapid.T) VisitResult {
	return VisitResult{
		Visit:  genVisit(t, "visit"),
		Closed: genSlice(t, "closed", genVisit),
		Balances: genSlice(t, "balances", func(t *rapid.T, l string) Balance {
			return Balance{Pass: rapid.String().Draw(t, l+"p"), Kind: pass.Kind(rapid.String().Draw(t, l+"k")), Balance: rapid.Int().Draw(t, l+"b")}
		}),
		Charge: genMoneyExact(t, "charge"),
		Selection: entitlement.Selection{
			Candidates: genSlice(t, "cands", func(t *rapid.T, l string) entitlement.Candidate {
				return entitlement.Candidate{Pass: &pass.Pass{ID: "p"}, PassID: rapid.String().Draw(t, l+"id"), Kind: pass.Kind(rapid.String().Draw(t, l+"k")),
					Balance: rapid.Int().Draw(t, l+"b"), Shared: rapid.Bool().Draw(t, l+"s"), Locations: rapid.Int().Draw(t, l+"loc"),
					Reason: entitlement.Reason(rapid.String().Draw(t, l+"r")), DecidedBy: rapid.String().Draw(t, l+"d")}
			}),
			Eligible: rapid.Int().Draw(t, "eligible"), DecidedBy: rapid.String().Draw(t, "decided"),
		},
		Points: genSlice(t, "points", func(t *rapid.T, l string) CardPoints {
			return CardPoints{Card: rapid.String().Draw(t, l+"c"), Points: rapid.Int().Draw(t, l+"p"), Bonus: rapid.Int().Draw(t, l+"b")}
		}),
	}
}

// Rule I1: whatever a result holds (nil or empty lists, zero amounts made
// by arithmetic, long coefficients, instants in any zone), its canonical
// form reads back from its record equal field for field, keeps every
// amount's value and every instant at the microsecond, and serializes as
// JSON exactly as the value read back does.
func TestRule_I1_CompactRecordRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := genResult(t)
		before := r
		before.Visit.Charges = append([]billing.DayCharge(nil), r.Visit.Charges...)
		got := roundTrip(t, &r)
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("read back:\n got %#v\nwant %#v", got, r)
		}
		if !r.Charge.Amount.Equal(before.Charge.Amount) || !r.Visit.Start.Equal(before.Visit.Start.Truncate(time.Microsecond)) {
			t.Fatalf("canonical form changed a value: %v -> %v, %v -> %v", before.Charge, r.Charge, before.Visit.Start, r.Visit.Start)
		}
		for i := range r.Visit.Charges {
			if !r.Visit.Charges[i].Amount.Amount.Equal(before.Visit.Charges[i].Amount.Amount) {
				t.Fatalf("canonical form changed charge %d: %v -> %v", i, before.Visit.Charges[i].Amount, r.Visit.Charges[i].Amount)
			}
		}
		j1, err1 := json.Marshal(r)
		j2, err2 := json.Marshal(got)
		if err1 != nil || err2 != nil || string(j1) != string(j2) {
			t.Fatalf("JSON differs: %s (%v) and %s (%v)", j1, err1, j2, err2)
		}
		again := got
		if b1, b2 := mustRecord(t, &got), mustRecord(t, &again); string(b1) != string(b2) {
			t.Fatal("a record read back does not encode to the same bytes")
		}
	})
}

func mustRecord(t *rapid.T, r *VisitResult) []byte {
	b, err := recordOf(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzReadCompact feeds any bytes to the record reader: it never panics,
// and what it accepts encodes back to a record that reads the same.
func FuzzReadCompact(f *testing.F) {
	var r VisitResult
	var n int
	fill(reflect.ValueOf(&r).Elem(), &n)
	b, _ := recordOf(&r, nil)
	f.Add(b[1:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var got VisitResult
		if err := readCompact(b, &got); err != nil {
			return
		}
		b2, err := recordOf(&got, nil)
		if err != nil {
			t.Fatal(err)
		}
		var again VisitResult
		if err := readCompact(b2[1:], &again); err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-read: %v\n got %#v\nwant %#v", err, again, got)
		}
	})
}
