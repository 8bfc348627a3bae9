package scenario

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// out collects a command's output lines.
type out struct{ strings.Builder }

func (o *out) line(format string, v ...any) { fmt.Fprintf(&o.Builder, format+"\n", v...) }

// when returns t as local wall time in the location's zone (the
// network's when the location is not known): "Mon 2024-06-10 09:00 EDT",
// with seconds when there are any.
func (w *world) when(t time.Time, location string) string {
	z := w.locZones[location]
	if z == nil {
		z = w.netZone
	}
	if z == nil {
		z = time.UTC
	}
	t = t.In(z)
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.Format("Mon 2006-01-02 15:04:05 MST")
	}
	return t.Format("Mon 2006-01-02 15:04 MST")
}

// units returns n units of kind k in words: "1 day", "2 visits",
// "240 min".
func units(n int, k pass.Kind) string {
	switch k {
	case pass.Day:
		if n == 1 || n == -1 {
			return fmt.Sprintf("%d day", n)
		}
		return fmt.Sprintf("%d days", n)
	case pass.Visits:
		if n == 1 || n == -1 {
			return fmt.Sprintf("%d visit", n)
		}
		return fmt.Sprintf("%d visits", n)
	}
	return fmt.Sprintf("%d min", n)
}

func amount(m money.Money) string {
	if m.Currency == "" && m.Amount.IsZero() {
		return "0"
	}
	return m.String()
}

// exact returns m with its currency's minor digits, or more when it has
// more (a unit value of 80.00 / 480 minutes is 0.16666667 USD).
func exact(m money.Money) string {
	if m.Amount.Exponent() >= -int32(money.MinorUnits(m.Currency)) || m.Amount.Equal(m.Amount.Round(int32(money.MinorUnits(m.Currency)))) {
		return amount(m)
	}
	return m.Amount.String() + " " + m.Currency
}

// visit writes v: who, where, when, its state and what paid, then one
// indented line per consumption, charge and note.
func (w *world) visit(o *out, name string, v checkin.Visit) {
	head := fmt.Sprintf("%s: %s, %s at %s, %s", name, v.Kind, v.Holder, v.Location, w.when(v.Start, v.Location))
	if v.End != nil && !v.End.Equal(v.Start) {
		end := w.when(*v.End, v.Location)
		if e, s := v.End.In(w.zoneOf(v.Location)), v.Start.In(w.zoneOf(v.Location)); e.YearDay() == s.YearDay() && e.Year() == s.Year() {
			end = end[len("Mon 2006-01-02 "):]
		}
		head += fmt.Sprintf(" to %s (%d min)", end, v.Minutes())
	}
	head += fmt.Sprintf(", date %s, %s", v.Date, v.Status)
	switch {
	case v.Mode == checkin.ByPAYG:
		head += ", payg " + v.PAYG
	case v.Mode == checkin.Unpaid:
		head += ", unpaid"
	case v.Pass != "":
		head += fmt.Sprintf(", %s by %s", v.Mode, w.name(v.Pass))
	}
	o.line("visit %s", head)
	if v.CoveredBy != "" {
		o.line("  covered by the day unit of visit %s", w.name(v.CoveredBy))
	}
	for _, c := range v.Consumptions {
		o.line("  used %s of %s", units(c.Units, c.Kind), w.name(c.Pass))
	}
	if v.Activated != "" {
		o.line("  activated %s", w.name(v.Activated))
	}
	for _, c := range v.Charges {
		capped := ""
		if c.Capped {
			capped = ", capped"
		}
		o.line("  payg %s: %d min, %d x 15 min, %s%s", c.Date, c.Minutes, c.Increments, amount(c.Amount), capped)
	}
	if v.UncoveredMinutes > 0 {
		o.line("  uncovered: %d min", v.UncoveredMinutes)
	}
	if v.AutoClosed {
		o.line("  closed automatically")
	}
	if v.CancelledAt != nil {
		late := "on time"
		if v.LateCancel {
			late = "late"
		}
		by := ""
		if v.CancelledBy != "" {
			by = " by " + v.CancelledBy
		}
		o.line("  cancelled %s%s, %s", late, by, w.when(*v.CancelledAt, v.Location))
	}
	if v.Fee != nil {
		o.line("  no-show fee %s", amount(v.Fee.Amount))
	}
	if v.Terms != "" {
		o.line("  terms %s", v.Terms)
	}
	if v.SettledAt != nil {
		o.line("  settled %s", w.when(*v.SettledAt, v.Location))
	}
}

func (w *world) zoneOf(location string) *time.Location {
	if z := w.locZones[location]; z != nil {
		return z
	}
	if w.netZone != nil {
		return w.netZone
	}
	return time.UTC
}

// visitResult writes what a check-in, check-out, booking or dry run did
// (C9): the visit, visits closed on the way, balances after, the charge
// and the ranking.
func (w *world) visitResult(o *out, name string, r passengine.VisitResult) {
	for _, v := range r.Closed {
		w.visit(o, w.name(v.ID), v)
	}
	w.visit(o, name, r.Visit)
	if len(r.Balances) > 0 {
		bs := make([]string, len(r.Balances))
		for i, b := range r.Balances {
			bs[i] = fmt.Sprintf("%s %s", w.name(b.Pass), units(b.Balance, b.Kind))
		}
		o.line("balances: %s", strings.Join(bs, ", "))
	}
	if !r.Charge.Amount.IsZero() {
		o.line("charge: %s", amount(r.Charge))
	}
	w.ranking(o, r.Selection.Candidates, r.Selection.Eligible, r.Selection.DecidedBy)
}

