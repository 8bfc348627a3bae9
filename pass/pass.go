package pass

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/passengine/passengine/internal/wire"
	"slices"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

func decimalInt(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }

// ErrBalance is returned when a change would take a balance below zero
// (RULES E4, C4); nothing is written.
var ErrBalance = errors.New("balance would go below zero")

// Pass is one product issued to a holder, or to a team for its members to
// share (G1). The product's terms are copied at issue, so later product
// changes never alter an issued pass. Units is what was granted (adjustments
// included); Balance is what is left, always equal to the sum of the pass's
// ledger entries. Its status is derived from these and a date (StatusOn),
// never stored.
type Pass struct {
	// Network is the ID of the pass's network (S1).
	Network string `json:"network"`
	// ID names the pass in its network.
	ID string `json:"id"`
	// Product is the ID of the product the pass was issued from.
	Product string `json:"product"`
	// Holder is the ID of the holder who owns the pass; "" for a team's.
	Holder string `json:"holder,omitempty"`
	// Team is the ID of the team that owns the pass, whose members share
	// it when the team shares credit (G1); "" for a holder's.
	Team string `json:"team,omitempty"`
	// Kind says what the units are: days, minutes or visits.
	Kind Kind `json:"kind"`
	// Source is how the pass reached its owner (O3).
	Source Source `json:"source"`
	// Units is how many units the pass granted, in days, minutes or
	// visits (Kind): the product's at issue, plus and minus adjustments
	// (E4).
	Units int `json:"units"`
	// Balance is how many units are left, in the same unit; 0 when used
	// up. It equals the sum of the pass's ledger entries.
	Balance int `json:"balance"`
	// UnitValue is what one unit is worth in the network's currency, for
	// the consumption order (O2): the product's, or its price divided by
	// its units.
	UnitValue money.Money `json:"unit_value"`
	// Price is what the pass costs its owner: the product's price, the
	// prorated price of an import (E5), or a price set at issue.
	Price money.Money `json:"price"`
	// Paid is whether the pass is marked paid; false, the zero value, is
	// unpaid, and an unpaid pass is usable all the same (A6).
	Paid bool `json:"paid"`
	// PaidAt is when the pass was marked paid with MarkPaid or from the
	// account; nil when unpaid or paid at issue.
	PaidAt *time.Time `json:"paid_at,omitempty"`
	// PaidBy is who marked the pass paid; "" when nobody did.
	PaidBy string `json:"paid_by,omitempty"`
	// Locations are the IDs of the locations the pass admits; empty
	// admits every location of the network (G2).
	Locations []string `json:"locations"`
	// Tier is the highest location tier the pass admits, 0 (the zero
	// value: tier 0 locations only) to field.MaxCount (G3).
	Tier int `json:"tier"`
	// Audience is the audience the pass is kept to; "" admits any holder
	// (G6).
	Audience catalog.Audience `json:"audience,omitempty"`
	// Priority is the product's place in the consumption order's first
	// key (O0); "" is Normal.
	Priority Priority `json:"priority,omitempty"`
	// Activation is when the pass's validity starts (A1-A3).
	Activation Activation `json:"activation"`
	// Locked keeps uses to service dates from ActivatedOn through the
	// expiry (A3); false, the zero value, lets an activated pass pay for
	// any date up to its expiry (A4).
	Locked bool `json:"locked"`
	// Validity is how long the pass lasts from its activation date; the
	// zero Validity never expires (T3).
	Validity calendar.Validity `json:"validity"`
	// ActivatedOn is the date the pass's validity started; the zero Date
	// while it is not activated (A2).
	ActivatedOn calendar.Date `json:"activated_on,omitzero"`
	// ActivatedBy is the ID of the visit whose use activated the pass
	// (A2), so that cancelling it can deactivate the pass (A5); "" when it
	// was activated otherwise.
	ActivatedBy string `json:"activated_by,omitempty"`
	// ExpiresOn is the last date the pass is usable, through the end of
	// that date at the location (T5), before freezes move it (Expiry
	// adds them); the zero Date while not activated or for no expiry.
	ExpiresOn calendar.Date `json:"expires_on,omitzero"`
	// Freezes are the pass's pauses, in the order they were added; none
	// overlaps another (E3).
	Freezes []Freeze `json:"freezes"`
	// Uses counts the visits and bookings that hold units of the pass now
	// (returns take theirs back); A5 deactivates only a pass with none.
	Uses int `json:"uses"`
	// IssuedAt is the instant the pass was issued, in UTC.
	IssuedAt time.Time `json:"issued_at,omitzero"`
	// IssuedOn is the purchase date: IssuedAt's date in the network's
	// zone (T3), from which an on-purchase pass is activated (A1).
	IssuedOn calendar.Date `json:"issued_on,omitzero"`
	// CodeHash is the keyed hash of the pass's passcode (P1), by which a
	// desk's code finds the pass; empty when the pass has no code. It is
	// a secret and never serialized.
	CodeHash string `json:"-"`
	// CodeSealed is the passcode encrypted with the host's key, so that the
	// holder's app can show it again; the plain code is never stored. It
	// is a secret and never serialized: Engine.Passcode unseals it for
	// the holder.
	CodeSealed string `json:"-"`
	// PaidWith is the ID of the prepaid account entry that paid for the
	// pass (W2); empty when it was not paid from an account.
	PaidWith string `json:"paid_with,omitempty"`
	// Card is the ID of the multipass card whose prepaid visits this pass
	// holds (M1-M6), "" for a pass that is no card's. The card's row holds
	// its status, bonus points and metrics; the visits are this pass's
	// balance and pay like any visits pass.
	Card string `json:"card,omitempty"`
	// Revoked marks a pass that may never be used again: its card or its
	// holder was deleted (M5). Its units and history stay recorded.
	Revoked bool `json:"revoked,omitempty"`
}

