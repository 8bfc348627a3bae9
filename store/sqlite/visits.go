package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type visitRepo struct{ t *tx }

var visitColumns = []string{"network", "id", "holder", "location", "kind", "mode", "status", "start_at", "end_at",
	"service_date", "cost", "pass", "covered_by", "payg", "consumptions", "charges", "uncovered_minutes",
	"auto_closed", "activated", "cancelled_at", "late_cancel", "cancelled_by", "fee", "terms", "settled_at",
	"debited", "debited_currency", "owed", "owed_currency"}

// visitRowColumns are visitColumns and the row's version (migration 7),
// at visitVersion: it only grows, across every incarnation of the key, so
// a committed state's version of a visit names its row (visitmemo.go).
// The state statement reads them; the other reads and the upsert of a
// visit name visitColumns only (the triggers set an upsert's version), so
// that they also run on a schema before version 7.
var (
	visitRowColumns = append(visitColumns[:len(visitColumns):len(visitColumns)], "version")
	visitRowCols    = strings.Join(visitRowColumns, ", ")
	visitVersion    = len(visitColumns)
)

var (
	visitCols = strings.Join(visitColumns, ", ")
	putVisit  = upsert("visits", 2, visitColumns...)
	// openQuery reads the partial index visits_open.
	openQuery = `SELECT ` + visitCols + ` FROM visits WHERE network = ? AND holder = ? AND status = 'open' ORDER BY start_at, id`
	// onDatesQuery reads visits_holder_date over the dates at hand only.
	onDatesQuery = `SELECT ` + visitCols + ` FROM visits
		WHERE network = ? AND holder = ? AND service_date >= ? AND service_date <= ? ORDER BY start_at, id`
)

// visitText is the text columns of a visit row before decoding. They are
// scanned into one value, which goes to the heap once for a row, not once
// for each column (Scan takes their addresses as interfaces).
type visitText struct {
	start, date, consumptions, charges, fee, debited, debitedCur, owed, owedCur string
	end, cancelledAt, settledAt                                                 sql.NullString
}

func scanVisit(s scanner) (v checkin.Visit, err error) {
	t := new(visitText)
	if err = s.Scan(&v.Network, &v.ID, &v.Holder, &v.Location, &v.Kind, &v.Mode, &v.Status, &t.start, &t.end,
		&t.date, &v.Cost, &v.Pass, &v.CoveredBy, &v.PAYG, &t.consumptions, &t.charges, &v.UncoveredMinutes,
		&v.AutoClosed, &v.Activated, &t.cancelledAt, &v.LateCancel, &v.CancelledBy, &t.fee, &v.Terms, &t.settledAt,
		&t.debited, &t.debitedCur, &t.owed, &t.owedCur); err != nil {
		return v, err
	}
	var d sqlutil.Decoder
	v.Start = d.Time(t.start)
	v.End = d.TimePtr(t.end)
	v.Date = d.Date(t.date)
	if cs, ok := parseConsumptions(t.consumptions); ok {
		v.Consumptions = cs
	} else {
		d.JSON(t.consumptions, &v.Consumptions)
	}
	if t.charges == "[]" {
		v.Charges = []billing.DayCharge{} // as json.Unmarshal makes it
	} else {
		d.JSON(t.charges, &v.Charges)
	}
	v.CancelledAt = d.TimePtr(t.cancelledAt)
	d.JSON(t.fee, &v.Fee)
	v.SettledAt = d.TimePtr(t.settledAt)
	v.Debited = d.Money(t.debited, t.debitedCur)
	v.Owed = d.Money(t.owed, t.owedCur)
	return v, d.Err()
}

func (r visitRepo) Get(ctx context.Context, network, id string) (checkin.Visit, error) {
	return one(ctx, r.t, scanVisit, fmt.Sprintf("visit %q", id),
		`SELECT `+visitCols+` FROM visits WHERE network = ? AND id = ?`, network, id)
}

func (r visitRepo) Put(ctx context.Context, v checkin.Visit) error {
	consumptions, err := sqlutil.FormatJSON(v.Consumptions)
	if err != nil {
		return err
	}
	charges, err := sqlutil.FormatJSON(v.Charges)
	if err != nil {
		return err
	}
	fee, err := sqlutil.FormatJSON(v.Fee)
	if err != nil {
		return err
	}
	args := []any{v.Network, v.ID, v.Holder, v.Location, string(v.Kind), string(v.Mode), string(v.Status),
		sqlutil.FormatTime(v.Start), timeArg(v.End), sqlutil.FormatDate(v.Date), int64(v.Cost), v.Pass, v.CoveredBy, v.PAYG,
		consumptions, charges, int64(v.UncoveredMinutes), b2i(v.AutoClosed), v.Activated, timeArg(v.CancelledAt),
		b2i(v.LateCancel), v.CancelledBy, fee, v.Terms, timeArg(v.SettledAt),
		sqlutil.FormatDecimal(v.Debited.Amount), v.Debited.Currency, owedText(v.Owed), v.Owed.Currency}
	// A visit the unit of work read (the visit of a call on a visit) is
	// written by its changed columns (rowdiff.go), at one more than the
	// version read, and only when another column changed; any other by
	// the upsert, which the triggers give version 1 (an insert of a key
	// never removed) or more (migration 7). So the version a put expects
	// is at most the row's, and when it is the row's, the row holds args.
	done := false
	if snap := r.t.snapshot(v.Network, v.ID); snap != nil && len(snap.vals) == len(visitRowColumns) {
		if old, ok := snap.vals[visitVersion].(int64); ok {
			done, err = r.t.putChanged(ctx, "visits", visitRowColumns, append(args, old+1))
		}
	}
	if !done && err == nil {
		err = r.t.exec(ctx, putVisit, args...)
	}
	if err != nil {
		return fmt.Errorf("visit %q: %w", v.ID, err)
	}
	// A later call on the visit reads it as its holder's (visithint.go),
	// and, once the unit of work commits, from the memo when the row is
	// at the version expected (visitmemo.go).
	r.t.s.hints.put(visitKey{v.Network, v.ID}, visitHint{holder: v.Holder, location: v.Location, date: args[9].(string)})
	if s := r.t.snapshot(v.Network, v.ID); done && s != nil {
		r.t.learnVisit(s.vals)
	} else if vals, ok := driverValues(append(args, int64(1))); ok {
		r.t.learnVisit(vals)
	}
	return nil
}

