package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
)

// The cache of decoded live passes (passcache.go): whatever writes the
// file, a state read returns what the rows hold, and a unit of work that
// wrote passes leaves the cache ready for the next read.

// cacheWorld puts network "n" (location "l", UTC), team "t" (credit
// sharing) with members "a" and "b", holder "h" without a team, a visits
// product "p" of 10 units and one "one" of 1 unit, and issues "h" three
// passes of "p" and one of "one", "a" one of "p", and the team two of "p".
// It returns the Engine, its clock, and the passes by holder or team.
func cacheWorld(t *testing.T, st store.Store) (*passengine.Engine, *passengine.ManualClock, map[string][]string) {
	t.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(st, passengine.WithClock(clock))
	product := func(id string, units int) pass.Product {
		return pass.Product{Network: "n", ID: id, Kind: pass.Visits, Units: units, Price: money.MustNew("100", "USD"),
			Activation: pass.OnPurchase}
	}
	if err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "USD", Zone: "UTC"}),
		eng.PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Zone: "UTC"}),
		eng.PutTeam(ctx, catalog.Team{Network: "n", ID: "t", CreditSharing: true}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "a", Audience: catalog.Member, Team: "t"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "b", Audience: catalog.Member, Team: "t"}),
		eng.PutProduct(ctx, product("p", 10)),
		eng.PutProduct(ctx, product("one", 1)),
	); err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{}
	for i, o := range []struct{ product, holder, team string }{
		{"p", "h", ""}, {"p", "h", ""}, {"p", "h", ""}, {"one", "h", ""}, {"p", "a", ""}, {"p", "", "t"}, {"p", "", "t"},
	} {
		r, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: fmt.Sprint("issue-", i), Network: "n", Product: o.product,
			Holder: o.holder, Team: o.team})
		if err != nil {
			t.Fatal(err)
		}
		ids[o.holder+o.team] = append(ids[o.holder+o.team], r.ID)
	}
	return eng, clock, ids
}

// loadLive returns holder's live passes as a state read in a View of st
// returns them.
func loadLive(t *testing.T, st store.Store, holder string) []*pass.Pass {
	t.Helper()
	ctx := context.Background()
	var s store.State
	if err := st.View(ctx, func(tx store.Tx) (err error) {
		s, err = store.Load(ctx, tx, store.StateQuery{Network: "n", Holder: holder, Location: "l",
			From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 2)})
		return err
	}); err != nil {
		t.Fatalf("load %s: %v", holder, err)
	}
	return s.Live
}

