package billing

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/passengine/passengine/internal/wire"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// LineKind is what a payout line pays for.
type LineKind string

// The line kinds.
const (
	// VisitLine: a redeemed visit, paid the per-visit rate of its terms
	// version, within the monthly caps (Y2).
	VisitLine LineKind = "visit"
	// PAYGLine: a pay-as-you-go visit, paid the terms' share of what the
	// holder was charged (Y2). Monthly caps do not apply to it.
	PAYGLine LineKind = "payg"
)

// Why a line pays less than its rate.
const (
	CapVisits = "visit_cap"  // the holder's paid visits this month reached the cap
	CapAmount = "amount_cap" // the holder's paid amount this month reached the cap
	NoTerms   = "no_terms"   // the location had no terms in force at the visit
	NoRate    = "no_rate"    // the terms have no rate for the pass's product or tier
)

// PayoutVisit is a visit as a statement reads it. The caller fills it from
// the stored visit and the pass that paid for it.
type PayoutVisit struct {
	// ID is the visit's ID.
	ID string
	// Location is the ID of the club the visit was at.
	Location string
	// Holder is the ID of the holder who came: the caps count per holder.
	Holder string
	// Pass is the ID of the pass that paid; "" for PAYG.
	Pass string
	// Product is the ID of that pass's product, which a rate may name.
	Product string
	// Tier is that pass's tier, which picks the rate when no rate names
	// the product (Y2).
	Tier int
	// Date is the visit's service date (the business day in the location's
	// zone): it decides the statement period and the calendar month of the
	// caps.
	Date calendar.Date
	// At is the visit's instant; it orders the lines and, for a PAYG
	// visit, picks the terms version.
	At time.Time
	// Kind is VisitLine for a redemption, PAYGLine for a PAYG check-in.
	Kind LineKind
	// Terms is the version recorded on a redeemed visit (Y1); "" if the
	// location had none. PAYG visits take the version in force at At.
	Terms string
	// Charged is what a PAYG visit was charged.
	Charged money.Money
}

// StatementSpec says which statement to compute: one location's (Location
// set) or the whole network's, over the service dates [From, To].
type StatementSpec struct {
	// Network is the ID of the network that pays.
	Network string
	// Location is the ID of the club paid; "" for every club.
	Location string
	// From is the first service date of the period.
	From calendar.Date
	// To is the last service date of the period, included.
	To calendar.Date
	// Currency is the network's currency, of every amount.
	Currency string
}

// Line is one visit of a statement. Rate is the per-visit rate applied (a
// visit line), Share and Base the PAYG share and the charges it applies to
// (a PAYG line). Amount is what the club is paid, rounded to the currency's
// minor unit. Capped names the monthly cap that reduced it; Note says why a
// line has no rate.
type Line struct {
	// Location is the ID of the club paid.
	Location string `json:"location"`
	// Date is the visit's service date.
	Date calendar.Date `json:"date,omitzero"`
	// At is the visit's instant, in UTC.
	At time.Time `json:"at,omitzero"`
	// Visit is the visit's ID.
	Visit string `json:"visit"`
	// Holder is the ID of the holder who came.
	Holder string `json:"holder"`
	// Pass is the ID of the pass that paid; "" for PAYG.
	Pass string `json:"pass,omitempty"`
	// Product is the ID of that pass's product; "" for PAYG.
	Product string `json:"product,omitempty"`
	// Tier is that pass's tier.
	Tier int `json:"tier"`
	// Kind is what the line pays for.
	Kind LineKind `json:"kind"`
	// Terms is the ID of the terms version applied; "" when the club had
	// none (Note is NoTerms).
	Terms string `json:"terms,omitempty"`
	// Rate is the per-visit rate applied to a visit line; zero Money for
	// a PAYG line or when there was none.
	Rate money.Money `json:"rate"`
	// Share is the fraction (0 to 1) of Base paid for a PAYG line; 0 for
	// a visit line.
	Share decimal.Decimal `json:"share"`
	// Base is what the holder was charged for a PAYG visit; zero Money
	// for a visit line.
	Base money.Money `json:"base"`
	// Amount is what the club is paid for the visit.
	Amount money.Money `json:"amount"`
	// Capped is CapVisits or CapAmount when a monthly cap reduced the
	// amount, "" otherwise.
	Capped string `json:"capped,omitempty"`
	// Note is NoTerms or NoRate when the line has no rate, "" otherwise.
	Note string `json:"note,omitempty"`
}

// LocationTotal is one location's part of a statement: how many lines, how
// many of them paid something, and the sum of their amounts.
type LocationTotal struct {
	// Location is the ID of the club.
	Location string `json:"location"`
	// Visits is how many lines the club has in the statement.
	Visits int `json:"visits"`
	// Paid is how many of them pay more than zero.
	Paid int `json:"paid"`
	// Total is the sum of their amounts.
	Total money.Money `json:"total"`
}

