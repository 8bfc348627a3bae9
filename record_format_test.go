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

// Rule I1: the compact record's format is stable across releases, both
// ways. A record written by an earlier release
// (testdata/records/visit_result_v1.hex: sampleRepeats's record, written
// at 13e251f) reads back as the result it stored, so a retry that spans an
// upgrade gets its first answer; and this release writes the same bytes,
// so a process of the earlier release sharing the database (a rolling
// upgrade) reads this one's records. A change of the format must keep
// reading these bytes, and must come with a new first byte that earlier
// releases are known to refuse cleanly.
func TestCompactRecordFormatStable(t *testing.T) {
	h, err := os.ReadFile("testdata/records/visit_result_v1.hex")
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(h)))
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != recordCompact {
		t.Fatalf("got first byte %#x, want %#x", b[0], recordCompact)
	}
	var got VisitResult
	if err := decodeRecord(store.Record{Key: "k", Result: b}, &got); err != nil {
		t.Fatal(err)
	}
	want := sampleRepeats()
	if written, err := recordOf(&want, nil); err != nil {
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
}
