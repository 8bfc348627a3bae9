package passengine

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// sampleRepeats is a check-in's result among passes of one product: its
// candidates repeat their kind, reason and deciding key, with an empty one
// among them and a change back and forth.
func sampleRepeats() VisitResult {
	var r VisitResult
	var n int
	fill(reflect.ValueOf(&r).Elem(), &n)
	cs := []entitlement.Candidate{}
	for i, x := range []struct{ kind, reason, by string }{
		{"visits", "", "expiry"}, {"visits", "later_in_order", "expiry"}, {"visits", "later_in_order", "expiry"},
		{"visits", "later_in_order", ""}, {"days", "later_in_order", ""}, {"visits", "not_eligible", "id"}, {"visits", "later_in_order", "id"},
	} {
		cs = append(cs, entitlement.Candidate{PassID: fmt.Sprintf("pass-%02d", i), Kind: pass.Kind(x.kind), Balance: i, Shared: i%2 == 0,
			Locations: i * 3, Reason: entitlement.Reason(x.reason), DecidedBy: x.by})
	}
	r.Selection.Candidates = cs
	return r
}

// sampleUUIDs is sampleRepeats with pass IDs as the Engine makes them
// (UUIDs in canonical form), one in upper case, which version 2 keeps as
// text.
func sampleUUIDs() VisitResult {
	r := sampleRepeats()
	for i := range r.Selection.Candidates {
		r.Selection.Candidates[i].PassID = fmt.Sprintf("0190f3a2-7c4e-7%03x-8def-0123456789%02x", i, i)
	}
	r.Selection.Candidates[3].PassID = strings.ToUpper(r.Selection.Candidates[3].PassID)
	return r
}

// Rule I1: the compact record's format is stable across releases, both
// ways. A record written by an earlier release
// (testdata/records/visit_result_v1.hex: sampleRepeats's record, written
// at 13e251f) reads back as the result it stored, so a retry that spans an
// upgrade gets its first answer; and this release writes the same bytes,
// so a process of the earlier release sharing the database (a rolling
// upgrade) reads this one's records. A change of the format must keep
// reading these bytes, and must come with a new first byte that earlier
// releases are known to refuse cleanly. Version 2
// (testdata/records/visit_result_v2.hex: sampleUUIDs's record) is held
// the same way, from the release that first wrote it.
func TestCompactRecordFormatStable(t *testing.T) {
	for _, tc := range []struct {
		file   string
		first  byte
		sample func() VisitResult
	}{
		{"testdata/records/visit_result_v1.hex", recordCompact, sampleRepeats},
		{"testdata/records/visit_result_v2.hex", recordCompactV2, sampleUUIDs},
	} {
		t.Run(tc.file, func(t *testing.T) {
			h, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			b, err := hex.DecodeString(strings.TrimSpace(string(h)))
			if err != nil {
				t.Fatal(err)
			}
			if b[0] != tc.first {
				t.Fatalf("got first byte %#x, want %#x", b[0], tc.first)
			}
			var got VisitResult
			if err := decodeRecord(store.Record{Key: "k", Result: b}, &got); err != nil {
				t.Fatal(err)
			}
			want := tc.sample()
			if written, err := recordOf(&want, nil, tc.first == recordCompactV2); err != nil {
				t.Fatal(err)
			} else if !bytes.Equal(written, b) {
				t.Errorf("got record\n%x\nwant the earlier release's\n%x", written, b)
			}
			want.canonical()
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("earlier release's record read back:\n got %+v\nwant %+v", got, want)
			}
			// A record cut short is an error, not a panic.
			for _, n := range []int{1, 2, len(b) / 2, len(b) - 1} {
				if err := decodeRecord(store.Record{Key: "k", Result: b[:n]}, &got); err == nil {
					t.Errorf("record cut at %d bytes: no error", n)
				}
			}
		})
	}
}

// Rule I1: version 2 takes the candidates of a team pool in a fraction of
// version 1's bytes: 17 bytes a candidate whose pass ID is a UUID and
// whose fields after it repeat the one before's.
func TestCompactRecordV2Size(t *testing.T) {
	cs := make([]entitlement.Candidate, 64)
	for i := range cs {
		cs[i] = entitlement.Candidate{PassID: fmt.Sprintf("0190f3a2-7c4e-7%03x-8def-0123456789%02x", i, i), Kind: pass.Visits,
			Balance: 10, Shared: true, Locations: 3, Reason: entitlement.Outranked, DecidedBy: "expiry"}
	}
	v1, v2 := len(appendCandidates(nil, cs)), len(appendCandidatesV2(nil, cs))
	if want := 1 + 16 + (len("visits") + 1 + 1 + 1 + 1 + len(entitlement.Outranked) + 1 + len("expiry") + 1) + 63*17; v2 != want {
		t.Errorf("got %d bytes in version 2, want %d", v2, want)
	}
	if v2*3 > v1 {
		t.Errorf("got %d bytes in version 2 against %d in version 1, want at most a third", v2, v1)
	}
}