// values returns the passes ps points to.
func values(ps []*pass.Pass) []pass.Pass {
	out := make([]pass.Pass, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// uncached opens the file of st again, without a cache, as another
// process would.
func uncached(t *testing.T, st *sqlite.Store) *sqlite.Store {
	t.Helper()
	other, err := sqlite.Open(context.Background(), st.Path(), sqlite.WithPassCache(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// checkLive fails t unless st's state read of each holder returns the
// live passes the rows hold (read by ref, a store without a cache).
func checkLive(t *testing.T, st, ref *sqlite.Store, holders ...string) {
	t.Helper()
	for _, h := range holders {
		got, want := values(loadLive(t, st, h)), values(loadLive(t, ref, h))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("live passes of %s:\ngot  %+v\nwant %+v", h, got, want)
		}
	}
}

// stats returns st's cache hits and misses.
func stats(st *sqlite.Store) (hits, misses int64) {
	hits, misses, _, _ = sqlite.PassCacheStats(st)
	return hits, misses
}

// ownerVersion returns the version pass_versions holds for an owner, 0
// for none.
func ownerVersion(t *testing.T, st *sqlite.Store, kind, owner string) int64 {
	t.Helper()
	var v int64
	err := st.DB().QueryRowContext(context.Background(),
		`SELECT coalesce(max(version), 0) FROM pass_versions WHERE network = 'n' AND kind = ? AND owner = ?`, kind, owner).Scan(&v)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPassCacheWriteThrough: after the first read fills the cache, check-ins
// and check-outs through the Engine (each writes a pass of the holder)
// read no live-pass row again, the cache's entry stays at the database's
// version, and every read returns what the rows hold.
func TestPassCacheWriteThrough(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
	ref := uncached(t, st)
	eng, clock, _ := cacheWorld(t, st)
	checkLive(t, st, ref, "h") // fills the cache
	hits0, misses0 := stats(st)
	for i := range 3 {
		clock.Advance(24 * time.Hour)
		r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", i), Network: "n", Holder: "h", Location: "l"})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		if _, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", i), Network: "n", Visit: r.Visit.ID}); err != nil {
			t.Fatal(err)
		}
		if v, _, ok := sqlite.CachedLive(st, "n", "h", false); !ok || v != ownerVersion(t, st, "holder", "h") {
			t.Errorf("pair %d: the cache holds h at version %d (%t), the database at %d", i, v, ok, ownerVersion(t, st, "holder", "h"))
		}
	}
	checkLive(t, st, ref, "h")
	hits, misses := stats(st)
	if misses != misses0 || hits-hits0 != 7 {
		t.Errorf("3 pairs and a read: %d hits and %d misses, want 7 hits and none", hits-hits0, misses-misses0)
	}
}

// TestPassCacheSeesAnotherWriter: a write to the file by another Store
// (another process) and by plain SQL is seen by the next read of a store
// whose cache held the holder's passes.
func TestPassCacheSeesAnotherWriter(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
	ref := uncached(t, st)
	_, _, ids := cacheWorld(t, st)
	before := loadLive(t, st, "h")
	other, err := sqlite.Open(ctx, st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otherEng := passengine.New(other, passengine.WithClock(passengine.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))))
	if _, err := otherEng.AdjustUnits(ctx, passengine.AdjustRequest{Key: "adjust", Network: "n", Pass: ids["h"][0], Units: 5, Actor: "desk"}); err != nil {
		t.Fatal(err)
	}
	after := loadLive(t, st, "h")
	if after[0].Balance != before[0].Balance+5 {
		t.Errorf("after another store's adjustment: balance %d, want %d", after[0].Balance, before[0].Balance+5)
	}
	checkLive(t, st, ref, "h")
	if _, err := other.DB().ExecContext(ctx, `UPDATE passes SET balance = 0 WHERE network = 'n' AND id = ?`, ids["h"][1]); err != nil {
		t.Fatal(err)
	}
	if got := loadLive(t, st, "h"); len(got) != len(before)-1 {
		t.Errorf("after an UPDATE by plain SQL used a pass up: %d live passes, want %d", len(got), len(before)-1)
	}
	checkLive(t, st, ref, "h")
}

// TestPassCacheRollback: a unit of work that puts passes and then fails
// leaves the cache as it was (the same entry, the same passes), and so
// does one that read a holder the cache did not hold.
func TestPassCacheRollback(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
	ref := uncached(t, st)
	_, _, _ = cacheWorld(t, st)
	loadLive(t, st, "h")
	v0, ps0, ok := sqlite.CachedLive(st, "n", "h", false)
	if !ok {
		t.Fatal("the cache does not hold h after a read")
	}
	ps0 = append([]*pass.Pass(nil), ps0...)
	failed := errors.New("failed")
	q := store.StateQuery{Network: "n", Holder: "h", Location: "l", From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 2)}
	err := st.Update(ctx, func(tx store.Tx) error {
		s, err := store.Load(ctx, tx, q)
		if err != nil {
			return err
		}
		for _, p := range s.Live {
			changed := p.Clone()
			changed.Balance = 0
			if err := tx.Passes().Put(ctx, changed); err != nil {
				return err
			}
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("Update: %v", err)
	}
	if v, ps, ok := sqlite.CachedLive(st, "n", "h", false); !ok || v != v0 || !reflect.DeepEqual(ps, ps0) {
		t.Errorf("after a rollback the cache holds h at version %d (%t), want the entry of version %d as it was", v, ok, v0)
	}
	hits, misses := stats(st)
	checkLive(t, st, ref, "h")
	if h, m := stats(st); h != hits+1 || m != misses {
		t.Errorf("the read after the rollback: %d hits, %d misses; want a hit", h-hits, m-misses)
	}
	// A holder first read in the failed unit of work stays out of the cache.
	if err := st.Update(ctx, func(tx store.Tx) error {
		q.Holder = "a"
		if _, err := store.Load(ctx, tx, q); err != nil {
			return err
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("Update: %v", err)
	}
	if _, _, ok := sqlite.CachedLive(st, "n", "a", false); ok {
		t.Error("a unit of work rolled back filled the cache")
	}
}

// TestPassCacheLeavesLive: a pass used up by a check-in leaves Live, a
// pass whose expiry moves (before the check-in's day: the Engine finds it
// expired) is
// read with its new expiry, and the check-in that then finds no usable
// pass fails as on the rows.
func TestPassCacheLeavesLive(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
	ref := uncached(t, st)
	eng, clock, ids := cacheWorld(t, st)
	// h's passes: three of "p" (10 units) and one of "one" (1 unit); the
	// Engine uses the pass with the fewest units left first.
	for _, id := range ids["h"][:3] {
		if _, err := eng.SetExpiry(ctx, passengine.ExpiryRequest{Key: "expire-" + id, Network: "n", Pass: id,
			ExpiresOn: calendar.NewDate(2026, 3, 2), Actor: "desk"}); err != nil {
			t.Fatal(err)
		}
	}
	loadLive(t, st, "h")
	clock.Advance(24 * time.Hour)
	r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-0", Network: "n", Holder: "h", Location: "l"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Visit.Consumptions) != 1 || r.Visit.Consumptions[0].Pass != ids["h"][3] {
		t.Fatalf("the check-in used %+v, want the one-visit pass %s", r.Visit.Consumptions, ids["h"][3])
	}
	live := loadLive(t, st, "h")
	if len(live) != 3 {
		t.Errorf("after the one-visit pass was used up: %d live passes, want 3", len(live))
	}
	for _, p := range live {
		if p.ID == ids["h"][3] {
			t.Errorf("the used-up pass %s is still live", p.ID)
		}
		if p.ExpiresOn != calendar.NewDate(2026, 3, 2) {
			t.Errorf("pass %s expires on %s, want 2026-03-02", p.ID, p.ExpiresOn)
		}
	}
	checkLive(t, st, ref, "h")
	clock.Advance(24 * time.Hour)
	if _, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-1", Network: "n", Holder: "h", Location: "l"}); err == nil {
		t.Error("a check-in with only expired passes succeeded")
	}
	if _, misses := stats(st); misses != 1 {
		t.Errorf("%d misses, want the first read's only", misses)
	}
}

// TestPassCacheTeams: a team's passes are cached once for its members: a
// member's check-in on a team pass writes it through, and the other
// member's next read finds the new balance in the cache.
func TestPassCacheTeams(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
	ref := uncached(t, st)
	eng, clock, ids := cacheWorld(t, st)
	checkLive(t, st, ref, "a", "b") // fills a's, b's and the team's entries
	hits0, misses0 := stats(st)
	clock.Advance(24 * time.Hour)
	r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-b", Network: "n", Holder: "b", Location: "l"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Visit.Consumptions) != 1 || r.Visit.Consumptions[0].Pass != ids["t"][0] {
		t.Fatalf("b's check-in used %+v, want the team pass %s", r.Visit.Consumptions, ids["t"][0])
	}
	if v, _, ok := sqlite.CachedLive(st, "n", "t", true); !ok || v != ownerVersion(t, st, "team", "t") {
		t.Errorf("the cache holds team t at version %d (%t), the database at %d", v, ok, ownerVersion(t, st, "team", "t"))
	}
	live := loadLive(t, st, "a")
	if len(live) != 3 || live[0].ID > live[1].ID || live[1].ID > live[2].ID {
		t.Errorf("a's live passes: %+v, want 3 by ID", values(live))
	}
	for _, p := range live {
		if p.ID == ids["t"][0] && p.Balance != 9 {
			t.Errorf("team pass %s: balance %d in a's read after b's check-in, want 9", p.ID, p.Balance)
		}
	}
	if hits, misses := stats(st); hits-hits0 != 2 || misses != misses0 {
		t.Errorf("b's check-in and a's read: %d hits, %d misses; want 2 hits", hits-hits0, misses-misses0)
	}
	checkLive(t, st, ref, "a", "b")
	// A holder who leaves the team no longer reads its passes.
	if err := eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "a", Audience: catalog.Member}); err != nil {
		t.Fatal(err)
	}
	if live := loadLive(t, st, "a"); len(live) != 1 || live[0].ID != ids["a"][0] {
		t.Errorf("a's live passes after leaving the team: %+v, want only %s", values(live), ids["a"][0])
	}
	checkLive(t, st, ref, "a", "b")
}

