package entitlement_test

// The default consumption order (O0-O7) written independently of the
// package, the model TestRule_O_EachKeyHolds checks Select against. The
// generators the properties draw from are in package enttest.

import (
	"math"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
)

// refKey is the default consumption order (O0-O7) written independently of
// the package: the candidate's sort key, field by field, first key first.
type refKey struct {
	priority  int
	kind      int
	unitValue decimal.Decimal
	source    int
	locations int
	minutes   int // minus the balance for time passes (more first), else 0
	shared    int
	expiry    calendar.Date // zero: none, last
	issued    time.Time
	id        string
}

func refKeyOf(p *pass.Pass, u *entitlement.Use) refKey {
	k := refKey{unitValue: p.UnitValue.Amount, issued: p.IssuedAt, id: p.ID, expiry: p.Expiry()}
	switch p.Priority {
	case pass.High:
		k.priority = 0
	case pass.Low:
		k.priority = 2
	default:
		k.priority = 1
	}
	k.kind = map[pass.Kind]int{pass.Day: 0, pass.Visits: 1, pass.Time: 2}[p.Kind]
	if p.Source == pass.FromManual || p.Source == pass.FromImport {
		k.source = 1
	}
	k.locations = len(p.Locations)
	if k.locations == 0 {
		k.locations = u.NetworkLocations
		if k.locations == 0 {
			k.locations = math.MaxInt32
		}
	}
	if p.Kind == pass.Time {
		k.minutes = -p.Balance
	}
	if p.Holder != u.Holder.ID {
		k.shared = 1
	}
	return k
}

// refCompare compares a and b by the reference order and names the policy
// key that decides, as entitlement.DefaultPolicy names it.
func refCompare(a, b refKey) (int, string) {
	cmpInt := func(x, y int) int {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	if c := cmpInt(a.priority, b.priority); c != 0 {
		return c, "priority"
	}
	if c := cmpInt(a.kind, b.kind); c != 0 {
		return c, "kind"
	}
	if c := a.unitValue.Cmp(b.unitValue); c != 0 {
		return c, "unit_value"
	}
	if c := cmpInt(a.source, b.source); c != 0 {
		return c, "source"
	}
	if c := cmpInt(a.locations, b.locations); c != 0 {
		return c, "locations"
	}
	if c := cmpInt(a.minutes, b.minutes); c != 0 {
		return c, "remaining_minutes"
	}
	if c := cmpInt(a.shared, b.shared); c != 0 {
		return c, "ownership"
	}
	switch {
	case a.expiry.IsZero() && !b.expiry.IsZero():
		return 1, "expiry"
	case !a.expiry.IsZero() && b.expiry.IsZero():
		return -1, "expiry"
	case !a.expiry.IsZero():
		if c := a.expiry.Compare(b.expiry); c != 0 {
			return c, "expiry"
		}
	}
	if c := a.issued.Compare(b.issued); c != 0 {
		return c, "issued"
	}
	switch {
	case a.id < b.id:
		return -1, "id"
	case a.id > b.id:
		return 1, "id"
	}
	return 0, "id"
}
