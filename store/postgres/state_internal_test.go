package postgres

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
)

// counters are the fields of pass.Pass that passCounters writes.
var counters = map[string]bool{"Balance": true, "Uses": true, "ActivatedOn": true, "ActivatedBy": true, "ExpiresOn": true}

// change changes v, a settable value, to another value of its type: the
// first field it can change of a struct. It reports whether it could.
func change(v reflect.Value) bool {
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second)))
		return true
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(v.Int() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() && change(f) {
				return true
			}
		}
		return false
	default:
		return false
	}
	return true
}

// TestSameRowButCountersSeesEveryField: a change to any field of a pass
// but the counters' makes sameRowButCounters false, so that narrowPass
// never drops it; a change to the counters alone keeps it true.
func TestSameRowButCountersSeesEveryField(t *testing.T) {
	paid := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a := pass.Pass{Network: "n", ID: "p", Product: "pr", Holder: "h", Team: "t", Kind: pass.Visits, Source: "s",
		Units: 10, Balance: 5, UnitValue: money.MustNew("1.50", "USD"), Price: money.MustNew("15", "USD"), Paid: true,
		PaidAt: &paid, PaidBy: "b", Locations: []string{"l"}, Tier: 1, Audience: "member", Priority: "p",
		Activation: pass.OnPurchase, Validity: calendar.Validity{Months: 1}, ActivatedOn: calendar.Date{Year: 2026, Month: 3, Day: 1},
		ActivatedBy: "v", ExpiresOn: calendar.Date{Year: 2026, Month: 4, Day: 1},
		Freezes: []pass.Freeze{{Actor: "f"}}, Uses: 5, IssuedAt: paid, IssuedOn: calendar.Date{Year: 2026, Month: 3, Day: 1},
		CodeHash: "c", CodeSealed: "s", PaidWith: "w", Card: "k"}
	typ := reflect.TypeFor[pass.Pass]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		b := a
		b.Locations, b.Freezes = append([]string(nil), a.Locations...), append([]pass.Freeze(nil), a.Freezes...)
		if !change(reflect.ValueOf(&b).Elem().Field(i)) {
			t.Errorf("field %s: the test cannot change it", name)
			continue
		}
		if got, want := sameRowButCounters(&a, &b), counters[name]; got != want {
			t.Errorf("field %s changed: sameRowButCounters = %v, want %v", name, got, want)
		}
	}
	b := a
	b.UnitValue.Amount = decimal.New(150, -2) // 1.50 again, another coefficient
	if !sameRowButCounters(&a, &b) {
		t.Error("an equal amount with the same exponent: not the same row")
	}
	b.UnitValue.Amount = decimal.New(1500, -3) // 1.500: a numeric of another scale
	if sameRowButCounters(&a, &b) {
		t.Error("an equal amount with another exponent: the same row")
	}
}

// TestNarrowPassOfAMissingRowIsConflict: a pass loaded in a unit of work
// and deleted before its narrow UPDATE (which would change no row) fails
// the commit with store.ErrConflict, which the Engine retries, rather than
// losing the write.
func TestNarrowPassOfAMissingRowIsConflict(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	eng := passengine.New(st, passengine.WithClock(passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	if err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "USD", Zone: "UTC"}),
		eng.PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Zone: "UTC"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: "n", ID: "p", Kind: pass.Visits, Units: 10,
			Price: money.MustNew("10", "USD"), Activation: pass.OnPurchase}),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue", Network: "n", Product: "p", Holder: "h"}); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, func(tx store.Tx) error {
		s, err := tx.(store.StateLoader).LoadState(ctx, store.StateQuery{Network: "n", Holder: "h", Location: "l"})
		if err != nil {
			return err
		}
		if len(s.Live) != 1 {
			return fmt.Errorf("%d live passes, want 1", len(s.Live))
		}
		p := *s.Live[0]
		p.Balance--
		if _, err := st.pool.Exec(ctx, `DELETE FROM passes WHERE network = 'n' AND id = $1`, p.ID); err != nil {
			return err
		}
		return tx.(store.CommitWriter).Defer(ctx, store.Writes{Passes: []pass.Pass{p}})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Update: %v, want store.ErrConflict", err)
	}
}
