// Package otel traces passengine's Engine with OpenTelemetry: Observer
// records one span per Engine call. It is a module of its own, so that a
// host that does not trace pays nothing for OpenTelemetry's dependencies:
//
//	import passotel "github.com/passengine/passengine/otel"
//
//	eng := passengine.New(st, passengine.WithObserver(passotel.Observer(tp)))
package otel

import (
	"context"

	"github.com/passengine/passengine"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// TracerName is the name of the tracer Observer takes from its
// TracerProvider (the instrumentation scope of its spans).
const TracerName = "github.com/passengine/passengine"

// The attributes of a call's span.
const (
	// AttrOp is the call's operation (passengine.Event.Op), a string.
	AttrOp = attribute.Key("passengine.op")
	// AttrNetwork is the network the call named, a string.
	AttrNetwork = attribute.Key("passengine.network")
	// AttrKey is the call's idempotency key, a string; absent for reads.
	AttrKey = attribute.Key("passengine.key")
	// AttrCode is the stable code of the call's error
	// (passengine.CodeOf: "not_found", "internal", ...); absent for a
	// success.
	AttrCode = attribute.Key("passengine.code")
	// AttrRetries is how many times the call's unit of work was run
	// again after a conflict, an int.
	AttrRetries = attribute.Key("passengine.retries")
	// AttrReplayed is whether the result was a replay, a bool.
	AttrReplayed = attribute.Key("passengine.replayed")
	// AttrStoreDuration is the call's time inside the store, an int in
	// nanoseconds (the span's own length is the call's time).
	AttrStoreDuration = attribute.Key("passengine.store_duration_ns")
)

// Observer returns a passengine.Observer that records a span per Engine
// call with tp's tracer TracerName (tp nil: the global TracerProvider,
// otel.GetTracerProvider()). The span is named "passengine." followed by
// the operation ("passengine.check_in"), is a child of the span in the
// call's context, if any, starts when the call started and ends when it
// ended. Its status is Error, with the error recorded as an event, when
// the call failed by a fault (passengine.Event.Fault); a refusal (bad
// input, not found, no entitlement, ...) is the client's outcome, not the
// span's failure: it leaves the status unset and sets AttrCode.
func Observer(tp trace.TracerProvider) passengine.Observer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return observer{tp.Tracer(TracerName)}
}

type observer struct{ tracer trace.Tracer }

// Observe records ev as a span.
func (o observer) Observe(ctx context.Context, ev passengine.Event) {
	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs, AttrOp.String(ev.Op), AttrNetwork.String(ev.Network))
	if ev.Key != "" {
		attrs = append(attrs, AttrKey.String(ev.Key))
	}
	if ev.Err != nil {
		attrs = append(attrs, AttrCode.String(string(ev.Code())))
	}
	attrs = append(attrs, AttrRetries.Int(ev.Retries), AttrReplayed.Bool(ev.Replayed),
		AttrStoreDuration.Int64(int64(ev.StoreDuration)))
	_, span := o.tracer.Start(ctx, "passengine."+ev.Op, trace.WithTimestamp(ev.Start),
		trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	if ev.Fault() {
		span.RecordError(ev.Err, trace.WithTimestamp(ev.Start.Add(ev.Duration)))
		span.SetStatus(codes.Error, ev.Err.Error())
	}
	span.End(trace.WithTimestamp(ev.Start.Add(ev.Duration)))
}