// Freeze is a pause of a pass over the dates [From, To): uses with a service
// date inside it are refused, and expiry moves later by its length (E3).
type Freeze struct {
	// From is the first date frozen.
	From calendar.Date `json:"from,omitzero"`
	// To is the first date no longer frozen: the freeze covers From up to
	// the day before To.
	To calendar.Date `json:"to,omitzero"`
	// Actor is who set the freeze (staff, or the holder in a portal).
	Actor string `json:"actor,omitempty"`
	// Comment is the reason given, free text.
	Comment string `json:"comment,omitempty"`
}

// Days returns the freeze's length in calendar days.
func (f Freeze) Days() int { return f.To.DaysSince(f.From) }

// Clone returns a deep copy of p: its slices are not shared.
func (p Pass) Clone() Pass {
	p.Locations = slices.Clone(p.Locations)
	p.Freezes = slices.Clone(p.Freezes)
	if p.PaidAt != nil {
		t := *p.PaidAt
		p.PaidAt = &t
	}
	return p
}

// Activated reports whether p's validity has started.
func (p *Pass) Activated() bool { return !p.ActivatedOn.IsZero() }

// Expiry returns the last date p is usable (T5): its expiry date moved
// later by the days of every freeze that starts on or before it (E3). It
// returns the zero Date when p has no expiry (or is not activated yet).
func (p *Pass) Expiry() calendar.Date {
	if len(p.Freezes) == 0 { // the common case, small enough to inline
		return p.ExpiresOn
	}
	return p.frozenExpiry()
}

// frozenExpiry is Expiry of a pass with freezes.
func (p *Pass) frozenExpiry() calendar.Date {
	exp := p.ExpiresOn
	if exp.IsZero() {
		return exp
	}
	for _, f := range p.Freezes {
		if !f.From.After(exp) {
			exp = exp.AddDays(f.Days())
		}
	}
	return exp
}

// Frozen reports whether date d falls inside one of p's freezes.
func (p *Pass) Frozen(d calendar.Date) bool {
	return len(p.Freezes) != 0 && p.frozenOn(d) // inlined when there are none
}

