package passengine

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
)

// appendCandidates writes the bytes of the field-by-field encoding it
// replaces, for candidates that repeat their fields after the pass ID (a
// team pool), change them one at a time, and hold values at the edges of
// the varints' one-byte forms and beyond.
func TestAppendCandidatesIsFieldByField(t *testing.T) {
	ints := []int{0, 1, -1, 63, 64, -64, -65, 127, 128, 300, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64}
	strs := []string{"", "visits", "outranked", "expiry", strings.Repeat("x", 127), strings.Repeat("y", 128), strings.Repeat("z", 300)}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		n := rng.IntN(20)
		cs := make([]entitlement.Candidate, n)
		for i := range cs {
			c := &cs[i]
			if i > 0 && rng.IntN(3) > 0 {
				*c = cs[i-1] // the same fields after the pass ID, or one changed
				switch rng.IntN(8) {
				case 0:
					c.Kind = pass.Kind(strs[rng.IntN(len(strs))])
				case 1:
					c.Balance = ints[rng.IntN(len(ints))]
				case 2:
					c.Shared = !c.Shared
				case 3:
					c.Locations = ints[rng.IntN(len(ints))]
				case 4:
					c.Reason = entitlement.Reason(strs[rng.IntN(len(strs))])
				case 5:
					c.DecidedBy = strs[rng.IntN(len(strs))]
				case 6:
					c.DecidedBy = strings.Clone(c.DecidedBy) // equal, another pointer
				}
			} else {
				*c = entitlement.Candidate{Kind: pass.Kind(strs[rng.IntN(len(strs))]), Balance: ints[rng.IntN(len(ints))],
					Shared: rng.IntN(2) == 0, Locations: ints[rng.IntN(len(ints))],
					Reason: entitlement.Reason(strs[rng.IntN(len(strs))]), DecidedBy: strs[rng.IntN(len(strs))]}
			}
			c.PassID = fmt.Sprintf("pass-%d", i)
			if rng.IntN(10) == 0 {
				c.PassID = strs[rng.IntN(len(strs))]
			}
		}
		prefix := enc("prefix")
		var want enc = append(enc(nil), prefix...)
		for i := range cs {
			c := &cs[i]
			want = want.str(c.PassID).str(string(c.Kind)).int(c.Balance).bool(c.Shared).int(c.Locations).str(string(c.Reason)).str(c.DecidedBy)
		}
		// A buffer with room and one without.
		for _, b := range []enc{append(enc(nil), prefix...), append(make(enc, 0, 4096), prefix...)} {
			if got := appendCandidates(b, cs); !bytes.Equal(got, want) {
				t.Fatalf("round %d: candidates %+v:\ngot  %x\nwant %x", round, cs, got, want)
			}
		}
	}
}

// BenchmarkAppendCandidates is the candidates of a check-in's record among
// 64 passes of one product (a team pool): all but the first two repeat
// their fields after the pass ID.
func BenchmarkAppendCandidates(b *testing.B) {
	cs := make([]entitlement.Candidate, 64)
	for i := range cs {
		cs[i] = entitlement.Candidate{PassID: fmt.Sprintf("pass_%026d", i), Kind: pass.Visits, Balance: 1000,
			Shared: true, Locations: math.MaxInt32, Reason: entitlement.Outranked, DecidedBy: "expiry"}
	}
	cs[0].Reason, cs[0].DecidedBy = "", ""
	buf := make(enc, 0, 8192)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendCandidates(buf[:0], cs)
	}
}
