package pass_test

import (
	"errors"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

func checkFieldError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name == "" {
		t.Fatalf("%s: got %v, want nil or a *field.Error naming a field", what, err)
	}
}

// Rule S2: validating products and passes made of arbitrary strings and
// numbers, and issuing from them, never panics; every refusal is a
// *field.Error, and an issued pass is valid with its balance equal to the
// sum of its ledger entries.
func FuzzProductValidateAndIssue(f *testing.F) {
	f.Add("hub", "p", "day", "on_purchase", "member", "high", "plan", "USD", "125", 5, 3, 1, 0, "2024-01-31")
	f.Add("", "", "", "", "", "", "", "", "", 0, 0, 0, 0, "")
	f.Add("hub", "p", "visits", "merchant_set", "vip", "urgent", "gift", "usd", "-1", -1, 25, -1, -1, "2024-02-30")
	f.Add("hub", "p", "time", "on_first_use", "", "", "import", "JPY", "7600", 20, 12, 0, 3, "2024-10-10")
	f.Fuzz(func(t *testing.T, network, id, kind, activation, audience, priority, source, currency, price string,
		units, remaining, months, days int, on string) {
		m, err := money.New(price, currency)
		if err != nil {
			checkFieldError(t, "money.New", err)
			m = money.Money{Currency: currency}
		}
		prod := pass.Product{Network: network, ID: id, Kind: pass.Kind(kind), Units: units, Price: m,
			Audience: catalog.Audience(audience), Priority: pass.Priority(priority),
			Activation: pass.Activation(activation), Validity: calendar.Validity{Months: months, Days: days}}
		verr := prod.Validate(currency)
		checkFieldError(t, "Product.Validate", verr)
		if verr != nil {
			return
		}
		d, _ := calendar.ParseDate(on)
		p, entries, err := pass.Issue(prod, pass.IssueSpec{ID: id, Holder: network, Source: pass.Source(source),
			Remaining: remaining, At: issuedAt, On: d, ActivatedOn: d, ExpiresOn: d})
		checkFieldError(t, "Issue", err)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("issued pass invalid: %v (%+v)", err, p)
		}
		sum := 0
		for _, e := range entries {
			sum += e.Units
		}
		if sum != p.Balance || p.Balance < 0 {
			t.Fatalf("balance %d, ledger sum %d", p.Balance, sum)
		}
	})
}

// Rule S2: Pass.Validate never panics on arbitrary fields.
func FuzzPassValidate(f *testing.F) {
	f.Add("hub", "p1", "ada", "", "day", "plan", 5, 5, "2024-01-01", "2024-02-01")
	f.Add("", "", "", "", "", "", -1, 0, "", "")
	f.Add("hub", "p1", "ada", "team", "x", "y", 3, 2, "2024-02-01", "2024-01-01")
	f.Fuzz(func(t *testing.T, network, id, holder, team, kind, source string, balance, units int, activated, expires string) {
		a, _ := calendar.ParseDate(activated)
		e, _ := calendar.ParseDate(expires)
		p := pass.Pass{Network: network, ID: id, Holder: holder, Team: team, Kind: pass.Kind(kind),
			Source: pass.Source(source), Balance: balance, Units: units, ActivatedOn: a, ExpiresOn: e}
		checkFieldError(t, "Pass.Validate", p.Validate())
		_ = p.StatusOn(a)
	})
}
