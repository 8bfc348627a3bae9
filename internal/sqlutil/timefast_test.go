package sqlutil

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"pgregory.net/rapid"
)

// FormatTime and Decoder.Time write and read TimeLayout digit by digit:
// they must agree with the time package on every instant and text.

func TestFormatTimeAsTimeFormat(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sec := rapid.Int64Range(time.Date(-20, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(10020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()).Draw(t, "sec")
		ns := rapid.Int64Range(0, 999_999_999).Draw(t, "ns")
		tm := time.Unix(sec, ns).In(time.FixedZone("z", rapid.IntRange(-14*3600, 14*3600).Draw(t, "offset")))
		if got, want := FormatTime(tm), tm.UTC().Format(TimeLayout); got != want {
			t.Fatalf("FormatTime(%v) = %q, want %q", tm, got, want)
		}
	})
}

func TestDecoderTimeAsTimeParse(t *testing.T) {
	check := func(t *rapid.T, s string) {
		var d Decoder
		got := d.Time(s)
		want, err := time.Parse(time.RFC3339Nano, s)
		if (d.Err() != nil) != (err != nil) {
			t.Fatalf("Time(%q): error %v, time.Parse's %v", s, d.Err(), err)
		}
		if err == nil && (got != want.UTC() || got.Location() != time.UTC) {
			t.Fatalf("Time(%q) = %#v, want %#v", s, got, want.UTC())
		}
	}
	// Texts of TimeLayout, of any instant of years 0000 to 9999.
	rapid.Check(t, func(t *rapid.T) {
		sec := rapid.Int64Range(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()).Draw(t, "sec")
		check(t, time.Unix(sec, rapid.Int64Range(0, 999_999_999).Draw(t, "ns")).UTC().Format(TimeLayout))
	})
	// Texts of its shape with each field in its range or one past it (a
	// day past a month's end, hour 24, second 60 among them), and with a
	// byte changed.
	rapid.Check(t, func(t *rapid.T) {
		s := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", rapid.IntRange(0, 9999).Draw(t, "year"),
			rapid.IntRange(0, 13).Draw(t, "month"), rapid.IntRange(0, 32).Draw(t, "day"), rapid.IntRange(0, 24).Draw(t, "hour"),
			rapid.IntRange(0, 60).Draw(t, "minute"), rapid.IntRange(0, 60).Draw(t, "second"),
			rapid.IntRange(0, 999_999_999).Draw(t, "ns"))
		if rapid.Bool().Draw(t, "change") {
			b := []byte(s)
			b[rapid.IntRange(0, len(b)-1).Draw(t, "at")] = rapid.Byte().Draw(t, "byte")
			s = string(b)
		}
		check(t, s)
	})
}

func TestFormatDateAsString(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := calendar.Date{Year: rapid.IntRange(-20, 10020).Draw(t, "year"), Month: time.Month(rapid.IntRange(-1, 101).Draw(t, "month")),
			Day: rapid.IntRange(-1, 101).Draw(t, "day")}
		if rapid.IntRange(0, 9).Draw(t, "zero") == 0 {
			d = calendar.Date{}
		}
		if got, want := FormatDate(d), d.String(); got != want {
			t.Fatalf("FormatDate(%#v) = %q, want %q", d, got, want)
		}
	})
}

func TestDecoderDateAsTimeParse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := fmt.Sprintf("%04d-%02d-%02d", rapid.IntRange(0, 9999).Draw(t, "year"), rapid.IntRange(0, 13).Draw(t, "month"),
			rapid.IntRange(0, 32).Draw(t, "day"))
		if rapid.Bool().Draw(t, "change") {
			b := []byte(s)
			b[rapid.IntRange(0, len(b)-1).Draw(t, "at")] = rapid.Byte().Draw(t, "byte")
			s = string(b)
		}
		var d Decoder
		got := d.Date(s)
		tm, err := time.Parse(time.DateOnly, s)
		if (d.Err() != nil) != (err != nil) {
			t.Fatalf("Date(%q): error %v, time.Parse's %v", s, d.Err(), err)
		}
		if err == nil && got != calendar.DateOf(tm) {
			t.Fatalf("Date(%q) = %v, want %v", s, got, calendar.DateOf(tm))
		}
	})
}

// marshalsEmpty and textEmpty encode themselves, empty or not.
type marshalsEmpty []int

func (marshalsEmpty) MarshalJSON() ([]byte, error) { return []byte(`"mine"`), nil }

type textEmpty map[string]int

func (textEmpty) MarshalText() ([]byte, error) { return []byte("text"), nil }

// TestFormatJSONAsEncoder: FormatJSON's answer without encoding (empty
// values) is the encoder's, through the rule that "null", "[]" and "{}"
// are written as "".
func TestFormatJSONAsEncoder(t *testing.T) {
	var nilInt *int
	one := 1
	for _, v := range []any{nil, []string{}, []string(nil), map[string]int{}, map[string]int(nil), nilInt, &one,
		[]byte{}, []byte(nil), []byte("x"), marshalsEmpty{}, marshalsEmpty(nil), textEmpty{}, []textEmpty{}, struct{}{},
		[]int{1}, map[string]int{"a": 1}, [0]int{}, "", 0} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		switch string(want) {
		case "null", "[]", "{}":
			want = nil
		}
		if got, err := FormatJSON(v); got != string(want) || err != nil {
			t.Errorf("FormatJSON(%#v) = %q, %v; want %q", v, got, err, want)
		}
	}
}
