package entitlement

import (
	"testing"

	"pgregory.net/rapid"
)

// packDefault's constant places are defaultLayout's, the layout planned
// for the default policy: both pack any values to the same key.
func TestPackDefaultIsDefaultLayout(t *testing.T) {
	if !isDefaultOrder(DefaultPolicy()) {
		t.Fatal("isDefaultOrder(DefaultPolicy()) got false, want true")
	}
	if got, want := defaultLayout.bits, uint(defaultBits); got != want {
		t.Fatalf("default layout bits: got %d, want %d", got, want)
	}
	rapid.Check(t, func(t *rapid.T) {
		var v fieldValues
		for f := range numFields {
			v[f] = rapid.Uint64().Draw(t, "v") >> (64 - uint(fieldWidth[f]))
		}
		var got, want orderKey
		packDefault(&got, &v)
		defaultLayout.pack(&want, &v)
		if got != want {
			t.Fatalf("packDefault got %x, want %x", got, want)
		}
		if got.position() != int(v[fieldPosition]) {
			t.Fatalf("position got %d, want %d", got.position(), v[fieldPosition])
		}
	})
}
