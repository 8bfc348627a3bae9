// Package checkin decides what check-ins, check-outs and bookings do: which
// pass pays (through entitlement), what is consumed, what PAYG time costs,
// and the lineage of which pass paid for which visit (RULES C1-C10, B1-B3).
// It is pure: a decision is a function of a State and a request, returning
// an Outcome that lists every effect for the caller to store.
package checkin

import (
	"errors"
	"fmt"
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

// Consumption is the lineage of a visit: Units of Pass that paid for it
// (C9). A cancelled or moved visit returns exactly these units.
type Consumption struct {
	Pass  string    `json:"pass"`
	Kind  pass.Kind `json:"kind"`
	Units int       `json:"units"`
}

// Visit is one check-in (with its check-out) or one booking. Date is the
// service date: the business day at the location of the check-in or the
// class start (T4). Pass is the pass the visit opened on (for a day visit
// covered by an earlier unit, that unit's pass; for time, the first time
// candidate). CoveredBy names the visit whose day unit covers this one.
type Visit struct {
	Network          string              `json:"network"`
	ID               string              `json:"id"`
	Holder           string              `json:"holder"`
	Location         string              `json:"location"`
	Kind             Kind                `json:"kind"`
	Mode             Mode                `json:"mode"`
	Status           Status              `json:"status"`
	Start            time.Time           `json:"start"`
	End              *time.Time          `json:"end,omitempty"`
	Date             calendar.Date       `json:"date"`
	Cost             int                 `json:"cost"`
	Pass             string              `json:"pass,omitempty"`
	CoveredBy        string              `json:"covered_by,omitempty"`
	PAYG             string              `json:"payg,omitempty"`
	Consumptions     []Consumption       `json:"consumptions,omitempty"`
	Charges          []billing.DayCharge `json:"charges,omitempty"`
	UncoveredMinutes int                 `json:"uncovered_minutes,omitempty"`
	AutoClosed       bool                `json:"auto_closed,omitempty"`
	Activated        string              `json:"activated,omitempty"`
	CancelledAt      *time.Time          `json:"cancelled_at,omitempty"`
	LateCancel       bool                `json:"late_cancel,omitempty"`
	CancelledBy      string              `json:"cancelled_by,omitempty"`
	Fee              *billing.DayCharge  `json:"fee,omitempty"`
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
	Visit Visit
}

// Error names the open visit.
func (e *AlreadyCheckedInError) Error() string {
	return fmt.Sprintf("already checked in at %s since %s (visit %s)", e.Visit.Location, e.Visit.Start.Format(time.RFC3339), e.Visit.ID)
}

// Unwrap returns ErrAlreadyCheckedIn.
func (e *AlreadyCheckedInError) Unwrap() error { return ErrAlreadyCheckedIn }