// Open reads the open visits only (openQuery).
func (r visitRepo) Open(ctx context.Context, network, holder string) ([]checkin.Visit, error) {
	return list(ctx, r.t, scanVisit, openQuery, network, holder)
}

// OnDates reads the dates at hand only (onDatesQuery).
func (r visitRepo) OnDates(ctx context.Context, network, holder string, from, to calendar.Date) ([]checkin.Visit, error) {
	return list(ctx, r.t, scanVisit, onDatesQuery, network, holder, sqlutil.FormatDate(from), sqlutil.FormatDate(to))
}

func (r visitRepo) OpenBefore(ctx context.Context, network string, t time.Time, n int) ([]checkin.Visit, error) {
	return list(ctx, r.t, scanVisit, `SELECT `+visitCols+` FROM visits
		WHERE network = ? AND status = 'open' AND start_at < ? ORDER BY start_at, id LIMIT ?`,
		network, sqlutil.FormatTime(t), limit(n))
}

func (r visitRepo) List(ctx context.Context, f store.VisitFilter) ([]checkin.Visit, error) {
	q := `SELECT ` + visitCols + ` FROM visits WHERE network = ?`
	args := []any{f.Network}
	add := func(cond string, arg any) {
		q += ` AND ` + cond
		args = append(args, arg)
	}
	if f.Holder != "" {
		add(`holder = ?`, f.Holder)
	}
	if f.Location != "" {
		add(`location = ?`, f.Location)
	}
	if f.Kind != "" {
		add(`kind = ?`, string(f.Kind))
	}
	if f.Mode != "" {
		add(`mode = ?`, string(f.Mode))
	}
	if !f.From.IsZero() {
		add(`service_date >= ?`, sqlutil.FormatDate(f.From))
	}
	if !f.To.IsZero() {
		add(`service_date <= ?`, sqlutil.FormatDate(f.To))
	}
	q += ` ORDER BY start_at, id LIMIT ? OFFSET ?`
	args = append(args, limit(f.Limit), max(f.Offset, 0))
	return list(ctx, r.t, scanVisit, q, args...)
}

// parseConsumptions decodes a visit's consumptions column when it is in
// the form its write gives it (sqlutil.FormatJSON of the list: objects of
// pass, kind and units in that order, no space, strings without escapes),
// to what json.Unmarshal makes of it, and reports false for any other
// text, which the caller gives json.Unmarshal: a fast path for the one
// form, never a second JSON decoder.
func parseConsumptions(s string) ([]checkin.Consumption, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	out := []checkin.Consumption{}
	for body != "" {
		var c checkin.Consumption
		var ok bool
		if body, ok = strings.CutPrefix(body, `{"pass":`); !ok {
			return nil, false
		}
		if c.Pass, body, ok = jsonPlainString(body); !ok {
			return nil, false
		}
		if body, ok = strings.CutPrefix(body, `,"kind":`); !ok {
			return nil, false
		}
		var kind string
		if kind, body, ok = jsonPlainString(body); !ok {
			return nil, false
		}
		c.Kind = pass.Kind(kind)
		if body, ok = strings.CutPrefix(body, `,"units":`); !ok {
			return nil, false
		}
		end := strings.IndexByte(body, '}')
		if end < 0 || !jsonPlainInt(body[:end]) {
			return nil, false
		}
		n, err := strconv.Atoi(body[:end])
		if err != nil {
			return nil, false
		}
		c.Units = n
		out = append(out, c)
		body = body[end+1:]
		if body != "" {
			if body, ok = strings.CutPrefix(body, ","); !ok || body == "" {
				return nil, false
			}
		}
	}
	return out, true
}

// jsonPlainString returns the JSON string at the start of s when it holds
// no escape and no byte JSON forbids or json.Unmarshal would replace
// (control characters, invalid UTF-8), and the rest of s after it.
func jsonPlainString(s string) (string, string, bool) {
	if s == "" || s[0] != '"' {
		return "", s, false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			v := s[1:i]
			if !utf8.ValidString(v) {
				return "", s, false
			}
			return v, s[i+1:], true
		case c == '\\' || c < 0x20:
			return "", s, false
		}
	}
	return "", s, false
}

// jsonPlainInt reports whether s is a JSON integer: an optional minus,
// then 0 or digits not starting with 0.
func jsonPlainInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
