package storetest

import (
	"testing"
	"time"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

func visitID(v checkin.Visit) string { return v.ID }

// testVisits: Get, Put (insert and replace), Open (the holder's open
// check-ins by start), OnDates (service dates inclusive, by start then ID),
// OpenBefore (strictly before, limited) and List (every filter, paging).
func (s *suite) testVisits(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	full := sampleVisit(n, "visit-full", "holder-1")
	complete(t, "Visit", full)

	view(t, st, func(tx store.Tx) error {
		_, err := tx.Visits().Get(bg, n, "visit-full")
		wantErr(t, "Get before Put", err, store.ErrNotFound)
		open, err := tx.Visits().Open(bg, n, "holder-1")
		must(t, "Open", err)
		if len(open) != 0 {
			t.Errorf("Open with no visits: got %d, want 0", len(open))
		}
		return nil
	})

	// holder-1: v1 (Mar 1, closed), v2 and v3 (Mar 2, open; same start: ID
	// decides), v4 (Mar 3, open at loc-b), full (Mar 3, a cancelled
	// booking). holder-2: w1 (Mar 2, open).
	t2 := instant(2, 9, 0)
	v1 := openVisit(n, "v1", "holder-1", "loc-a", instant(1, 9, 0), date("2026-03-01"))
	v1.Status, v1.End = checkin.Closed, ptr(instant(1, 11, 0))
	v3 := openVisit(n, "v3", "holder-1", "loc-a", t2, date("2026-03-02"))
	v2 := openVisit(n, "v2", "holder-1", "loc-c", t2, date("2026-03-02"))
	v2.Mode = checkin.ByPAYG
	v4 := openVisit(n, "v4", "holder-1", "loc-b", instant(3, 8, 0), date("2026-03-03"))
	w1 := openVisit(n, "w1", "holder-2", "loc-a", instant(2, 7, 0), date("2026-03-02"))
	update(t, st, func(tx store.Tx) error {
		for _, v := range []checkin.Visit{v4, v3, full, v1, w1, v2} {
			must(t, "Put "+v.ID, tx.Visits().Put(bg, v))
		}
		got, err := tx.Visits().Get(bg, n, "visit-full")
		must(t, "Get in the same unit of work", err)
		same(t, "Get in the same unit of work", got, full)
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		vs := tx.Visits()
		got, err := vs.Get(bg, n, "visit-full")
		must(t, "Get", err)
		same(t, "Get", got, full)

		open, err := vs.Open(bg, n, "holder-1")
		must(t, "Open", err)
		same(t, "Open(holder-1) IDs", ids(open, visitID), []string{"v2", "v3", "v4"})
		if len(open) == 3 {
			same(t, "Open(holder-1)[0]", open[0], v2)
		}

		on, err := vs.OnDates(bg, n, "holder-1", date("2026-03-02"), date("2026-03-03"))
		must(t, "OnDates", err)
		same(t, "OnDates(Mar 2 to Mar 3) IDs", ids(on, visitID), []string{"v2", "v3", "v4", "visit-full"})
		if len(on) == 4 {
			same(t, "OnDates[3]", on[3], full)
		}
		on, err = vs.OnDates(bg, n, "holder-1", date("2026-03-01"), date("2026-03-01"))
		must(t, "OnDates", err)
		same(t, "OnDates(Mar 1) IDs", ids(on, visitID), []string{"v1"})
		on, err = vs.OnDates(bg, n, "holder-1", date("2026-02-01"), date("2026-02-28"))
		must(t, "OnDates", err)
		same(t, "OnDates(February) IDs", ids(on, visitID), []string{})

		before, err := vs.OpenBefore(bg, n, instant(3, 8, 0), 0)
		must(t, "OpenBefore", err)
		same(t, "OpenBefore(Mar 3 08:00) IDs", ids(before, visitID), []string{"w1", "v2", "v3"})
		before, err = vs.OpenBefore(bg, n, instant(3, 8, 0).Add(time.Microsecond), 2)
		must(t, "OpenBefore", err)
		same(t, "OpenBefore(just after Mar 3 08:00, limit 2) IDs", ids(before, visitID), []string{"w1", "v2"})
		before, err = vs.OpenBefore(bg, n, instant(1, 0, 0), 0)
		must(t, "OpenBefore", err)
		same(t, "OpenBefore(Mar 1) IDs", ids(before, visitID), []string{})

		for _, c := range []struct {
			name string
			f    store.VisitFilter
			want []string
		}{
			{"all", store.VisitFilter{Network: n}, []string{"v1", "w1", "v2", "v3", "v4", "visit-full"}},
			{"holder-1", store.VisitFilter{Network: n, Holder: "holder-1"}, []string{"v1", "v2", "v3", "v4", "visit-full"}},
			{"loc-a", store.VisitFilter{Network: n, Location: "loc-a"}, []string{"v1", "w1", "v3", "visit-full"}},
			{"bookings", store.VisitFilter{Network: n, Kind: checkin.Booking}, []string{"visit-full"}},
			{"PAYG", store.VisitFilter{Network: n, Mode: checkin.ByPAYG}, []string{"v2", "visit-full"}},
			{"from Mar 2", store.VisitFilter{Network: n, From: date("2026-03-02")}, []string{"w1", "v2", "v3", "v4", "visit-full"}},
			{"to Mar 2", store.VisitFilter{Network: n, To: date("2026-03-02")}, []string{"v1", "w1", "v2", "v3"}},
			{"Mar 2 only", store.VisitFilter{Network: n, From: date("2026-03-02"), To: date("2026-03-02")}, []string{"w1", "v2", "v3"}},
			{"holder-1 at loc-a on Mar 2 to 3, check-ins", store.VisitFilter{Network: n, Holder: "holder-1", Location: "loc-a",
				Kind: checkin.CheckInVisit, From: date("2026-03-02"), To: date("2026-03-03")}, []string{"v3"}},
			{"offset 1, limit 2", store.VisitFilter{Network: n, Offset: 1, Limit: 2}, []string{"w1", "v2"}},
			{"offset past the end", store.VisitFilter{Network: n, Offset: 6}, []string{}},
			{"another network", store.VisitFilter{Network: "net-2"}, []string{}},
		} {
			got, err := vs.List(bg, c.f)
			must(t, "List "+c.name, err)
			same(t, "List("+c.name+") IDs", ids(got, visitID), c.want)
		}
		return nil
	})

	// Checking out v3 takes it off Open and OpenBefore.
	update(t, st, func(tx store.Tx) error {
		v, err := tx.Visits().Get(bg, n, "v3")
		must(t, "Get", err)
		v.Status, v.End = checkin.Closed, ptr(instant(2, 12, 0))
		return tx.Visits().Put(bg, v)
	})
	view(t, st, func(tx store.Tx) error {
		open, err := tx.Visits().Open(bg, n, "holder-1")
		must(t, "Open", err)
		same(t, "Open after check-out IDs", ids(open, visitID), []string{"v2", "v4"})
		before, err := tx.Visits().OpenBefore(bg, n, instant(9, 0, 0), 10)
		must(t, "OpenBefore", err)
		same(t, "OpenBefore after check-out IDs", ids(before, visitID), []string{"w1", "v2", "v4"})
		v, err := tx.Visits().Get(bg, n, "v3")
		must(t, "Get", err)
		if v.Status != checkin.Closed || v.End == nil || !v.End.Equal(instant(2, 12, 0)) {
			t.Errorf("replaced visit: got status %s end %v, want closed at %v", v.Status, v.End, instant(2, 12, 0))
		}
		return nil
	})
}
