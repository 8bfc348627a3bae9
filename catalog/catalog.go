// Package catalog holds the parties of a network: the Network itself (the
// tenant), its Locations, Teams and Holders. Every value carries its
// network's ID; nothing crosses networks (RULES S1).
package catalog

import (
	"encoding/json"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
)

// Network is one business or chain: the tenant. It has one currency and a
// home time zone in which purchase dates and validity are computed (T3).
type Network struct {
	// ID names the network, chosen by the host: 1 to 200 bytes of UTF-8
	// without control characters (field.ID), like every ID.
	ID string `json:"id"`
	// Name is what people read; free text, may be empty.
	Name string `json:"name"`
	// Currency is the ISO 4217 code ("USD") of every amount in the
	// network: prices, charges, accounts, payouts. It is fixed once the
	// network has products, passes or accounts (S5).
	Currency string `json:"currency"`
	// Zone is the IANA time zone ("Europe/London") in which purchase
	// dates and validity are computed (T3).
	Zone string `json:"zone"`
}

// Validate returns a *field.Error for an empty ID, a name that is not
// storable text, a malformed currency or an unknown zone.
func (n Network) Validate() error {
	if err := field.First(field.ID("id", n.ID), field.Text("name", n.Name)); err != nil {
		return err
	}
	if err := money.ValidCurrency("currency", n.Currency); err != nil {
		return err
	}
	_, err := calendar.LoadZone(n.Zone, 0)
	return err
}

// Location is a club or space. Its Zone (IANA) and DayCutoff decide which
// business day a use falls on (T1, T4); Tier is its price level in an
// aggregator network (G3): a pass of a lower tier does not admit here.
type Location struct {
	// Network is the ID of the location's network (S1).
	Network string `json:"network"`
	// ID names the location in its network.
	ID string `json:"id"`
	// Name is what people read; free text, may be empty.
	Name string `json:"name"`
	// Zone is the IANA time zone of the location's wall clock (T1).
	Zone string `json:"zone"`
	// DayCutoff is the wall-clock time a business day starts at (T4),
	// in whole minutes from 0 (midnight, the zero value) up to but not
	// including 24h: with 3h, visits until 02:59 belong to the day
	// before. Its JSON form is "day_cutoff_minutes", the whole minutes
	// after midnight (180 for 03:00).
	DayCutoff time.Duration `json:"-"`
	// Tier is the location's price level in an aggregator network, 0 (the
	// lowest, the zero value) to field.MaxCount: a pass of a lower tier
	// does not admit here (G3).
	Tier int `json:"tier"`
}

// Validate returns a *field.Error for empty IDs, a name that is not
// storable text, an unknown zone (T1), a cut-off outside [0, 24h) or a
// tier outside [0, field.MaxCount].
func (l Location) Validate() error {
	if err := field.First(field.ID("network", l.Network), field.ID("id", l.ID), field.Text("name", l.Name)); err != nil {
		return err
	}
	if _, err := calendar.LoadZone(l.Zone, l.DayCutoff); err != nil {
		return err
	}
	return field.NonNegative("tier", l.Tier)
}

// Team groups holders. With CreditSharing on, passes issued to the team are
// usable by its members (G1); their own passes come first (O6).
type Team struct {
	// Network is the ID of the team's network (S1).
	Network string `json:"network"`
	// ID names the team in its network.
	ID string `json:"id"`
	// Name is what people read; free text, may be empty.
	Name string `json:"name"`
	// CreditSharing lets the team's members use its passes (G1); false,
	// the zero value, keeps them to the team.
	CreditSharing bool `json:"credit_sharing"`
}

// Validate returns a *field.Error for empty IDs or a name that is not
// storable text.
func (t Team) Validate() error {
	return field.First(field.ID("network", t.Network), field.ID("id", t.ID), field.Text("name", t.Name))
}

// Audience is who a holder is to the business: a member or a contact.
type Audience string

