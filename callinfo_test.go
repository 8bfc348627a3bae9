package passengine_test

import (
	"errors"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
)

// Rule I1: a call sent again with its key is answered from the stored
// result, and CallInfo says so; the first call, a refused call and a call
// whose context carries no CallInfo are not marked.
func TestRule_I1_CallInfoSaysReplayed(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	issue := passengine.IssueRequest{Key: "issue-ada", Network: coreNet, Product: "days", Holder: "ada"}
	in := passengine.CheckInRequest{Key: "in-ada", Network: coreNet, Holder: "ada", Location: "downtown"}
	calls := []struct {
		name         string
		call         func(*passengine.CallInfo) error
		wantReplayed bool
	}{
		{"first issue", func(i *passengine.CallInfo) error {
			_, err := w.eng.IssuePass(passengine.WithCallInfo(w.ctx, i), issue)
			return err
		}, false},
		{"issue again", func(i *passengine.CallInfo) error {
			_, err := w.eng.IssuePass(passengine.WithCallInfo(w.ctx, i), issue)
			return err
		}, true},
		{"first check-in", func(i *passengine.CallInfo) error {
			_, err := w.eng.CheckIn(passengine.WithCallInfo(w.ctx, i), in)
			return err
		}, false},
		{"check-in again", func(i *passengine.CallInfo) error {
			_, err := w.eng.CheckIn(passengine.WithCallInfo(w.ctx, i), in)
			return err
		}, true},
	}
	for _, c := range calls {
		var info passengine.CallInfo
		if err := c.call(&info); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got, want := info.Replayed, c.wantReplayed; got != want {
			t.Errorf("%s: Replayed: got %v, want %v", c.name, got, want)
		}
	}

	// Another request under a used key is refused, not replayed.
	var info passengine.CallInfo
	other := in
	other.Location = "uptown"
	if _, err := w.eng.CheckIn(passengine.WithCallInfo(w.ctx, &info), other); !errors.Is(err, passengine.ErrKeyReused) {
		t.Fatalf("key reused: got %v, want ErrKeyReused", err)
	}
	if info.Replayed {
		t.Error("a refused key reuse is marked replayed")
	}
	// A replay without CallInfo is answered as before.
	if _, err := w.eng.CheckIn(w.ctx, in); err != nil {
		t.Fatal(err)
	}
}

// Rule I3: CallInfo counts the unit of work's conflict retries.
func TestRule_I3_CallInfoCountsRetries(t *testing.T) {
	fs := storefault.New(memstore.New())
	w := newCoreWorldOn(t, fs, "America/New_York", "USD")
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "cy", Audience: catalog.Member}))
	fs.FailAt(1, store.ErrConflict)
	var info passengine.CallInfo
	_, err := w.eng.IssuePass(passengine.WithCallInfo(w.ctx, &info),
		passengine.IssueRequest{Key: "issue-cy", Network: coreNet, Product: "days", Holder: "cy"})
	w.must(err)
	if !fs.Fired() {
		t.Fatal("the conflict did not fire")
	}
	if got, want := info.Retries, 1; got != want {
		t.Errorf("Retries: got %d, want %d", got, want)
	}
	if info.Replayed {
		t.Error("a retried first call is marked replayed")
	}
}
