package pass

import (
	"time"

	"github.com/passengine/passengine/money"
)

// EntryType is what a ledger entry records.
type EntryType string

// The ledger entry types.
const (
	EntryIssue    EntryType = "issue"    // units granted at issue
	EntryImported EntryType = "imported" // units used before an import (E5)
	EntryUse      EntryType = "use"      // units consumed by a visit or booking
	EntryReturn   EntryType = "return"   // units given back (cancel, move)
	EntryAdjust   EntryType = "adjust"   // units added or subtracted by staff (E4)
	// The audit entries below change no units (Units is 0).
	EntryExpiry EntryType = "expiry" // expiry moved (E2)
	EntryFreeze EntryType = "freeze" // freeze added or ended (E3)
	EntryPaid   EntryType = "paid"   // marked paid (A6)
	EntryCode   EntryType = "code"   // passcode assigned or rotated (P1); never the code
)

// Entry is one append-only record of a change to a pass's balance. Units is
// signed; Balance is the pass's balance after it. Visit links a use or
// return to the visit it paid for (lineage, C9). Amount is an optional
// purchase or refund amount. Key is the idempotency key of the call that
// wrote it.
type Entry struct {
	// Network is the ID of the entry's network (S1).
	Network string `json:"network"`
	// ID names the entry in its network.
	ID string `json:"id"`
	// Pass is the ID of the pass whose balance the entry changes.
	Pass string `json:"pass"`
	// Holder is the ID of the holder the entry concerns: the pass's
	// owner, or for a team's pass the member who used it; "" for a
	// team's pass outside a use.
	Holder string `json:"holder,omitempty"`
	// Visit is the ID of the visit a use or return paid for (C9); "" for
	// other entries.
	Visit string `json:"visit,omitempty"`
	// At is the instant of the change, in UTC.
	At time.Time `json:"at"`
	// Type is what the entry records.
	Type EntryType `json:"type"`
	// Units is the signed change of the balance, in the pass's unit
	// (days, minutes or visits): above 0 grants, below 0 takes, 0 for the
	// audit types.
	Units int `json:"units"`
	// Balance is the pass's balance after the entry.
	Balance int `json:"balance"`
	// Amount is a purchase or refund amount that came with the change
	// (the price at issue, an adjustment's amount); zero Money for none.
	Amount money.Money `json:"amount"`
	// Key is the idempotency key of the call that wrote the entry.
	Key string `json:"key,omitempty"`
	// Actor is who made the change: the call's actor; "" when the call
	// named none.
	Actor string `json:"actor,omitempty"`
	// Comment is the reason given, free text; audit entries say what
	// changed ("expiry 2026-04-01 -> 2026-05-01").
	Comment string `json:"comment,omitempty"`
}
