package passengine

import (
	"context"
	"errors"
	"log/slog"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// SlogMessage is the message of every record SlogObserver logs.
const SlogMessage = "passengine call"

// SlogObserver returns an Observer that logs one record per Engine call to
// l (slog.Default() when l is nil), with message SlogMessage and these
// attributes, always present and in this order:
//
//   - op: the operation (Event.Op), a string
//   - network: the network (Event.Network), a string
//   - key: the idempotency key, a string, "" for reads
//   - code: the error's stable code ("not_found", "invalid",
//     "internal", ...), "" for a success
//   - retries: conflict retries, an int
//   - replayed: whether the result was a replay, a bool
//   - duration: the call's time, a time.Duration
//   - store_duration: its time inside the store, a time.Duration
//
// and, for a failed call, error: the error's message. The level is Info
// for a success, Warn for a call the Engine refused (bad input, not
// found, no entitlement, a reused key: the client's to fix) and Error for
// a fault of the store, the host or the Engine (a code of HTTP status 500
// or more). Nothing is formatted when l does not log the level.
func SlogObserver(l *slog.Logger) Observer {
	if l == nil {
		l = slog.Default()
	}
	return slogObserver{l}
}

type slogObserver struct{ l *slog.Logger }

// Observe logs ev.
func (o slogObserver) Observe(ctx context.Context, ev Event) {
	code, fault := eventCode(ev.Err)
	level := slog.LevelInfo
	switch {
	case fault:
		level = slog.LevelError
	case ev.Err != nil:
		level = slog.LevelWarn
	}
	if !o.l.Enabled(ctx, level) {
		return
	}
	attrs := [9]slog.Attr{
		slog.String("op", ev.Op),
		slog.String("network", ev.Network),
		slog.String("key", ev.Key),
		slog.String("code", code),
		slog.Int("retries", ev.Retries),
		slog.Bool("replayed", ev.Replayed),
		slog.Duration("duration", ev.Duration),
		slog.Duration("store_duration", ev.StoreDuration),
	}
	n := 8
	if ev.Err != nil {
		attrs[n] = slog.String("error", ev.Err.Error())
		n++
	}
	o.l.LogAttrs(ctx, level, SlogMessage, attrs[:n]...)
}

// eventCode returns err's stable code ("" for nil) and whether it is a
// fault (HTTP status 500 or more) rather than a refusal.
//
// It stands in for CodeOf (branch errsrv), with the same codes for the
// Engine's sentinel errors; once CodeOf is on main it becomes
// c := CodeOf(err); return string(c), c.Status() >= 500.
func eventCode(err error) (code string, fault bool) {
	if err == nil {
		return "", false
	}
	for _, c := range eventCodes {
		if errors.Is(err, c.err) {
			return c.code, c.fault
		}
	}
	return "internal", true
}

// eventCodes are the Engine's errors and their codes, the most specific
// first (a refused redemption matches ErrNoEntitlement too).
var eventCodes = []struct {
	err   error
	code  string
	fault bool
}{
	{ErrKeyReused, "key_reused", false}, {ErrErased, "erased", false},
	{ErrLocationLocked, "location_locked", false}, {ErrNoEntitlement, "no_entitlement", false},
	{ErrUnknownCode, "refused", false}, {ErrNoHealthDeclaration, "refused", false},
	{ErrAlreadyCheckedIn, "already_checked_in", false}, {store.ErrCursor, "cursor", false},
	{ErrInvalid, "invalid", false}, {ErrCardExists, "card_exists", false},
	{ErrCardInstalled, "card_installed", false}, {wallet.ErrInsufficientFunds, "insufficient_funds", false},
	{wallet.ErrRefundTooLarge, "refund_too_large", false}, {wallet.ErrNoDebt, "no_debt", false},
	{ErrNotOpen, "not_open", false}, {ErrNotBooked, "not_booked", false}, {ErrNotMovable, "not_movable", false},
	{ErrBalance, "balance", false}, {billing.ErrTermsMissing, "terms_missing", false},
	{ErrNoPasscode, "no_passcode", false}, {ErrCodesExhausted, "codes_exhausted", true},
	{ErrNoCodeKey, "misconfigured", true}, {ErrCodeKeyMismatch, "misconfigured", true},
	{ErrNotFound, "not_found", false}, {ErrConflict, "conflict", true},
	{context.Canceled, "unavailable", true}, {context.DeadlineExceeded, "unavailable", true},
}
