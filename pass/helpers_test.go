package pass_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// date parses a fixed YYYY-MM-DD date.
func date(s string) calendar.Date { return calendar.MustDate(s) }

// issuedAt is the fixed instant every test pass is issued at.
var issuedAt = time.Date(2024, time.October, 10, 14, 0, 0, 0, time.UTC)

// product returns a valid product of kind k with units units and price in
// USD; edit changes it further.
func product(k pass.Kind, units int, price string, edit ...func(*pass.Product)) pass.Product {
	p := pass.Product{Network: "hub", ID: "prod-" + string(k), Name: string(k), Kind: k, Units: units,
		Price: money.MustNew(price, "USD"), Activation: pass.OnPurchase}
	for _, e := range edit {
		e(&p)
	}
	return p
}

// issue issues prod to holder "ada" on date on, failing the test on error.
func issue(t *testing.T, prod pass.Product, on string, edit ...func(*pass.IssueSpec)) (pass.Pass, []pass.Entry) {
	t.Helper()
	spec := pass.IssueSpec{ID: "p1", Holder: "ada", Source: pass.FromProduct, At: issuedAt, On: date(on), Paid: true}
	for _, e := range edit {
		e(&spec)
	}
	p, entries, err := pass.Issue(prod, spec)
	require.NoError(t, err)
	require.NoError(t, p.Validate(), "an issued pass is valid")
	return p, entries
}

// sumUnits returns the sum of the entries' Units.
func sumUnits(entries []pass.Entry) int {
	n := 0
	for _, e := range entries {
		n += e.Units
	}
	return n
}

func requireFieldError(t *testing.T, err error, name string) {
	t.Helper()
	var fe *field.Error
	require.ErrorAs(t, err, &fe, "got %v, want a *field.Error", err)
	assert.Equal(t, name, fe.Name, "field name: got %q, want %q", fe.Name, name)
	assert.ErrorIs(t, err, field.ErrInvalid)
}
