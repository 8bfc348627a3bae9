package enginetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

const listsNet = "lists"

// listsWorld is network "lists" on a store: three locations in the zones
// furthest east and west (Kiritimati, UTC+14, cut-off midnight; Pago Pago,
// UTC-11, cut-off 23:00) and London, 12 holders, 3 teams, 4 products, 2
// PAYG products, and the visits of a few days of check-ins.
type listsWorld struct {
	eng    *passengine.Engine
	clock  *passengine.ManualClock
	visits []checkin.Visit // every visit, in (start, ID) order
}

// listLocations are the world's locations with their zone and cut-off.
var listLocations = []catalog.Location{
	{Network: listsNet, ID: "east", Zone: "Pacific/Kiritimati"},
	{Network: listsNet, ID: "london", Zone: "Europe/London", DayCutoff: 4 * time.Hour},
	{Network: listsNet, ID: "west", Zone: "Pacific/Pago_Pago", DayCutoff: 23 * time.Hour},
}

func newListsWorld(t *testing.T, st store.Store) *listsWorld {
	t.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	eng := passengine.New(st, passengine.WithClock(clock), passengine.WithIDs(seqIDs("l%04d")))
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	errs := []error{eng.PutNetwork(ctx, catalog.Network{ID: listsNet, Currency: "USD", Zone: "UTC"}),
		eng.PutNetwork(ctx, catalog.Network{ID: "other", Currency: "USD", Zone: "UTC"}),
		eng.PutLocation(ctx, catalog.Location{Network: "other", ID: "east", Zone: "UTC"})}
	for _, l := range listLocations {
		errs = append(errs, eng.PutLocation(ctx, l))
	}
	for i := range 3 {
		errs = append(errs, eng.PutTeam(ctx, catalog.Team{Network: listsNet, ID: fmt.Sprintf("team-%d", i)}))
	}
	for i := range 12 {
		errs = append(errs, eng.PutHolder(ctx, catalog.Holder{Network: listsNet, ID: fmt.Sprintf("h%02d", i), Audience: catalog.Member}))
	}
	errs = append(errs, eng.PutHolder(ctx, catalog.Holder{Network: "other", ID: "h00", Audience: catalog.Member}))
	for i := range 4 {
		errs = append(errs, eng.PutProduct(ctx, pass.Product{Network: listsNet, ID: fmt.Sprintf("prod-%d", i), Kind: pass.Visits,
			Units: 10, Price: usd("90"), Activation: pass.OnPurchase}))
	}
	for i := range 2 {
		errs = append(errs, eng.PutPAYG(ctx, billing.PAYG{Network: listsNet, ID: fmt.Sprintf("payg-%d", i),
			Prices: []billing.Price{{Audience: catalog.Member, Hourly: usd("10")}}, DailyCap: usd("100")}))
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("lists world: %v", err)
	}
	return &listsWorld{eng: eng, clock: clock}
}

// checkIn checks holder in at location at the instant the location's wall
// clock reads local, with the Engine's clock there too, and returns the
// visit.
func (w *listsWorld) checkIn(t *testing.T, key, holder, location string, local time.Time) checkin.Visit {
	t.Helper()
	at := w.at(location, local)
	w.clock.Set(at)
	r, err := w.eng.CheckIn(context.Background(), passengine.CheckInRequest{Key: key, Network: listsNet, Holder: holder,
		Location: location, At: at})
	if err != nil {
		t.Fatalf("check-in %s: %v", key, err)
	}
	return r.Visit
}

// at returns the instant location's wall clock reads local's date and time.
func (w *listsWorld) at(location string, local time.Time) time.Time {
	i := slices.IndexFunc(listLocations, func(l catalog.Location) bool { return l.ID == location })
	z, err := time.LoadLocation(listLocations[i].Zone)
	if err != nil {
		panic(err)
	}
	return time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), 0, 0, z)
}

