// Package card holds multipass cards (seed 003, RULES M1-M7): a holder's
// card of one program whose prepaid visits are a visits pass (package
// pass), with the card's extras beside it: a status, bonus points, and the
// metrics a studio reads (LTV, net revenue, visits sold, redeemed, removed,
// referral visits, last redemption and last adding). The visits pay through
// the same consumption order, lineage and ledger as any visits pass; this
// package only keeps the extras current from the ledger entries a change
// makes, and never holds a second balance of visits.
//
// The package is pure: no I/O, no clock, no randomness. Every operation
// takes the card and its pass, changes them, and returns the ledger
// entries to append (without IDs or keys, which the caller stamps).
package card

import (
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
)

// Status is where a card is in its life (M5).
type Status string

// The statuses. A card is issued not installed; the holder installs it on a
// device; staff delete it. Deleted is final: a deleted card is never usable
// again, and its pass is revoked.
const (
	NotInstalled Status = "not_installed"
	Installed    Status = "installed"
	Deleted      Status = "deleted"
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool { return s == NotInstalled || s == Installed || s == Deleted }

// The bounds of a card's whole numbers, the same on every store: one
// change adds or subtracts at most MaxValue visits or points, and a card
// holds at most MaxBalance of either (field.MaxCount, the bound of every
// count, RULES S4).
const (
	MaxValue   = 1_000_000
	MaxBalance = field.MaxCount
)

// Counters are a card's metrics kept current on its row, each changed in
// the same unit of work as the ledger entry that changes it (M6), so that
// reading them never sums history. Replay computes them from the history.
type Counters struct {
	// Sold is every visit ever added: bought, gifted or referral (M1).
	Sold int `json:"sold"`
	// Redeemed is the visits used by check-ins, bookings, redemptions and
	// backend redemptions, less those given back by cancels and moves (M3).
	Redeemed int `json:"redeemed"`
	// Removed is the visits subtracted by staff (M2).
	Removed int `json:"removed"`
	// Referral is the visits added as referral rewards (M6).
	Referral int `json:"referral"`
	// Bonus is the bonus points balance, never below zero (M4).
	Bonus int `json:"bonus"`
	// Purchases is the sum of the amounts entered when adding visits or
	// bonus points; Refunds the sum of those entered when subtracting
	// visits (M1, M2).
	Purchases money.Money `json:"purchases"`
	// Refunds is described with Purchases above; in the network's currency.
	Refunds money.Money `json:"refunds"`
	// LastRedemption and LastAdding are the latest instants a visit was
	// redeemed and visits were added; zero for never.
	LastRedemption time.Time `json:"last_redemption,omitzero"`
	// LastAdding is described with LastRedemption above.
	LastAdding time.Time `json:"last_adding,omitzero"`
}

// Card is a holder's multipass card of one program (a product of kind
// visits). Pass is the visits pass that holds its prepaid visits: their
// balance, expiry and ledger. IssuedAt is when the card was issued (its
// installation or manual addition, seed 003) and IssuedOn that date in the
// network's zone.
type Card struct {
	// Network is the ID of the card's network (S1).
	Network string `json:"network"`
	// ID names the card in its network: its serial number.
	ID string `json:"id"`
	// Holder is the ID of the holder whose card it is.
	Holder string `json:"holder"`
	// Program is the ID of the card's program.
	Program string `json:"program"`
	// Pass is the ID of the card's visits pass.
	Pass string `json:"pass"`
	// Status is where the card is in its life (M5).
	Status Status `json:"status"`
	// IssuedAt is described above; in UTC.
	IssuedAt time.Time `json:"issued_at,omitzero"`
	// IssuedOn is described above.
	IssuedOn calendar.Date `json:"issued_on,omitzero"`
	Counters
}

// Validate returns a *field.Error for a missing ID, holder, program or
// pass, or an unknown status.
func (c *Card) Validate() error {
	if err := field.First(field.ID("network", c.Network), field.ID("id", c.ID), field.ID("holder", c.Holder),
		field.ID("program", c.Program), field.ID("pass", c.Pass)); err != nil {
		return err
	}
	if !c.Status.Valid() {
		return field.Invalid("status", "%q is not not_installed, installed or deleted", c.Status)
	}
	return nil
}

// LTV returns the card's lifetime value as seed 003 counts it: every
// amount entered, purchases and refunds alike (a refund entered when
// subtracting visits counts upward, M2).
func (c *Card) LTV() money.Money { return c.Purchases.Add(c.Refunds) }

// NetRevenue returns purchases less refunds (M2).
func (c *Card) NetRevenue() money.Money { return c.Purchases.Sub(c.Refunds) }

// TotalVisits returns every visit that left the card: redeemed and removed
// (seed 003: "including redeemed visits, includes any visits removed from
// the backend").
func (c *Card) TotalVisits() int { return c.Redeemed + c.Removed }
