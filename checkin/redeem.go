package checkin

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/passengine/passengine/field"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
)

// Lockout is a host's passcode lockout policy (RULES P2): more than
// MaxFailures failed codes at a location within Window lock redemption
// there for Duration.
type Lockout struct {
	// MaxFailures is how many unknown codes within Window a location
	// tolerates: the next one locks it; 0 or less means 5 (OrDefault).
	MaxFailures int `json:"max_failures"`
	// Window is how far back failures count from each new one; 0 or
	// less means 15 minutes.
	Window time.Duration `json:"-"`
	// Duration is how long a lock lasts from the failure that set it; 0
	// or less means 24 hours.
	Duration time.Duration `json:"-"`
}

// DefaultLockout returns the lockout of RULES P2: more than 5 failed codes
// within 15 minutes lock the location for 24 hours.
func DefaultLockout() Lockout {
	return Lockout{MaxFailures: 5, Window: 15 * time.Minute, Duration: 24 * time.Hour}
}

// OrDefault returns l with each field that is not above zero replaced by
// DefaultLockout's.
func (l Lockout) OrDefault() Lockout {
	d := DefaultLockout()
	if l.MaxFailures <= 0 {
		l.MaxFailures = d.MaxFailures
	}
	if l.Window <= 0 {
		l.Window = d.Window
	}
	if l.Duration <= 0 {
		l.Duration = d.Duration
	}
	return l
}

// Locked reports whether g refuses every redemption at instant now (P2):
// now is before the end of its lock.
func (g *Guard) Locked(now time.Time) bool { return now.Before(g.LockedUntil) }

// Fail records a failed code at instant now under l (P2): it forgets the
// failures older than the window (a failure exactly Window ago is out),
// adds this one, and when more than MaxFailures remain, locks the location
// until now + Duration and clears the count. It reports whether the
// location is now locked.
func (g *Guard) Fail(now time.Time, l Lockout) bool {
	l = l.OrDefault()
	since := now.Add(-l.Window)
	kept := g.Failures[:0]
	for _, f := range g.Failures {
		if f.After(since) {
			kept = append(kept, f)
		}
	}
	g.Failures = append(kept, now.UTC())
	if len(g.Failures) > l.MaxFailures {
		g.LockedUntil = now.Add(l.Duration).UTC()
		g.Failures = nil
		return true
	}
	return false
}

// Unlock lifts g's lock and forgets its failures: a manager's unlock (P2).
func (g *Guard) Unlock() {
	g.Failures = nil
	g.LockedUntil = time.Time{}
}

// RedeemOutcome is what a front desk is told after entering a passcode
// (P2, P3). Each refusal is a distinct value, so the desk can say why.
type RedeemOutcome string

// The redemption outcomes.
const (
	// Redeemed: the visit is recorded.
	Redeemed RedeemOutcome = "redeemed"
	// UnknownCode: no pass of the network has the code. It counts toward
	// the location's lockout (P2).
	UnknownCode RedeemOutcome = "unknown_code"
	// LocationLocked: too many failed codes; nothing was evaluated (P2).
	LocationLocked RedeemOutcome = "location_locked"
	// NotIncluded: the location is not included in the pass: above its
	// tier ("the club is more expensive", G3) or not among its locations
	// (G2).
	NotIncluded RedeemOutcome = "not_included"
	// PassExpired: the service date is after the pass's expiry (E1).
	PassExpired RedeemOutcome = "pass_expired"
	// PassNotActive: the service date is before a locked pass's
	// activation (A3).
	PassNotActive RedeemOutcome = "pass_not_active"
	// PassFrozen: the service date is inside a freeze (E3).
	PassFrozen RedeemOutcome = "pass_frozen"
	// PassUsedUp: no units left (G5).
	PassUsedUp RedeemOutcome = "pass_used_up"
	// PassNotEligible: the pass may not be used by its holder for another
	// reason (audience G6, a kind a desk cannot redeem, a team pass).
	PassNotEligible RedeemOutcome = "pass_not_eligible"
	// NoHealthDeclaration: the holder has not completed the health
	// declaration (P3).
	NoHealthDeclaration RedeemOutcome = "no_health_declaration"
)

