package passengine

import (
	"context"
	"log/slog"
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
//   - code: the error's stable code, CodeOf(err) ("not_found",
//     "invalid", "internal", ...), "" for a success
//   - retries: conflict retries, an int
//   - replayed: whether the result was a replay, a bool
//   - duration: the call's time, a time.Duration
//   - store_duration: its time inside the store, a time.Duration
//
// and, for a failed call, error: the error's message. The level is Info
// for a success, Warn for a call the Engine refused (bad input, not
// found, no entitlement, a reused key: the client's to fix) and Error for
// a fault of the store, the host or the Engine (a code whose Status is
// 500 or more). Nothing is formatted when l does not log the level.
func SlogObserver(l *slog.Logger) Observer {
	if l == nil {
		l = slog.Default()
	}
	return slogObserver{l}
}

type slogObserver struct{ l *slog.Logger }

// Observe logs ev.
func (o slogObserver) Observe(ctx context.Context, ev Event) {
	code := CodeOf(ev.Err)
	level := slog.LevelInfo
	switch {
	case code.Status() >= 500:
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
		slog.String("code", string(code)),
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