// RunLists runs the Engine's lists on a store open makes: every catalog
// list walked page by page, visits of a holder, of a location, of a
// period of service dates (in the zones furthest east and west, where a
// business day's visits start up to a day before its date or two after,
// in UTC) and who is in now, the occupancy of each location, each
// page by its cursor, and the refusals: a cursor altered or of another
// list (a *FieldError), an unknown network, holder or location
// (ErrNotFound).
func RunLists(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	w := newListsWorld(t, open(t))
	t.Run("Catalog", func(t *testing.T) { w.checkCatalog(t) })
	local := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC) }
	// Day 10 at the ends of the world: 00:30 in Kiritimati is 9 March
	// 10:30 UTC; 22:30 on the 11th in Pago Pago, before its 23:00 cut-off,
	// is still the business day of the 10th, on 12 March 09:30 UTC.
	var vs []checkin.Visit
	vs = append(vs, w.checkIn(t, "k1", "h00", "east", local(10, 0, 30)))
	vs = append(vs, w.checkIn(t, "k2", "h01", "west", local(11, 22, 30)))
	vs = append(vs, w.checkIn(t, "k3", "h02", "east", local(11, 0, 30)))
	vs = append(vs, w.checkIn(t, "k4", "h02", "west", local(11, 23, 30)))
	vs = append(vs, w.checkIn(t, "k5", "h03", "london", local(12, 9, 0)))
	for i := range 8 { // h04 to h11 at London at the same instant
		vs = append(vs, w.checkIn(t, fmt.Sprint("k", 6+i), fmt.Sprintf("h%02d", 4+i), "london", local(12, 10, 0)))
	}
	// Three check out, an hour after the last check-in; h00's visit in
	// the east is then more than a day old (stale: it counts in no
	// occupancy) and still open.
	for _, i := range []int{2, 4, 7} {
		w.clock.Set(vs[len(vs)-1].Start.Add(time.Hour))
		r, err := w.eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", i), Network: listsNet, Visit: vs[i].ID})
		if err != nil {
			t.Fatalf("check-out: %v", err)
		}
		vs[i] = r.Visit
	}
	slices.SortFunc(vs, func(a, b checkin.Visit) int { return cmpVisit(&a, &b) })
	w.visits = vs
	t.Run("Visits", func(t *testing.T) { w.checkVisits(t) })
	t.Run("Occupancy", func(t *testing.T) { w.checkOccupancy(t) })
	t.Run("Refusals", func(t *testing.T) { w.checkRefusals(t) })
}

func cmpVisit(a, b *checkin.Visit) int {
	return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID))
}

// walkPages reads every page of a list, limit a page, following Next, and
// fails t when a page is longer than limit, nil, or the walk does not
// end.
func walkPages[T any](t *testing.T, what string, limit int, list func(passengine.PageRequest) (passengine.Page[T], error)) []T {
	t.Helper()
	var all []T
	req := passengine.PageRequest{Limit: limit}
	for range 1000 {
		p, err := list(req)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if p.Items == nil || len(p.Items) > limit {
			t.Fatalf("%s: a page of limit %d holds %d items (nil: %t)", what, limit, len(p.Items), p.Items == nil)
		}
		all = append(all, p.Items...)
		if p.Next == "" {
			return all
		}
		req.Cursor = p.Next
	}
	t.Fatalf("%s: the pages do not end", what)
	return nil
}

// checkIDs walks a list in ID order by pages of 1, 2 and 100 and compares
// its IDs with want.
func checkIDs[T any](t *testing.T, what string, list func(passengine.PageRequest) (passengine.Page[T], error), id func(T) string, want []string) {
	t.Helper()
	for _, limit := range []int{1, 2, 100} {
		var got []string
		for _, v := range walkPages(t, what, limit, list) {
			got = append(got, id(v))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s by %d: got %v, want %v", what, limit, got, want)
		}
	}
}

