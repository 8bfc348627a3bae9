package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// walk reads every page of a list of limit items, each after the last ID
// of the page before, and returns the IDs in the order read. It fails t
// when a page holds more than limit items or the walk does not end.
func walk[T any](t *testing.T, what string, limit int, next func(after string) ([]T, error), id func(T) string) []string {
	t.Helper()
	var got []string
	for after := ""; ; {
		page, err := next(after)
		must(t, what, err)
		if len(page) > limit {
			t.Fatalf("%s: a page of limit %d holds %d", what, limit, len(page))
		}
		if len(page) == 0 {
			return got
		}
		got = append(got, ids(page, id)...)
		if len(got) > 1000 {
			t.Fatalf("%s: the pages do not end", what)
		}
		after = id(page[len(page)-1])
	}
}

// checkIDPages checks a list in ID order: all of it with no limit, the
// same IDs page by page for limits 1, 2 and 100, nothing after the last
// ID, and the rest after an ID that is not in the list.
func checkIDPages[T any](t *testing.T, what string, list func(store.Page) ([]T, error), id func(T) string, want []string) {
	t.Helper()
	all, err := list(store.Page{})
	must(t, what, err)
	same(t, what+" IDs", ids(all, id), want)
	for _, limit := range []int{1, 2, 100} {
		got := walk(t, what, limit, func(after string) ([]T, error) { return list(store.Page{After: after, Limit: limit}) }, id)
		same(t, fmt.Sprintf("%s paged by %d", what, limit), got, want)
	}
	if len(want) > 1 {
		rest, err := list(store.Page{After: want[0] + "\x01"}) // sorts after want[0], before want[1]
		must(t, what, err)
		same(t, what+" after an ID not in it", ids(rest, id), want[1:])
	}
}

// testLists: Lists pages networks, locations, holders, teams and PAYG
// products in ID order, each page after the last ID of the one before;
// a network's lists hold none of another's rows (S1); the values are
// whole copies.
func (s *suite) testLists(t *testing.T) {
	st := s.store(t)
	const n, other = "net-1", "net-2"
	unordered := []string{"c", "a", "e", "b", "d"}
	sorted := []string{"a", "b", "c", "d", "e"}
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		for _, id := range []string{other, "net-0", n} {
			must(t, "PutNetwork", c.PutNetwork(bg, sampleNetwork(id)))
		}
		for _, id := range unordered {
			must(t, "PutLocation", c.PutLocation(bg, sampleLocation(n, "loc-"+id)))
			must(t, "PutTeam", c.PutTeam(bg, sampleTeam(n, "team-"+id)))
			must(t, "PutHolder", c.PutHolder(bg, sampleHolder(n, "holder-"+id)))
			must(t, "PutPAYG", c.PutPAYG(bg, samplePAYG(n, "payg-"+id)))
		}
		must(t, "PutLocation", c.PutLocation(bg, sampleLocation(other, "loc-0")))
		must(t, "PutTeam", c.PutTeam(bg, sampleTeam(other, "team-0")))
		must(t, "PutHolder", c.PutHolder(bg, sampleHolder(other, "holder-0")))
		must(t, "PutPAYG", c.PutPAYG(bg, samplePAYG(other, "payg-0")))
		return nil
	})
	prefixed := func(p string, ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = p + id
		}
		return out
	}
	view(t, st, func(tx store.Tx) error {
		l := tx.Lists()
		checkIDPages(t, "Networks", func(p store.Page) ([]catalog.Network, error) { return l.Networks(bg, p) },
			func(v catalog.Network) string { return v.ID }, []string{"net-0", n, other})
		for net, want := range map[string][]string{n: sorted, other: {"0"}, "net-0": nil} {
			checkIDPages(t, "Locations of "+net, func(p store.Page) ([]catalog.Location, error) { return l.Locations(bg, net, p) },
				func(v catalog.Location) string { return v.ID }, prefixed("loc-", want))
			checkIDPages(t, "Holders of "+net, func(p store.Page) ([]catalog.Holder, error) { return l.Holders(bg, net, p) },
				func(v catalog.Holder) string { return v.ID }, prefixed("holder-", want))
			checkIDPages(t, "Teams of "+net, func(p store.Page) ([]catalog.Team, error) { return l.Teams(bg, net, p) },
				func(v catalog.Team) string { return v.ID }, prefixed("team-", want))
			checkIDPages(t, "PAYGs of "+net, func(p store.Page) ([]billing.PAYG, error) { return l.PAYGs(bg, net, p) },
				func(v billing.PAYG) string { return v.ID }, prefixed("payg-", want))
		}
		// Every field comes back, as a copy.
		ns, err := l.Networks(bg, store.Page{After: "net-0", Limit: 1})
		must(t, "Networks", err)
		same(t, "Networks value", ns, []catalog.Network{sampleNetwork(n)})
		ls, err := l.Locations(bg, n, store.Page{Limit: 1})
		must(t, "Locations", err)
		same(t, "Locations value", ls, []catalog.Location{sampleLocation(n, "loc-a")})
		ts, err := l.Teams(bg, n, store.Page{Limit: 1})
		must(t, "Teams", err)
		same(t, "Teams value", ts, []catalog.Team{sampleTeam(n, "team-a")})
		hs, err := l.Holders(bg, n, store.Page{Limit: 1})
		must(t, "Holders", err)
		same(t, "Holders value", hs, []catalog.Holder{sampleHolder(n, "holder-a")})
		ps, err := l.PAYGs(bg, n, store.Page{Limit: 1})
		must(t, "PAYGs", err)
		same(t, "PAYGs value", ps, []billing.PAYG{samplePAYG(n, "payg-a")})
		if len(hs) == 1 && len(ps) == 1 {
			*hs[0].HealthDeclaredAt = time.Time{}
			ps[0].Prices[0].Audience, ps[0].Locations[0] = "changed", "changed"
			hs, _ = l.Holders(bg, n, store.Page{Limit: 1})
			ps, _ = l.PAYGs(bg, n, store.Page{Limit: 1})
			same(t, "Holders after changing the value returned", hs, []catalog.Holder{sampleHolder(n, "holder-a")})
			same(t, "PAYGs after changing the value returned", ps, []billing.PAYG{samplePAYG(n, "payg-a")})
		}
		return nil
	})
}