// The sentinels a *RedeemError unwraps to. The pass refusals (not included,
// expired, not active, frozen, used up, not eligible) also unwrap to
// entitlement.ErrNoEntitlement.
var (
	// ErrUnknownCode: no pass of the network has the code (UnknownCode).
	ErrUnknownCode = errors.New("unknown passcode")
	// ErrLocationLocked: the location is locked by the lockout
	// (LocationLocked).
	ErrLocationLocked = errors.New("passcode redemption locked at this location")
	// ErrNotIncluded: the location is not included in the pass
	// (NotIncluded).
	ErrNotIncluded = errors.New("location not included in the pass")
	// ErrPassNotUsable: the pass is expired, not active yet, frozen, used
	// up or not eligible for its holder.
	ErrPassNotUsable = errors.New("pass not usable")
	// ErrNoHealthDeclaration: the holder has not completed the health
	// declaration (NoHealthDeclaration).
	ErrNoHealthDeclaration = errors.New("no health declaration")
)

// Message returns the outcome in words for a front desk.
func (o RedeemOutcome) Message() string {
	switch o {
	case Redeemed:
		return "visit recorded"
	case UnknownCode:
		return "unknown passcode: check the digits with the customer"
	case LocationLocked:
		return "redemption is locked at this club after too many wrong codes"
	case NotIncluded:
		return "the customer's pass does not include this club"
	case PassExpired:
		return "the pass has expired"
	case PassNotActive:
		return "the pass is not active yet"
	case PassFrozen:
		return "the pass is frozen today"
	case PassUsedUp:
		return "the pass is used up"
	case PassNotEligible:
		return "the pass cannot be used here by this customer"
	case NoHealthDeclaration:
		return "the customer has not completed the health declaration"
	}
	return string(o)
}

// RedeemError is a refused redemption (P2, P3): the outcome, the
// eligibility reason behind a pass refusal (G7), the pass the code named
// (empty for an unknown code) and, for a locked location, when the lock
// ends. It unwraps to the outcome's sentinel: ErrUnknownCode,
// ErrLocationLocked, ErrNotIncluded, ErrPassNotUsable or
// ErrNoHealthDeclaration, and for pass refusals also to
// entitlement.ErrNoEntitlement.
type RedeemError struct {
	// Outcome is why the redemption was refused; never Redeemed.
	Outcome RedeemOutcome
	// Reason is the pass's eligibility reason behind a pass refusal
	// (NotIncluded, PassNotUsable); "" for the other outcomes.
	Reason entitlement.Reason
	// Pass is the ID of the pass the code named; "" for an unknown code.
	Pass string
	// LockedUntil is when the location's lock ends, for LocationLocked
	// and for the failure that set the lock; the zero time otherwise.
	LockedUntil time.Time
}

// Error says why the redemption was refused, with the lock's end.
func (e *RedeemError) Error() string {
	s := "redeem refused: " + e.Outcome.Message()
	switch {
	case e.Outcome == LocationLocked || !e.LockedUntil.IsZero():
		s += fmt.Sprintf(" (locked until %s)", e.LockedUntil.UTC().Format(time.RFC3339))
	case e.Reason == entitlement.TierTooLow:
		s += ": the club is more expensive than the pass (location above the pass's tier)"
	case e.Reason != "":
		s += ": " + e.Reason.String()
	}
	return s
}

// Unwrap returns the outcome's sentinels.
func (e *RedeemError) Unwrap() []error {
	switch e.Outcome {
	case UnknownCode:
		return []error{ErrUnknownCode}
	case LocationLocked:
		return []error{ErrLocationLocked}
	case NotIncluded:
		return []error{ErrNotIncluded, entitlement.ErrNoEntitlement}
	case NoHealthDeclaration:
		return []error{ErrNoHealthDeclaration}
	}
	return []error{ErrPassNotUsable, entitlement.ErrNoEntitlement}
}

// OutcomeOf returns the redemption outcome of an eligibility reason: G2 and
// G3 are NotIncluded, expiry, lock, freeze and balance have their own, the
// rest are PassNotEligible; the empty reason is Redeemed.
func OutcomeOf(r entitlement.Reason) RedeemOutcome {
	switch r {
	case "":
		return Redeemed
	case entitlement.TierTooLow, entitlement.NotCovered:
		return NotIncluded
	case entitlement.Expired:
		return PassExpired
	case entitlement.Early, entitlement.NotYetIssued:
		return PassNotActive
	case entitlement.Frozen:
		return PassFrozen
	case entitlement.NoBalance:
		return PassUsedUp
	}
	return PassNotEligible
}

