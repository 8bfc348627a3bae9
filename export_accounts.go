package passengine

import (
	"context"
	"io"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// AccountHistoryRequest asks for prepaid account entries to export (M7,
// W1): one holder's, or every account's of the network.
type AccountHistoryRequest struct {
	// Network is the ID of the network whose entries are exported.
	// It has no JSON form: a host takes it from the route or its auth.
	Network string `json:"-"`
	// Holder selects the holder's account; empty: every account.
	Holder string `json:"holder,omitempty"`
	// From, when set, bounds the entries to the days from From in the
	// network's zone; zero: unbounded.
	From calendar.Date `json:"from,omitzero"`
	// To, when set, bounds the entries to the days up to To, included, in
	// the network's zone; zero: unbounded.
	To calendar.Date `json:"to,omitzero"`
}

// WriteAccountHistoryCSV writes prepaid account entries to w as CSV
// through the same streaming facility as the card histories
// (WriteHistoryCSV): a row per entry, oldest first (AccountEntries' order),
// with kind "account", the account's currency as its subject and unit, the
// signed amount as the value (its size in the amount column) and the
// balance after. It returns a *FieldError for a missing network, a
// malformed holder, bad dates or To before From, ErrNotFound for an
// unknown network or holder, and the first error writing to w.
func (e *Engine) WriteAccountHistoryCSV(ctx context.Context, req AccountHistoryRequest, w io.Writer) error {
	if err := field.First(field.ID("network", req.Network), field.OptionalID("holder", req.Holder)); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		on   calendar.Date
	}{{"from", req.From}, {"to", req.To}} {
		if !d.on.IsZero() {
			if err := calendar.CheckDate(d.name, d.on); err != nil {
				return err
			}
		}
	}
	z, err := e.zoneOf(ctx, req.Network)
	if err != nil {
		return err
	}
	page := AccountEntriesRequest{Network: req.Network, Holder: req.Holder, Limit: historyPageSize}
	if !req.From.IsZero() {
		page.From = z.Start(req.From)
	}
	if !req.To.IsZero() {
		page.To = z.End(req.To)
	}
	if !page.From.IsZero() && !page.To.IsZero() && !page.To.After(page.From) {
		return field.Invalid("to", "%s is before from %s", req.To, req.From)
	}
	return e.WriteHistoryCSV(ctx, w, z.Loc, func(ctx context.Context, tx store.Tx, cursor string, limit int) ([]HistoryRow, string, error) {
		page.Cursor, page.Limit = cursor, limit
		p, err := accountEntryPage(ctx, tx, page)
		if err != nil {
			return nil, "", err
		}
		rows := make([]HistoryRow, len(p.Entries))
		for i := range p.Entries {
			rows[i] = accountRow(&p.Entries[i])
		}
		return rows, p.Next, nil
	})
}

// accountRow returns the export row of an account entry.
func accountRow(en *wallet.Entry) HistoryRow {
	minor := int32(money.MinorUnits(en.Currency))
	return HistoryRow{At: en.At, Holder: en.Holder, Kind: "account", Subject: en.Currency, Type: string(en.Type),
		Unit: en.Currency, Value: en.Amount.Amount.StringFixed(minor),
		Amount:  money.Money{Amount: en.Amount.Amount.Abs(), Currency: en.Amount.Currency},
		Comment: en.Comment, Actor: en.Actor, Balance: en.Balance.Amount.StringFixed(minor)}
}
