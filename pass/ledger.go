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
	Network string      `json:"network"`
	ID      string      `json:"id"`
	Pass    string      `json:"pass"`
	Holder  string      `json:"holder,omitempty"`
	Visit   string      `json:"visit,omitempty"`
	At      time.Time   `json:"at"`
	Type    EntryType   `json:"type"`
	Units   int         `json:"units"`
	Balance int         `json:"balance"`
	Amount  money.Money `json:"amount"`
	Key     string      `json:"key,omitempty"`
	Actor   string      `json:"actor,omitempty"`
	Comment string      `json:"comment,omitempty"`
}