// Redeemable lists the pass kinds a desk redeems: day and visits. A time
// pass is paid at check-out, and a redemption has none.
var Redeemable = []pass.Kind{pass.Day, pass.Visits}

// RedeemState is what a redemption reads, loaded by the caller inside the
// unit of work with the location locked (P2) and, when the code names a
// pass, its holder locked too.
type RedeemState struct {
	// Location is the desk's location, locked by the caller (P2).
	Location catalog.Location
	// Zone is the location's zone and cut-off, which date the visit (T4).
	Zone calendar.Zone
	// Guard is the location's lockout state; Lockout the host's policy.
	Guard Guard
	// Lockout is described with Guard above.
	Lockout Lockout
	// Pass is the pass the code names, nil for an unknown code; Holder is
	// its holder.
	Pass *pass.Pass
	// Holder is described with Pass above; zero for an unknown code.
	Holder catalog.Holder
	// Recent holds the holder's visits on the service date, for a day
	// pass whose unit already covers the date (C2).
	Recent []Visit
	// Terms is the ID of the location's commercial terms version in force
	// at the redemption's instant, "" if it has none (Y1).
	Terms string
}

// Redeem is a redemption request: the new visit's ID, when the holder came
// in (At, which dates the visit), and the Engine's clock (Now, which the
// lockout is measured on, so that a client-supplied instant cannot dodge
// it).
type Redeem struct {
	// Visit is the ID the new visit gets.
	Visit string
	// At is when the holder came in: the visit's instant.
	At time.Time
	// Now is the Engine's clock, on which the lockout's window and lock
	// are measured.
	Now time.Time
}

// RedeemDecision is what DecideRedeem decided: the outcome and its detail,
// the guard (to be stored when GuardChanged, even though the redemption was
// refused: a failed code is a committed result, P2) and, only when
// Redeemed, the effects to write (the visit, the pass and its ledger
// entries).
type RedeemDecision struct {
	// Outcome is Redeemed or why the redemption was refused.
	Outcome RedeemOutcome
	// Reason is the pass's eligibility reason behind a pass refusal; ""
	// otherwise.
	Reason entitlement.Reason
	// LockedUntil is when the location's lock ends when it is locked;
	// the zero time otherwise.
	LockedUntil time.Time
	// Pass is the pass the code named, "" for an unknown code.
	Pass string
	// Guard is the location's lockout state after the decision.
	Guard Guard
	// GuardChanged says Guard must be stored: a failure was counted, a
	// lock set or an expired lock cleared.
	GuardChanged bool
	// Effects are the visit, the pass and its ledger entries to write;
	// empty unless Outcome is Redeemed.
	Effects Outcome
}

// Err returns the *RedeemError of a refusal, or nil when Redeemed.
func (d *RedeemDecision) Err() error {
	if d.Outcome == Redeemed {
		return nil
	}
	return &RedeemError{Outcome: d.Outcome, Reason: d.Reason, Pass: d.Pass, LockedUntil: d.LockedUntil}
}

