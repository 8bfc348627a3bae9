package passengine

import (
	"bytes"
	"encoding/json"

	"github.com/passengine/passengine/internal/wire"
)

// This file holds the JSON forms of the Engine's results that need more
// than their json tags (JSON.md): lists written as [] when empty, never
// null, a pass view that keeps its status beside the pass's own form, and
// an error written as its message.

// MarshalJSON returns r's JSON form (JSON.md): its fields by their json
// tags, with Closed, Balances and Points as [] when empty, never null. Its
// error is the encoder's, nil for every value the Engine returns.
func (r VisitResult) MarshalJSON() ([]byte, error) {
	type plain VisitResult
	p := plain(r)
	p.Closed, p.Balances, p.Points = wire.List(p.Closed), wire.List(p.Balances), wire.List(p.Points)
	return json.Marshal(p)
}

// MarshalJSON returns r's JSON form (JSON.md): its fields by their json
// tags, with Points as [] when empty, never null, and Visit and Holder
// absent unless the code was redeemed. Its error is the encoder's, nil
// for every value the Engine returns.
func (r RedeemResult) MarshalJSON() ([]byte, error) {
	type plain RedeemResult
	p := plain(r)
	p.Points = wire.List(p.Points)
	return json.Marshal(p)
}

// MarshalJSON returns r's JSON form (JSON.md): its fields by their json
// tags, with Entries and Settled as [] when empty, never null. Its error
// is the encoder's, nil for every value the Engine returns.
func (r AccountResult) MarshalJSON() ([]byte, error) {
	type plain AccountResult
	p := plain(r)
	p.Entries, p.Settled = wire.List(p.Entries), wire.List(p.Settled)
	return json.Marshal(p)
}

// MarshalJSON returns r's JSON form (JSON.md): its fields by their json
// tags, with Cancelled, Cards and Revoked as [] when empty, never null.
// Its error is always nil.
func (r DeleteHolderResult) MarshalJSON() ([]byte, error) {
	type plain DeleteHolderResult
	p := plain(r)
	p.Cancelled, p.Cards, p.Revoked = wire.List(p.Cancelled), wire.List(p.Cards), wire.List(p.Revoked)
	return json.Marshal(p)
}

// MarshalJSON returns v's JSON form (JSON.md): the pass's own form
// (pass.Pass.MarshalJSON, without its secrets) with "status" added. Its
// error is the encoder's, nil for every value the Engine returns.
func (v PassView) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(v.Pass)
	if err != nil {
		return nil, err
	}
	status, err := json.Marshal(v.Status)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte("}"))
	b = append(b, `,"status":`...)
	b = append(b, status...)
	return append(b, '}'), nil
}

// MarshalJSON returns r as {"holder":..,"pass":{..}} for a holder that got
// its pass and {"holder":..,"error":"<message>"} for one that did not
// (JSON.md). Its error is the encoder's, nil for every value the Engine
// returns.
func (r BulkResult) MarshalJSON() ([]byte, error) {
	type plain BulkResult
	w := struct {
		plain
		Error string `json:"error,omitempty"`
	}{plain: plain(r)}
	if r.Err != nil {
		w.Error = r.Err.Error()
	}
	return json.Marshal(w)
}

// MarshalJSON returns p's JSON form (JSON.md): Items as [] when empty,
// never null, and Next absent after the last page. Its error is the
// encoder's, nil for every value the Engine returns.
func (p Page[T]) MarshalJSON() ([]byte, error) {
	type plain Page[T]
	q := plain(p)
	q.Items = wire.List(q.Items)
	return json.Marshal(q)
}

// MarshalJSON returns p's JSON form (JSON.md): Items as [] when empty,
// never null. Its error is the encoder's, nil for every value the Engine
// returns.
func (p PurchasesPage) MarshalJSON() ([]byte, error) {
	type plain PurchasesPage
	q := plain(p)
	q.Items = wire.List(q.Items)
	return json.Marshal(q)
}

// MarshalJSON returns p's JSON form (JSON.md): Items as [] when empty,
// never null. Its error is the encoder's, nil for every value the Engine
// returns.
func (p ExpiringPage) MarshalJSON() ([]byte, error) {
	type plain ExpiringPage
	q := plain(p)
	q.Items = wire.List(q.Items)
	return json.Marshal(q)
}

// MarshalJSON returns p's JSON form (JSON.md): Entries as [] when empty,
// never null. Its error is the encoder's, nil for every value the Engine
// returns.
func (p EntryPage) MarshalJSON() ([]byte, error) {
	type plain EntryPage
	q := plain(p)
	q.Entries = wire.List(q.Entries)
	return json.Marshal(q)
}