// Statement is a payout statement (Y3): a line per visit ordered by
// location, instant and visit ID; each location's total; and the total.
// Every total is the sum of its lines.
type Statement struct {
	// Network is the ID of the network that pays.
	Network string `json:"network"`
	// Location is the ID of the club the statement is for; "" for every
	// club of the network.
	Location string `json:"location,omitempty"`
	// From is the first service date of the period.
	From calendar.Date `json:"from,omitzero"`
	// To is the last service date of the period, included.
	To calendar.Date `json:"to,omitzero"`
	// Currency is the currency of every amount.
	Currency string `json:"currency"`
	// Lines are the visits of the period, by location, instant and
	// visit ID.
	Lines []Line `json:"lines"`
	// Locations are the clubs' totals, by location ID.
	Locations []LocationTotal `json:"locations"`
	// Total is the sum of every line's amount.
	Total money.Money `json:"total"`
}

// ErrTermsMissing is returned when a visit names a terms version that is
// not among the versions given.
var ErrTermsMissing = errors.New("terms version missing")

// ComputeStatement computes the payout statement of spec (Y1-Y3) from
// visits and the terms versions of their locations. visits must hold every
// visit of the statement's locations from the first day of From's month
// to To: those before From are not listed but count toward the monthly
// caps. Visits of other locations or outside that span are ignored, and
// the input order does not matter, so the same input always gives the same
// statement.
//
// A visit line is paid its recorded version's rate for the pass's product
// or tier (RateFor), rounded to the minor unit; then, per holder, location
// and calendar month of the service date, in order of instant: a line
// after MonthlyVisitCap paid lines pays nothing, and a line pays at most
// what is left of MonthlyAmountCap. A PAYG line is paid the version in
// force at its instant's PAYGShare of its charges, rounded. It returns a
// *field.Error for a bad spec and an error wrapping ErrTermsMissing for a
// visit naming an unknown version.
func ComputeStatement(spec StatementSpec, visits []PayoutVisit, terms []Terms) (Statement, error) {
	if err := field.First(field.ID("network", spec.Network), money.ValidCurrency("currency", spec.Currency)); err != nil {
		return Statement{}, err
	}
	if !spec.From.Valid() {
		return Statement{}, field.Invalid("from", "is not a date")
	}
	if !spec.To.Valid() || spec.To.Before(spec.From) {
		return Statement{}, field.Invalid("to", "%s must be a date on or after from %s", spec.To, spec.From)
	}
	cur := spec.Currency
	monthStart := calendar.NewDate(spec.From.Year, spec.From.Month, 1)
	byID := map[string]*Terms{}
	byLoc := map[string][]Terms{}
	for i := range terms {
		byID[terms[i].ID] = &terms[i]
		byLoc[terms[i].Location] = append(byLoc[terms[i].Location], terms[i])
	}
	vs := make([]PayoutVisit, 0, len(visits))
	for _, v := range visits {
		if (spec.Location == "" || v.Location == spec.Location) && !v.Date.Before(monthStart) && !v.Date.After(spec.To) {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b PayoutVisit) int {
		return cmp.Or(cmp.Compare(a.Location, b.Location), a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
	type capKey struct {
		location, holder string
		year             int
		month            time.Month
	}
	paid := map[capKey]int{}
	paidAmount := map[capKey]decimal.Decimal{}
	st := Statement{Network: spec.Network, Location: spec.Location, From: spec.From, To: spec.To,
		Currency: cur, Lines: []Line{}, Total: money.Zero(cur)}
	if spec.Location != "" {
		st.Locations = []LocationTotal{{Location: spec.Location, Total: money.Zero(cur)}}
	}
	for _, v := range vs {
		l := Line{Location: v.Location, Date: v.Date, At: v.At.UTC(), Visit: v.ID, Holder: v.Holder, Pass: v.Pass,
			Product: v.Product, Tier: v.Tier, Kind: v.Kind, Rate: money.Zero(cur), Base: money.Zero(cur), Amount: money.Zero(cur)}
		switch v.Kind {
		case VisitLine:
			if v.Terms == "" {
				l.Note = NoTerms
				break
			}
			t, ok := byID[v.Terms]
			if !ok || t.Location != v.Location {
				return Statement{}, fmt.Errorf("visit %s: terms %q of location %s: %w", v.ID, v.Terms, v.Location, ErrTermsMissing)
			}
			l.Terms = t.ID
			r, ok := t.RateFor(v.Product, v.Tier)
			if !ok {
				l.Note = NoRate
				break
			}
			l.Rate = money.Money{Amount: r.Amount.Amount, Currency: cur}
			amt := l.Rate.Round().Amount
			k := capKey{v.Location, v.Holder, v.Date.Year, v.Date.Month}
			if t.MonthlyVisitCap > 0 && paid[k] >= t.MonthlyVisitCap {
				amt, l.Capped = decimal.Zero, CapVisits
			}
			if !t.MonthlyAmountCap.IsZero() && amt.IsPositive() {
				room := t.MonthlyAmountCap.Amount.Sub(paidAmount[k])
				if amt.GreaterThan(room) {
					amt, l.Capped = decimal.Max(room, decimal.Zero), CapAmount
					amt = money.Money{Amount: amt, Currency: cur}.Round().Amount
				}
			}
			if amt.IsPositive() {
				paid[k]++
				paidAmount[k] = paidAmount[k].Add(amt)
			}
			l.Amount.Amount = amt
		case PAYGLine:
			if !v.Charged.IsZero() && v.Charged.Currency != cur {
				return Statement{}, fmt.Errorf("visit %s: charged in %s: %w", v.ID, v.Charged.Currency,
					field.Invalid("currency", "is %s, the statement's is %s", v.Charged.Currency, cur))
			}
			l.Base.Amount = v.Charged.Amount
			t := InForce(byLoc[v.Location], v.At)
			if t == nil {
				l.Note = NoTerms
				break
			}
			l.Terms, l.Share = t.ID, t.PAYGShare
			l.Amount = money.Money{Amount: v.Charged.Amount.Mul(t.PAYGShare), Currency: cur}.Round()
		default:
			return Statement{}, fmt.Errorf("visit %s: %w", v.ID, field.Invalid("kind", "%q is not visit or payg", v.Kind))
		}
		if v.Date.Before(spec.From) {
			continue // counted toward the caps only
		}
		st.Lines = append(st.Lines, l)
		if n := len(st.Locations); n == 0 || st.Locations[n-1].Location != l.Location {
			st.Locations = append(st.Locations, LocationTotal{Location: l.Location, Total: money.Zero(cur)})
		}
		lt := &st.Locations[len(st.Locations)-1]
		lt.Visits++
		if l.Amount.Amount.IsPositive() {
			lt.Paid++
		}
		lt.Total = lt.Total.Add(l.Amount)
		st.Total = st.Total.Add(l.Amount)
	}
	return st, nil
}

// csvHeader is the header row of WriteCSV.
var csvHeader = []string{"record", "location", "date", "at", "visit", "holder", "pass", "product", "tier",
	"kind", "terms", "rate", "share", "base", "amount", "capped", "note"}

// WriteCSV writes s to w as CSV (RFC 4180, CRLF line ends): a header, a
// "line" row per line in order, a "total" row per location (its visit
// count in the visit column) and a last "total" row for the statement with
// an empty location. Amounts are fixed to the currency's minor unit,
// instants are RFC 3339 in UTC. Rows are written as they are formatted; it
// returns w's first error.
func (s *Statement) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	places := int32(money.MinorUnits(s.Currency))
	amt := func(m money.Money) string { return m.Amount.StringFixed(places) }
	exact := func(m money.Money) string { // a rate keeps its extra decimals
		if m.Amount.Equal(m.Amount.Round(places)) {
			return amt(m)
		}
		return m.Amount.String()
	}
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	row := make([]string, len(csvHeader))
	for i := range s.Lines {
		l := &s.Lines[i]
		share := ""
		if l.Kind == PAYGLine && l.Terms != "" {
			share = l.Share.String()
		}
		row = append(row[:0], "line", l.Location, l.Date.String(), l.At.UTC().Format(time.RFC3339), l.Visit, l.Holder,
			l.Pass, l.Product, strconv.Itoa(l.Tier), string(l.Kind), l.Terms, exact(l.Rate), share, amt(l.Base),
			amt(l.Amount), l.Capped, l.Note)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	total := func(loc string, visits int, m money.Money) error {
		return cw.Write([]string{"total", loc, "", "", strconv.Itoa(visits), "", "", "", "", "", "", "", "", "", amt(m), "", ""})
	}
	n := 0
	for _, lt := range s.Locations {
		n += lt.Visits
		if err := total(lt.Location, lt.Visits, lt.Total); err != nil {
			return err
		}
	}
	if err := total("", n, s.Total); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// MarshalJSON returns s's JSON form (JSON.md): its fields by their json
// tags, with Lines and Locations as [] when empty, never null. Its error
// is always nil.
func (s Statement) MarshalJSON() ([]byte, error) {
	type plain Statement
	p := plain(s)
	p.Lines, p.Locations = wire.List(p.Lines), wire.List(p.Locations)
	return json.Marshal(p)
}