// frozenOn is Frozen of a pass with freezes.
func (p *Pass) frozenOn(d calendar.Date) bool {
	for _, f := range p.Freezes {
		if !d.Before(f.From) && d.Before(f.To) {
			return true
		}
	}
	return false
}

// Status is a pass's state on a date, derived from its fields.
type Status string

// The statuses, in the order StatusOn tests them.
const (
	StatusRevoked  Status = "revoked"           // its card or holder was deleted (M5)
	StatusExpired  Status = "expired"           // the date is after the expiry (E1)
	StatusFrozen   Status = "frozen"            // the date is inside a freeze (E3)
	StatusEarly    Status = "before_activation" // locked and the date is before activation (A3)
	StatusUsedUp   Status = "used_up"           // no units left
	StatusInactive Status = "inactive"          // activates on first use (A2)
	StatusActive   Status = "active"
)

// StatusOn returns p's status for a use with service date d: revoked when
// its card or holder was deleted (M5), expired after its expiry (E1), frozen inside a freeze (E3), before activation when
// locked and d is before the activation date (A3; when not locked any date
// up to expiry is fine, A4), used up with no balance, inactive when it
// activates on first use and has not been used, and otherwise active.
func (p *Pass) StatusOn(d calendar.Date) Status { return p.StatusWith(d, p.Expiry()) }

// StatusWith is StatusOn for a caller that has p.Expiry() at hand already
// (the zero Date when p has none), so it is not computed again.
func (p *Pass) StatusWith(d, expiry calendar.Date) Status {
	if p.Revoked {
		return StatusRevoked
	}
	if !expiry.IsZero() && d.After(expiry) {
		return StatusExpired
	}
	if p.Frozen(d) {
		return StatusFrozen
	}
	if p.Locked && p.Activated() && d.Before(p.ActivatedOn) {
		return StatusEarly
	}
	if p.Balance <= 0 {
		return StatusUsedUp
	}
	if !p.Activated() {
		return StatusInactive
	}
	return StatusActive
}

// Covers reports whether p admits a use at location loc (G2): loc is listed,
// or p is network-wide.
func (p *Pass) Covers(loc string) bool {
	return len(p.Locations) == 0 || slices.Contains(p.Locations, loc)
}

// ActivateOn starts p's validity at service date d if it activates on first
// use and has not yet (A2): the activation date becomes d, expiry d plus the
// validity, and by the visit that activated it. It reports whether p changed.
func (p *Pass) ActivateOn(d calendar.Date, by string) bool {
	if p.Activated() || p.Activation != OnFirstUse {
		return false
	}
	p.ActivatedOn = d
	p.ExpiresOn = p.Validity.From(d)
	p.ActivatedBy = by
	return true
}

// Deactivate makes p inactive again when the use that activated it was
// cancelled and p has no other use (A5); visit is the cancelled use. It
// reports whether p changed.
func (p *Pass) Deactivate(visit string) bool {
	if p.Activation != OnFirstUse || p.ActivatedBy != visit || p.Uses != 0 {
		return false
	}
	p.ActivatedOn, p.ExpiresOn, p.ActivatedBy = calendar.Date{}, calendar.Date{}, ""
	return true
}

// Spend takes n units from p's balance. It returns ErrBalance, changing
// nothing, if p has fewer than n.
func (p *Pass) Spend(n int) error {
	if n > p.Balance {
		return fmt.Errorf("pass %s: spend %d of %d: %w", p.ID, n, p.Balance, ErrBalance)
	}
	p.Balance -= n
	return nil
}

// Adjust adds delta units to p (E4): Units and Balance both move. It
// returns ErrBalance, changing nothing, if the balance would go below zero,
// and a *field.Error named "units" if delta or the units and balance after
// it would be more than field.MaxCount (RULES S4): unit arithmetic never
// overflows.
func (p *Pass) Adjust(delta int) error {
	if err := field.Count("units", delta); err != nil {
		return err
	}
	if delta < 0 && -delta > p.Balance {
		return fmt.Errorf("pass %s: adjust %d of %d: %w", p.ID, delta, p.Balance, ErrBalance)
	}
	if delta > 0 && (delta > field.MaxCount-p.Balance || delta > field.MaxCount-p.Units) {
		return field.Invalid("units", "adding %d to %d units would be more than %d", delta, p.Units, field.MaxCount)
	}
	p.Balance += delta
	p.Units += delta
	return nil
}