// listVisit is a visit of the Lists fixture.
func listVisit(network, id, holder, location string, kind checkin.Kind, mode checkin.Mode, status checkin.Status, start time.Time) checkin.Visit {
	v := openVisit(network, id, holder, location, start, date(start.Format(time.DateOnly)))
	v.Kind, v.Mode, v.Status = kind, mode, status
	if status != checkin.Open {
		v.End = ptr(start.Add(time.Hour))
	}
	return v
}

// listVisits are the visits of testListVisits, in (start, ID) order;
// v1 and v2 start at the same instant.
func listVisits(n string) []checkin.Visit {
	return []checkin.Visit{
		listVisit(n, "v0", "cy", "loc-a", checkin.CheckInVisit, checkin.ByVisits, checkin.Closed, instant(1, 23, 0)),
		listVisit(n, "v1", "ada", "loc-a", checkin.CheckInVisit, checkin.ByVisits, checkin.Closed, instant(2, 9, 0)),
		listVisit(n, "v2", "ben", "loc-a", checkin.CheckInVisit, checkin.ByPAYG, checkin.Open, instant(2, 9, 0)),
		listVisit(n, "v3", "ada", "loc-b", checkin.Booking, checkin.ByVisits, checkin.Booked, instant(3, 18, 0)),
		listVisit(n, "v4", "ada", "loc-a", checkin.CheckInVisit, checkin.ByDay, checkin.Open, instant(4, 8, 0)),
		listVisit(n, "v5", "cy", "loc-b", checkin.Redemption, checkin.ByDay, checkin.Closed, instant(4, 10, 0)),
		listVisit(n, "v6", "ben", "loc-b", checkin.CheckInVisit, checkin.ByTime, checkin.Open, instant(5, 7, 0)),
	}
}

