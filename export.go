package passengine

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// This file holds the history export (RULES M7): one facility that writes
// a paged source of history rows as CSV, and the sources of a card's
// entries and of a network's entries in a period.

// HistoryRow is one row of a history export (M7): an entry of a card, a
// pass or an account, whichever its source reads.
type HistoryRow struct {
	// At is the entry's instant.
	At time.Time `json:"at,omitzero"`
	// Holder is the ID of the holder the entry concerns.
	Holder string `json:"holder"`
	// Kind is what Subject is: "card", "pass" or "account".
	Kind string `json:"kind"`
	// Subject is the ID of the card, pass or account holder the entry is of.
	Subject string `json:"subject"`
	// Type says what the entry did ("visits_added", "bonus_awarded", ...).
	Type string `json:"type"`
	// Unit is what Value and Balance count: "visits", "points", "days",
	// "minutes", or a currency code; "" for an entry that counts nothing.
	Unit string `json:"unit,omitempty"`
	// Value is the signed change; Balance the balance after it.
	Value string `json:"value"`
	// Amount is the money the entry carried; the zero Money (absent from
	// the JSON form) for none.
	Amount money.Money `json:"amount,omitzero"`
	// Comment is the entry's comment.
	Comment string `json:"comment,omitempty"`
	// Actor is who made the entry.
	Actor string `json:"actor,omitempty"`
	// Balance is described with Value above: the balance after the entry, as
	// text in Unit.
	Balance string `json:"balance"`
}

// HistoryPage reads, in the read-only unit of work tx, up to limit rows
// after cursor ("" for the first page), oldest first, and returns them
// with the cursor of the next page, "" after the last page. A source reads
// from a store method with an opaque cursor, so a page costs the same
// wherever it is in the history.
type HistoryPage func(ctx context.Context, tx store.Tx, cursor string, limit int) (rows []HistoryRow, next string, err error)

// HistoryHeader is the header row of a history export.
var HistoryHeader = []string{"instant_local", "instant_utc", "holder", "kind", "subject", "type", "unit", "value",
	"amount", "currency", "comment", "actor", "balance_after"}

// historyPageSize is how many rows an export reads per unit of work.
const historyPageSize = 1000

