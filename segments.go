package passengine

import (
	"context"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// SegmentsRequest asks for the RFM segments of a network's card holders
// (seed 003).
type SegmentsRequest struct {
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth.
	Network string `json:"-"`
	// From is the first day of the period whose redeemed visits count as
	// frequency, in the network's zone; zero is To less 89 days (90
	// days).
	From calendar.Date `json:"from,omitzero"`
	// To is the last day of that period, included; recency is measured
	// to it. Zero is today.
	To calendar.Date `json:"to,omitzero"`
	// Segmentation holds the thresholds and segment map; nil is
	// card.DefaultSegmentation().
	Segmentation *card.Segmentation `json:"segmentation,omitempty"`
}

// CardSegment is a card's RFM values, score and segment.
type CardSegment struct {
	// Card is the card's ID.
	Card string `json:"card"`
	// Holder is the ID of the card's holder.
	Holder string `json:"holder"`
	// Program is the ID of the card's program.
	Program string `json:"program"`
	// RFM is the card holder's recency, frequency and monetary values.
	RFM card.RFM `json:"rfm"`
	// Score is their scores.
	Score card.Score `json:"score"`
	// Segment is the segment the scores fall in.
	Segment card.Segment `json:"segment"`
}

// segmentsPage is how many cards Segments reads at a time.
const segmentsPage = 500

// Segments computes the RFM segment of each of the network's cards that
// is not deleted, by card ID, and calls yield with each (seed 003): R is
// the days from the last redemption (or, never redeemed, from the card's
// issue) to To; F the visits redeemed from the card in [From, To], less
// those given back; M the card's net revenue. It reads the period's ledger
// entries once (Ledger.PeriodPage) and the cards a page at a time, each
// page in its own read-only unit of work, so memory grows with the cards
// active in the period, not with history. It stops at the first error
// yield returns and returns it; otherwise it returns a *FieldError for a
// missing network, bad dates or thresholds, and ErrNotFound for an
// unknown network.
func (e *Engine) Segments(ctx context.Context, req SegmentsRequest, yield func(CardSegment) error) error {
	if err := field.ID("network", req.Network); err != nil {
		return err
	}
	seg := card.DefaultSegmentation()
	if req.Segmentation != nil {
		seg = *req.Segmentation
	}
	if err := seg.Thresholds.Validate(); err != nil {
		return err
	}
	z, err := e.zoneOf(ctx, req.Network)
	if err != nil {
		return err
	}
	if req.To.IsZero() {
		req.To = z.Date(e.now())
	}
	if req.From.IsZero() {
		req.From = req.To.AddDays(-89)
	}
	if err := field.First(calendar.CheckDate("from", req.From), calendar.CheckDate("to", req.To)); err != nil {
		return err
	}
	start, end, err := z.Range(req.From, req.To)
	if err != nil {
		return err
	}
	visits := map[string]int{} // pass -> visits redeemed in the period
	for cursor := ""; ; {
		var entries []pass.Entry
		err := e.st.View(ctx, func(tx store.Tx) (err error) {
			entries, cursor, err = tx.Ledger().PeriodPage(ctx, req.Network, start, end, cursor, historyPageSize)
			return err
		})
		if err != nil {
			return err
		}
		for i := range entries {
			if t := entries[i].Type; t == pass.EntryUse || t == pass.EntryReturn {
				visits[entries[i].Pass] -= entries[i].Units
			}
		}
		if cursor == "" {
			break
		}
	}
	for after := ""; ; {
		var cards []card.Card
		err := e.st.View(ctx, func(tx store.Tx) (err error) {
			cards, err = tx.Cards().List(ctx, store.CardFilter{Network: req.Network, Live: true, After: after, Limit: segmentsPage})
			return err
		})
		if err != nil {
			return err
		}
		for i := range cards {
			c := &cards[i]
			since := c.IssuedOn
			if !c.LastRedemption.IsZero() {
				since = z.Date(c.LastRedemption)
			}
			v := card.RFM{Recency: max(req.To.DaysSince(since), 0), Frequency: max(visits[c.Pass], 0), Monetary: c.NetRevenue().Amount}
			score, segment := seg.Segment(v)
			if err := yield(CardSegment{Card: c.ID, Holder: c.Holder, Program: c.Program, RFM: v, Score: score, Segment: segment}); err != nil {
				return err
			}
		}
		if len(cards) < segmentsPage {
			return nil
		}
		after = cards[len(cards)-1].ID
	}
}
