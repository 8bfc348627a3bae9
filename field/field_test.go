package field_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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

// Rule S2: errors name the field and unwrap to ErrInvalid.
func TestRule_S2_ErrorNamesField(t *testing.T) {
	err := field.Invalid("product.units", "must be positive, got %d", -2)
	assert.Equal(t, "invalid product.units: must be positive, got -2", err.Error())
	requireFieldError(t, fmt.Errorf("wrapped: %w", err), "product.units")
}

func TestRequiredAndID(t *testing.T) {
	require.NoError(t, field.Required("id", "a"))
	requireFieldError(t, field.Required("id", ""), "id")
	requireFieldError(t, field.Required("id", " \t\n"), "id")

	require.NoError(t, field.ID("id", "holder-ü-17"))
	require.NoError(t, field.ID("id", strings.Repeat("x", 200)))
	for _, bad := range []string{"", "  ", strings.Repeat("x", 201), "a\x00b", "a\nb", "a\x7f", "a\xff", "a\xfe", "a\u0085"} {
		requireFieldError(t, field.ID("id", bad), "id")
	}
	require.NoError(t, field.OptionalID("team", ""))
	requireFieldError(t, field.OptionalID("team", "a\x00"), "team")
}

// Rule S4: free text is bounded, valid UTF-8 and free of NUL; line breaks
// and tabs are fine.
func TestRule_S4_Text(t *testing.T) {
	for _, good := range []string{"", "Front desk: Zoë", "line one\nline two\ttab\r\n", strings.Repeat("é", field.MaxText/2)} {
		require.NoError(t, field.Text("comment", good), "%q", good)
	}
	for _, bad := range []string{strings.Repeat("x", field.MaxText+1), "a\x00b", "a\xffb", "bell\a"} {
		requireFieldError(t, field.Text("comment", bad), "comment")
	}
}

// Rule S4: messages quote at most a short prefix of an input, cut on a
// character boundary.
func TestRule_S4_QuoteIsShort(t *testing.T) {
	assert.Equal(t, `"ada"`, field.Quote("ada"))
	long := strings.Repeat("ü", 1<<20)
	q := field.Quote(long)
	assert.Less(t, len(q), 60, "got %d bytes", len(q))
	assert.True(t, strings.HasSuffix(q, `"...`), q)
	err := field.ID("holder", "\xff"+strings.Repeat("x", 150))
	assert.Less(t, len(err.Error()), 120, "got %q", err)
}

func TestNumbers(t *testing.T) {
	require.NoError(t, field.Positive("units", 1))
	requireFieldError(t, field.Positive("units", 0), "units")
	requireFieldError(t, field.Positive("units", -1), "units")
	require.NoError(t, field.NonNegative("tier", 0))
	requireFieldError(t, field.NonNegative("tier", -1), "tier")
}

// Rule S4: counts are bounded by MaxCount, which a 32-bit column keeps.
func TestRule_S4_CountBounds(t *testing.T) {
	require.NoError(t, field.Positive("units", field.MaxCount))
	requireFieldError(t, field.Positive("units", field.MaxCount+1), "units")
	requireFieldError(t, field.NonNegative("tier", 1<<31), "tier")
	require.NoError(t, field.Count("units", -field.MaxCount))
	requireFieldError(t, field.Count("units", -field.MaxCount-1), "units")
	requireFieldError(t, field.Count("units", int(^uint(0)>>1)), "units")
	assert.Less(t, field.MaxCount*2, 1<<31)
}

func TestPrefixAndFirst(t *testing.T) {
	requireFieldError(t, field.Prefix("product", field.Invalid("units", "bad")), "product.units")
	other := errors.New("boom")
	assert.Same(t, other, field.Prefix("product", other))
	assert.NoError(t, field.Prefix("product", nil))

	a, b := field.Invalid("a", "x"), field.Invalid("b", "y")
	assert.Same(t, a, field.First(nil, a, b))
	assert.NoError(t, field.First(nil, nil))
	assert.NoError(t, field.First())
}

// Rule S2: ID never panics on any input; it refuses exactly the empty,
// blank, over-long and control-character IDs.
func FuzzID(f *testing.F) {
	for _, s := range []string{"", " ", "ada", "a\x00", strings.Repeat("é", 101), "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := field.ID("id", s)
		bad := strings.TrimSpace(s) == "" || len(s) > 200 || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl)
		if bad != (err != nil) {
			t.Fatalf("ID(%q): got %v, want refused=%v", s, err, bad)
		}
		if err != nil {
			var fe *field.Error
			if !errors.As(err, &fe) || fe.Name != "id" {
				t.Fatalf("ID(%q): got %v, want a *field.Error named id", s, err)
			}
		}
	})
}

// ID accepts and refuses as its definition says, whichever way it takes:
// every string of up to three bytes drawn from the edges of ASCII (space,
// controls, DEL, bytes of UTF-8 sequences) and any string against a check
// written from the definition.
func TestIDMatchesItsDefinition(t *testing.T) {
	def := func(id string) bool {
		return strings.TrimSpace(id) != "" && len(id) <= field.MaxID && utf8.ValidString(id) &&
			!strings.ContainsFunc(id, unicode.IsControl)
	}
	edges := []byte{0, '\t', '\n', 0x1f, ' ', '!', 'a', '~', 0x7f, 0x80, 0xc2, 0x85, 0xc3, 0xbc, 0xff}
	var check func(prefix []byte)
	check = func(prefix []byte) {
		s := string(prefix)
		if got, want := field.ID("id", s) == nil, def(s); got != want {
			t.Errorf("ID(%q) accepted: got %t, want %t", s, got, want)
		}
		if len(prefix) == 3 {
			return
		}
		for _, b := range edges {
			check(append(prefix, b))
		}
	}
	check(nil)
	for _, s := range []string{strings.Repeat("x", field.MaxID), strings.Repeat("x", field.MaxID+1), strings.Repeat(" ", field.MaxID) + "x"} {
		if got, want := field.ID("id", s) == nil, def(s); got != want {
			t.Errorf("ID of %d bytes accepted: got %t, want %t", len(s), got, want)
		}
	}
}