// WriteHistoryCSV writes the rows read reads to w as CSV (RFC 4180,
// encoding/csv): HistoryHeader, then a row per entry with its instant in
// zone (RFC 3339 with the zone's offset) and in UTC. It streams: each page
// is read in its own read-only unit of work and written before the next
// is read, so memory does not grow with the history. It returns the first
// error of a read or a write; rows written before it stay written.
func (e *Engine) WriteHistoryCSV(ctx context.Context, w io.Writer, zone *time.Location, read HistoryPage) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(HistoryHeader); err != nil {
		return err
	}
	record := make([]string, len(HistoryHeader))
	var rows []HistoryRow
	for cursor := ""; ; {
		var next string
		err := e.st.View(ctx, func(tx store.Tx) (err error) {
			rows, next, err = read(ctx, tx, cursor, historyPageSize)
			return err
		})
		if err != nil {
			return err
		}
		for i := range rows {
			r := &rows[i]
			amount, currency := "", ""
			if !r.Amount.IsZero() {
				amount = r.Amount.Amount.StringFixed(int32(money.MinorUnits(r.Amount.Currency)))
				currency = r.Amount.Currency
			}
			record[0], record[1] = r.At.In(zone).Format(time.RFC3339Nano), r.At.UTC().Format(time.RFC3339Nano)
			record[2], record[3], record[4], record[5], record[6] = r.Holder, r.Kind, r.Subject, r.Type, r.Unit
			record[7], record[8], record[9], record[10], record[11], record[12] = r.Value, amount, currency, r.Comment, r.Actor, r.Balance
			if err := cw.Write(record); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// entryType returns the export type of a ledger entry.
func entryType(e *pass.Entry) string {
	switch e.Type {
	case pass.EntryIssue:
		return "issued"
	case pass.EntryAdjust:
		if e.Units < 0 {
			return "units_removed"
		}
		return "units_added"
	case pass.EntryReferral:
		return "referral_units_added"
	case pass.EntryUse:
		return "units_redeemed"
	case pass.EntryReturn:
		return "units_returned"
	case pass.EntryImported:
		return "units_used_before_import"
	case pass.EntryBonus:
		if e.Points < 0 {
			return "bonus_removed"
		}
		return "bonus_added"
	case pass.EntryReward:
		if e.Points < 0 {
			return "bonus_taken_back"
		}
		return "bonus_awarded"
	}
	return string(e.Type)
}

// units names what a pass of kind k counts.
func units(k pass.Kind) string {
	switch k {
	case pass.Visits:
		return "visits"
	case pass.Day:
		return "days"
	case pass.Time:
		return "minutes"
	}
	return string(k)
}

// entryRow returns the export row of entry en of a pass of kind k, whose
// card is card ("" for none). A card's rows name the card and say
// "visits_added" where a pass's say "units_added".
func entryRow(en *pass.Entry, k pass.Kind, card string) HistoryRow {
	r := HistoryRow{At: en.At, Holder: en.Holder, Kind: "pass", Subject: en.Pass, Type: entryType(en),
		Amount: en.Amount, Comment: en.Comment, Actor: en.Actor, Balance: strconv.Itoa(en.Balance)}
	if card != "" {
		r.Kind, r.Subject, r.Type = "card", card, visitsType(r.Type)
	}
	switch {
	case en.Type == pass.EntryBonus || en.Type == pass.EntryReward:
		r.Unit, r.Value, r.Balance = "points", strconv.Itoa(en.Points), strconv.Itoa(en.Bonus)
	case en.Units != 0 || en.Type == pass.EntryIssue || en.Type == pass.EntryAdjust:
		r.Unit, r.Value = units(k), strconv.Itoa(en.Units)
	}
	return r
}

// visitsType names a card's unit entries for its visits.
func visitsType(t string) string {
	switch t {
	case "units_added":
		return "visits_added"
	case "units_removed":
		return "visits_removed"
	case "referral_units_added":
		return "referral_visits_added"
	case "units_redeemed":
		return "visits_redeemed"
	case "units_returned":
		return "visits_returned"
	}
	return t
}

// WriteCardHistoryCSV writes the history of a card (M7) to w as CSV: every
// entry of its pass's ledger in the order written (visits added, removed,
// redeemed and returned, bonus points added, removed, awarded and taken
// back, status and expiry changes), with instants in the network's zone
// and in UTC, streamed page by page (WriteHistoryCSV). It returns a
// *FieldError for a missing network or card, ErrNotFound for an unknown
// one, and the first error writing to w.
func (e *Engine) WriteCardHistoryCSV(ctx context.Context, network, cardID string, w io.Writer) error {
	if err := field.First(field.ID("network", network), field.ID("card", cardID)); err != nil {
		return err
	}
	v, err := e.Card(ctx, network, cardID)
	if err != nil {
		return err
	}
	z, err := e.zoneOf(ctx, network)
	if err != nil {
		return err
	}
	return e.WriteHistoryCSV(ctx, w, z.Loc, func(ctx context.Context, tx store.Tx, cursor string, limit int) ([]HistoryRow, string, error) {
		entries, next, err := tx.Ledger().PassPage(ctx, network, v.Card.Pass, cursor, limit)
		rows := make([]HistoryRow, len(entries))
		for i := range entries {
			rows[i] = entryRow(&entries[i], pass.Visits, cardID)
		}
		return rows, next, err
	})
}

// NetworkHistoryRequest asks for a network's ledger entries of a period.
type NetworkHistoryRequest struct {
	// Network is the ID of the network whose entries are exported.
	// It has no JSON form: a host takes it from the route or its auth.
	Network string `json:"-"`
	// From is the period's first day in the network's zone.
	From calendar.Date `json:"from,omitzero"`
	// To is the period's last day in the network's zone, included.
	To calendar.Date `json:"to,omitzero"`
}

// WriteNetworkHistoryCSV writes the network's ledger entries whose instant
// falls in [From, To] in the network's zone (M7) to w as CSV, by instant:
// every pass's and card's entries, a card's naming the card. It streams
// page by page (WriteHistoryCSV); to keep memory flat it remembers the
// kind and card of at most 65,536 passes at a time. It returns a
// *FieldError for a missing network or bad dates, ErrNotFound for an
// unknown network, and the first error writing to w.
func (e *Engine) WriteNetworkHistoryCSV(ctx context.Context, req NetworkHistoryRequest, w io.Writer) error {
	if err := field.First(field.ID("network", req.Network), calendar.CheckDate("from", req.From), calendar.CheckDate("to", req.To)); err != nil {
		return err
	}
	z, err := e.zoneOf(ctx, req.Network)
	if err != nil {
		return err
	}
	start, end, err := z.Range(req.From, req.To)
	if err != nil {
		return err
	}
	type passInfo struct {
		kind pass.Kind
		card string
	}
	known := map[string]passInfo{}
	return e.WriteHistoryCSV(ctx, w, z.Loc, func(ctx context.Context, tx store.Tx, cursor string, limit int) ([]HistoryRow, string, error) {
		entries, next, err := tx.Ledger().PeriodPage(ctx, req.Network, start, end, cursor, limit)
		if err != nil {
			return nil, "", err
		}
		if len(known) > 1<<16 {
			clear(known)
		}
		rows := make([]HistoryRow, len(entries))
		for i := range entries {
			info, ok := known[entries[i].Pass]
			if !ok {
				p, err := tx.Passes().Get(ctx, req.Network, entries[i].Pass)
				if err != nil {
					return nil, "", err
				}
				info = passInfo{p.Kind, p.Card}
				known[p.ID] = info
			}
			rows[i] = entryRow(&entries[i], info.kind, info.card)
		}
		return rows, next, nil
	})
}
