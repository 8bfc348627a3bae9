package card

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// IssueSpec says how to issue a card: its ID and its pass's ID, the
// holder, the status it starts in (not installed by default; never
// deleted), an optional expiry that overrides the program's validity, the
// issue instant and the issue date in the network's zone.
type IssueSpec struct {
	// ID names the new card: its serial number.
	ID string
	// Pass is the ID its visits pass gets.
	Pass string
	// Holder is the ID of the holder who gets the card.
	Holder string
	// Status is NotInstalled (the default, for "") or Installed.
	Status Status
	// ExpiresOn overrides the expiry the program's validity gives; the zero
	// Date keeps it.
	ExpiresOn calendar.Date
	// At is the issue instant.
	At time.Time
	// On is At's date in the network's zone.
	On calendar.Date
}

// CheckIssueStatus returns a *field.Error on "status" unless s is a status
// a card may be issued with: empty (not installed), not installed or
// installed.
func CheckIssueStatus(s Status) error {
	if s != "" && s != NotInstalled && s != Installed {
		return field.Invalid("status", "a card is issued not_installed or installed, not %s", field.Quote(string(s)))
	}
	return nil
}

// Issue returns a new card of program prog and the pass that will hold its
// visits, with none yet: visits are added by AddVisits (M1). The pass takes
// the program's terms (locations, tier, audience, priority, unit value,
// activation, validity) so that it pays like any visits pass of that
// product; it costs nothing itself (what is paid is entered with each
// addition), so it is issued paid at a zero price. It returns the pass's
// issue entry, and a *field.Error for a program that is not a visits
// product, a bad ID or date, or a deleted status.
func Issue(prod pass.Product, spec IssueSpec) (Card, pass.Pass, []pass.Entry, error) {
	if prod.Kind != pass.Visits {
		return Card{}, pass.Pass{}, nil, field.Invalid("program", "%q is a %s product; a card's program is a visits product", prod.ID, prod.Kind)
	}
	if spec.Status == "" {
		spec.Status = NotInstalled
	}
	if err := CheckIssueStatus(spec.Status); err != nil {
		return Card{}, pass.Pass{}, nil, err
	}
	if err := field.ID("card", spec.ID); err != nil {
		return Card{}, pass.Pass{}, nil, err
	}
	p, entries, err := pass.Issue(prod, pass.IssueSpec{ID: spec.Pass, Holder: spec.Holder, Source: pass.FromProduct,
		Paid: true, ExpiresOn: spec.ExpiresOn, At: spec.At, On: spec.On})
	if err != nil {
		return Card{}, pass.Pass{}, nil, err
	}
	cur := prod.Price.Currency
	p.Units, p.Balance, p.Price, p.Card = 0, 0, money.Zero(cur), spec.ID
	entries = entries[:1]
	entries[0].Units, entries[0].Balance, entries[0].Amount = 0, 0, money.Money{}
	entries[0].Comment = "card " + spec.ID + " issued"
	c := Card{Network: p.Network, ID: spec.ID, Holder: spec.Holder, Program: prod.ID, Pass: p.ID,
		Status: spec.Status, IssuedAt: p.IssuedAt, IssuedOn: spec.On,
		Counters: Counters{Purchases: money.Zero(cur), Refunds: money.Zero(cur)}}
	return c, p, entries, nil
}

// Change is a staff change to a card's visits or bonus points: Value is
// the whole number of visits or points (above zero, at most MaxValue);
// Amount an optional purchase or refund amount in the network's currency
// (the zero Money for none); Actor and Comment say who and why; At is the
// instant and On its date in the network's zone.
type Change struct {
	// Value is the number of visits or points, described above.
	Value int
	// Amount is the purchase or refund amount, described above.
	Amount money.Money
	// Actor is who makes the change.
	Actor string
	// Comment is why, free text.
	Comment string
	// At is the change's instant.
	At time.Time
	// On is At's date in the network's zone.
	On calendar.Date
	// Referral marks visits added as a referral reward (M6). Adding only.
	Referral bool
	// Redeemed marks visits subtracted because they were used without a
	// check-in (a phone booking or a backend redemption, seed 003): they
	// count as redeemed and earn bonus points (M3) rather than removed.
	// Subtracting visits only, with no amount.
	Redeemed bool
}

