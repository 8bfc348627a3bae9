package enginetest

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// cardHostileKey is the idempotency key every hostile card call uses;
// cardHostileKeys lists it with the keys of the world's own card calls,
// whose records RunHostile checks are unchanged.
const cardHostileKey = "card-hostile"

var cardHostileKeys = []string{cardHostileKey, "card-old", "card-old-deleted", "card", "card-sale"}

// addCards gives the hostile world's holder a multipass card of 3 visits,
// installed, and a deleted card of the same program before it.
func (h *HostileWorld) addCards(ctx context.Context) error {
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	if err := h.Eng.PutProduct(ctx, pass.Product{Network: hostileNet, ID: "multipass", Kind: pass.Visits, Units: 10,
		Price: usd("100"), Activation: pass.OnPurchase}); err != nil {
		return err
	}
	old, err := h.Eng.IssueCard(ctx, passengine.IssueCardRequest{Key: "card-old", Network: hostileNet, Holder: "ada", Program: "multipass", Card: "old"})
	if err != nil {
		return err
	}
	if _, err := h.Eng.SetCardStatus(ctx, passengine.CardStatusRequest{Key: "card-old-deleted", Network: hostileNet, Card: old.Card.ID,
		Status: card.Deleted, Actor: "manager"}); err != nil {
		return err
	}
	c, err := h.Eng.IssueCard(ctx, passengine.IssueCardRequest{Key: "card", Network: hostileNet, Holder: "ada", Program: "multipass",
		Card: "0042", Status: card.Installed})
	if err != nil {
		return err
	}
	if _, err := h.Eng.AddVisits(ctx, passengine.VisitsRequest{Key: "card-sale", Network: hostileNet, Card: c.Card.ID, Visits: 3,
		Amount: usd("30")}); err != nil {
		return err
	}
	h.Card, h.Deleted = c.Card.ID, old.Card.ID
	return nil
}

