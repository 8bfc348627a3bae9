package passengine

import (
	"testing"

	"github.com/google/uuid"
	"github.com/passengine/passengine/internal/testenv"
)

// newV7's IDs are version 7 UUIDs that github.com/google/uuid parses,
// strictly increasing as text, and cost one allocation.
func TestNewV7(t *testing.T) {
	prev := ""
	for range 10000 {
		id := newV7()
		u, err := uuid.Parse(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got, want := u.Version(), uuid.Version(7); got != want {
			t.Fatalf("%s: version %d, want %d", id, got, want)
		}
		if got, want := u.Variant(), uuid.RFC4122; got != want {
			t.Fatalf("%s: variant %v, want %v", id, got, want)
		}
		if id <= prev {
			t.Fatalf("IDs not increasing: %s then %s", prev, id)
		}
		prev = id
	}
	if testenv.Instrumented() {
		return // the race detector and coverage allocate on their own
	}
	if got := testing.AllocsPerRun(100, func() { _ = newV7() }); got != 1 {
		t.Errorf("allocations per ID: got %v, want 1", got)
	}
}

// TestNewV7RandomPartsDiffer checks that the random bytes read ahead (v7)
// give each ID its own: no two of 10,000 IDs share their 62 random bits,
// and no random part is all zeros (bytes taken twice, or cleared first).
func TestNewV7RandomPartsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := newV7()
		tail := id[19:] // the variant's and random bits: "xxxx-xxxxxxxxxxxx"
		if seen[tail] {
			t.Fatalf("%s: random part %s seen before", id, tail)
		}
		seen[tail] = true
		if tail[1:] == "000-000000000000" {
			t.Fatalf("%s: random part all zeros", id)
		}
	}
}
