package passengine_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
)

// TestRule_C2_DayCoverAfterZoneChange: the Engine reads a call's service
// days in the zone it last saw at the location; when the host moves the
// location to another zone, a check-in still sees the visits of its day
// in the new zone. Here the first check-in is dated 11 March in UTC-12;
// after the location moves to UTC+14, a check-in at 20:00 UTC on 10 March
// falls on 11 March too, so the first visit's day unit covers it (C2),
// where the old zone's days (9 and 10 March) would have consumed a second.
func TestRule_C2_DayCoverAfterZoneChange(t *testing.T) {
	const net = "zones"
	w := newWorld(t, memstore.New(), net, "id-%d", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ctx := w.ctx
	w.must(w.eng.PutNetwork(ctx, catalog.Network{ID: net, Currency: "USD", Zone: "UTC"}))
	club := catalog.Location{Network: net, ID: "club", Zone: "Etc/GMT+12"}
	w.must(w.eng.PutLocation(ctx, club))
	w.must(w.eng.PutHolder(ctx, catalog.Holder{Network: net, ID: "ada", Audience: catalog.Member}))
	w.must(w.eng.PutProduct(ctx, pass.Product{Network: net, ID: "days", Kind: pass.Day, Units: 5,
		Price: money.MustNew("50", "USD"), Activation: pass.OnPurchase}))
	p, err := w.eng.IssuePass(ctx, passengine.IssueRequest{Key: w.key("issue"), Network: net, Product: "days", Holder: "ada", Paid: true})
	w.must(err)

	first := time.Date(2026, 3, 11, 13, 0, 0, 0, time.UTC) // 01:00 on 11 March in UTC-12
	w.clock.Set(first.Add(time.Hour))
	in, err := w.eng.CheckIn(ctx, passengine.CheckInRequest{Key: w.key("in"), Network: net, Holder: "ada", Location: "club", At: first})
	w.must(err)
	_, err = w.eng.CheckOut(ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: net, Visit: in.Visit.ID, At: first.Add(time.Hour)})
	w.must(err)

	club.Zone = "Pacific/Kiritimati" // UTC+14
	w.must(w.eng.PutLocation(ctx, club))
	second := time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC) // 10:00 on 11 March in UTC+14
	again, err := w.eng.CheckIn(ctx, passengine.CheckInRequest{Key: w.key("in"), Network: net, Holder: "ada", Location: "club", At: second})
	w.must(err)
	if got, want := again.Visit.CoveredBy, in.Visit.ID; got != want {
		t.Errorf("check-in on the same day after the zone change: got covered by %q, want %q", got, want)
	}
	if got, want := w.pass(p.ID).Balance, 4; got != want {
		t.Errorf("day units left: got %d, want %d (one day used)", got, want)
	}
}
