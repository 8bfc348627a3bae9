// Package storecheck holds the test helpers that the store conformance
// suite (store/storetest) and the Engine's scenarios on a store
// (enginetest) share: opening a store for a test, running a unit of work
// that must succeed, and failing a test on an error.
package storecheck

import (
	"context"
	"errors"
	"testing"

	"github.com/passengine/passengine/store"
)

// Open returns the store open makes for t and closes it when t ends. It
// fails t when open returns nil, and t's cleanup fails it when Close
// returns an error.
func Open(t *testing.T, open func(t *testing.T) store.Store) store.Store {
	t.Helper()
	st := open(t)
	if st == nil {
		t.Fatal("open returned a nil store")
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// Retry runs fn as a unit of work on st, again while it fails with
// store.ErrConflict (as the Engine does), at most 50 times, and returns
// the last error.
func Retry(st store.Store, fn func(store.Tx) error) error {
	var err error
	for range 50 {
		if err = st.Update(context.Background(), fn); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return err
}

// Update is Retry that fails tb now on an error.
func Update(tb testing.TB, st store.Store, fn func(store.Tx) error) {
	tb.Helper()
	Must(tb, "Update", Retry(st, fn))
}

// View runs fn as a read-only unit of work on st and fails tb now on an
// error.
func View(tb testing.TB, st store.Store, fn func(store.Tx) error) {
	tb.Helper()
	Must(tb, "View", st.View(context.Background(), fn))
}

// Must fails tb now on a non-nil err, naming what failed.
func Must(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// WantErr fails tb unless err is (or wraps) target.
func WantErr(tb testing.TB, what string, err, target error) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Errorf("%s: got error %v, want %v", what, err, target)
	}
}