// DecideRedeem decides a passcode redemption at st.Location (P2, P3):
//   - a location locked at req.Now refuses with LocationLocked and the
//     lock's end, evaluating nothing;
//   - an unknown code (st.Pass nil) is a failure: it is counted in the
//     guard, and the one that makes more than Lockout.MaxFailures within
//     the window locks the location (the decision then carries LockedUntil);
//   - a known code is checked with G1 to G6 for its holder at the service
//     date of req.At, then the holder's health declaration (done at or
//     before req.At); refusals of a known code do not count as failures;
//   - success records a Redemption visit at req.At with the terms version
//     in force. A day pass whose unit already covers the service date
//     (an earlier redemption or check-in that day) consumes nothing (C2);
//     otherwise a day pass gives one day unit and a visits pass one visit.
//     A pass that activates on first use activates on this date (A2).
//
// A redemption is a moment, not a stay: the visit is recorded closed, with
// its end at its start.
func DecideRedeem(st *RedeemState, req Redeem) RedeemDecision {
	d := RedeemDecision{Guard: st.Guard.Clone()}
	if d.Guard.Locked(req.Now) {
		d.Outcome, d.LockedUntil = LocationLocked, d.Guard.LockedUntil
		return d
	}
	p := st.Pass
	if p == nil {
		d.Outcome, d.GuardChanged = UnknownCode, true
		if d.Guard.Fail(req.Now, st.Lockout) {
			d.LockedUntil = d.Guard.LockedUntil
		}
		return d
	}
	at := req.At.UTC()
	date := st.Zone.Date(at)
	v := Visit{Network: st.Location.Network, ID: req.Visit, Holder: st.Holder.ID, Location: st.Location.ID,
		Kind: Redemption, Status: Closed, Start: at, End: &at, Date: date, Cost: 1, Pass: p.ID, Terms: st.Terms}
	d.Pass = p.ID
	u := entitlement.Use{Holder: st.Holder, Location: st.Location.ID, Tier: st.Location.Tier,
		Date: date, Cost: 1, Kinds: Redeemable, At: at}
	if p.Holder == "" { // a team pass names no one holder
		d.Outcome, d.Reason = PassNotEligible, entitlement.NotHolders
		return d
	}
	if r := entitlement.CheckCoverage(p, &u); r != "" {
		d.Outcome, d.Reason = OutcomeOf(r), r
		return d
	}
	by := ""
	if p.Kind == pass.Day {
		by = coveringVisit(st.Recent, p.ID, date)
	}
	if by == "" {
		if r := entitlement.Check(p, &u); r != "" {
			d.Outcome, d.Reason = OutcomeOf(r), r
			return d
		}
	}
	if h := st.Holder.HealthDeclaredAt; h == nil || h.After(at) {
		d.Outcome = NoHealthDeclaration
		return d
	}
	o := &d.Effects
	switch p.Kind {
	case pass.Day:
		v.Mode = ByDay
	case pass.Visits:
		v.Mode = ByVisits
	}
	if by != "" {
		v.CoveredBy = by
	} else {
		if p.ActivateOn(date, v.ID) {
			v.Activated = p.ID
			o.touch(p)
		}
		if err := o.consume(p, 1, &v, at); err != nil { // Check saw the balance
			d.Outcome, d.Reason = PassUsedUp, entitlement.NoBalance
			return d
		}
	}
	o.Visit = v
	d.Outcome = Redeemed
	return d
}

// coveringVisit returns the visit in recent that consumed a day unit of
// pass id for date, or "" (C2).
func coveringVisit(recent []Visit, id string, date calendar.Date) string {
	for i := range recent {
		v := &recent[i]
		if v.Date == date && v.Status != Cancelled && v.DayUnit() == id {
			return v.ID
		}
	}
	return ""
}

// lockoutJSON is the JSON form of a Lockout: durations in minutes.
type lockoutJSON struct {
	MaxFailures     int   `json:"max_failures"`
	WindowMinutes   int64 `json:"window_minutes"`
	DurationMinutes int64 `json:"duration_minutes"`
}

// MarshalJSON returns l as {"max_failures":5,"window_minutes":15,
// "duration_minutes":1440}: Window and Duration in whole minutes (a
// remainder under a minute is cut), never nanoseconds. Its error is
// always nil.
func (l Lockout) MarshalJSON() ([]byte, error) {
	return json.Marshal(lockoutJSON{MaxFailures: l.MaxFailures,
		WindowMinutes: int64(l.Window / time.Minute), DurationMinutes: int64(l.Duration / time.Minute)})
}

// UnmarshalJSON reads what MarshalJSON writes; 0 or less keeps its
// meaning (OrDefault). It returns a *field.Error for minutes above a
// year and the decoder's error for malformed JSON. null leaves l as it
// is.
func (l *Lockout) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w lockoutJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	const year = 366 * 24 * 60
	if w.WindowMinutes > year {
		return field.Invalid("window_minutes", "must be at most %d, got %d", year, w.WindowMinutes)
	}
	if w.DurationMinutes > year {
		return field.Invalid("duration_minutes", "must be at most %d, got %d", year, w.DurationMinutes)
	}
	*l = Lockout{MaxFailures: w.MaxFailures, Window: time.Duration(w.WindowMinutes) * time.Minute,
		Duration: time.Duration(w.DurationMinutes) * time.Minute}
	return nil
}
