package passengine

import (
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// genInstant draws an instant from a few that are, and are not, the same
// once normalized: one instant in UTC and in New York time, a nanosecond
// and a microsecond later, and the zero time ("now").
func genInstant(t *rapid.T, label string) time.Time {
	ny, _ := time.LoadLocation("America/New_York")
	base := time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC)
	return rapid.SampledFrom([]time.Time{{}, base, base.In(ny), base.Add(time.Nanosecond), base.Add(500 * time.Nanosecond),
		base.Add(time.Microsecond), base.Add(time.Hour).In(ny)}).Draw(t, label)
}

// genMoney draws an amount from a few that are, and are not, equal: 10,
// 10.0, 10.50, 10.5, in USD or EUR, or none.
func genMoney(t *rapid.T, label string) money.Money {
	amount := rapid.SampledFrom([]string{"", "10", "10.0", "10.50", "10.5", "0"}).Draw(t, label+"Amount")
	if amount == "" {
		return money.Money{}
	}
	return money.Money{Amount: decimal.RequireFromString(amount), Currency: rapid.SampledFrom([]string{"USD", "EUR"}).Draw(t, label+"Currency")}
}

// canonMoney is an amount as a value equal for equal amounts, for the
// model of equality.
func canonMoney(m money.Money) [2]string { return [2]string{m.Currency, m.Amount.String()} }

// Rule I4: two check-in requests have the same fingerprint exactly when
// they are equal once normalized (instants in UTC at the microsecond, cost
// 0 as 1), whatever their key, network and actor.
func TestRule_I4_CheckInFingerprintIffNormalizedEqual(t *testing.T) {
	gen := func(t *rapid.T, l string) CheckInRequest {
		return CheckInRequest{Key: rapid.SampledFrom([]string{"k", "k2"}).Draw(t, l+"Key"),
			Holder:   rapid.SampledFrom([]string{"a", "b", "a/b", "ab"}).Draw(t, l+"Holder"),
			Location: rapid.SampledFrom([]string{"b", "a/b", ""}).Draw(t, l+"Location"),
			At:       genInstant(t, l+"At"), Cost: rapid.IntRange(0, 2).Draw(t, l+"Cost"),
			Actor: rapid.SampledFrom([]string{"", "desk"}).Draw(t, l+"Actor")}
	}
	rapid.Check(t, func(t *rapid.T) {
		a, b := gen(t, "a"), gen(t, "b")
		na, nb := a.normalized(), b.normalized()
		na.Key, nb.Key, na.Actor, nb.Actor = "", "", "", ""
		equal := na.Holder == nb.Holder && na.Location == nb.Location && na.At.Equal(nb.At) && na.Cost == nb.Cost
		if same := a.fingerprint("check_in") == b.fingerprint("check_in"); same != equal {
			t.Fatalf("%+v and %+v: same fingerprint %v, equal normalized %v", a, b, same, equal)
		}
		if a.fingerprint("check_in") == a.fingerprint("explain") {
			t.Fatal("two operations share a fingerprint")
		}
	})
}

// Rule I4: issue requests too, with amounts compared as numbers (10.5 and
// 10.50 are one price), the source defaulted, and Actor and Comment left
// out.
func TestRule_I4_IssueFingerprintIffNormalizedEqual(t *testing.T) {
	gen := func(t *rapid.T, l string) IssueRequest {
		return IssueRequest{Product: rapid.SampledFrom([]string{"p", "q"}).Draw(t, l+"Product"),
			Holder: rapid.SampledFrom([]string{"", "a"}).Draw(t, l+"Holder"), Team: rapid.SampledFrom([]string{"", "a"}).Draw(t, l+"Team"),
			Source:    rapid.SampledFrom([]pass.Source{"", pass.FromProduct, pass.FromManual}).Draw(t, l+"Source"),
			Remaining: rapid.IntRange(0, 1).Draw(t, l+"Remaining"), Price: genMoney(t, l+"Price"), Paid: rapid.Bool().Draw(t, l+"Paid"),
			ExpiresOn: rapid.SampledFrom([]calendar.Date{{}, calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 2)}).Draw(t, l+"Expires"),
			Passcode:  rapid.Bool().Draw(t, l+"Passcode"),
			Actor:     rapid.SampledFrom([]string{"", "desk"}).Draw(t, l+"Actor"), Comment: rapid.SampledFrom([]string{"", "gift"}).Draw(t, l+"Comment")}
	}
	rapid.Check(t, func(t *rapid.T) {
		a, b := gen(t, "a"), gen(t, "b")
		na, nb := a.normalized(), b.normalized()
		pa, pb := canonMoney(na.Price), canonMoney(nb.Price)
		na.Price, nb.Price = money.Money{}, money.Money{}
		na.Actor, nb.Actor, na.Comment, nb.Comment = "", "", "", ""
		equal := pa == pb && reflect.DeepEqual(na, nb)
		if same := a.fingerprint("issue") == b.fingerprint("issue"); same != equal {
			t.Fatalf("%+v and %+v: same fingerprint %v, equal normalized %v", a, b, same, equal)
		}
	})
}

// Rule I4: a redemption's fingerprint holds the code's hash, never the
// code, and tells apart the club, the code and the instant.
func TestRule_I4_RedeemFingerprint(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := redeemFingerprint("redeem", "club", "hash-1", at)
	for name, b := range map[string][fpLen]byte{
		"another club":    redeemFingerprint("redeem", "club2", "hash-1", at),
		"another code":    redeemFingerprint("redeem", "club", "hash-2", at),
		"another instant": redeemFingerprint("redeem", "club", "hash-1", at.Add(time.Microsecond)),
		"now":             redeemFingerprint("redeem", "club", "hash-1", time.Time{}),
		"shifted fields":  redeemFingerprint("redeem", "clubh", "ash-1", at),
	} {
		if a == b {
			t.Errorf("%s: same fingerprint", name)
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	if a != redeemFingerprint("redeem", "club", "hash-1", at.In(ny).Add(999*time.Nanosecond)) {
		t.Error("the same instant in New York time, within a microsecond: another fingerprint")
	}
}

// Rule I4: derived keys never collide: each (key, part) pair gives its own.
func TestRule_I4_DerivedKeysAreUnambiguous(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		alphabet := rapid.SampledFrom([]rune{'a', 'b', '/', '%', '2', 'F'})
		k1 := rapid.StringOfN(alphabet, 1, 4, -1).Draw(t, "k1")
		p1 := rapid.StringOfN(alphabet, 1, 4, -1).Draw(t, "p1")
		k2 := rapid.StringOfN(alphabet, 1, 4, -1).Draw(t, "k2")
		p2 := rapid.StringOfN(alphabet, 1, 4, -1).Draw(t, "p2")
		if (k1 == k2 && p1 == p2) != (deriveKey(k1, p1) == deriveKey(k2, p2)) {
			t.Fatalf("(%q, %q) and (%q, %q) derive %q and %q", k1, p1, k2, p2, deriveKey(k1, p1), deriveKey(k2, p2))
		}
	})
}
