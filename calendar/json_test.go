package calendar_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Zone is written as its IANA name and its cut-off in minutes (T4), read
// back through LoadZone; an unknown zone or a cut-off outside a day is
// refused naming the field.
func TestZoneJSON(t *testing.T) {
	z, err := calendar.LoadZone("Europe/Paris", 3*time.Hour)
	require.NoError(t, err)
	b, err := json.Marshal(z)
	require.NoError(t, err)
	assert.Equal(t, `{"zone":"Europe/Paris","cutoff_minutes":180}`, string(b))
	var back calendar.Zone
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, z.Loc.String(), back.Loc.String())
	assert.Equal(t, z.Cutoff, back.Cutoff)

	for in, name := range map[string]string{
		`{"zone":"Mars/Olympus","cutoff_minutes":0}`:    "zone",
		`{"zone":"Europe/Paris","cutoff_minutes":1440}`: "cutoff_minutes",
		`{"zone":"Europe/Paris","cutoff_minutes":-5}`:   "cutoff_minutes",
	} {
		var z calendar.Zone
		err := json.Unmarshal([]byte(in), &z)
		var fe *field.Error
		if !errors.As(err, &fe) || fe.Name != name {
			t.Errorf("%s: got %v, want a *field.Error named %q", in, err, name)
		}
	}
}
