package passengine

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/field"
)

func wantCursorError(t *testing.T, what string, err error) {
	t.Helper()
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name != "cursor" {
		t.Errorf("%s: got %v, want a *FieldError named cursor", what, err)
	}
}

// A cursor reads back as the position it was made from, for its own list
// only; any change to it, a cursor of another list, or of the other kind
// (with or without an instant) is a *FieldError.
func TestCursorRoundTripAndTampering(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.FixedZone("x", 3600))
	for _, c := range []struct {
		cur   cursor
		timed bool
	}{
		{cursor{List: "holders", ID: "ada"}, false},
		{cursor{List: "visits", ID: "0192-visit", At: at.UTC()}, true},
		{cursor{List: "locations", ID: "club \u00e9 \"quoted\""}, false},
	} {
		s := c.cur.String()
		got, err := parseCursor(s, c.cur.List, c.timed)
		if err != nil || got != c.cur {
			t.Errorf("round trip of %+v: got %+v, %v", c.cur, got, err)
		}
		_, err = parseCursor(s, "teams", c.timed)
		wantCursorError(t, "a cursor of another list", err)
		_, err = parseCursor(s, c.cur.List, !c.timed)
		wantCursorError(t, "a cursor of the other kind", err)
		b, _ := base64.RawURLEncoding.DecodeString(s)
		for i := range b {
			for _, bit := range []byte{1, 0x80} {
				altered := append([]byte(nil), b...)
				altered[i] ^= bit
				_, err := parseCursor(base64.RawURLEncoding.EncodeToString(altered), c.cur.List, c.timed)
				wantCursorError(t, "a cursor with one bit changed", err)
			}
		}
		for _, cut := range []int{1, 4, len(s) - 1} {
			_, err := parseCursor(s[:len(s)-cut], c.cur.List, c.timed)
			wantCursorError(t, "a cursor cut short", err)
		}
	}
	// Well-formed, with a checksum, but not a position a list can have.
	for name, c := range map[string]cursor{
		"an ID with NUL":   {List: "holders", ID: "a\x00"},
		"an empty ID":      {List: "holders"},
		"an instant":       {List: "holders", ID: "a", At: at},
		"the year 9999":    {List: "visits", ID: "v", At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
		"no instant":       {List: "visits", ID: "v"},
		"a list not named": {ID: "a"},
	} {
		_, err := parseCursor(c.String(), c.List, c.List == "visits")
		if c.List == "" {
			_, err = parseCursor(c.String(), "holders", false)
		}
		wantCursorError(t, "a cursor with "+name, err)
	}
	if got, err := parseCursor("", "holders", false); err != nil || got != (cursor{}) {
		t.Errorf(`parseCursor(""): got %+v, %v; want the start`, got, err)
	}
}

// pageOf keeps limit items of the limit+1 read, with the cursor of the
// last one kept, and an empty page is an empty slice, not nil.
func TestPageOf(t *testing.T) {
	pos := func(s *string) cursor { return cursor{List: "l", ID: *s} }
	p := pageOf([]string{"a", "b", "c"}, 2, pos)
	if len(p.Items) != 2 || p.Next != (cursor{List: "l", ID: "b"}).String() {
		t.Errorf("a full page: got %+v", p)
	}
	if p := pageOf([]string{"a", "b"}, 2, pos); len(p.Items) != 2 || p.Next != "" {
		t.Errorf("the last page: got %+v, want 2 items and no next", p)
	}
	if p := pageOf[string](nil, 2, pos); p.Items == nil || len(p.Items) != 0 || p.Next != "" {
		t.Errorf("an empty page: got %#v, want an empty slice and no next", p)
	}
	for limit, want := range map[int]int{0: defaultPageLimit, 1: 1, maxPageLimit: maxPageLimit} {
		if got, err := pageLimit(limit); err != nil || got != want {
			t.Errorf("pageLimit(%d): got %d, %v; want %d", limit, got, err, want)
		}
	}
	for _, limit := range []int{-1, maxPageLimit + 1} {
		if _, err := pageLimit(limit); err == nil {
			t.Errorf("pageLimit(%d): got no error", limit)
		}
	}
}

// FuzzParseCursor: no input makes parseCursor panic, and a cursor it
// accepts is canonical: it is the cursor its position makes.
func FuzzParseCursor(f *testing.F) {
	f.Add((cursor{List: "visits", ID: "v1", At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}).String(), true)
	f.Add((cursor{List: "holders", ID: "ada"}).String(), false)
	f.Add("e30", false)
	f.Fuzz(func(t *testing.T, s string, timed bool) {
		list := "holders"
		if timed {
			list = "visits"
		}
		c, err := parseCursor(s, list, timed)
		if err == nil && s != "" && c.String() != s {
			t.Errorf("accepted %q, which is not the cursor %+v makes (%q)", s, c, c.String())
		}
	})
}
