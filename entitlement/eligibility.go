// Package entitlement decides which passes may pay for a use and in what
// order they are consumed. Eligibility (RULES G1-G7) gives every pass that
// is not used a typed Reason; the consumption order (O0-O8) is a Policy
// value, a list of named keys a host can reorder, drop or extend. Selection
// reports the ranked candidates and the key that decided between the first
// two. The package is pure and allocates nothing when the caller supplies a
// candidate buffer.
package entitlement

import (
	"errors"
	"strings"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/pass"
)

// Reason says why a pass was not used. The empty Reason means eligible.
type Reason string

// The reasons, one per rule that can exclude a pass (G7).
const (
	Revoked       Reason = "revoked"              // M5: its card or its holder was deleted
	NotHolders    Reason = "not_holders"          // G1: neither the holder's nor the team's
	SharingOff    Reason = "team_sharing_off"     // G1: the team's, but credit sharing is off
	Audience      Reason = "audience"             // G6: the product's audience excludes the holder
	NotCovered    Reason = "location_not_covered" // G2
	TierTooLow    Reason = "location_above_tier"  // G3: the club is more expensive than the pass
	KindNotUsable Reason = "kind_not_usable"      // the use does not take this kind (a class and a time pass)
	Expired       Reason = "expired"              // G4, E1
	Frozen        Reason = "frozen"               // G4, E3
	Early         Reason = "before_activation"    // G4, A3
	NotYetIssued  Reason = "not_yet_issued"       // G4, S3: the use happened before the pass was issued
	NoBalance     Reason = "no_balance"           // G5
	Outranked     Reason = "outranked"            // eligible; another pass comes first (O)
)

var reasonText = map[Reason]string{
	Revoked:       "pass was revoked: its card or its holder was deleted",
	NotHolders:    "pass belongs to someone else",
	SharingOff:    "team pass, but the team's credit sharing is off",
	Audience:      "pass is not for the holder's audience",
	NotCovered:    "pass does not cover this location",
	TierTooLow:    "location is above the pass's tier",
	KindNotUsable: "pass kind cannot pay for this use",
	Expired:       "pass has expired",
	Frozen:        "pass is frozen on this date",
	Early:         "date is before the pass's activation",
	NotYetIssued:  "pass was issued after this use happened",
	NoBalance:     "pass has no units left for this use",
	Outranked:     "another pass comes first in the consumption order",
}

// String returns the reason in words for a front desk.
func (r Reason) String() string {
	if s, ok := reasonText[r]; ok {
		return s
	}
	return string(r)
}

// Use is what a pass is checked against: who, where, which service date and
// what it costs.
type Use struct {
	// Holder is who uses the pass: its audience (G6) and team (G1) count.
	Holder catalog.Holder
	// TeamSharing is whether the holder's team has credit sharing on.
	TeamSharing bool
	// Location is the ID of the location of the use (G2).
	Location string
	// Tier is the location's tier (G3).
	Tier int
	// NetworkLocations is the number of locations in the network; a
	// network-wide pass counts as covering that many (O4).
	NetworkLocations int
	// Date is the use's service date at the location (T4): what the
	// pass's activation, lock, expiry and freezes are checked against.
	Date calendar.Date
	// Cost is what the use takes from a visits pass (C3, B1); at least 1.
	Cost int
	// Kinds lists the pass kinds the use accepts; nil accepts all.
	Kinds []pass.Kind
	// At is the instant the use happened (a check-in's or a redemption's):
	// a pass issued after it cannot pay for it, whatever its service date
	// (a desk's backdated entry). The zero time checks nothing (a booking
	// made now, a check-out, a staff correction).
	At time.Time
}

// Check returns why p cannot pay for u, or "" when it can (G1-G6); a
// revoked pass (a deleted card's, M5) is never eligible. A pass
// that activates on first use is eligible: it activates on this use (A2).
func Check(p *pass.Pass, u *Use) Reason { return check(p, u, true, p.Expiry()) }

// CheckCoverage is Check without the balance test: whether a day pass whose
// unit already covers u's date may be used again for u (C2).
func CheckCoverage(p *pass.Pass, u *Use) Reason { return check(p, u, false, p.Expiry()) }

// check is Check (needBalance) or CheckCoverage of p, whose expiry (with
// its freezes, pass.Pass.Expiry) is expiry.
func check(p *pass.Pass, u *Use, needBalance bool, expiry calendar.Date) Reason {
	return checkHolder(p, u, needBalance, expiry, p.Holder == u.Holder.ID)
}

// checkHolder is check for a caller that has compared p.Holder with
// u.Holder.ID already: sameHolder is whether they are equal.
func checkHolder(p *pass.Pass, u *Use, needBalance bool, expiry calendar.Date, sameHolder bool) Reason {
	if p.Revoked { // M5: never usable, whoever asks
		return Revoked
	}
	switch {
	case sameHolder && p.Holder != "":
	case p.Team != "" && p.Team == u.Holder.Team:
		if !u.TeamSharing {
			return SharingOff
		}
	default:
		return NotHolders
	}
	if !p.Audience.Admits(u.Holder.Audience) {
		return Audience
	}
	if !p.Covers(u.Location) {
		return NotCovered
	}
	if p.Tier < u.Tier {
		return TierTooLow
	}
	if u.Kinds != nil && !kindIn(p.Kind, u.Kinds) {
		return KindNotUsable
	}
	if !u.At.IsZero() && u.At.Before(p.IssuedAt) {
		return NotYetIssued
	}
	// p.StatusWith(u.Date, expiry) as far as it refuses a use (revoked is
	// tested above), in its order, without comparing its Status strings.
	if !expiry.IsZero() && dateCompare(u.Date, expiry) > 0 {
		return Expired // pass.StatusExpired
	}
	if p.Frozen(u.Date) {
		return Frozen // pass.StatusFrozen
	}
	if p.Locked && p.Activated() && dateCompare(u.Date, p.ActivatedOn) < 0 {
		return Early // pass.StatusEarly
	}
	if needBalance && p.Balance < need(p.Kind, u.Cost) {
		return NoBalance
	}
	return ""
}

// dateCompare is d.Compare(e) but for its sign function (the same sign:
// d.After(e) is dateCompare(d, e) > 0, d.Before(e) is < 0), inlined.
func dateCompare(d, e calendar.Date) int {
	switch {
	case d.Year != e.Year:
		return d.Year - e.Year
	case d.Month != e.Month:
		return int(d.Month) - int(e.Month)
	}
	return d.Day - e.Day
}

func kindIn(k pass.Kind, ks []pass.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// need returns the balance a pass of kind k needs for a use of cost: one
// day, one minute, or cost visits (G5).
func need(k pass.Kind, cost int) int {
	if k == pass.Visits && cost > 1 {
		return cost
	}
	return 1
}

// ErrNoEntitlement is the sentinel of a refused use: no pass may pay for it.
var ErrNoEntitlement = errors.New("no eligible pass")

// RefusalError is returned when no pass may pay for a use. Candidates holds
// every pass the holder could have used, each with its Reason (G7), so a
// front desk can say why. It unwraps to ErrNoEntitlement.
type RefusalError struct {
	// Candidates are the passes considered, by pass ID, each with its
	// Reason.
	Candidates []Candidate
}

// Error lists each pass with its reason.
func (e *RefusalError) Error() string {
	var b strings.Builder
	b.WriteString("no eligible pass")
	for i, c := range e.Candidates {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(c.PassID + ": " + c.Reason.String())
	}
	return b.String()
}

// Unwrap returns ErrNoEntitlement.
func (e *RefusalError) Unwrap() error { return ErrNoEntitlement }
