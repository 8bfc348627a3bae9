package calendar_test

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
)

// Rule S2: ParseDate never panics; it accepts exactly the YYYY-MM-DD dates
// it prints back, and refuses the rest with a *field.Error named "date".
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "2999-12-31", "1900-01-01", "", "2024-1-1", "2024-01-01T00:00:00Z", "\x00", "-001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := calendar.ParseDate(s)
		if err != nil {
			var fe *field.Error
			if !errors.As(err, &fe) || fe.Name != "date" {
				t.Fatalf("ParseDate(%q): got %v, want a *field.Error named date", s, err)
			}
			return
		}
		if !d.Valid() {
			t.Fatalf("ParseDate(%q) = %+v, not a valid date", s, d)
		}
		if got := d.String(); got != s {
			t.Fatalf("ParseDate(%q).String() = %q, want the input back", s, got)
		}
		var back calendar.Date
		if err := back.UnmarshalText([]byte(s)); err != nil || back != d {
			t.Fatalf("UnmarshalText(%q) = %+v, %v; want %+v", s, back, err, d)
		}
	})
}

// Rule T1, S2: LoadZone never panics; a refusal names "zone" or "cutoff",
// and a zone it returns yields business days that contain their instant.
func FuzzLoadZone(f *testing.F) {
	f.Add("Europe/London", int64(3*time.Hour))
	f.Add("America/New_York", int64(0))
	f.Add("Local", int64(0))
	f.Add("", int64(0))
	f.Add("../../etc/passwd", int64(0))
	f.Add("Europe/London", int64(-1))
	f.Add("UTC", int64(24*time.Hour))
	f.Fuzz(func(t *testing.T, name string, cutoff int64) {
		z, err := calendar.LoadZone(name, time.Duration(cutoff))
		if err != nil {
			var fe *field.Error
			if !errors.As(err, &fe) || (fe.Name != "zone" && fe.Name != "cutoff") {
				t.Fatalf("LoadZone(%q, %d): got %v, want a *field.Error named zone or cutoff", name, cutoff, err)
			}
			return
		}
		at := time.Date(2024, time.March, 31, 1, 30, 0, 0, time.UTC)
		d := z.Date(at)
		if at.Before(z.Start(d)) || !at.Before(z.End(d)) {
			t.Fatalf("%s with cut-off %s: %s is not inside its business day %s [%s, %s)", name, time.Duration(cutoff), at, d, z.Start(d), z.End(d))
		}
	})
}
