package passengine

import (
	"context"
	"io"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// PayoutRequest asks for a payout statement (Y3): one location's, or the
// whole network's when Location is empty, over the service dates
// [From, To].
type PayoutRequest struct {
	// Network is the ID of the network that pays.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Location is the ID of the club paid; "" for every club.
	Location string `json:"location,omitempty"`
	// From is the first service date of the period.
	From calendar.Date `json:"from,omitzero"`
	// To is the last service date of the period, included; not before
	// From.
	To calendar.Date `json:"to,omitzero"`
}

// Payout computes a payout statement (Y1-Y3) with billing.ComputeStatement:
// a line per redeemed visit, paid the per-visit rate of the terms version
// recorded on it within the monthly caps, and a line per PAYG-charged
// check-in, paid the PAYG share of the version in force at its check-in;
// lines rounded to the minor unit, totals the sums of lines, ordered by
// location, instant and visit ID, so computing it again gives the same
// statement. Visits of the month before From are read for the caps but not
// listed. It reads in one read-only unit of work. It returns a *FieldError
// for bad input, ErrNotFound for an unknown network or location, and an
// error wrapping billing.ErrTermsMissing if a visit names a version that
// is not stored.
func (e *Engine) Payout(ctx context.Context, req PayoutRequest) (billing.Statement, error) {
	if err := field.ID("network", req.Network); err != nil {
		return billing.Statement{}, err
	}
	if req.Location != "" {
		if err := field.ID("location", req.Location); err != nil {
			return billing.Statement{}, err
		}
	}
	if !req.From.Valid() {
		return billing.Statement{}, field.Invalid("from", "is not a date")
	}
	if !req.To.Valid() || req.To.Before(req.From) {
		return billing.Statement{}, field.Invalid("to", "%s must be a date on or after from %s", req.To, req.From)
	}
	var st billing.Statement
	err := e.st.View(ctx, func(tx store.Tx) error {
		n, err := network(ctx, tx, req.Network)
		if err != nil {
			return err
		}
		if req.Location != "" {
			if _, err := tx.Catalog().Location(ctx, req.Network, req.Location); err != nil {
				return err
			}
		}
		visits, terms, err := payoutInput(ctx, tx, req, n.Currency)
		if err != nil {
			return err
		}
		st, err = billing.ComputeStatement(billing.StatementSpec{Network: req.Network, Location: req.Location,
			From: req.From, To: req.To, Currency: n.Currency}, visits, terms)
		return err
	})
	return st, err
}

// WritePayoutCSV computes the statement of req (Payout) and writes it to w
// as CSV (billing.Statement.WriteCSV, RFC 4180). It returns Payout's errors
// and w's.
func (e *Engine) WritePayoutCSV(ctx context.Context, req PayoutRequest, w io.Writer) error {
	st, err := e.Payout(ctx, req)
	if err != nil {
		return err
	}
	return st.WriteCSV(w)
}

// payoutInput reads the visits a statement needs (from the first day of
// From's month, for the caps), the passes that paid the redeemed ones, and
// the terms versions of their locations.
func payoutInput(ctx context.Context, tx store.Tx, req PayoutRequest, currency string) ([]billing.PayoutVisit, []billing.Terms, error) {
	f := store.VisitFilter{Network: req.Network, Location: req.Location,
		From: calendar.NewDate(req.From.Year, req.From.Month, 1), To: req.To}
	f.Kind = checkin.Redemption
	redeemed, err := tx.Visits().List(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	f.Kind = checkin.CheckInVisit
	checkIns, err := tx.Visits().List(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	passes := map[string]pass.Pass{}
	locations := map[string]bool{}
	var out []billing.PayoutVisit
	for _, v := range redeemed {
		if v.Status == checkin.Cancelled {
			continue
		}
		p, ok := passes[v.Pass]
		if !ok && v.Pass != "" {
			if p, err = tx.Passes().Get(ctx, req.Network, v.Pass); err != nil {
				return nil, nil, err
			}
			passes[v.Pass] = p
		}
		locations[v.Location] = true
		out = append(out, billing.PayoutVisit{ID: v.ID, Location: v.Location, Holder: v.Holder, Pass: v.Pass,
			Product: p.Product, Tier: p.Tier, Date: v.Date, At: v.Start, Kind: billing.VisitLine, Terms: v.Terms})
	}
	for _, v := range checkIns {
		if len(v.Charges) == 0 {
			continue
		}
		charged := money.Zero(currency)
		for _, c := range v.Charges {
			charged = charged.Add(c.Amount)
		}
		locations[v.Location] = true
		out = append(out, billing.PayoutVisit{ID: v.ID, Location: v.Location, Holder: v.Holder, Pass: v.Pass,
			Date: v.Date, At: v.Start, Kind: billing.PAYGLine, Charged: charged})
	}
	var terms []billing.Terms
	for loc := range locations {
		ts, err := tx.Terms().List(ctx, req.Network, loc)
		if err != nil {
			return nil, nil, err
		}
		terms = append(terms, ts...)
	}
	return out, terms, nil
}