// The audiences. A product or PAYG price with no audience admits everyone.
const (
	Member  Audience = "member"  // a member of the business
	Contact Audience = "contact" // a guest or lead, not a member
)

// Valid reports whether a is Member or Contact.
func (a Audience) Valid() bool { return a == Member || a == Contact }

// Admits reports whether a product restricted to a (empty: anyone) admits a
// holder of audience h (G6).
func (a Audience) Admits(h Audience) bool { return a == "" || a == h }

// Holder is a customer. HealthDeclaredAt is when the holder completed the
// health declaration (nil: not done), which an aggregator desk checks (P3).
type Holder struct {
	// Network is the ID of the holder's network (S1).
	Network string `json:"network"`
	// ID names the holder in its network; a host may use its own
	// customer IDs.
	ID string `json:"id"`
	// Name is what people read; free text, may be empty.
	Name string `json:"name"`
	// Audience is Member or Contact: it picks the PAYG price and the
	// products the holder may use (G6).
	Audience Audience `json:"audience"`
	// Team is the ID of the holder's team in the network, "" for none.
	Team string `json:"team,omitempty"`
	// HealthDeclaredAt is when the holder made the health declaration;
	// nil when not made (P3).
	HealthDeclaredAt *time.Time `json:"health_declared_at,omitempty"`
}

// Validate returns a *field.Error for empty IDs, a name that is not
// storable text, an audience other than member or contact, a malformed
// team ID, or a health declaration instant of a year out of range
// (calendar.ValidInstant). A HealthDeclaredAt pointing at the zero time
// is not a declaration: the Engine stores it as nil.
func (h Holder) Validate() error {
	if err := field.First(field.ID("network", h.Network), field.ID("id", h.ID), field.Text("name", h.Name),
		field.OptionalID("team", h.Team)); err != nil {
		return err
	}
	if !h.Audience.Valid() {
		return field.Invalid("audience", "%s is neither member nor contact", field.Quote(string(h.Audience)))
	}
	if at := h.HealthDeclaredAt; at != nil && !at.IsZero() && !calendar.ValidInstant(*at) {
		return field.Invalid("health_declared_at", "%s is not of a year from %d to %d", at.UTC().Format(time.RFC3339), calendar.MinYear, calendar.MaxYear)
	}
	return nil
}

// locationJSON is the JSON form of a Location: DayCutoff in minutes.
type locationJSON struct {
	Network          string `json:"network"`
	ID               string `json:"id"`
	Name             string `json:"name"`
	Zone             string `json:"zone"`
	DayCutoffMinutes int64  `json:"day_cutoff_minutes"`
	Tier             int    `json:"tier"`
}

// MarshalJSON returns l's JSON form (JSON.md): its fields by their json
// names, with DayCutoff as "day_cutoff_minutes", the whole minutes after
// midnight its business day starts at (180 for 03:00), never
// nanoseconds. Its error is always nil.
func (l Location) MarshalJSON() ([]byte, error) {
	return json.Marshal(locationJSON{Network: l.Network, ID: l.ID, Name: l.Name, Zone: l.Zone,
		DayCutoffMinutes: int64(l.DayCutoff / time.Minute), Tier: l.Tier})
}

// UnmarshalJSON reads what MarshalJSON writes. It returns a *field.Error
// named "day_cutoff_minutes" for a cut-off outside [0, 1440) and the
// decoder's error for malformed JSON; Validate checks the rest. null
// leaves l as it is.
func (l *Location) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w locationJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.DayCutoffMinutes < 0 || w.DayCutoffMinutes >= 24*60 {
		return field.Invalid("day_cutoff_minutes", "must be in [0, 1440), got %d", w.DayCutoffMinutes)
	}
	*l = Location{Network: w.Network, ID: w.ID, Name: w.Name, Zone: w.Zone,
		DayCutoff: time.Duration(w.DayCutoffMinutes) * time.Minute, Tier: w.Tier}
	return nil
}