// usable returns a *field.Error named "card" for a deleted card (M5).
func usable(c *Card) error {
	if c.Status == Deleted {
		return field.Invalid("card", "%s is deleted: a deleted card cannot be used or changed (M5)", c.ID)
	}
	return nil
}

// check validates ch for a change of the named whole number in currency.
func (ch *Change) check(c *Card, name, currency string) error {
	if err := usable(c); err != nil {
		return err
	}
	if ch.Value <= 0 || ch.Value > MaxValue {
		return field.Invalid(name, "must be a whole number from 1 to %d, got %d", MaxValue, ch.Value)
	}
	return ValidAmount("amount", ch.Amount, currency)
}

// ValidAmount returns a *field.Error named name unless m is the zero Money
// (no amount) or a valid non-negative amount in currency
// (money.Money.Validate: no digit finer than the currency's minor unit).
func ValidAmount(name string, m money.Money, currency string) error {
	if m.IsZero() {
		return nil
	}
	return m.Validate(name, currency)
}

// entry returns a ledger entry of p for c at ch.
func entry(c *Card, p *pass.Pass, t pass.EntryType, ch *Change) pass.Entry {
	return pass.Entry{Network: p.Network, Pass: p.ID, Holder: p.Holder, At: ch.At.UTC(), Type: t,
		Balance: p.Balance, Amount: ch.Amount, Actor: ch.Actor, Comment: ch.Comment}
}

// record counts e into c and returns it.
func record(c *Card, e pass.Entry) []pass.Entry {
	c.count(&e)
	return []pass.Entry{e}
}

// AddVisits adds ch.Value visits to card c and its pass p (M1): available
// and sold grow by the value (referral visits too when ch.Referral), the
// last adding is ch.At, and purchases, so LTV and net revenue, grow by the
// amount. It returns the entry, or a *field.Error, changing nothing, for a
// deleted card, a value not in [1, MaxValue], an amount in another
// currency, negative or finer than the minor unit, or a card that would
// hold more than MaxBalance visits.
func AddVisits(c *Card, p *pass.Pass, ch Change, currency string) ([]pass.Entry, error) {
	if err := ch.check(c, "visits", currency); err != nil {
		return nil, err
	}
	if ch.Redeemed {
		return nil, field.Invalid("redeemed", "only a subtraction can be a redemption")
	}
	if p.Units+ch.Value > MaxBalance {
		return nil, field.Invalid("visits", "%d more would take the card above %d visits", ch.Value, MaxBalance)
	}
	if err := p.Adjust(ch.Value); err != nil {
		return nil, err
	}
	t := pass.EntryAdjust
	if ch.Referral {
		t = pass.EntryReferral
	}
	e := entry(c, p, t, &ch)
	e.Units = ch.Value
	return record(c, e), nil
}

