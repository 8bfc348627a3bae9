// Package checkin decides what check-ins, check-outs and bookings do: which
// pass pays (through entitlement), what is consumed, what PAYG time costs,
// and the lineage of which pass paid for which visit (RULES C1-C10, B1-B3).
// It is pure: a decision is a function of a State and a request, returning
// an Outcome that lists every effect for the caller to store.
package checkin

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/passengine/passengine/internal/wire"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// Kind is what a visit records.
type Kind string

// The visit kinds.
const (
	CheckInVisit Kind = "check_in"   // a check-in at a location (C)
	Booking      Kind = "booking"    // a class booking (B)
	Redemption   Kind = "redemption" // an aggregator passcode redeemed at a desk (P3)
)

// Valid reports whether k is one of the visit kinds.
func (k Kind) Valid() bool { return k == CheckInVisit || k == Booking || k == Redemption }

// Mode is what pays for a visit.
type Mode string

// The modes.
const (
	ByDay    Mode = "day"    // a day unit (C2)
	ByVisits Mode = "visits" // a visits pass (C3, B1)
	ByTime   Mode = "time"   // time passes, deducted at check-out (C4)
	ByPAYG   Mode = "payg"   // pay-as-you-go (C5)
	Unpaid   Mode = "unpaid" // let in with nothing eligible, to be settled later (C12)
)

// Valid reports whether m is one of the modes.
func (m Mode) Valid() bool {
	return m == ByDay || m == ByVisits || m == ByTime || m == ByPAYG || m == Unpaid
}

// Status is where a visit is in its life.
type Status string

// The statuses.
const (
	Open      Status = "open"      // checked in, not out
	Closed    Status = "closed"    // checked out
	Booked    Status = "booked"    // a booking not yet held
	Cancelled Status = "cancelled" // a booking cancelled (B2)
	Attended  Status = "attended"  // a booking held (B3)
	NoShow    Status = "no_show"   // a booking missed (B3)
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	return s == Open || s == Closed || s == Booked || s == Cancelled || s == Attended || s == NoShow
}

// Consumption is the lineage of a visit: Units of Pass that paid for it
// (C9). A cancelled or moved visit returns exactly these units.
type Consumption struct {
	// Pass is the ID of the pass that paid.
	Pass string `json:"pass"`
	// Kind is the pass's kind, which says Units' unit.
	Kind pass.Kind `json:"kind"`
	// Units is how many units the pass gave: days, minutes or visits.
	Units int `json:"units"`
}

// Visit is one check-in (with its check-out) or one booking. Date is the
// service date: the business day at the location of the check-in or the
// class start (T4). Pass is the pass the visit opened on (for a day visit
// covered by an earlier unit, that unit's pass; for time, the first time
// candidate). CoveredBy names the visit whose day unit covers this one.
type Visit struct {
	// Network is the ID of the visit's network (S1).
	Network string `json:"network"`
	// ID names the visit in its network.
	ID string `json:"id"`
	// Holder is the ID of the holder who came.
	Holder string `json:"holder"`
	// Location is the ID of the location of the visit.
	Location string `json:"location"`
	// Kind is a check-in, a booking or a redemption.
	Kind Kind `json:"kind"`
	// Mode is what pays for the visit: a day, visits or time pass, PAYG,
	// or nothing yet (unpaid, C12).
	Mode Mode `json:"mode"`
	// Status is where the visit is in its life.
	Status Status `json:"status"`
	// Start is the check-in's instant, the class's start or the
	// redemption's instant, in UTC.
	Start time.Time `json:"start,omitzero"`
	// End is the check-out's instant (or the automatic close's, C8); nil
	// while open and for a booking.
	End *time.Time `json:"end,omitempty"`
	// Date is the service date, described above.
	Date calendar.Date `json:"date,omitzero"`
	// Cost is what the visit takes from a visits pass, in visits or class
	// points (C3, B1); at least 1.
	Cost int `json:"cost"`
	// Pass is the ID of the pass the visit opened on, described above; ""
	// for a PAYG or unpaid visit.
	Pass string `json:"pass,omitempty"`
	// CoveredBy is the ID of the visit whose day unit covers this one
	// (C2); "" when this visit took its own.
	CoveredBy string `json:"covered_by,omitempty"`
	// PAYG is the ID of the PAYG product that charges the visit (C5); ""
	// when passes pay.
	PAYG string `json:"payg,omitempty"`
	// Consumptions are the units each pass gave the visit, the lineage
	// (C9): what a cancel or move returns.
	Consumptions []Consumption `json:"consumptions"`
	// Charges are the visit's PAYG charges, one per business day it
	// touched (C5, C6); empty when passes paid.
	Charges []billing.DayCharge `json:"charges"`
	// UncoveredMinutes is how many minutes of the visit no time pass and
	// no PAYG product covered (C4); 0 when all were.
	UncoveredMinutes int `json:"uncovered_minutes,omitempty"`
	// AutoClosed is whether the visit was closed at its start plus the
	// longest visit rather than by a check-out at the door (C8).
	AutoClosed bool `json:"auto_closed,omitempty"`
	// Activated is the ID of the pass the visit's use activated (A2),
	// which cancelling it may deactivate (A5); "" for none.
	Activated string `json:"activated,omitempty"`
	// CancelledAt is when a booking was cancelled; nil when it was not
	// (B2).
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	// LateCancel is whether the holder cancelled inside the cancel
	// window (B2).
	LateCancel bool `json:"late_cancel,omitempty"`
	// CancelledBy is "holder" or "business" for a cancelled booking, ""
	// otherwise.
	CancelledBy string `json:"cancelled_by,omitempty"`
	// Fee is the no-show fee charged instead of the units (B3); nil when
	// none was.
	Fee *billing.DayCharge `json:"fee,omitempty"`
	// Terms is the ID of the location's commercial terms version in force
	// at a redemption (Y1).
	Terms string `json:"terms,omitempty"`
	// SettledAt is when an unpaid visit was settled by a pass (C12).
	SettledAt *time.Time `json:"settled_at,omitempty"`
	// Debited is what the holder's prepaid account paid of the visit's
	// charges and fee, later settlements included (W2); zero Money when
	// the account paid nothing.
	Debited money.Money `json:"debited,omitzero"`
	// Owed is what the visit's charges and fee still owe: the part the
	// account's funds and overdraft did not cover when they were debited
	// (W2); zero when nothing is owed.
	Owed money.Money `json:"owed,omitzero"`
}

