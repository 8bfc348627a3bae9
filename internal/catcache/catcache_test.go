package catcache

import (
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
)

// TestCache: an entry serves the locations put at its version, rows of an
// older version never replace it and a newer version's do, Drop forgets
// only the version it names, an entry is trusted for MaxAge, and the PAYG
// products handed out share nothing with the cache.
func TestCache(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := Cache{Now: func() time.Time { return now }}
	n := catalog.Network{ID: "n", Name: "N", Currency: "USD", Zone: "UTC"}
	paygs := []billing.PAYG{{Network: "n", ID: "p", Prices: []billing.Price{{Hourly: money.MustNew("4", "USD")}}}}
	if e, _ := c.Lookup("n", "l"); e != nil {
		t.Fatal("empty cache: got an entry")
	}
	c.Put(2, n, 1, paygs, catalog.Location{Network: "n", ID: "l", Name: "L"})
	paygs[0].Prices[0].Hourly = money.MustNew("9", "USD") // the caller's slice, changed after Put
	e, l := c.Lookup("n", "l")
	if e == nil || e.Version != 2 || l.Name != "L" || e.Locations != 1 {
		t.Fatalf("after Put: entry %+v, location %+v", e, l)
	}
	if got := e.PAYGs[0].Prices[0].Hourly.Amount.String(); got != "4" {
		t.Errorf("cached price after the caller changed its slice: %s, want 4", got)
	}
	out := e.PAYGCopy()
	out[0].Prices[0].Hourly = money.MustNew("7", "USD")
	if got := e.PAYGs[0].Prices[0].Hourly.Amount.String(); got != "4" {
		t.Errorf("cached price after a copy handed out was changed: %s, want 4", got)
	}
	if e, _ := c.Lookup("n", "m"); e != nil {
		t.Error("a location never put: got an entry")
	}
	c.Put(1, catalog.Network{ID: "n", Name: "old"}, 5, nil, catalog.Location{Network: "n", ID: "m"})
	if e, _ := c.Lookup("n", "m"); e != nil {
		t.Error("rows of an older version: cached")
	}
	c.Put(3, catalog.Network{ID: "n", Name: "new"}, 2, nil, catalog.Location{Network: "n", ID: "m"})
	if e, _ := c.Lookup("n", "l"); e != nil {
		t.Error("a newer version: the old version's location still served")
	}
	if e, _ := c.Lookup("n", "m"); e == nil || e.Version != 3 || e.Network.Name != "new" {
		t.Errorf("a newer version: entry %+v", e)
	}
	c.Drop("n", 2)
	if e, _ := c.Lookup("n", "m"); e == nil {
		t.Error("Drop of another version: forgot the entry")
	}
	now = now.Add(MaxAge - time.Second)
	if e, _ := c.Lookup("n", "m"); e == nil {
		t.Error("before MaxAge: entry not served")
	}
	now = now.Add(time.Second)
	if e, _ := c.Lookup("n", "m"); e != nil {
		t.Error("at MaxAge: entry still served")
	}
	c.Put(4, n, 1, nil, catalog.Location{Network: "n", ID: "l"})
	c.Drop("n", 4)
	if e, _ := c.Lookup("n", "l"); e != nil {
		t.Error("Drop of its version: entry still served")
	}
}
