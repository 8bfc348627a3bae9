package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

// TestOnDatesLongHistory: OnDates over a holder with two visits a day for
// 30 days returns the visits of every window, near the end (found by
// stepping back from the last visit) or further back (by a search), as a
// scan of all of them does.
func TestOnDatesLongHistory(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	day := func(d int) time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	var all []checkin.Visit
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Catalog().PutHolder(ctx, catalog.Holder{Network: "n", ID: "ada", Audience: catalog.Member}); err != nil {
			return err
		}
		for d := range 30 {
			for h := range 2 {
				start := day(d).Add(time.Duration(h) * 3 * time.Hour)
				v := checkin.Visit{Network: "n", ID: fmt.Sprintf("v-%02d-%d", d, h), Holder: "ada", Location: "club",
					Kind: checkin.CheckInVisit, Mode: checkin.ByVisits, Status: checkin.Open, Start: start, Date: calendar.DateOf(start), Cost: 1}
				all = append(all, v)
				if err := tx.Visits().Put(ctx, v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("writing the visits: %v", err)
	}
	for _, w := range [][2]int{{29, 29}, {27, 29}, {26, 29}, {20, 29}, {0, 29}, {0, 0}, {3, 5}, {10, 24}, {28, 35}, {-5, 1}} {
		from, to := calendar.DateOf(day(w[0])), calendar.DateOf(day(w[1]))
		var got []checkin.Visit
		if err := st.View(ctx, func(tx store.Tx) (err error) {
			got, err = tx.Visits().OnDates(ctx, "n", "ada", from, to)
			return err
		}); err != nil {
			t.Fatalf("OnDates: %v", err)
		}
		var want []string
		for _, v := range all {
			if !v.Date.Before(from) && !v.Date.After(to) {
				want = append(want, v.ID)
			}
		}
		ids := make([]string, len(got))
		for i := range got {
			ids[i] = got[i].ID
		}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("OnDates(%s, %s): got %v, want %v", from, to, ids, want)
		}
	}
}
