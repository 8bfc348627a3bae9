package otel_test

import (
	"context"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	passotel "github.com/passengine/passengine/otel"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// attrs returns a span's attributes by key.
func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// One span per call, a child of the caller's span, with the call's
// attributes; Error status for a fault only.
func TestObserver_SpanPerCall(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	fs := storefault.New(memstore.New())
	eng := passengine.New(fs, passengine.WithObserver(passotel.Observer(tp)))
	ctx, parent := tp.Tracer("host").Start(context.Background(), "request")

	if err := eng.PutNetwork(ctx, catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	if err := eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Holder(ctx, "hub", "bob"); err == nil {
		t.Fatal("an unknown holder was found")
	}
	fs.FailAt(1, store.ErrConflict) // retried once, then done
	if err := eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ben", Audience: catalog.Member}); err != nil {
		t.Fatal(err)
	}
	fs.FailAt(1, nil) // a store fault
	if err := eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "cy", Audience: catalog.Member}); err == nil {
		t.Fatal("the injected fault did not fail the call")
	}
	parent.End()

	spans := rec.Ended()
	want := []struct {
		name    string
		code    string
		retries int64
		status  codes.Code
	}{
		{"passengine.put_network", "", 0, codes.Unset},
		{"passengine.put_holder", "", 0, codes.Unset},
		{"passengine.holder", "not_found", 0, codes.Unset},
		{"passengine.put_holder", "", 1, codes.Unset},
		{"passengine.put_holder", "internal", 0, codes.Error},
	}
	if got, wantN := len(spans), len(want)+1; got != wantN {
		t.Fatalf("spans: got %d, want %d (one per call and the host's)", got, wantN)
	}
	for i, w := range want {
		s := spans[i]
		a := attrs(s)
		if got := s.Name(); got != w.name {
			t.Errorf("span %d: name: got %q, want %q", i, got, w.name)
		}
		if got, want := s.Parent().SpanID(), parent.SpanContext().SpanID(); got != want {
			t.Errorf("%s: parent: got %v, want the host's span %v", w.name, got, want)
		}
		if got, want := s.SpanKind(), trace.SpanKindInternal; got != want {
			t.Errorf("%s: kind: got %v, want %v", w.name, got, want)
		}
		if got, want := a[passotel.AttrNetwork].AsString(), "hub"; got != want {
			t.Errorf("%s: network: got %q, want %q", w.name, got, want)
		}
		if got := a[passotel.AttrCode].AsString(); got != w.code {
			t.Errorf("%s: code: got %q, want %q", w.name, got, w.code)
		}
		if got := a[passotel.AttrRetries].AsInt64(); got != w.retries {
			t.Errorf("%s: retries: got %d, want %d", w.name, got, w.retries)
		}
		if got := s.Status().Code; got != w.status {
			t.Errorf("%s: status: got %v, want %v", w.name, got, w.status)
		}
		if got, want := len(s.Events()) > 0, w.status == codes.Error; got != want {
			t.Errorf("%s: error recorded %v, want %v", w.name, got, want)
		}
		if s.EndTime().Before(s.StartTime()) {
			t.Errorf("%s: ends at %v before it starts at %v", w.name, s.EndTime(), s.StartTime())
		}
		if got, max := a[passotel.AttrStoreDuration].AsInt64(), s.EndTime().Sub(s.StartTime()).Nanoseconds(); got > max {
			t.Errorf("%s: store time %dns longer than the span's %dns", w.name, got, max)
		}
	}
}

// An idempotent call's span carries its key and whether it was replayed.
func TestObserver_KeyAndReplay(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	eng := passengine.New(memstore.New(), passengine.WithObserver(passotel.Observer(tp)))
	ctx := context.Background()
	if err := eng.PutNetwork(ctx, catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	if err := eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member}); err != nil {
		t.Fatal(err)
	}
	dep := passengine.DepositRequest{Key: "dep-1", Network: "hub", Holder: "ada", Amount: money.MustNew("20", "USD")}
	for range 2 {
		if _, err := eng.Deposit(ctx, dep); err != nil {
			t.Fatal(err)
		}
	}
	spans := rec.Ended()
	if got, want := len(spans), 4; got != want {
		t.Fatalf("spans: got %d, want %d", got, want)
	}
	for i, replayed := range []bool{false, true} {
		a := attrs(spans[2+i])
		if got, want := a[passotel.AttrKey].AsString(), "dep-1"; got != want {
			t.Errorf("deposit %d: key: got %q, want %q", i+1, got, want)
		}
		if got := a[passotel.AttrReplayed].AsBool(); got != replayed {
			t.Errorf("deposit %d: replayed: got %v, want %v", i+1, got, replayed)
		}
	}
	if _, ok := attrs(spans[0])[passotel.AttrKey]; ok {
		t.Error("a call without a key has a key attribute")
	}
}
