package catalog_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/passengine/passengine/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A location's day cut-off (T4) is written in minutes, never in
// nanoseconds, and read back; a cut-off outside a day is refused naming
// the field.
func TestLocationJSON(t *testing.T) {
	l := catalog.Location{Network: "hub", ID: "late", Name: "Late club", Zone: "America/New_York", DayCutoff: 3*time.Hour + 30*time.Minute, Tier: 2}
	b, err := json.Marshal(l)
	require.NoError(t, err)
	want := `{"network":"hub","id":"late","name":"Late club","zone":"America/New_York","day_cutoff_minutes":210,"tier":2}`
	assert.Equal(t, want, string(b))
	var back catalog.Location
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, l, back, "round trip: got %+v, want %+v", back, l)

	for _, in := range []string{`{"id":"x","day_cutoff_minutes":1440}`, `{"id":"x","day_cutoff_minutes":-1}`} {
		var l catalog.Location
		requireFieldError(t, json.Unmarshal([]byte(in), &l), "day_cutoff_minutes")
	}
	var bad catalog.Location
	assert.Error(t, json.Unmarshal([]byte(`{"day_cutoff_minutes":1.5}`), &bad), "a fraction of a minute")
}
