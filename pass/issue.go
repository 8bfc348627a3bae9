package pass

import (
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
)

// IssueSpec says how to issue a product as a pass. ID, the owner (Holder or
// Team, exactly one), Source, At (the issue instant) and On (the purchase
// date in the network's zone) are required.
type IssueSpec struct {
	// ID names the new pass in its network.
	ID string
	// Holder is the ID of the holder who will own the pass; "" when Team
	// is set.
	Holder string
	// Team is the ID of the team that will own the pass; "" when Holder
	// is set.
	Team string
	// Source is how the pass reaches its owner (O3).
	Source Source
	// Remaining, when above zero, imports a part-used pack: the pass keeps
	// the product's units as granted, records the units used before import,
	// and is priced pro rata unless Price is set (E5).
	Remaining int
	// Price overrides the product's price (or the prorated one); zero Money
	// keeps it.
	Price money.Money
	// Paid marks the pass paid at issue (A6).
	Paid bool
	// ActivatedOn and ExpiresOn are required with a merchant-set activation
	// (A3). ExpiresOn alone overrides the computed expiry of a pass
	// activated on purchase (a manual pass expiring at month end, say).
	ActivatedOn calendar.Date
	// ExpiresOn is described with ActivatedOn above; the zero Date
	// computes it from the validity.
	ExpiresOn calendar.Date
	// At is the instant of the issue.
	At time.Time
	// On is the purchase date: At's date in the network's zone (T3).
	On calendar.Date
}

// Issue returns the pass that spec issues from prod and its ledger entries:
// one "issue" entry granting the units and, for an import, one "imported"
// entry for the units used before import, so the balance equals their sum.
// Entries have no ID, key or actor; the caller fills them. It returns a
// *field.Error for a bad spec: missing or double owner, unknown source,
// remaining above the product's units, or missing or inverted dates for a
// merchant-set activation.
func Issue(prod Product, spec IssueSpec) (Pass, []Entry, error) {
	if err := field.ID("id", spec.ID); err != nil {
		return Pass{}, nil, err
	}
	if (spec.Holder == "") == (spec.Team == "") {
		return Pass{}, nil, field.Invalid("holder", "give exactly one of holder or team")
	}
	if !spec.Source.Valid() {
		return Pass{}, nil, field.Invalid("source", "%q is not plan, product, manual or import", spec.Source)
	}
	if err := field.NonNegative("remaining", spec.Remaining); err != nil {
		return Pass{}, nil, err
	}
	if spec.Remaining > prod.Units {
		return Pass{}, nil, field.Invalid("remaining", "%d is more than the product's %d units", spec.Remaining, prod.Units)
	}
	if !spec.On.Valid() {
		return Pass{}, nil, field.Invalid("on", "is not a date")
	}
	p := Pass{
		Network: prod.Network, ID: spec.ID, Product: prod.ID,
		Holder: spec.Holder, Team: spec.Team,
		Kind: prod.Kind, Source: spec.Source,
		Units: prod.Units, Balance: prod.Units,
		UnitValue: prod.unitValue(), Price: prod.Price, Paid: spec.Paid,
		Locations: append([]string(nil), prod.Locations...),
		Tier:      prod.Tier, Audience: prod.Audience, Priority: prod.Priority,
		Activation: prod.Activation, Locked: prod.Locked, Validity: prod.Validity,
		IssuedAt: spec.At.UTC(), IssuedOn: spec.On,
	}
	if spec.Remaining > 0 {
		p.Price = Prorate(prod.Price, spec.Remaining, prod.Units)
	}
	if !spec.Price.IsZero() {
		p.Price = spec.Price
	}
	if !spec.ExpiresOn.IsZero() && !spec.ExpiresOn.Valid() {
		return Pass{}, nil, field.Invalid("expires_on", "is not a date")
	}
	switch prod.Activation {
	case OnPurchase:
		p.ActivatedOn = spec.On
		p.ExpiresOn = prod.Validity.From(spec.On)
		if !spec.ExpiresOn.IsZero() {
			p.ExpiresOn = spec.ExpiresOn
		}
	case MerchantSet:
		if !spec.ActivatedOn.Valid() {
			return Pass{}, nil, field.Invalid("activated_on", "is required when the merchant sets activation")
		}
		if !spec.ExpiresOn.Valid() {
			return Pass{}, nil, field.Invalid("expires_on", "is required when the merchant sets activation")
		}
		p.ActivatedOn, p.ExpiresOn = spec.ActivatedOn, spec.ExpiresOn
	}
	if !p.ExpiresOn.IsZero() && p.ExpiresOn.Before(p.ActivatedOn) {
		return Pass{}, nil, field.Invalid("expires_on", "%s is before activation %s", p.ExpiresOn, p.ActivatedOn)
	}
	entries := []Entry{{Pass: p.ID, Holder: p.Holder, At: p.IssuedAt, Type: EntryIssue, Units: p.Units, Balance: p.Units, Amount: p.Price}}
	if spec.Remaining > 0 && spec.Remaining < p.Units {
		p.Balance = spec.Remaining
		entries = append(entries, Entry{Pass: p.ID, Holder: p.Holder, At: p.IssuedAt, Type: EntryImported,
			Units: spec.Remaining - p.Units, Balance: p.Balance})
	}
	for i := range entries {
		entries[i].Network = p.Network
	}
	return p, entries, nil
}
