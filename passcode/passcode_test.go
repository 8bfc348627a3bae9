package passcode

import (
	"bytes"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/passengine/passengine/field"
)

// chiSquared returns the chi-squared statistic of counts against a uniform
// distribution over len(counts) cells.
func chiSquared(counts []int, total int) float64 {
	want := float64(total) / float64(len(counts))
	var x float64
	for _, c := range counts {
		d := float64(c) - want
		x += d * d / want
	}
	return x
}

// digitChi returns, for each of the Digits positions, the chi-squared
// statistic of the digits drawn there over n codes from r.
func digitChi(t *testing.T, r interface{ Read([]byte) (int, error) }, n int) [Digits]float64 {
	t.Helper()
	var counts [Digits][10]int
	for i := 0; i < n; i++ {
		c, err := Draw(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != Digits {
			t.Fatalf("code %q: got %d digits, want %d", c, len(c), Digits)
		}
		for p := 0; p < Digits; p++ {
			counts[p][c[p]-'0']++
		}
	}
	var out [Digits]float64
	for p := range counts {
		out[p] = chiSquared(counts[p][:], n)
	}
	return out
}

// Rule P1: over 1,000,000 codes from a fixed-seed source, every digit
// position is uniform: chi-squared with 9 degrees of freedom stays below
// 27.88, the 0.1% critical value. The seed is fixed, so the test never
// flakes; Draw's rejection sampling is what it checks.
func TestRule_P1_DigitsUniform(t *testing.T) {
	const n = 1_000_000
	const critical = 27.88 // chi-squared, 9 df, p = 0.001
	src := rand.NewChaCha8([32]byte{'p', 'a', 's', 's', 'e', 'n', 'g', 'i', 'n', 'e'})
	for p, x := range digitChi(t, src, n) {
		t.Logf("position %d: chi-squared %.2f", p, x)
		if x >= critical {
			t.Errorf("position %d: chi-squared %.2f, want below %.2f", p, x, critical)
		}
	}
}

// Rule P1: with the real cryptographic source, a smaller sample is uniform
// too, under a bound (p < 1e-8 per position) wide enough never to flake.
func TestRule_P1_DigitsUniformCryptoSource(t *testing.T) {
	for p, x := range digitChi(t, crand.Reader, 100_000) {
		if x >= 60 {
			t.Errorf("position %d: chi-squared %.2f, want below 60", p, x)
		}
	}
}

// scripted is a random source that returns the given 32-bit values.
func scripted(vs ...uint32) *bytes.Reader {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.BigEndian.PutUint32(b[4*i:], v)
	}
	return bytes.NewReader(b)
}

// Rule P1: draws in the top, biased range of 32 bits are rejected, not
// folded modulo 10^8.
func TestRule_P1_DrawRejectsBiasedRange(t *testing.T) {
	tests := []struct {
		name string
		src  []uint32
		want string
	}{
		{"first value kept", []uint32{12345678}, "12345678"},
		{"leading zeros kept", []uint32{42}, "00000042"},
		{"largest kept", []uint32{limit - 1}, "99999999"},
		{"limit rejected", []uint32{limit, 7}, "00000007"},
		{"top rejected", []uint32{1<<32 - 1, limit + 5, 99999999}, "99999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Draw(scripted(tt.src...))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if limit != 4_200_000_000 {
		t.Errorf("limit: got %d, want 4200000000", limit)
	}
}

func TestDrawSourceError(t *testing.T) {
	if _, err := Draw(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("got nil error from a short source, want one")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"12345678", "12345678", true},
		{"1234 5678", "12345678", true},
		{" 1234-5678 ", "12345678", true},
		{"00000000", "00000000", true},
		{"1234567", "", false},
		{"123456789", "", false},
		{"1234567a", "", false},
		{"１２３４５６７８", "", false}, // full-width digits are not ASCII
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("Normalize(%q): got %q, %v, want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var fe *field.Error
		if !errors.As(err, &fe) || fe.Name != "code" {
			t.Errorf("Normalize(%q): got %q, %v, want a field error named code", tt.in, got, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"12345678", "1234 5678", "abc", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalize(s)
		if err != nil {
			return
		}
		if len(got) != Digits || strings.Trim(got, "0123456789") != "" {
			t.Errorf("Normalize(%q) = %q, not %d digits", s, got, Digits)
		}
	})
}

func testKeys(t *testing.T, fill byte) *Keys {
	t.Helper()
	k, err := NewKeys(bytes.Repeat([]byte{fill}, MinKeyLen))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Rule P1: the stored forms never hold the code in plain text, the seal
// opens only for its pass and key, and hashes depend on the network.
func TestRule_P1_HashAndSeal(t *testing.T) {
	k := testKeys(t, 1)
	src := rand.NewChaCha8([32]byte{1})
	code := "01234567"
	h := k.Hash("net", code)
	if len(h) != 64 || strings.Contains(h, code) {
		t.Errorf("hash %q: want 64 hex characters without the code", h)
	}
	if h2 := k.Hash("net", code); h2 != h {
		t.Errorf("hash not stable: got %q, want %q", h2, h)
	}
	if k.Hash("other", code) == h {
		t.Error("same hash in two networks, want different")
	}
	if testKeys(t, 2).Hash("net", code) == h {
		t.Error("same hash under two keys, want different")
	}
	sealed, err := k.Seal(src, "net", "p1", code)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, code) {
		t.Errorf("sealed %q holds the code", sealed)
	}
	got, err := k.Open("net", "p1", sealed)
	if err != nil || got != code {
		t.Errorf("Open: got %q, %v, want %q", got, err, code)
	}
	for name, open := range map[string]func() (string, error){
		"other pass":    func() (string, error) { return k.Open("net", "p2", sealed) },
		"other network": func() (string, error) { return k.Open("other", "p1", sealed) },
		"other key":     func() (string, error) { return testKeys(t, 2).Open("net", "p1", sealed) },
		"tampered":      func() (string, error) { return k.Open("net", "p1", sealed[:len(sealed)-2]+"AA") },
		"no version":    func() (string, error) { return k.Open("net", "p1", sealed[3:]) },
		"malformed":     func() (string, error) { return k.Open("net", "p1", "v1.!!") },
	} {
		if _, err := open(); !errors.Is(err, ErrSealed) {
			t.Errorf("%s: got %v, want ErrSealed", name, err)
		}
	}
}

func TestNewKeysShort(t *testing.T) {
	if _, err := NewKeys(make([]byte, MinKeyLen-1)); !errors.Is(err, ErrShortKey) {
		t.Errorf("got %v, want ErrShortKey", err)
	}
}

func BenchmarkDraw(b *testing.B) {
	src := rand.NewChaCha8([32]byte{})
	for b.Loop() {
		if _, err := Draw(src); err != nil {
			b.Fatal(err)
		}
	}
}

// Rule S6: the check value tells keys of another secret apart, differs by
// network, is stable for one secret, and is neither the hash of a code nor
// the secret.
func TestRule_S6_KeyCheck(t *testing.T) {
	a, err := NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	b, _ := NewKeys([]byte("0123456789abcdef0123456789abcdeX"))
	if a.Check("fit") != again.Check("fit") {
		t.Error("the same secret gave two check values")
	}
	if a.Check("fit") == b.Check("fit") {
		t.Error("two secrets gave one check value")
	}
	if a.Check("fit") == a.Check("gym") {
		t.Error("two networks gave one check value")
	}
	if a.Check("fit") == a.Hash("fit", "") || len(a.Check("fit")) != 64 {
		t.Errorf("check value %q: want 64 hex digits of its own", a.Check("fit"))
	}
}