// ranking writes the candidates: the eligible ones numbered in
// consumption order, the others with their reason (G7, O8).
func (w *world) ranking(o *out, cs []entitlement.Candidate, eligible int, decidedBy string) {
	if len(cs) == 0 {
		return
	}
	switch {
	case decidedBy != "":
		o.line("ranking (decided by %s):", decidedBy)
	case eligible > 0:
		o.line("ranking:")
	default:
		o.line("candidates:")
	}
	for i, c := range cs {
		what := fmt.Sprintf("%s %s", w.name(c.PassID), c.Kind)
		if c.Shared {
			what += " (team)"
		}
		what += ", balance " + units(c.Balance, c.Kind)
		switch {
		case i < eligible && i == 0:
			o.line("  1. %s: chosen", what)
		case i < eligible:
			o.line("  %d. %s: outranked by %s", i+1, what, c.DecidedBy)
		default:
			o.line("  -  %s: %s", what, string(c.Reason))
		}
	}
}

// failure writes a refused call: "refused: ..." with each pass's reason
// for a refusal (G7), "error: ..." otherwise.
func (w *world) failure(o *out, err error) {
	var refusal *entitlement.RefusalError
	var re *passengine.RedeemError
	switch {
	case errors.As(err, &refusal):
		o.line("refused: no eligible pass")
		w.ranking(o, refusal.Candidates, 0, "")
	case errors.As(err, &re):
		o.line("refused: %s", w.redeemRefusal(re.Outcome, re.Reason, re.LockedUntil))
	default:
		o.line("error: %s", w.rename(err.Error()))
	}
}

func (w *world) redeemRefusal(outcome checkin.RedeemOutcome, reason entitlement.Reason, until time.Time) string {
	s := string(outcome)
	if reason != "" {
		s += " (" + string(reason) + ")"
	}
	s += ": " + outcome.Message()
	if !until.IsZero() {
		s += "; locked until " + w.when(until, "")
	}
	return s
}

// redeemResult writes a redemption: the visit, the pass and its balance,
// the holder and health declaration; or the refusal, the pass the code
// named and the lock's end.
func (w *world) redeemResult(o *out, name string, r passengine.RedeemResult, err error) {
	if err != nil && r.Outcome == "" {
		w.failure(o, err)
		return
	}
	if r.Outcome != checkin.Redeemed {
		o.line("refused: %s", w.redeemRefusal(r.Outcome, r.Reason, r.LockedUntil))
		if r.Pass != "" {
			o.line("pass %s (%s)", w.name(r.Pass), r.Product)
		}
		return
	}
	w.visit(o, name, r.Visit)
	o.line("pass %s (%s): %d left", w.name(r.Pass), r.Product, r.Balance)
	health := "no health declaration"
	if r.Health.Done {
		health = "health declared"
		if r.Health.At != nil {
			health += " " + w.when(*r.Health.At, r.Visit.Location)
		}
	}
	o.line("holder %s, %s", r.Holder.ID, health)
}

// passLine writes a pass: kind and balance, status today, product and
// owner, source, price and payment, activation, expiry, freezes and
// passcode.
func (w *world) passLine(o *out, p passengine.PassView) {
	owner := "holder " + p.Holder
	if p.Team != "" {
		owner = "team " + p.Team
	}
	o.line("pass %s: %s %d/%d, %s, product %s, %s, source %s", w.name(p.ID), p.Kind, p.Balance, p.Units, p.Status,
		p.Product, owner, p.Source)
	paid := "unpaid"
	if p.Paid {
		paid = "paid"
		if p.PaidBy != "" {
			paid += " by " + p.PaidBy
		}
	}
	o.line("  price %s, %s, unit value %s", amount(p.Price), paid, exact(p.UnitValue))
	act := string(p.Activation)
	if !p.ActivatedOn.IsZero() {
		act += ", activated " + p.ActivatedOn.String()
	}
	if p.Locked {
		act += ", locked"
	}
	exp := "no expiry"
	if !p.ExpiresOn.IsZero() {
		exp = "expires " + p.Expiry().String()
	}
	o.line("  %s, %s", act, exp)
	for _, f := range p.Freezes {
		o.line("  frozen [%s, %s)", f.From, f.To)
	}
	if p.CodeHash != "" {
		o.line("  passcode")
	}
}

// statement writes a payout statement (Y3): a line per visit, each
// location's total and the total.
func (w *world) statement(o *out, s billing.Statement) {
	where := s.Location
	if where == "" {
		where = "network " + s.Network
	}
	o.line("statement %s %s..%s %s", where, s.From, s.To, s.Currency)
	for _, l := range s.Lines {
		detail := fmt.Sprintf("rate %s", amount(l.Rate))
		if l.Kind == billing.PAYGLine {
			detail = fmt.Sprintf("share %s of %s", l.Share.String(), amount(l.Base))
		}
		note := ""
		if l.Capped != "" {
			note += ", " + l.Capped
		}
		if l.Note != "" {
			note += ", " + l.Note
		}
		o.line("  %s %s %s %s %s tier %d: %s, paid %s%s", w.when(l.At, l.Location), w.name(l.Visit), l.Holder,
			l.Kind, w.name(l.Pass), l.Tier, detail, amount(l.Amount), note)
	}
	for _, t := range s.Locations {
		o.line("  %s: %d visits, %d paid, %s", t.Location, t.Visits, t.Paid, amount(t.Total))
	}
	o.line("total %s", amount(s.Total))
}
