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
	EntryAdjust   EntryType = "adjust"   // units added or subtracted by staff (E4, M1, M2)
	EntryReferral EntryType = "referral" // visits added to a card as a referral reward (M1, M6)
	// The bonus entries change a card's bonus points (Points), not units.
	EntryBonus  EntryType = "bonus"  // points added or subtracted by staff (M4)
	EntryReward EntryType = "reward" // points awarded for redeemed visits, or taken back when they return (M3)
	// The audit entries below change no units (Units is 0).
	EntryExpiry EntryType = "expiry" // expiry moved (E2)
	EntryFreeze EntryType = "freeze" // freeze added or ended (E3)
	EntryPaid   EntryType = "paid"   // marked paid (A6)
	EntryCode   EntryType = "code"   // passcode assigned or rotated (P1); never the code
	EntryStatus EntryType = "status" // a card's status changed (M5)
	EntryRevoke EntryType = "revoke" // the pass was revoked: its card or holder was deleted (M5)
)

// Entry is one append-only record of a change to a pass's balance. Units is
// signed; Balance is the pass's balance after it. Visit links a use or
// return to the visit it paid for (lineage, C9). Amount is an optional
// purchase or refund amount. Key is the idempotency key of the call that
// wrote it. Points is the change a bonus entry makes to a card's bonus
// points (M3, M4) and Bonus the card's points after it; both are 0 on
// entries that are no card's bonus entries.
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
	At time.Time `json:"at,omitzero"`
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
	// Points is the signed change a bonus entry makes to the card's bonus
	// points (M3, M4); 0 on the entries that are no card's bonus entries.
	Points int `json:"points,omitempty"`
	// Bonus is the card's bonus points after the entry; 0 on the entries
	// that are no card's bonus entries.
	Bonus int `json:"bonus,omitempty"`
}