// TestPassCacheBound: the cache holds at most WithPassCache's passes,
// dropping the least recently read owners, and reads stay right.
func TestPassCacheBound(t *testing.T) {
	st := openTemp(t, sqlite.WithSyncNormal(), sqlite.WithPassCache(6))
	ref := uncached(t, st)
	cacheWorld(t, st)
	for range 2 {
		checkLive(t, st, ref, "h", "a", "b")
		if _, _, owners, passes := sqlite.PassCacheStats(st); passes+owners > 6 {
			t.Errorf("the cache holds %d owners and %d passes, want at most 6 counted (a pass, and one per owner)", owners, passes)
		}
	}
	if _, _, ok := sqlite.CachedLive(st, "n", "h", false); ok {
		t.Error("the cache still holds h, read least recently")
	}
}

// TestPassCacheConcurrent: holders checking in at once while others read
// (run with -race): every read afterwards returns what the rows hold.
func TestPassCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
	ref := uncached(t, st)
	eng, _, _ := cacheWorld(t, st)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g, holder := range []string{"h", "a", "b"} {
		wg.Go(func() {
			for i := range 6 {
				r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", g, "-", i), Network: "n", Holder: holder, Location: "l"})
				if err != nil {
					errs <- err
					return
				}
				if _, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", g, "-", i), Network: "n", Visit: r.Visit.ID}); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			for range 8 {
				if err := st.View(ctx, func(tx store.Tx) error {
					_, err := store.Load(ctx, tx, store.StateQuery{Network: "n", Holder: holder, Location: "l",
						From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 2)})
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkLive(t, st, ref, "h", "a", "b")
}
