package catalog_test

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func requireFieldError(t *testing.T, err error, name string) {
	t.Helper()
	var fe *field.Error
	require.ErrorAs(t, err, &fe, "got %v, want a *field.Error", err)
	assert.Equal(t, name, fe.Name, "field name: got %q, want %q", fe.Name, name)
	assert.ErrorIs(t, err, field.ErrInvalid)
}

// Rule T1, S2: a network needs an ID, a currency and a real zone.
func TestRule_T1_NetworkValidate(t *testing.T) {
	ok := catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"}
	require.NoError(t, ok.Validate())

	tests := []struct {
		name string
		edit func(*catalog.Network)
		want string
	}{
		{"empty id", func(n *catalog.Network) { n.ID = "" }, "id"},
		{"bad currency", func(n *catalog.Network) { n.Currency = "usd" }, "currency"},
		{"unknown zone", func(n *catalog.Network) { n.Zone = "America/Gotham" }, "zone"},
		{"no zone", func(n *catalog.Network) { n.Zone = "" }, "zone"},
		{"local zone", func(n *catalog.Network) { n.Zone = "Local" }, "zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ok
			tt.edit(&n)
			requireFieldError(t, n.Validate(), tt.want)
		})
	}
}

// Rule T1, T4: a location without a valid zone is rejected; its cut-off
// is whole minutes in [0, 24h); its tier is not negative.
func TestRule_T1_LocationValidate(t *testing.T) {
	ok := catalog.Location{Network: "hub", ID: "downtown", Zone: "Europe/London", DayCutoff: 3 * time.Hour, Tier: 2}
	require.NoError(t, ok.Validate())

	tests := []struct {
		name string
		edit func(*catalog.Location)
		want string
	}{
		{"empty network", func(l *catalog.Location) { l.Network = "" }, "network"},
		{"empty id", func(l *catalog.Location) { l.ID = " " }, "id"},
		{"unknown zone", func(l *catalog.Location) { l.Zone = "Europe/Atlantis" }, "zone"},
		{"no zone", func(l *catalog.Location) { l.Zone = "" }, "zone"},
		{"cut-off a day", func(l *catalog.Location) { l.DayCutoff = 24 * time.Hour }, "cutoff"},
		{"negative cut-off", func(l *catalog.Location) { l.DayCutoff = -time.Hour }, "cutoff"},
		{"negative tier", func(l *catalog.Location) { l.Tier = -1 }, "tier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ok
			tt.edit(&l)
			requireFieldError(t, l.Validate(), tt.want)
		})
	}
}

func TestHolderAndTeamValidate(t *testing.T) {
	ok := catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member, Team: "acme"}
	require.NoError(t, ok.Validate())
	h := ok
	h.Audience = "vip"
	requireFieldError(t, h.Validate(), "audience")
	h = ok
	h.Audience = ""
	requireFieldError(t, h.Validate(), "audience")
	h = ok
	h.Team = "a\x01"
	requireFieldError(t, h.Validate(), "team")
	h = ok
	h.Team = ""
	require.NoError(t, h.Validate(), "no team is fine")
	h = ok
	h.ID = ""
	requireFieldError(t, h.Validate(), "id")

	require.NoError(t, catalog.Team{Network: "hub", ID: "acme"}.Validate())
	requireFieldError(t, catalog.Team{Network: "", ID: "acme"}.Validate(), "network")
}

// Rule G6: a product with no audience admits everyone; otherwise only its
// own audience.
func TestRule_G6_AudienceAdmits(t *testing.T) {
	assert.True(t, catalog.Audience("").Admits(catalog.Member))
	assert.True(t, catalog.Audience("").Admits(catalog.Contact))
	assert.True(t, catalog.Member.Admits(catalog.Member))
	assert.False(t, catalog.Member.Admits(catalog.Contact))
	assert.False(t, catalog.Contact.Admits(catalog.Member))
	assert.True(t, catalog.Member.Valid())
	assert.False(t, catalog.Audience("").Valid())
}

// checkFieldError fails unless err is nil or a *field.Error.
func checkFieldError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name == "" {
		t.Fatalf("%s: got %v, want nil or a *field.Error naming a field", what, err)
	}
}

// Rule S2: validating catalog values made of arbitrary strings never panics
// and refuses only with a *field.Error.
func FuzzCatalogValidate(f *testing.F) {
	f.Add("hub", "downtown", "USD", "Europe/London", "member", int64(3*time.Hour), 1)
	f.Add("", "", "", "", "", int64(0), 0)
	f.Add("h\x00", "d", "usd", "../../etc/passwd", "vip", int64(-1), -1)
	f.Add("hub", "d", "EUR", "Local", "contact", int64(24*time.Hour), 99)
	f.Fuzz(func(t *testing.T, network, id, currency, zone, audience string, cutoff int64, tier int) {
		checkFieldError(t, "Network", catalog.Network{ID: network, Currency: currency, Zone: zone}.Validate())
		checkFieldError(t, "Location", catalog.Location{Network: network, ID: id, Zone: zone, DayCutoff: time.Duration(cutoff), Tier: tier}.Validate())
		checkFieldError(t, "Holder", catalog.Holder{Network: network, ID: id, Audience: catalog.Audience(audience), Team: zone}.Validate())
		checkFieldError(t, "Team", catalog.Team{Network: network, ID: id}.Validate())
	})
}