// SubtractVisits takes ch.Value visits off card c and its pass p (M2):
// available shrinks; an amount is a refund, which LTV counts upward as
// seed 003 does and net revenue counts downward; the visits count as
// removed. With ch.Redeemed they were used instead (M3): they count as
// redeemed, the last redemption is ch.At, the pass activates on ch.On if it
// activates on first use, and rule awards bonus points; such a pass must
// be usable on ch.On (not expired, frozen or before a locked activation).
// It returns the entries, or a *field.Error, changing nothing, for a
// deleted card, a value not in [1, MaxValue] or above the visits
// available, a referral, a redemption with an amount, or a bad amount.
func SubtractVisits(c *Card, p *pass.Pass, ch Change, currency string, rule BonusRule) ([]pass.Entry, error) {
	if err := ch.check(c, "visits", currency); err != nil {
		return nil, err
	}
	if ch.Referral {
		return nil, field.Invalid("referral", "only an addition can be a referral reward")
	}
	if ch.Value > p.Balance {
		return nil, field.Invalid("visits", "%d is more than the %d visits available", ch.Value, p.Balance)
	}
	if !ch.Redeemed {
		if err := p.Adjust(-ch.Value); err != nil {
			return nil, err
		}
		e := entry(c, p, pass.EntryAdjust, &ch)
		e.Units = -ch.Value
		return record(c, e), nil
	}
	if !ch.Amount.IsZero() {
		return nil, field.Invalid("amount", "a redemption has no refund amount")
	}
	switch st := p.StatusOn(ch.On); st {
	case pass.StatusExpired, pass.StatusFrozen, pass.StatusEarly, pass.StatusRevoked:
		return nil, field.Invalid("card", "its visits cannot be redeemed on %s: the pass is %s", ch.On, st)
	}
	p.ActivateOn(ch.On, "")
	if err := p.Spend(ch.Value); err != nil {
		return nil, err
	}
	use := entry(c, p, pass.EntryUse, &ch)
	use.Units = -ch.Value
	return Apply(c, p, []pass.Entry{use}, rule), nil
}

// AddBonus adds ch.Value bonus points to c (M4); an amount entered is a
// purchase (LTV and net revenue grow by it). It returns the entry, or a
// *field.Error, changing nothing, for a deleted card, a value not in [1,
// MaxValue], a bad amount, or a balance that would pass MaxBalance.
func AddBonus(c *Card, p *pass.Pass, ch Change, currency string) ([]pass.Entry, error) {
	if err := bonusChange(c, &ch, currency); err != nil {
		return nil, err
	}
	if c.Bonus+ch.Value > MaxBalance {
		return nil, field.Invalid("points", "%d more would take the card above %d points", ch.Value, MaxBalance)
	}
	e := entry(c, p, pass.EntryBonus, &ch)
	e.Points, e.Bonus = ch.Value, c.Bonus+ch.Value
	return record(c, e), nil
}

// SubtractBonus takes ch.Value bonus points off c (M4): never below zero.
// An amount entered (what was bought with the points, seed 003) is kept
// on the entry for the record and counted in neither LTV nor net revenue.
// It returns the entry, or a *field.Error, changing nothing, for a deleted
// card, a value not in [1, MaxValue] or above the balance, or a bad
// amount.
func SubtractBonus(c *Card, p *pass.Pass, ch Change, currency string) ([]pass.Entry, error) {
	if err := bonusChange(c, &ch, currency); err != nil {
		return nil, err
	}
	if ch.Value > c.Bonus {
		return nil, field.Invalid("points", "%d is more than the %d points on the card", ch.Value, c.Bonus)
	}
	e := entry(c, p, pass.EntryBonus, &ch)
	e.Points, e.Bonus = -ch.Value, c.Bonus-ch.Value
	return record(c, e), nil
}

func bonusChange(c *Card, ch *Change, currency string) error {
	if err := ch.check(c, "points", currency); err != nil {
		return err
	}
	if ch.Referral || ch.Redeemed {
		return field.Invalid("points", "bonus points are neither referral visits nor redemptions")
	}
	return nil
}

// SetStatus moves c to status to (M5): between not installed and
// installed either way, or to deleted, which is final and revokes p so
// that it is never eligible again. Setting the status a card has changes
// nothing and returns no entry. It returns a *field.Error for an unknown
// status or a card already deleted.
func SetStatus(c *Card, p *pass.Pass, to Status, actor, comment string, at time.Time) ([]pass.Entry, error) {
	if !to.Valid() {
		return nil, field.Invalid("status", "%q is not not_installed, installed or deleted", to)
	}
	if err := usable(c); err != nil {
		return nil, err
	}
	if c.Status == to {
		return nil, nil
	}
	what := fmt.Sprintf("status %s -> %s", c.Status, to)
	if comment != "" {
		what += ": " + comment
	}
	c.Status = to
	if to == Deleted {
		p.Revoked = true
	}
	ch := Change{Actor: actor, Comment: what, At: at}
	return []pass.Entry{entry(c, p, pass.EntryStatus, &ch)}, nil
}
