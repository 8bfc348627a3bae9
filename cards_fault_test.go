package passengine_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
)

// cardFaultWorld is a studio where ada has a multipass card of the status
// with 5 visits and a booking paid by it, on a store that can fail.
func cardFaultWorld(t *testing.T, status card.Status) (*passengine.Engine, *storefault.Store, string, string) {
	t.Helper()
	ctx := context.Background()
	fs := storefault.New(memstore.New())
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(fs, passengine.WithClock(clock), passengine.WithBonusRule(card.BonusRule{PerVisit: 1}))
	if err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "GBP", Zone: "Europe/London"}),
		eng.PutLocation(ctx, catalog.Location{Network: "n", ID: "soho", Zone: "Europe/London"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "ada", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: "n", ID: "multi", Kind: pass.Visits, Units: 10, Price: money.MustNew("100", "GBP"), Activation: pass.OnPurchase}),
	); err != nil {
		t.Fatal(err)
	}
	c, err := eng.IssueCard(ctx, passengine.IssueCardRequest{Key: "card", Network: "n", Holder: "ada", Program: "multi", Status: status})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.AddVisits(ctx, passengine.VisitsRequest{Key: "add", Network: "n", Card: c.Card.ID, Visits: 5, Amount: money.MustNew("50", "GBP")}); err != nil {
		t.Fatal(err)
	}
	b, err := eng.Book(ctx, passengine.BookRequest{Key: "book", Network: "n", Holder: "ada", Location: "soho", Start: clock.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return eng, fs, c.Card.ID, b.Visit.ID
}

// Rules I3, M3, M5: a card call, a check-in paid by a card, a cancel that
// gives a card's visit back and a holder deletion that fail at any store
// call (each is tried in turn) write nothing, not even to the card's row;
// the retry ends where a clean run does.
func TestRule_I3_M3_M5_FailedCardCallWritesNothing(t *testing.T) {
	ctx := context.Background()
	ops := map[string]func(eng *passengine.Engine, cardID, booking string) error{
		"AddVisits": func(eng *passengine.Engine, cardID, _ string) error {
			_, err := eng.AddVisits(ctx, passengine.VisitsRequest{Key: "k", Network: "n", Card: cardID, Visits: 2, Referral: true})
			return err
		},
		"SubtractBonus": func(eng *passengine.Engine, cardID, _ string) error {
			_, err := eng.SubtractBonus(ctx, passengine.BonusRequest{Key: "k", Network: "n", Card: cardID, Points: 1})
			return err
		},
		"CheckIn": func(eng *passengine.Engine, _, _ string) error {
			_, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "k", Network: "n", Holder: "ada", Location: "soho"})
			return err
		},
		"CancelBooking": func(eng *passengine.Engine, _, booking string) error {
			_, err := eng.CancelBooking(ctx, passengine.CancelRequest{Key: "k", Network: "n", Visit: booking})
			return err
		},
		"DeleteHolder": func(eng *passengine.Engine, _, _ string) error {
			_, err := eng.DeleteHolder(ctx, passengine.DeleteHolderRequest{Key: "k", Network: "n", Holder: "ada"})
			return err
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			status := card.Installed
			if name == "DeleteHolder" {
				status = card.NotInstalled
			}
			eng, fs, cardID, booking := cardFaultWorld(t, status)
			if err := op(eng, cardID, booking); err != nil {
				t.Fatal(err)
			}
			want := take(t, fs.Inner())
			for n := 1; ; n++ {
				eng, fs, cardID, booking := cardFaultWorld(t, status)
				before := take(t, fs.Inner())
				fs.FailAt(n, nil)
				err := op(eng, cardID, booking)
				if !fs.Fired() {
					if err != nil {
						t.Fatal(err)
					}
					break
				}
				after := take(t, fs.Inner())
				if !errors.Is(err, storefault.ErrInjected) {
					t.Fatalf("failure at call %d (%s): got %v, want the injected error", n, fs.FiredAt(), err)
				}
				if !reflect.DeepEqual(before, after) {
					t.Fatalf("failure at call %d (%s) changed the store", n, fs.FiredAt())
				}
				fs.Disarm()
				if err := op(eng, cardID, booking); err != nil {
					t.Fatalf("retry after a failure at call %d (%s): %v", n, fs.FiredAt(), err)
				}
				if got := take(t, fs.Inner()); !sameShape(got, want) {
					t.Fatalf("retry after a failure at call %d (%s): the store differs from a clean run", n, fs.FiredAt())
				}
			}
		})
	}
}

func take(t *testing.T, st store.Store) enginetest.Snapshot {
	t.Helper()
	s, err := enginetest.Take(context.Background(), st, "n")
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(s.CheckBalances(), s.CheckCards()); err != nil {
		t.Fatal(err)
	}
	return s
}

// sameShape compares two snapshots but for generated IDs: the passes'
// balances and revocation, the cards' counters and status, and the
// ledger's entry types and units.
func sameShape(a, b enginetest.Snapshot) bool {
	if len(a.Passes) != len(b.Passes) || len(a.Cards) != len(b.Cards) || len(a.Ledger) != len(b.Ledger) || len(a.Visits) != len(b.Visits) {
		return false
	}
	for i := range a.Passes {
		if a.Passes[i].Balance != b.Passes[i].Balance || a.Passes[i].Revoked != b.Passes[i].Revoked {
			return false
		}
	}
	for i := range a.Cards {
		if a.Cards[i].Status != b.Cards[i].Status || a.Cards[i].Redeemed != b.Cards[i].Redeemed ||
			a.Cards[i].Bonus != b.Cards[i].Bonus || a.Cards[i].Sold != b.Cards[i].Sold {
			return false
		}
	}
	for i := range a.Ledger {
		if a.Ledger[i].Type != b.Ledger[i].Type || a.Ledger[i].Units != b.Ledger[i].Units || a.Ledger[i].Points != b.Ledger[i].Points {
			return false
		}
	}
	return true
}
