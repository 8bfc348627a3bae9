package checkin

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/field"
)

// Rule P2: a lockout's window and duration are written in minutes, never
// in nanoseconds, and read back; more than a year is refused naming the
// field.
func TestRule_P2_LockoutJSON(t *testing.T) {
	l := Lockout{MaxFailures: 3, Window: 10 * time.Minute, Duration: 2 * time.Hour}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"max_failures":3,"window_minutes":10,"duration_minutes":120}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	var back Lockout
	if err := json.Unmarshal(b, &back); err != nil || back != l {
		t.Errorf("round trip: got %+v, %v; want %+v", back, err, l)
	}
	err = json.Unmarshal([]byte(`{"window_minutes":600000}`), &back)
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name != "window_minutes" {
		t.Errorf("a window of 600,000 minutes: got %v, want a *field.Error named window_minutes", err)
	}
}