// testListVisits: Lists.Visits returns a network's visits in (start, ID)
// order, filtered by holder, location, status, kind, mode, service date
// and start, page by page after a cursor, and none of another network's.
func (s *suite) testListVisits(t *testing.T) {
	st := s.store(t)
	const n, other = "net-1", "net-2"
	vs := listVisits(n)
	update(t, st, func(tx store.Tx) error {
		for _, v := range vs {
			must(t, "Visits.Put", tx.Visits().Put(bg, v))
		}
		// Another network's visits, with the same IDs, holders and
		// locations, open and at the same instants.
		for _, v := range listVisits(other) {
			v.Status, v.End = checkin.Open, nil
			must(t, "Visits.Put", tx.Visits().Put(bg, v))
		}
		return tx.Visits().Put(bg, sampleVisit(n, "v9", "dee")) // every field set
	})
	q := func(f func(*store.VisitQuery)) store.VisitQuery {
		q := store.VisitQuery{Network: n}
		f(&q)
		return q
	}
	cases := []struct {
		name  string
		query store.VisitQuery
		want  []string
	}{
		{"all", q(func(*store.VisitQuery) {}), []string{"v0", "v1", "v2", "v9", "v3", "v4", "v5", "v6"}},
		{"holder", q(func(q *store.VisitQuery) { q.Holder = "ada" }), []string{"v1", "v3", "v4"}},
		{"location", q(func(q *store.VisitQuery) { q.Location = "loc-a" }), []string{"v0", "v1", "v2", "v9", "v4"}},
		{"open", q(func(q *store.VisitQuery) { q.Status = checkin.Open }), []string{"v2", "v4", "v6"}},
		{"holder open", q(func(q *store.VisitQuery) { q.Holder, q.Status = "ben", checkin.Open }), []string{"v2", "v6"}},
		{"location open", q(func(q *store.VisitQuery) { q.Location, q.Status = "loc-b", checkin.Open }), []string{"v6"}},
		{"location closed", q(func(q *store.VisitQuery) { q.Location, q.Status = "loc-a", checkin.Closed }), []string{"v0", "v1"}},
		{"holder at location", q(func(q *store.VisitQuery) { q.Holder, q.Location = "ada", "loc-a" }), []string{"v1", "v4"}},
		{"kind", q(func(q *store.VisitQuery) { q.Kind = checkin.CheckInVisit }), []string{"v0", "v1", "v2", "v4", "v6"}},
		{"mode", q(func(q *store.VisitQuery) { q.Mode = checkin.ByDay }), []string{"v4", "v5"}},
		{"dates", q(func(q *store.VisitQuery) { q.From, q.To = date("2026-03-02"), date("2026-03-04") }),
			[]string{"v1", "v2", "v9", "v3", "v4", "v5"}},
		{"from", q(func(q *store.VisitQuery) { q.From = date("2026-03-04") }), []string{"v4", "v5", "v6"}},
		{"to", q(func(q *store.VisitQuery) { q.To = date("2026-03-02") }), []string{"v0", "v1", "v2"}},
		{"location dates", q(func(q *store.VisitQuery) { q.Location, q.From = "loc-b", date("2026-03-04") }), []string{"v5", "v6"}},
		{"starts", q(func(q *store.VisitQuery) { q.StartFrom, q.StartBefore = instant(2, 9, 0), instant(4, 10, 0) }),
			[]string{"v1", "v2", "v9", "v3", "v4"}},
		{"after", q(func(q *store.VisitQuery) { q.After = &store.VisitCursor{Start: instant(2, 9, 0).UTC(), ID: "v1"} }),
			[]string{"v2", "v9", "v3", "v4", "v5", "v6"}},
		{"after, another zone", q(func(q *store.VisitQuery) { q.After = &store.VisitCursor{Start: instant(2, 9, 0), ID: "v2"} }),
			[]string{"v9", "v3", "v4", "v5", "v6"}},
		{"nothing", q(func(q *store.VisitQuery) { q.Holder = "nobody" }), nil},
	}
	view(t, st, func(tx store.Tx) error {
		l := tx.Lists()
		for _, c := range cases {
			all, err := l.Visits(bg, c.query)
			must(t, c.name, err)
			same(t, c.name, ids(all, visitID), c.want)
			for _, limit := range []int{1, 2, 3} {
				got := walkVisits(t, l, c.query, limit)
				same(t, fmt.Sprintf("%s paged by %d", c.name, limit), got, c.want)
			}
		}
		all, err := l.Visits(bg, store.VisitQuery{Network: n})
		must(t, "Visits", err)
		for _, v := range all {
			stored, err := tx.Visits().Get(bg, n, v.ID)
			must(t, "Visits.Get", err)
			same(t, "Lists.Visits value of "+v.ID, v, stored)
		}
		return nil
	})
}