// cardHostileInputs are the hostile inputs of the multipass card calls,
// holder deletion and the card queries (RULES M1-M7 with S2, S4, S5): zero
// and negative visits and points, values past the bounds, amounts finer
// than a cent, in another currency or negative, subtracting more visits
// or points than the card holds, any change to a deleted card, IDs with
// NUL bytes, not UTF-8 or past the length bound, text past its bound,
// dates past the years every store keeps, page sizes and windows out of
// range and forged cursors. A fractional visit count cannot be sent: the
// visits and points are Go ints, and JSON refuses 1.5 for them.
func cardHostileInputs() []Hostile {
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	megabyte := strings.Repeat("x", 1<<20)
	year20260 := calendar.Date{Year: 20260, Month: 1, Day: 1}
	visits := func(sub bool, edit func(h *HostileWorld, r *passengine.VisitsRequest)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			r := passengine.VisitsRequest{Key: cardHostileKey, Network: hostileNet, Card: h.Card, Visits: 1, Amount: usd("10")}
			edit(h, &r)
			var err error
			if sub {
				_, err = h.Eng.SubtractVisits(ctx, r)
			} else {
				_, err = h.Eng.AddVisits(ctx, r)
			}
			return err
		}
	}
	add := func(edit func(h *HostileWorld, r *passengine.VisitsRequest)) func(context.Context, *HostileWorld) error {
		return visits(false, edit)
	}
	sub := func(edit func(h *HostileWorld, r *passengine.VisitsRequest)) func(context.Context, *HostileWorld) error {
		return visits(true, edit)
	}
	bonus := func(sub bool, edit func(r *passengine.BonusRequest)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			r := passengine.BonusRequest{Key: cardHostileKey, Network: hostileNet, Card: h.Card, Points: 1}
			edit(&r)
			var err error
			if sub {
				_, err = h.Eng.SubtractBonus(ctx, r)
			} else {
				_, err = h.Eng.AddBonus(ctx, r)
			}
			return err
		}
	}
	issue := func(edit func(r *passengine.IssueCardRequest)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			r := passengine.IssueCardRequest{Key: cardHostileKey, Network: hostileNet, Holder: "new", Program: "multipass"}
			edit(&r)
			_, err := h.Eng.IssueCard(ctx, r)
			return err
		}
	}
	deleted := func(call func(ctx context.Context, h *HostileWorld, id string) error) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error { return call(ctx, h, h.Deleted) }
	}
	return []Hostile{
		{"add zero visits", "visits", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Visits = 0 })},
		{"add minus one visit", "visits", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Visits = -1 })},
		{"add 2^31 visits", "visits", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Visits = 1 << 31 })},
		{"add visits for 10.001 USD", "amount.amount", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Amount = usd("10.001") })},
		{"add visits for 10^30 USD", "amount.amount", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Amount = usd("1e30") })},
		{"add visits for minus 10 USD", "amount.amount", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Amount = usd("-10") })},
		{"add visits paid in EUR", "amount.currency", add(func(_ *HostileWorld, r *passengine.VisitsRequest) {
			r.Amount = money.MustNew("10", "EUR")
		})},
		{"add visits to a card ID with NUL", "card", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Card = "0042\x00" })},
		{"add visits to a card ID of 201 bytes", "card", add(func(_ *HostileWorld, r *passengine.VisitsRequest) {
			r.Card = strings.Repeat("c", field.MaxID+1)
		})},
		{"add visits with a megabyte comment", "comment", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Comment = megabyte })},
		{"add visits by an actor not UTF-8", "actor", add(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Actor = "\xff" })},
		{"add visits to a deleted card", "card", add(func(h *HostileWorld, r *passengine.VisitsRequest) { r.Card = h.Deleted })},
		{"subtract zero visits", "visits", sub(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Visits = 0 })},
		{"subtract more visits than available", "visits", sub(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Visits = 4 })},
		{"subtract minus 2^62 visits", "visits", sub(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Visits = -(1 << 62) })},
		{"refund of 0.5 cents", "amount.amount", sub(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Amount = usd("0.005") })},
		{"refund in EUR", "amount.currency", sub(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Amount = money.MustNew("1", "EUR") })},
		{"subtract a referral", "referral", sub(func(_ *HostileWorld, r *passengine.VisitsRequest) { r.Referral, r.Amount = true, money.Money{} })},
		{"redeem from a deleted card", "card", sub(func(h *HostileWorld, r *passengine.VisitsRequest) {
			r.Card, r.Redeemed, r.Amount = h.Deleted, true, money.Money{}
		})},
		{"add zero points", "points", bonus(false, func(r *passengine.BonusRequest) { r.Points = 0 })},
		{"add 2^40 points", "points", bonus(false, func(r *passengine.BonusRequest) { r.Points = 1 << 40 })},
		{"points bought for 0.001 USD", "amount.amount", bonus(false, func(r *passengine.BonusRequest) { r.Amount = usd("0.001") })},
		{"subtract minus one point", "points", bonus(true, func(r *passengine.BonusRequest) { r.Points = -1 })},
		{"subtract more points than the card has", "points", bonus(true, func(r *passengine.BonusRequest) { r.Points = 1 })},
		{"points with a comment not UTF-8", "comment", bonus(false, func(r *passengine.BonusRequest) { r.Comment = "\xc3\x28" })},
		{"points on a deleted card", "card", deleted(func(ctx context.Context, h *HostileWorld, id string) error {
			_, err := h.Eng.AddBonus(ctx, passengine.BonusRequest{Key: cardHostileKey, Network: hostileNet, Card: id, Points: 5})
			return err
		})},
		{"reinstall a deleted card", "card", deleted(func(ctx context.Context, h *HostileWorld, id string) error {
			_, err := h.Eng.SetCardStatus(ctx, passengine.CardStatusRequest{Key: cardHostileKey, Network: hostileNet, Card: id, Status: card.Installed})
			return err
		})},
		{"extend a deleted card", "card", deleted(func(ctx context.Context, h *HostileWorld, id string) error {
			_, err := h.Eng.SetCardExpiry(ctx, passengine.CardExpiryRequest{Key: cardHostileKey, Network: hostileNet, Card: id,
				ExpiresOn: calendar.NewDate(2027, 1, 1)})
			return err
		})},
		{"card status lost", "status", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.SetCardStatus(ctx, passengine.CardStatusRequest{Key: cardHostileKey, Network: hostileNet, Card: h.Card, Status: "lost"})
			return err
		}},
		{"card expiry in 20260", "expires_on", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.SetCardExpiry(ctx, passengine.CardExpiryRequest{Key: cardHostileKey, Network: hostileNet, Card: h.Card, ExpiresOn: year20260})
			return err
		}},
		{"card expiry on 2026-02-31", "expires_on", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.SetCardExpiry(ctx, passengine.CardExpiryRequest{Key: cardHostileKey, Network: hostileNet, Card: h.Card,
				ExpiresOn: calendar.Date{Year: 2026, Month: 2, Day: 31}})
			return err
		}},
		{"issue a card to a holder not UTF-8", "holder", issue(func(r *passengine.IssueCardRequest) { r.Holder = "\xfe" })},
		{"issue a card of a program with NUL", "program", issue(func(r *passengine.IssueCardRequest) { r.Program = "multi\x00pass" })},
		{"issue a card with a serial of 201 bytes", "card", issue(func(r *passengine.IssueCardRequest) { r.Card = strings.Repeat("9", field.MaxID+1) })},
		{"issue a card expiring in 20260", "expires_on", issue(func(r *passengine.IssueCardRequest) { r.ExpiresOn = year20260 })},
		{"issue a card deleted", "status", issue(func(r *passengine.IssueCardRequest) { r.Status = card.Deleted })},
		{"issue a card with the ID of another", "card", issue(func(r *passengine.IssueCardRequest) { r.Holder, r.Program, r.Card = "ada", "pack", "old" })},
		{"delete a holder ID with NUL", "holder", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.DeleteHolder(ctx, passengine.DeleteHolderRequest{Key: cardHostileKey, Network: hostileNet, Holder: "ada\x00"})
			return err
		}},
		{"delete a holder with a megabyte comment", "comment", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.DeleteHolder(ctx, passengine.DeleteHolderRequest{Key: cardHostileKey, Network: hostileNet, Holder: "ada", Comment: megabyte})
			return err
		}},
		{"card of an ID not UTF-8", "card", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Card(ctx, hostileNet, "\xff")
			return err
		}},
		{"cards in pages of minus one", "limit", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Cards(ctx, passengine.CardFilter{Network: hostileNet, Limit: -1})
			return err
		}},
		{"purchases in pages of 2^31", "limit", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Purchases(ctx, passengine.PurchasesRequest{Network: hostileNet, Holder: "ada", Limit: 1 << 31})
			return err
		}},
		{"purchases after a forged cursor", "cursor", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Purchases(ctx, passengine.PurchasesRequest{Network: hostileNet, Holder: "ada", Cursor: "-1"})
			return err
		}},
		{"purchases of the group lost", "group", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Purchases(ctx, passengine.PurchasesRequest{Network: hostileNet, Holder: "ada", Group: "lost"})
			return err
		}},
		{"expiring within 2^31 days", "within", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.ExpiringSoon(ctx, passengine.ExpiringRequest{Network: hostileNet, Within: 1 << 31})
			return err
		}},
		{"expiring after a forged cursor", "cursor", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.ExpiringSoon(ctx, passengine.ExpiringRequest{Network: hostileNet, Within: 30, Cursor: "not a cursor"})
			return err
		}},
		{"segments to 20260", "to", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.Segments(ctx, passengine.SegmentsRequest{Network: hostileNet, From: calendar.NewDate(2026, 1, 1), To: year20260},
				func(passengine.CardSegment) error { return errors.New("no segment expected") })
		}},
		{"card history of an ID with NUL", "card", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.WriteCardHistoryCSV(ctx, hostileNet, "0042\x00", io.Discard)
		}},
		{"network history from 2026-13-01", "from", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.WriteNetworkHistoryCSV(ctx, passengine.NetworkHistoryRequest{Network: hostileNet,
				From: calendar.Date{Year: 2026, Month: 13, Day: 1}, To: calendar.NewDate(2026, 3, 31)}, io.Discard)
		}},
		{"account history of a holder with NUL", "holder", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.WriteAccountHistoryCSV(ctx, passengine.AccountHistoryRequest{Network: hostileNet, Holder: "a\x00"}, io.Discard)
		}},
		{"account history to 9999-12-32", "to", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.WriteAccountHistoryCSV(ctx, passengine.AccountHistoryRequest{Network: hostileNet,
				To: calendar.Date{Year: 9999, Month: 12, Day: 32}}, io.Discard)
		}},
		{"account history ending before it starts", "to", func(ctx context.Context, h *HostileWorld) error {
			return h.Eng.WriteAccountHistoryCSV(ctx, passengine.AccountHistoryRequest{Network: hostileNet,
				From: calendar.NewDate(2026, 3, 2), To: calendar.NewDate(2026, 3, 1)}, io.Discard)
		}},
	}
}