func seq(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

func (w *listsWorld) checkCatalog(t *testing.T) {
	ctx, e := context.Background(), w.eng
	checkIDs(t, "Networks", func(r passengine.PageRequest) (passengine.Page[catalog.Network], error) { return e.Networks(ctx, r) },
		func(n catalog.Network) string { return n.ID }, []string{listsNet, "other"})
	checkIDs(t, "Locations", func(r passengine.PageRequest) (passengine.Page[catalog.Location], error) {
		return e.Locations(ctx, listsNet, r)
	}, func(l catalog.Location) string { return l.ID }, []string{"east", "london", "west"})
	checkIDs(t, "Holders", func(r passengine.PageRequest) (passengine.Page[catalog.Holder], error) {
		return e.Holders(ctx, listsNet, r)
	},
		func(h catalog.Holder) string { return h.ID }, seq("h%02d", 12))
	checkIDs(t, "Teams", func(r passengine.PageRequest) (passengine.Page[catalog.Team], error) {
		return e.Teams(ctx, listsNet, r)
	},
		func(tm catalog.Team) string { return tm.ID }, seq("team-%d", 3))
	checkIDs(t, "Products", func(r passengine.PageRequest) (passengine.Page[pass.Product], error) {
		return e.Products(ctx, listsNet, r)
	},
		func(p pass.Product) string { return p.ID }, seq("prod-%d", 4))
	checkIDs(t, "PAYGs", func(r passengine.PageRequest) (passengine.Page[billing.PAYG], error) {
		return e.PAYGs(ctx, listsNet, r)
	},
		func(p billing.PAYG) string { return p.ID }, seq("payg-%d", 2))
	checkIDs(t, "Holders of another network", func(r passengine.PageRequest) (passengine.Page[catalog.Holder], error) {
		return e.Holders(ctx, "other", r)
	}, func(h catalog.Holder) string { return h.ID }, []string{"h00"})
	empty, err := e.Teams(ctx, "other", passengine.PageRequest{})
	if err != nil || empty.Items == nil || len(empty.Items) != 0 || empty.Next != "" {
		t.Errorf("Teams of a network without teams: got %+v, %v; want an empty page, no next", empty, err)
	}
}

// want returns the IDs of the world's visits that keep says, in order.
func (w *listsWorld) want(keep func(*checkin.Visit) bool) []string {
	var ids []string
	for i := range w.visits {
		if keep(&w.visits[i]) {
			ids = append(ids, w.visits[i].ID)
		}
	}
	return ids
}

func (w *listsWorld) checkVisits(t *testing.T) {
	ctx := context.Background()
	day := func(d int) calendar.Date { return calendar.NewDate(2026, 3, d) }
	for _, c := range []struct {
		name   string
		filter passengine.VisitFilter
		keep   func(*checkin.Visit) bool
	}{
		{"all", passengine.VisitFilter{}, func(*checkin.Visit) bool { return true }},
		{"in now", passengine.VisitFilter{Status: checkin.Open}, func(v *checkin.Visit) bool { return v.IsOpen() }},
		{"closed", passengine.VisitFilter{Status: checkin.Closed}, func(v *checkin.Visit) bool { return v.Status == checkin.Closed }},
		{"holder", passengine.VisitFilter{Holder: "h02"}, func(v *checkin.Visit) bool { return v.Holder == "h02" }},
		{"holder in now", passengine.VisitFilter{Holder: "h02", Status: checkin.Open}, func(v *checkin.Visit) bool {
			return v.Holder == "h02" && v.IsOpen()
		}},
		{"location", passengine.VisitFilter{Location: "london"}, func(v *checkin.Visit) bool { return v.Location == "london" }},
		{"in now at a location", passengine.VisitFilter{Location: "london", Status: checkin.Open}, func(v *checkin.Visit) bool {
			return v.Location == "london" && v.IsOpen()
		}},
		{"kind and mode", passengine.VisitFilter{Kind: checkin.CheckInVisit, Mode: checkin.ByPAYG}, func(*checkin.Visit) bool { return true }},
		{"business day 10", passengine.VisitFilter{From: day(10), To: day(10)}, func(v *checkin.Visit) bool { return v.Date == day(10) }},
		{"business days 11 and 12", passengine.VisitFilter{From: day(11), To: day(12)}, func(v *checkin.Visit) bool {
			return !v.Date.Before(day(11)) && !v.Date.After(day(12))
		}},
		{"from day 11", passengine.VisitFilter{From: day(11)}, func(v *checkin.Visit) bool { return !v.Date.Before(day(11)) }},
		{"to day 10 in the west", passengine.VisitFilter{To: day(10), Location: "west"}, func(v *checkin.Visit) bool {
			return v.Location == "west" && !v.Date.After(day(10))
		}},
	} {
		want := w.want(c.keep)
		f := c.filter
		f.Network = listsNet
		for _, limit := range []int{1, 3, 100} {
			vs := walkPages(t, "Visits "+c.name, limit, func(r passengine.PageRequest) (passengine.Page[checkin.Visit], error) {
				f.Cursor, f.Limit = r.Cursor, r.Limit
				return w.eng.Visits(ctx, f)
			})
			var got []string
			for _, v := range vs {
				got = append(got, v.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Visits %s by %d: got %v, want %v", c.name, limit, got, want)
			}
		}
	}
	// The extremes of day 10 are on 9 and 12 March in UTC.
	if d := w.want(func(v *checkin.Visit) bool { return v.Date == day(10) }); len(d) != 2 {
		t.Errorf("visits of business day 10: got %v, want the two at the ends of the world", d)
	}
	all, err := w.eng.Visits(ctx, passengine.VisitFilter{Network: listsNet})
	if err != nil || len(all.Items) != len(w.visits) {
		t.Fatalf("Visits: got %d, %v; want %d", len(all.Items), err, len(w.visits))
	}
	for i, v := range all.Items {
		if d := store.VisitCursorOf(v); d != store.VisitCursorOf(w.visits[i]) || v.Status != w.visits[i].Status {
			t.Errorf("visit %d: got %s %s %s, want %s %s %s", i, v.ID, v.Start, v.Status, w.visits[i].ID, w.visits[i].Start, w.visits[i].Status)
		}
	}
}

func (w *listsWorld) checkOccupancy(t *testing.T) {
	ctx := context.Background()
	count := func() map[string]int {
		got := map[string]int{}
		for _, o := range walkPages(t, "Occupancy", 2, func(r passengine.PageRequest) (passengine.Page[passengine.Occupancy], error) {
			return w.eng.Occupancy(ctx, listsNet, r)
		}) {
			got[o.Location.ID] = o.CheckedIn
		}
		return got
	}
	// The clock is an hour after the last check-in (12 March, 10:00
	// UTC): h00's visit in the east (9 March) is stale, h02's of the 10th
	// is closed; h01 and h02 are in the west, 7 of 9 in London.
	in := map[string]int{"east": 0, "west": 2, "london": 7}
	if got := count(); !maps.Equal(got, in) {
		t.Errorf("Occupancy now: got %v, want %v", got, in)
	}
	w.clock.Set(w.clock.Now().Add(passengine.DefaultMaxOpen))
	if got := count(); !maps.Equal(got, map[string]int{"east": 0, "west": 0, "london": 0}) {
		t.Errorf("Occupancy a day later: got %v, want nobody (every open visit is older than the longest visit)", got)
	}
}

func (w *listsWorld) checkRefusals(t *testing.T) {
	ctx, e := context.Background(), w.eng
	fieldNamed := func(what, name string, err error) {
		t.Helper()
		var fe *field.Error
		if !errors.As(err, &fe) || fe.Name != name {
			t.Errorf("%s: got %v, want a *FieldError named %q", what, err, name)
		}
	}
	holders, err := e.Holders(ctx, listsNet, passengine.PageRequest{Limit: 2})
	if err != nil || holders.Next == "" {
		t.Fatalf("Holders: got %+v, %v", holders, err)
	}
	visits, err := e.Visits(ctx, passengine.VisitFilter{Network: listsNet, Limit: 2})
	if err != nil || visits.Next == "" {
		t.Fatalf("Visits: got %+v, %v", visits, err)
	}
	altered := []byte(holders.Next)
	altered[len(altered)/2] ^= 1
	for name, cursor := range map[string]string{"altered": string(altered), "not base64": "!!", "empty JSON": "e30",
		"of Visits": visits.Next, "cut short": holders.Next[:len(holders.Next)-3]} {
		_, err := e.Holders(ctx, listsNet, passengine.PageRequest{Cursor: cursor})
		fieldNamed("Holders with a cursor "+name, "cursor", err)
	}
	_, err = e.Visits(ctx, passengine.VisitFilter{Network: listsNet, Cursor: holders.Next})
	fieldNamed("Visits with a cursor of Holders", "cursor", err)
	_, err = e.Locations(ctx, listsNet, passengine.PageRequest{Limit: 10_001})
	fieldNamed("Locations of limit 10,001", "limit", err)
	_, err = e.Visits(ctx, passengine.VisitFilter{Network: listsNet, Status: "in"})
	fieldNamed("Visits of status \"in\"", "status", err)
	for what, err := range map[string]error{
		"Locations of an unknown network": func() error { _, err := e.Locations(ctx, "nowhere", passengine.PageRequest{}); return err }(),
		"Occupancy of an unknown network": func() error { _, err := e.Occupancy(ctx, "nowhere", passengine.PageRequest{}); return err }(),
		"Visits of an unknown holder": func() error {
			_, err := e.Visits(ctx, passengine.VisitFilter{Network: listsNet, Holder: "nobody"})
			return err
		}(),
		"Visits at an unknown location": func() error {
			_, err := e.Visits(ctx, passengine.VisitFilter{Network: "other", Location: "west"})
			return err
		}(),
		"Passes of an unknown holder": func() error {
			_, err := e.Passes(ctx, passengine.PassFilter{Network: listsNet, Holder: "nobody"})
			return err
		}(),
		"Passes of another network's holder": func() error {
			_, err := e.Passes(ctx, passengine.PassFilter{Network: "other", Holder: "h01"})
			return err
		}(),
	} {
		if !errors.Is(err, passengine.ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", what, err)
		}
	}
}
