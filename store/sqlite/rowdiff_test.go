package sqlite_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
)

// TestPutChangedColumns: in an Update, a put of the visit and of a live
// pass that the state read sends nothing when they are unchanged and an
// UPDATE otherwise, follows a second put of the same row (a change taken
// back is written back), and leaves rows, pass versions and the cache of
// live passes as the whole-row upsert would: read back by another Store
// without a cache, they are what was put last.
func TestPutChangedColumns(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
	ref := uncached(t, st)
	eng, _, _ := cacheWorld(t, st)
	r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in", Network: "n", Holder: "h", Location: "l"})
	if err != nil {
		t.Fatal(err)
	}
	checkLive(t, st, ref, "h") // fills the cache
	// A row of an earlier schema has no expiry yet: a changed put writes
	// it (as the upsert did).
	if _, err := st.DB().ExecContext(ctx, `UPDATE passes SET expiry = NULL WHERE network = 'n' AND holder = 'h'`); err != nil {
		t.Fatal(err)
	}
	version := ownerVersion(t, st, "holder", "h")
	var wantVisit checkin.Visit
	var wantPass pass.Pass
	if err := st.Update(ctx, func(tx store.Tx) error {
		s, err := store.Load(ctx, tx, store.StateQuery{Network: "n", Visit: r.Visit.ID})
		if err != nil {
			return err
		}
		sent := func(what string, want int64, put func() error) {
			t.Helper()
			before := sqlite.Statements(st)
			if err := put(); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got := sqlite.Statements(st) - before; got != want {
				t.Errorf("%s: %d statements, want %d", what, got, want)
			}
		}
		v := s.Visit.Clone()
		sent("unchanged visit", 0, func() error { return tx.Visits().Put(ctx, v) })
		changed := v.Clone()
		changed.Terms, changed.CoveredBy = "terms-x", "desk"
		sent("changed visit", 1, func() error { return tx.Visits().Put(ctx, changed) })
		back := changed.Clone()
		back.Terms = v.Terms
		sent("changed back", 1, func() error { return tx.Visits().Put(ctx, back) })
		sent("same again", 0, func() error { return tx.Visits().Put(ctx, back) })
		wantVisit = back

		p := *s.Live[0]
		sent("unchanged pass", 0, func() error { return tx.Passes().Put(ctx, p) })
		p.Balance--
		p.Uses++
		sent("changed pass", 1, func() error { return tx.Passes().Put(ctx, p) })
		p.Balance++
		sent("pass changed back", 1, func() error { return tx.Passes().Put(ctx, p) })
		wantPass = p
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := ownerVersion(t, st, "holder", "h"); got != version+2 {
		t.Errorf("version of h: %d after two writes of its pass, want %d", got, version+2)
	}
	if err := ref.View(ctx, func(tx store.Tx) error {
		gotVisit, err := tx.Visits().Get(ctx, "n", r.Visit.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(gotVisit, wantVisit) {
			t.Errorf("visit read back:\ngot  %+v\nwant %+v", gotVisit, wantVisit)
		}
		gotPass, err := tx.Passes().Get(ctx, "n", wantPass.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(gotPass, wantPass) {
			t.Errorf("pass read back:\ngot  %+v\nwant %+v", gotPass, wantPass)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var expiry sql.NullString
	if err := st.DB().QueryRowContext(ctx, `SELECT expiry FROM passes WHERE network = 'n' AND id = ?`, wantPass.ID).Scan(&expiry); err != nil {
		t.Fatal(err)
	} else if !expiry.Valid {
		t.Errorf("expiry of the pass put: NULL, want %q", wantPass.Expiry())
	}
	checkLive(t, st, ref, "h")
	if v, _, ok := sqlite.CachedLive(st, "n", "h", false); !ok || v != ownerVersion(t, st, "holder", "h") {
		t.Errorf("the cache holds h at version %d (%t), the database at %d", v, ok, ownerVersion(t, st, "holder", "h"))
	}
}
