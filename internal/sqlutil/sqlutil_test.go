package sqlutil

import (
	"database/sql"
	"slices"
	"sort"
	"testing"
	"testing/fstest"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/shopspring/decimal"
)

func TestTimeTextSortsLikeTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{
		time.Date(2026, 3, 2, 9, 0, 0, 500_000_000, time.UTC),
		time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 4, 0, 0, 1000, ny), // 09:00:00.000001 UTC
		time.Date(1999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
	}
	texts := make([]string, len(times))
	for i, tm := range times {
		texts[i] = FormatTime(tm)
		var d Decoder
		if got := d.Time(texts[i]); !got.Equal(tm) || got.Location() != time.UTC || d.Err() != nil {
			t.Errorf("round trip of %v: got %v (%v), want the same instant in UTC", tm, got, d.Err())
		}
	}
	byText := slices.Clone(texts)
	sort.Strings(byText)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := range times {
		if byText[i] != FormatTime(times[i]) {
			t.Errorf("text order differs from time order at %d: got %s, want %s", i, byText[i], FormatTime(times[i]))
		}
	}
	if FormatTime(time.Time{}) != "" {
		t.Errorf("FormatTime(zero): got %q, want empty", FormatTime(time.Time{}))
	}
	if ns := FormatTimePtr(nil); ns.Valid {
		t.Errorf("FormatTimePtr(nil): got %v, want NULL", ns)
	}
}

func TestDecoder(t *testing.T) {
	var d Decoder
	if got := d.Decimal("1234567890.123456789012345678"); !got.Equal(decimal.RequireFromString("1234567890.123456789012345678")) {
		t.Errorf("Decimal: got %s", got)
	}
	if got := d.Date("2024-02-29"); got != calendar.NewDate(2024, 2, 29) {
		t.Errorf("Date: got %v, want 2024-02-29", got)
	}
	if got := d.Money("12.50", "USD"); !got.Amount.Equal(decimal.RequireFromString("12.5")) || got.Currency != "USD" {
		t.Errorf("Money: got %v", got)
	}
	if got := d.TimePtr(sql.NullString{}); got != nil {
		t.Errorf("TimePtr(NULL): got %v, want nil", got)
	}
	var xs []string
	d.JSON(`["a","b"]`, &xs)
	if !slices.Equal(xs, []string{"a", "b"}) {
		t.Errorf("JSON: got %v", xs)
	}
	if d.Err() != nil {
		t.Fatalf("Err after good columns: %v", d.Err())
	}
	d.Decimal("12,5")
	d.Date("2024-02-30")
	if d.Err() == nil {
		t.Errorf("Err after a bad decimal: got nil, want an error")
	}
	for _, v := range []any{nil, []string{}, []string(nil), map[string]int{}} {
		if s, err := FormatJSON(v); s != "" || err != nil {
			t.Errorf("FormatJSON(%#v): got %q, %v; want empty", v, s, err)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	ms, err := LoadMigrations(fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("B")},
		"m/0001_init.sql": {Data: []byte("A")},
		"m/README.md":     {Data: []byte("not a migration")},
	}, "m")
	if err != nil {
		t.Fatal(err)
	}
	want := []Migration{{1, "init", "A"}, {2, "more", "B"}}
	if !slices.Equal(ms, want) {
		t.Errorf("LoadMigrations: got %v, want %v", ms, want)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"no version": {"m/init.sql": {Data: []byte("A")}},
		"twice":      {"m/0001_a.sql": {Data: []byte("A")}, "m/1_b.sql": {Data: []byte("B")}},
		"none":       {"m/README.md": {Data: []byte("")}},
	} {
		if _, err := LoadMigrations(fsys, "m"); err == nil {
			t.Errorf("LoadMigrations(%s): got nil error, want one", name)
		}
	}
}
