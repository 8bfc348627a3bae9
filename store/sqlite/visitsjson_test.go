package sqlite

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// TestParseConsumptionsAsJSON: the fast path of a visit's consumptions
// decodes what the write of a visit gives the column as json.Unmarshal
// does, and any other text (edited, escaped, invalid) it either decodes
// as json.Unmarshal does or leaves to it.
func TestParseConsumptionsAsJSON(t *testing.T) {
	str := rapid.OneOf(rapid.StringMatching(`[a-z0-9-]{0,12}`), rapid.String(),
		rapid.SampledFrom([]string{"", `"`, `\`, "<&>", "\u2028", "\x00", "\x1f", "\xff", "é", "\U0001F600"}))
	check := func(t *rapid.T, s string) {
		var want []checkin.Consumption
		werr := json.Unmarshal([]byte(s), &want)
		got, ok := parseConsumptions(s)
		if !ok {
			return
		}
		if werr != nil {
			t.Fatalf("%q: fast path decoded %+v, json.Unmarshal failed: %v", s, got, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: fast path %#v, json.Unmarshal %#v", s, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		cs := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) checkin.Consumption {
			return checkin.Consumption{Pass: str.Draw(t, "pass"), Kind: pass.Kind(str.Draw(t, "kind")),
				Units: rapid.OneOf(rapid.IntRange(-3, 1000), rapid.Int()).Draw(t, "units")}
		}), 0, 4).Draw(t, "consumptions")
		s, err := sqlutil.FormatJSON(cs)
		if err != nil {
			t.Fatal(err)
		}
		check(t, s)
		if plain := rapid.Bool().Draw(t, "plain"); plain && s != "" {
			// The form the write gives, from plain IDs: the fast path's.
			ok := true
			for _, c := range cs {
				if b, _ := json.Marshal(c.Pass); string(b) != `"`+c.Pass+`"` {
					ok = false
				}
				if b, _ := json.Marshal(string(c.Kind)); string(b) != `"`+string(c.Kind)+`"` {
					ok = false
				}
			}
			if _, fast := parseConsumptions(s); ok && !fast && s != "null" {
				t.Fatalf("%q: not taken by the fast path", s)
			}
		}
		// Edited text: a byte changed, dropped or added.
		if s != "" {
			b := []byte(s)
			i := rapid.IntRange(0, len(b)-1).Draw(t, "at")
			switch rapid.IntRange(0, 2).Draw(t, "edit") {
			case 0:
				b[i] = rapid.SampledFrom([]byte(`[]{}",:-0123456789 \ax`)).Draw(t, "byte")
			case 1:
				b = append(b[:i], b[i+1:]...)
			default:
				b = append(b[:i], append([]byte{rapid.Byte().Draw(t, "byte")}, b[i:]...)...)
			}
			check(t, string(b))
		}
	})
	for _, s := range []string{"[]", "null", "", "[", "[{}]", `[{"pass":"p","kind":"visits","units":01}]`,
		`[{"pass":"p","kind":"visits","units":1},]`, `[{"pass":"p","kind":"visits","units":1e0}]`,
		`[{"pass":"p","kind":"visits","units":99999999999999999999}]`, `[{"kind":"visits","pass":"p","units":1}]`} {
		rapid.Check(t, func(t *rapid.T) { check(t, s) })
	}
}