// AddFreeze pauses p over [f.From, f.To) (E3). It returns a *field.Error if
// a date is missing or out of range (calendar.Date.Valid), the range is
// empty or inverted, starts after the pass's expiry, overlaps an existing
// freeze, or would move the expiry past calendar.MaxYear.
func (p *Pass) AddFreeze(f Freeze) error {
	if err := calendar.CheckDate("from", f.From); err != nil {
		return err
	}
	if err := calendar.CheckDate("to", f.To); err != nil {
		return err
	}
	if !f.From.Before(f.To) {
		return field.Invalid("to", "%s must be after from %s", f.To, f.From)
	}
	if exp := p.Expiry(); !exp.IsZero() && f.From.After(exp) {
		return field.Invalid("from", "%s is after the pass's expiry %s", f.From, exp)
	}
	for _, g := range p.Freezes {
		if f.From.Before(g.To) && g.From.Before(f.To) {
			return field.Invalid("from", "[%s, %s) overlaps the freeze [%s, %s)", f.From, f.To, g.From, g.To)
		}
	}
	freezes := slices.Clone(p.Freezes)
	p.Freezes = append(p.Freezes, f)
	slices.SortFunc(p.Freezes, func(a, b Freeze) int { return a.From.Compare(b.From) })
	if exp := p.Expiry(); !exp.IsZero() && !exp.Valid() {
		p.Freezes = freezes
		return field.Invalid("to", "the freeze would move the expiry past %d-12-31", calendar.MaxYear)
	}
	return nil
}

// EndFreeze ends the freeze of p that covers date on, early: it now runs
// [From, on), and the expiry gains only the days actually frozen. A freeze
// that had not started by on is removed. It returns a *field.Error named
// "on" if no freeze covers or follows on.
func (p *Pass) EndFreeze(on calendar.Date) error {
	for i, f := range p.Freezes {
		if on.Before(f.To) {
			if !on.After(f.From) {
				p.Freezes = slices.Delete(p.Freezes, i, i+1)
			} else {
				p.Freezes[i].To = on
			}
			return nil
		}
	}
	return field.Invalid("on", "no freeze of the pass is running or planned on %s", on)
}

// Validate checks the invariants of an issued pass and returns a
// *field.Error for the first broken one.
func (p *Pass) Validate() error {
	if err := field.First(field.ID("network", p.Network), field.ID("id", p.ID)); err != nil {
		return err
	}
	if (p.Holder == "") == (p.Team == "") {
		return field.Invalid("holder", "a pass belongs to exactly one of a holder or a team")
	}
	if !p.Kind.Valid() {
		return field.Invalid("kind", "%q is not day, time or visits", p.Kind)
	}
	if !p.Source.Valid() {
		return field.Invalid("source", "%q is not plan, product, manual or import", p.Source)
	}
	if p.Balance < 0 || p.Units < 0 || p.Balance > p.Units {
		return field.Invalid("balance", "%d of %d units is out of range", p.Balance, p.Units)
	}
	if !p.ExpiresOn.IsZero() && !p.ActivatedOn.IsZero() && p.ExpiresOn.Before(p.ActivatedOn) {
		return field.Invalid("expires_on", "%s is before activation %s", p.ExpiresOn, p.ActivatedOn)
	}
	return nil
}

// MarshalJSON returns p's JSON form (JSON.md): its fields by their json
// tags, with Locations and Freezes as [] when empty, never null, and
// without CodeHash and CodeSealed, which are secrets. Its error is always
// nil.
func (p Pass) MarshalJSON() ([]byte, error) {
	type plain Pass
	q := plain(p)
	q.Locations, q.Freezes = wire.List(q.Locations), wire.List(q.Freezes)
	return json.Marshal(q)
}
