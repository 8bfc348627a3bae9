package entitlement

import (
	"slices"
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

// sortOrder orders any set of distinct keys, of every size its three sorts
// take, as slices.SortFunc does.
func TestSortOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.SampledFrom([]int{0, 1, 2, smallSort, smallSort + 1, 40, largeSort, largeSort + 1, 300}).Draw(t, "n")
		keys := make([]orderKey, n)
		for i := range keys {
			for w := range keyWords - 1 {
				keys[i][w] = rapid.Uint64Range(0, 3).Draw(t, "w") // many ties before the last word
			}
			keys[i][keyWords-1] = uint64(i)
		}
		keys = rapid.Permutation(keys).Draw(t, "order")
		want := slices.Clone(keys)
		slices.SortFunc(want, func(a, b orderKey) int { return compareKeys(&a, &b) })
		ord := make([]uint16, n)
		sortOrder(ord, keys)
		got := make([]orderKey, n)
		for i, o := range ord {
			got[i] = keys[o]
		}
		if !slices.Equal(got, want) {
			t.Fatalf("sortOrder of %d keys: got %x, want %x", n, got, want)
		}
	})
}
