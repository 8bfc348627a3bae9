package passengine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
)

// slogRecords decodes the JSON records in buf.
func slogRecords(tb testing.TB, buf *bytes.Buffer) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			tb.Fatalf("record %q: %v", line, err)
		}
		out = append(out, r)
	}
	buf.Reset()
	return out
}

// SlogObserver logs one record per call with stable attributes, at Info
// for a success, Warn for a refusal and Error for a fault.
func TestSlogObserver_LevelsAndAttributes(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fs := storefault.New(memstore.New())
	eng := passengine.New(fs, passengine.WithObserver(passengine.SlogObserver(logger)), passengine.WithRetries(0))
	ctx := context.Background()

	calls := []struct {
		name      string
		call      func() error
		level     string
		op, code  string
		wantError bool
	}{
		{"put network", func() error {
			return eng.PutNetwork(ctx, catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"})
		}, "INFO", "put_network", "", false},
		{"unknown holder", func() error { _, err := eng.Holder(ctx, "hub", "bob"); return err }, "WARN", "holder", "not_found", true},
		{"bad input", func() error { _, err := eng.Holder(ctx, "hub", ""); return err }, "WARN", "holder", "invalid", true},
		{"store fault", func() error {
			fs.FailAt(1, nil)
			return eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member})
		}, "ERROR", "put_holder", "internal", true},
		{"conflict after the retries", func() error {
			fs.FailAt(1, store.ErrConflict)
			return eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member})
		}, "ERROR", "put_holder", "conflict", true},
		{"cancelled", func() error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			fs.FailAt(1, context.Canceled)
			_, err := eng.Network(cctx, "hub")
			return err
		}, "ERROR", "network", "unavailable", true},
	}
	want := []string{"time", "level", "msg", "op", "network", "key", "code", "retries", "replayed", "duration", "store_duration"}
	for _, c := range calls {
		err := c.call()
		if got := err != nil; got != c.wantError {
			t.Fatalf("%s: error %v, want an error: %v", c.name, err, c.wantError)
		}
		recs := slogRecords(t, &buf)
		if got, wantN := len(recs), 1; got != wantN {
			t.Fatalf("%s: records: got %d, want %d", c.name, got, wantN)
		}
		r := recs[0]
		for _, k := range want {
			if _, ok := r[k]; !ok {
				t.Errorf("%s: record has no %q: %v", c.name, k, r)
			}
		}
		checks := []struct{ key, got, want string }{
			{"level", fmt.Sprint(r["level"]), c.level},
			{"msg", fmt.Sprint(r["msg"]), passengine.SlogMessage},
			{"op", fmt.Sprint(r["op"]), c.op},
			{"network", fmt.Sprint(r["network"]), "hub"},
			{"code", fmt.Sprint(r["code"]), c.code},
		}
		for _, ch := range checks {
			if ch.got != ch.want {
				t.Errorf("%s: %s: got %q, want %q", c.name, ch.key, ch.got, ch.want)
			}
		}
		if _, ok := r["error"]; ok != c.wantError {
			t.Errorf("%s: error attribute present %v, want %v", c.name, ok, c.wantError)
		} else if ok && r["error"] != err.Error() {
			t.Errorf("%s: error: got %q, want %q", c.name, r["error"], err.Error())
		}
	}
}

// A logger that does not log a level gets no record for it.
func TestSlogObserver_DisabledLevel(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng := passengine.New(memstore.New(), passengine.WithObserver(passengine.SlogObserver(logger)))
	ctx := context.Background()
	if err := eng.PutNetwork(ctx, catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "" {
		t.Errorf("an Info record at level Warn: %q", got)
	}
	if _, err := eng.Holder(ctx, "hub", "bob"); !errors.Is(err, passengine.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if got := buf.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "code=not_found") {
		t.Errorf("the refusal's record: got %q", got)
	}
}

// The durations are logged as durations, the store's within the call's.
func TestSlogObserver_Durations(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	eng := passengine.New(memstore.New(), passengine.WithObserver(passengine.SlogObserver(logger)))
	if _, err := eng.Networks(context.Background(), passengine.PageRequest{}); err != nil {
		t.Fatal(err)
	}
	r := slogRecords(t, &buf)[0]
	d, okD := r["duration"].(float64)
	s, okS := r["store_duration"].(float64)
	if !okD || !okS {
		t.Fatalf("durations are not numbers (nanoseconds in JSON): %v", r)
	}
	if time.Duration(s) > time.Duration(d) {
		t.Errorf("store_duration %v > duration %v", time.Duration(s), time.Duration(d))
	}
}
