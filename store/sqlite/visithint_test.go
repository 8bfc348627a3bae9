package sqlite

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// The hints of visits (visithint.go): a state read that names only a
// visit returns the same state, and the same errors, whether the Store
// holds a hint of the visit, a wrong one, or none.

// hintQueries are queries naming only visit "v1": with and without a To
// and a key, and a window before and after the visit's date.
var hintQueries = []store.StateQuery{
	{Network: "n", Visit: "v1", FromVisit: -2, Lookback: 2},
	{Network: "n", Visit: "v1", FromVisit: -5, Lookback: 1},
	{Network: "n", Visit: "v1", FromVisit: -1, Lookback: 1, Key: "k", To: calendar.NewDate(2026, 3, 4)},
	{Network: "n", Visit: "v1", FromVisit: 0, Lineage: []string{"p1"}},
}

// loadBoth returns q's state and error read with the Store's hints (and
// the statements that read sent), and read without any.
func loadBoth(t *testing.T, st *Store, q store.StateQuery) (hinted, plain store.State, herr, perr error, sent int64) {
	t.Helper()
	ctx := context.Background()
	load := func() (s store.State, err error) {
		err = st.Update(ctx, func(tx store.Tx) (err error) { s, err = store.Load(ctx, tx, q); return err })
		return s, err
	}
	before := st.statements.Load()
	hinted, herr = load()
	sent = st.statements.Load() - before
	saved := st.hints
	st.hints = newVisitHints()
	plain, perr = load()
	st.hints = saved
	return hinted, plain, herr, perr, sent
}

// hintWorld returns memoStore's store with more visits of "h" on the days
// around "v1"'s (one open), at the edges of hintQueries' windows, a visit
// of another holder, and holder "h2".
func hintWorld(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st := memoStore(t, memoVisitOf("v1"))
	if _, err := st.w.ExecContext(ctx, `INSERT INTO holders (network, id, name, audience, team, health_declared_at)
		VALUES ('n', 'h2', 'Bo', 'member', '', NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, o := range []struct {
		days   int
		holder string
	}{{-6, "h"}, {-5, "h"}, {-3, "h"}, {-1, "h"}, {0, "h"}, {1, "h"}, {1, "h2"}, {2, "h"}} {
		v := memoVisitOf("w" + string(rune('a'+i)))
		v.Start = v.Start.AddDate(0, 0, o.days)
		v.Date = calendar.DateOf(v.Start)
		end := v.Start.Add(time.Hour)
		v.End = &end
		v.Holder = o.holder
		if o.days == -1 {
			v.Status, v.End = checkin.Open, nil
		}
		if err := st.Update(ctx, func(tx store.Tx) error { return tx.Visits().Put(ctx, v) }); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := st.hints.get(visitKey{"n", "v1"}); !ok {
		t.Fatal("no hint of a visit put")
	}
	return st
}

func TestVisitHintSameState(t *testing.T) {
	st := hintWorld(t)
	for _, q := range hintQueries {
		hinted, plain, herr, perr, sent := loadBoth(t, st, q)
		if herr != nil || perr != nil {
			t.Fatalf("%+v: errors %v and %v", q, herr, perr)
		}
		if sent != 3 {
			t.Errorf("%+v: the read with the hint sent %d statements, want 3 (BEGIN, the state, COMMIT): the hint missed", q, sent)
		}
		if !reflect.DeepEqual(hinted, plain) {
			t.Errorf("%+v: state read with the hint:\n%+v\nwithout:\n%+v", q, hinted, plain)
		}
		if len(plain.Recent) == 0 {
			t.Errorf("%+v: no recent visits: the query tells nothing", q)
		}
	}
}

func TestVisitHintStatements(t *testing.T) {
	ctx := context.Background()
	st := hintWorld(t)
	for _, hint := range []bool{true, false} {
		if !hint {
			st.hints = newVisitHints()
		}
		before := st.statements.Load()
		if err := st.View(ctx, func(tx store.Tx) error { _, err := store.Load(ctx, tx, hintQueries[0]); return err }); err != nil {
			t.Fatal(err)
		}
		if n := st.statements.Load() - before; n != 3 {
			t.Errorf("hint %v: a state read in a View sent %d statements, want 3 (BEGIN, the state, COMMIT)", hint, n)
		}
	}
}

func TestVisitHintWrong(t *testing.T) {
	ctx := context.Background()
	for _, change := range []string{
		`UPDATE visits SET holder = 'h2' WHERE id = 'v1'`,
		`UPDATE visits SET location = 'l2' WHERE id = 'v1'`,
		`UPDATE visits SET service_date = '2026-03-05' WHERE id = 'v1'`,
		`DELETE FROM visits WHERE id = 'v1'`,
	} {
		st := hintWorld(t)
		if _, err := st.w.ExecContext(ctx, `INSERT INTO locations (network, id, name, zone, day_cutoff, tier) VALUES ('n', 'l2', 'L2', 'UTC', 0, 0)`); err != nil {
			t.Fatal(err)
		}
		// Another writer changes the visit: the Store's hint is wrong.
		if _, err := st.w.ExecContext(ctx, change); err != nil {
			t.Fatal(err)
		}
		for _, q := range hintQueries {
			hinted, plain, herr, perr, _ := loadBoth(t, st, q)
			if (herr == nil) != (perr == nil) || herr != nil && herr.Error() != perr.Error() {
				t.Fatalf("%s, %+v: errors %v and %v", change, q, herr, perr)
			}
			if strings.HasPrefix(change, "DELETE") && !errors.Is(herr, store.ErrNotFound) {
				t.Errorf("%s: got %v, want ErrNotFound", change, herr)
			}
			if !reflect.DeepEqual(hinted, plain) {
				t.Errorf("%s, %+v: state read with the hint:\n%+v\nwithout:\n%+v", change, q, hinted, plain)
			}
		}
	}
}