// walkVisits reads every page of q's visits, limit a page, each after
// the cursor of the last visit of the page before.
func walkVisits(t *testing.T, l store.Lists, q store.VisitQuery, limit int) []string {
	t.Helper()
	var got []string
	for q.Limit = limit; ; {
		page, err := l.Visits(bg, q)
		must(t, "Lists.Visits page", err)
		if len(page) > limit {
			t.Fatalf("a page of limit %d holds %d visits", limit, len(page))
		}
		if len(page) == 0 || len(got) > 100 {
			return got
		}
		got = append(got, ids(page, visitID)...)
		c := store.VisitCursorOf(page[len(page)-1])
		q.After = &c
	}
}

// testOccupancy: Lists.Occupancy pages a network's locations in ID order
// with how many of their visits are open and started after Since: not
// closed visits, not bookings, not another network's.
func (s *suite) testOccupancy(t *testing.T) {
	st := s.store(t)
	const n, other = "net-1", "net-2"
	since := instant(2, 6, 0)
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		for _, id := range []string{"loc-c", "loc-a", "loc-b", "loc-d"} {
			must(t, "PutLocation", c.PutLocation(bg, sampleLocation(n, id)))
		}
		must(t, "PutLocation", c.PutLocation(bg, sampleLocation(other, "loc-a")))
		for _, v := range []checkin.Visit{
			listVisit(n, "a1", "ada", "loc-a", checkin.CheckInVisit, checkin.ByDay, checkin.Open, instant(2, 9, 0)),
			listVisit(n, "a2", "ben", "loc-a", checkin.CheckInVisit, checkin.ByPAYG, checkin.Open, instant(2, 10, 0)),
			listVisit(n, "a3", "cy", "loc-a", checkin.CheckInVisit, checkin.ByDay, checkin.Open, since), // stale
			listVisit(n, "a4", "dee", "loc-a", checkin.CheckInVisit, checkin.ByDay, checkin.Closed, instant(2, 9, 0)),
			listVisit(n, "b1", "cy", "loc-b", checkin.CheckInVisit, checkin.ByTime, checkin.Open, instant(2, 11, 0)),
			listVisit(n, "b2", "eve", "loc-b", checkin.Booking, checkin.ByVisits, checkin.Booked, instant(2, 11, 0)),
			listVisit(n, "d1", "fay", "loc-d", checkin.Redemption, checkin.ByDay, checkin.Closed, instant(2, 11, 0)),
			listVisit(other, "a1", "ada", "loc-a", checkin.CheckInVisit, checkin.ByDay, checkin.Open, instant(2, 9, 0)),
			listVisit(other, "c1", "ada", "loc-c", checkin.CheckInVisit, checkin.ByDay, checkin.Open, instant(2, 9, 0)),
		} {
			must(t, "Visits.Put", tx.Visits().Put(bg, v))
		}
		return nil
	})
	counts := func(os []store.Occupancy) []string {
		out := make([]string, len(os))
		for i, o := range os {
			out[i] = fmt.Sprintf("%s:%d", o.Location.ID, o.Open)
		}
		return out
	}
	view(t, st, func(tx store.Tx) error {
		l := tx.Lists()
		for _, c := range []struct {
			name  string
			query store.OccupancyQuery
			want  []string
		}{
			{"since", store.OccupancyQuery{Network: n, Since: since}, []string{"loc-a:2", "loc-b:1", "loc-c:0", "loc-d:0"}},
			{"every open visit", store.OccupancyQuery{Network: n}, []string{"loc-a:3", "loc-b:1", "loc-c:0", "loc-d:0"}},
			{"a page", store.OccupancyQuery{Network: n, Since: since, Page: store.Page{After: "loc-a", Limit: 2}}, []string{"loc-b:1", "loc-c:0"}},
			{"the last page", store.OccupancyQuery{Network: n, Page: store.Page{After: "loc-c", Limit: 2}}, []string{"loc-d:0"}},
			{"another network", store.OccupancyQuery{Network: other}, []string{"loc-a:1"}},
			{"no network", store.OccupancyQuery{Network: "net-3"}, []string{}},
		} {
			got, err := l.Occupancy(bg, c.query)
			must(t, "Occupancy "+c.name, err)
			same(t, "Occupancy "+c.name, counts(got), c.want)
		}
		got, err := l.Occupancy(bg, store.OccupancyQuery{Network: n, Page: store.Page{Limit: 1}})
		must(t, "Occupancy", err)
		same(t, "Occupancy location", got, []store.Occupancy{{Location: sampleLocation(n, "loc-a"), Open: 3}})
		return nil
	})
}
