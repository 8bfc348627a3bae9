package passengine

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// roundTrip returns r's compact record read back, after putting r in
// canonical form. It reads back both versions of the record, and fails
// when they differ.
func roundTrip(tb interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}, r *VisitResult) VisitResult {
	tb.Helper()
	var got [2]VisitResult
	for i, v2 := range []bool{false, true} {
		b, err := recordOf(r, nil, v2)
		if err != nil {
			tb.Fatal(err)
		}
		if want := map[bool]byte{false: recordCompact, true: recordCompactV2}[v2]; b[0] != want {
			tb.Fatalf("got first byte %#x, want %#x", b[0], want)
		}
		if err := decodeRecord(store.Record{Key: "k", Result: b}, &got[i]); err != nil {
			tb.Fatalf("reading back version %#x: %v", b[0], err)
		}
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		tb.Fatalf("version 2 read back differs from version 1:\n v2 %+v\n v1 %+v", got[1], got[0])
	}
	return got[0]
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

// genCandidates draws a nil, an empty or a list of candidates, some with
// the fields after the pass ID of the one before (a team pool), with pass
// IDs that are UUIDs in canonical form, or nearly (upper case, a digit
// out of range, a hyphen moved), or any string.
func genCandidates(t *rapid.T) []entitlement.Candidate {
	n := rapid.IntRange(-1, 12).Draw(t, "cands")
	if n < 0 {
		return nil
	}
	cs := make([]entitlement.Candidate, n)
	for i := range cs {
		l := fmt.Sprint("cand", i)
		c := &cs[i]
		if i > 0 && rapid.Bool().Draw(t, l+"same") {
			*c = cs[i-1]
		} else {
			*c = entitlement.Candidate{Kind: pass.Kind(rapid.String().Draw(t, l+"k")),
				Balance: rapid.Int().Draw(t, l+"b"), Shared: rapid.Bool().Draw(t, l+"s"), Locations: rapid.Int().Draw(t, l+"loc"),
				Reason: entitlement.Reason(rapid.String().Draw(t, l+"r")), DecidedBy: rapid.String().Draw(t, l+"d")}
		}
		c.Pass = &pass.Pass{ID: "p"}
		id := uuid.UUID(rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, l+"uuid")).String()
		switch rapid.IntRange(0, 4).Draw(t, l+"idform") {
		case 0:
			c.PassID = id
		case 1:
			c.PassID = strings.ToUpper(id)
		case 2:
			b := []byte(id)
			b[rapid.IntRange(0, 35).Draw(t, l+"at")] = rapid.SampledFrom([]byte("g-G/:@`")).Draw(t, l+"with")
			c.PassID = string(b)
		case 3:
			c.PassID = id[:35]
		default:
			c.PassID = rapid.String().Draw(t, l+"id")
		}
	}
	return cs
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
			Candidates: genCandidates(t),
			Eligible:   rapid.Int().Draw(t, "eligible"), DecidedBy: rapid.String().Draw(t, "decided"),
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
	var out []byte
	for _, v2 := range []bool{false, true} {
		b, err := recordOf(r, nil, v2)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// FuzzReadCompact feeds any bytes to the record reader, as either
// version: it never panics, and what it accepts encodes back to a record
// of that version that reads the same.
func FuzzReadCompact(f *testing.F) {
	var r VisitResult
	var n int
	fill(reflect.ValueOf(&r).Elem(), &n)
	r.Selection.Candidates[1].PassID = "0190f3a2-7c4e-7abc-8def-0123456789ab"
	for _, v2 := range []bool{false, true} {
		b, _ := recordOf(&r, nil, v2)
		f.Add(v2, b[1:])
		f.Add(v2, []byte{})
	}
	f.Fuzz(func(t *testing.T, v2 bool, b []byte) {
		var got VisitResult
		if err := readCompact(b, &got, v2); err != nil {
			return
		}
		b2, err := recordOf(&got, nil, v2)
		if err != nil {
			t.Fatal(err)
		}
		var again VisitResult
		if err := readCompact(b2[1:], &again, v2); err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-read: %v\n got %#v\nwant %#v", err, again, got)
		}
	})
}

// canonicalUUID is parseUUID's definition, by github.com/google/uuid: s is
// a UUID that prints back to s.
func canonicalUUID(s string) (uuid.UUID, bool) {
	id, err := uuid.Parse(s)
	return id, err == nil && id.String() == s
}

// checkParseUUID fails t when parseUUID disagrees with canonicalUUID on
// s, or formatUUID does not give s back.
func checkParseUUID(t *testing.T, s string) {
	t.Helper()
	got, ok := parseUUID(s)
	want, wantOK := canonicalUUID(s)
	if ok != wantOK || ok && got != [16]byte(want) {
		t.Fatalf("parseUUID(%q) = %x, %v; want %x, %v", s, got, ok, want, wantOK)
	}
	if ok {
		if back := formatUUID(&got); back != s {
			t.Fatalf("formatUUID(parseUUID(%q)) = %q", s, back)
		}
	}
}

// TestParseUUID puts every byte value at every place of canonical UUIDs
// (each hexadecimal digit, each hyphen, a byte of the high half) and
// checks parseUUID against the definition at each.
func TestParseUUID(t *testing.T) {
	for _, base := range []string{"0190f3a2-7c4e-7abc-8def-0123456789ab", "ffffffff-ffff-ffff-ffff-ffffffffffff",
		"00000000-0000-0000-0000-000000000000", "9a9a9a9a-f0f0-0f0f-a9a9-6f6f6f6f6f6f"} {
		checkParseUUID(t, base)
		for at := range len(base) {
			b := []byte(base)
			for c := range 256 {
				b[at] = byte(c)
				checkParseUUID(t, string(b))
			}
		}
	}
	for _, s := range []string{"", "0190f3a2-7c4e-7abc-8def-0123456789a", "0190f3a2-7c4e-7abc-8def-0123456789abc",
		"{0190f3a2-7c4e-7abc-8def-0123456789ab}", "urn:uuid:0190f3a2-7c4e-7abc-8def-0123456789ab", "0190f3a27c4e7abc8def0123456789ab"} {
		checkParseUUID(t, s)
	}
}

// FuzzParseUUID checks parseUUID against its definition on any string.
func FuzzParseUUID(f *testing.F) {
	f.Add("0190f3a2-7c4e-7abc-8def-0123456789ab")
	f.Add("0190F3A2-7c4e-7abc-8def-0123456789ab")
	f.Fuzz(checkParseUUID)
}
