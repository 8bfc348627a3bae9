package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
)

func TestOpenRefusesNonFilePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if st, err := sqlite.Open(context.Background(), path); err == nil {
			st.Close()
			t.Errorf("Open(%q): got nil error, want one", path)
		}
	}
}

func TestMigrateRecordsTheVersionAndRunsOnce(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil || v != 0 {
		t.Fatalf("SchemaVersion before Migrate: got %d, %v; want 0, nil", v, err)
	}
	err = st.Update(ctx, func(tx store.Tx) error { return tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "n"}) })
	if err == nil {
		t.Errorf("Update before Migrate: got nil error, want one (no tables)")
	}
	for i := range 2 {
		if err := st.Migrate(ctx); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != sqlite.LatestVersion() {
		t.Errorf("SchemaVersion after Migrate: got %d, %v; want %d, nil", v, err, sqlite.LatestVersion())
	}
	var rows int
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil || rows != sqlite.Migrations() {
		t.Errorf("schema_migrations rows: got %d, %v; want %d", rows, err, sqlite.Migrations())
	}
	var mode string
	if err := st.DB().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode: got %q, %v; want wal", mode, err)
	}
}

// TestDataSurvivesReopen: what an Engine wrote is there after Close and
// Open, and the idempotency records too.
func TestDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	open := func() (*sqlite.Store, *passengine.Engine) {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return st, passengine.New(st, passengine.WithClock(clock))
	}
	st, eng := open()
	if err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "EUR", Zone: "Europe/Berlin"}),
		eng.PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Zone: "Europe/Berlin"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: "n", ID: "p", Kind: pass.Visits, Units: 3, Price: money.MustNew("30.10", "EUR"), Activation: pass.OnPurchase}),
	); err != nil {
		t.Fatal(err)
	}
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "k-issue", Network: "n", Product: "p", Holder: "h"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "k-in", Network: "n", Holder: "h", Location: "l"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, eng = open()
	defer st.Close()
	got, err := eng.Pass(ctx, "n", p.ID)
	if err != nil {
		t.Fatalf("Pass after reopen: %v", err)
	}
	if got.Balance != 2 || !got.Price.Amount.Equal(money.MustNew("30.1", "EUR").Amount) {
		t.Errorf("pass after reopen: got balance %d price %s, want 2 and 30.10 EUR", got.Balance, got.Price)
	}
	again, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "k-in", Network: "n", Holder: "h", Location: "l"})
	if err != nil || again.Visit.ID != in.Visit.ID {
		t.Errorf("replayed check-in after reopen: got visit %s, %v; want %s", again.Visit.ID, err, in.Visit.ID)
	}
}

// TestBusyIsConflict: a second store on the same file that cannot get the
// write lock within its busy timeout fails with store.ErrConflict, which
// the Engine retries; once the lock is free it succeeds.
func TestBusyIsConflict(t *testing.T) {
	ctx := context.Background()
	a := openTemp(t)
	b, err := sqlite.Open(ctx, a.Path(), sqlite.WithBusyTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- a.Update(ctx, func(tx store.Tx) error {
			close(locked)
			<-release
			return tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "a"})
		})
	}()
	<-locked
	err = b.Update(ctx, func(tx store.Tx) error { return tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "b"}) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Update while another process holds the write lock: got %v, want ErrConflict", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the lock holder's Update: %v", err)
	}
	if err := b.Update(ctx, func(tx store.Tx) error { return tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "b"}) }); err != nil {
		t.Errorf("Update once the lock is free: %v", err)
	}
	err = a.View(ctx, func(tx store.Tx) error {
		for _, id := range []string{"a", "b"} {
			if _, err := tx.Catalog().Network(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("View of both writes: %v", err)
	}
}

func TestWriteInViewFails(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	err := st.View(ctx, func(tx store.Tx) error { return tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "n"}) })
	if err == nil {
		t.Errorf("a write inside View: got nil error, want one")
	}
	err = st.View(ctx, func(tx store.Tx) error {
		_, err := tx.Catalog().Network(ctx, "n")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Network after the refused write: got %v, want ErrNotFound", err)
	}
}

func TestClosedStoreRefusesWork(t *testing.T) {
	st := openTemp(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	err := st.Update(context.Background(), func(store.Tx) error { return nil })
	if !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("Update after Close: got %v, want ErrClosed", err)
	}
}