// Clone returns a deep copy of v.
func (v Visit) Clone() Visit {
	v.Consumptions = append([]Consumption(nil), v.Consumptions...)
	v.Charges = append([]billing.DayCharge(nil), v.Charges...)
	if v.End != nil {
		t := *v.End
		v.End = &t
	}
	if v.CancelledAt != nil {
		t := *v.CancelledAt
		v.CancelledAt = &t
	}
	if v.Fee != nil {
		f := *v.Fee
		v.Fee = &f
	}
	if v.SettledAt != nil {
		t := *v.SettledAt
		v.SettledAt = &t
	}
	return v
}

// IsOpen reports whether v is a check-in not yet checked out.
func (v *Visit) IsOpen() bool { return v.Status == Open }

// Minutes returns the visit's length in whole minutes, rounded up (C4); 0
// while it is open.
func (v *Visit) Minutes() int {
	if v.End == nil {
		return 0
	}
	return billing.Minutes(v.Start, *v.End)
}

// DayUnit returns the pass whose day unit this visit consumed, or "".
func (v *Visit) DayUnit() string {
	for _, c := range v.Consumptions {
		if c.Kind == pass.Day && c.Units > 0 {
			return c.Pass
		}
	}
	return ""
}

// Errors of the decisions. Each is wrapped in a typed error with detail
// where there is any.
var (
	// ErrAlreadyCheckedIn: the holder has an open visit at the location (C1).
	ErrAlreadyCheckedIn = errors.New("already checked in")
	// ErrNotOpen: the visit is not an open check-in (C7).
	ErrNotOpen = errors.New("visit is not open")
	// ErrNotBooked: the visit is not a booking awaiting its class (B2, B3).
	ErrNotBooked = errors.New("visit is not a current booking")
)

// AlreadyCheckedInError carries the open visit of a holder who checks in
// again at the same location (C1). It unwraps to ErrAlreadyCheckedIn.
type AlreadyCheckedInError struct {
	// Visit is the holder's open visit at the location.
	Visit Visit
}

// Error names the open visit.
func (e *AlreadyCheckedInError) Error() string {
	return fmt.Sprintf("already checked in at %s since %s (visit %s)", e.Visit.Location, e.Visit.Start.Format(time.RFC3339), e.Visit.ID)
}

// Unwrap returns ErrAlreadyCheckedIn.
func (e *AlreadyCheckedInError) Unwrap() error { return ErrAlreadyCheckedIn }

// MarshalJSON returns v's JSON form (JSON.md): its fields by their json
// tags, with Consumptions and Charges as [] when empty, never null. Its
// error is always nil.
func (v Visit) MarshalJSON() ([]byte, error) {
	type plain Visit
	p := plain(v)
	p.Consumptions, p.Charges = wire.List(p.Consumptions), wire.List(p.Charges)
	return json.Marshal(p)
}
