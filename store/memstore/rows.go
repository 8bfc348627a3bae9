package memstore

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// passRow is a stored pass. Rows are never changed once stored: a Put
// makes a new one, so an undo record keeps the old row and a read copies
// from a row that cannot change under it. The row holds its pass's PaidAt,
// so that storing a pass takes one allocation in the common case.
type passRow struct {
	p      pass.Pass
	paidAt time.Time
}

// newPassRow returns a row holding a deep copy of p.
func newPassRow(p *pass.Pass) *passRow {
	r := &passRow{p: *p}
	if p.PaidAt != nil {
		r.paidAt = *p.PaidAt
		r.p.PaidAt = &r.paidAt
	}
	r.p.Locations = slices.Clone(p.Locations)
	r.p.Freezes = slices.Clone(p.Freezes)
	return r
}

// monies are the amounts pass rows share, so that the rows of passes of
// one price (most passes are some product's) hold one coefficient between
// them, not a big.Int each for the garbage collector to mark. A decimal's
// coefficient is never changed once made, so sharing it is invisible; a
// pass handed in already shares its caller's.
type monies map[moneyKey]money.Money

// moneyKey is a shared amount's currency, exponent and the low 64 bits of
// its coefficient (a comparison tells apart amounts beyond them).
type moneyKey struct {
	currency string
	coef     int64
	exp      int32
}

// maxMonies bounds how many amounts monies keep: beyond them, a new amount
// is not shared.
const maxMonies = 1024

// shared returns an amount equal to m, of the same exponent, that rows
// already hold, or m (then held for the rows to come).
func (ms monies) shared(m money.Money) money.Money {
	if m.Amount == (decimal.Decimal{}) {
		return m
	}
	k := moneyKey{m.Currency, m.Amount.CoefficientInt64(), m.Amount.Exponent()}
	v, ok := ms[k]
	switch {
	case ok && v.Amount.Exponent() == k.exp && v.Amount.Cmp(m.Amount) == 0:
		return v
	case !ok && len(ms) < maxMonies:
		ms[k] = m
	}
	return m
}

// visitRow is a stored visit. It holds the visit's End and, for a visit
// of one consumption (nearly all: a check-in's pass), its consumption;
// one, not two, so that the row is 496 bytes and takes the allocator's
// 512-byte class, not the 576-byte one (every visit stays in the heap for
// the collector to scan). Unlike a passRow it may be written over in
// place (visitRepo.Put), under the write lock: nothing outside the lock
// holds a visit row.
type visitRow struct {
	v    checkin.Visit
	end  time.Time
	cons [1]checkin.Consumption
}

// newVisitRow returns a row holding a deep copy of v, as v.Clone makes it.
func newVisitRow(v *checkin.Visit) *visitRow {
	r := new(visitRow)
	r.set(v)
	return r
}

// set makes r hold a deep copy of v.
func (r *visitRow) set(v *checkin.Visit) {
	r.v = *v
	r.end = time.Time{}
	if v.End != nil {
		r.end = *v.End
		r.v.End = &r.end
	}
	switch n := len(v.Consumptions); {
	case n == 0:
		r.v.Consumptions = nil
	case n <= len(r.cons):
		r.v.Consumptions = r.cons[:copy(r.cons[:], v.Consumptions):n]
	default:
		r.v.Consumptions = slices.Clone(v.Consumptions)
	}
	r.v.Charges = append([]billing.DayCharge(nil), v.Charges...)
	if v.CancelledAt != nil {
		t := *v.CancelledAt
		r.v.CancelledAt = &t
	}
	if v.Fee != nil {
		f := *v.Fee
		r.v.Fee = &f
	}
	if v.SettledAt != nil {
		t := *v.SettledAt
		r.v.SettledAt = &t
	}
}

// need counts what copies of some passes and visits hold outside their
// structs, so that a copier makes them in one allocation of each kind.
type need struct {
	times, strs, freezes, cons, charges int
}

func (n *need) pass(p *pass.Pass) {
	if p.PaidAt != nil {
		n.times++
	}
	n.strs += len(p.Locations)
	n.freezes += len(p.Freezes)
}

// add adds what m counts to n.
func (n *need) add(m *need) {
	n.times += m.times
	n.strs += m.strs
	n.freezes += m.freezes
	n.cons += m.cons
	n.charges += m.charges
}

func (n *need) visit(v *checkin.Visit) {
	for _, t := range [...]*time.Time{v.End, v.CancelledAt, v.SettledAt} {
		if t != nil {
			n.times++
		}
	}
	n.cons += len(v.Consumptions)
	n.charges += len(v.Charges)
	if v.Fee != nil {
		n.charges++
	}
}

// copier makes deep copies of passes and visits from shared backing
// arrays, one per kind of value, each allocated once with the capacity a
// need counted. Copies share no memory a caller could write through: every
// slice is capped at its length, so an append reallocates.
type copier struct {
	times   []time.Time
	strs    []string
	freezes []pass.Freeze
	cons    []checkin.Consumption
	charges []billing.DayCharge
}

func newCopier(n *need) copier {
	var c copier
	c.more(n)
	return c
}

// more allocates the arenas of the kinds n counts.
func (c *copier) more(n *need) {
	if n.times > 0 {
		c.times = make([]time.Time, 0, n.times)
	}
	if n.strs > 0 {
		c.strs = make([]string, 0, n.strs)
	}
	if n.freezes > 0 {
		c.freezes = make([]pass.Freeze, 0, n.freezes)
	}
	if n.cons > 0 {
		c.cons = make([]checkin.Consumption, 0, n.cons)
	}
	if n.charges > 0 {
		c.charges = make([]billing.DayCharge, 0, n.charges)
	}
}

// take appends vs to *arena and returns them as a slice of their own
// capacity. Should the arena be too small (a miscount), append makes a
// new one: still a copy.
func take[V any](arena *[]V, vs []V) []V {
	i := len(*arena)
	*arena = append(*arena, vs...)
	return (*arena)[i : i+len(vs) : i+len(vs)]
}

func (c *copier) time(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c.times = append(c.times, *t)
	return &c.times[len(c.times)-1]
}

// passTo makes *out a copy of p, as p.Clone makes it, in place (a pass
// is 544 bytes: copied once).
func (c *copier) passTo(out, p *pass.Pass) {
	*out = *p
	out.PaidAt = c.time(p.PaidAt)
	if len(p.Locations) > 0 {
		out.Locations = take(&c.strs, p.Locations)
	} else if p.Locations != nil {
		out.Locations = p.Locations[:0:0]
	}
	if len(p.Freezes) > 0 {
		out.Freezes = take(&c.freezes, p.Freezes)
	} else if p.Freezes != nil {
		out.Freezes = p.Freezes[:0:0]
	}
}

// visitTo makes *out a copy of v, as v.Clone makes it.
func (c *copier) visitTo(out, v *checkin.Visit) {
	*out = *v
	out.End, out.CancelledAt, out.SettledAt = c.time(v.End), c.time(v.CancelledAt), c.time(v.SettledAt)
	out.Consumptions, out.Charges = nil, nil
	if len(v.Consumptions) > 0 {
		out.Consumptions = take(&c.cons, v.Consumptions)
	}
	if len(v.Charges) > 0 {
		out.Charges = take(&c.charges, v.Charges)
	}
	if v.Fee != nil {
		c.charges = append(c.charges, *v.Fee)
		out.Fee = &c.charges[len(c.charges)-1]
	}
}
