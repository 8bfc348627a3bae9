package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
)

// e2e is the server on a SQLite file, behind httptest, with a client that
// records which route every request reached.
type e2e struct {
	t     *testing.T
	s     *server
	ts    *httptest.Server
	clock *passengine.ManualClock
	mu    sync.Mutex
	hit   map[string]bool // "METHOD /pattern" of every route a request reached
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, ny))
	eng, closeStore, err := openEngine(context.Background(), filepath.Join(t.TempDir(), "e2e.db"),
		[]byte("server e2e passcode key, 32 byte"), passengine.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(eng, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		if err := closeStore(); err != nil {
			t.Error(err)
		}
	})
	return &e2e{t: t, s: s, ts: ts, clock: clock, hit: map[string]bool{}}
}

// call sends method path (under /v1/networks/gym unless it starts with
// "/") with body (a string is sent as it is, anything else as JSON, nil
// for none) and the Idempotency-Key key (none when empty), and returns the
// status, the content type and the body.
func (c *e2e) call(method, path, key string, body any) (int, string, []byte) {
	c.t.Helper()
	switch {
	case path == "":
		path = "/v1/networks/gym"
	case !strings.HasPrefix(path, "/"):
		path = "/v1/networks/gym/" + path
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.ts.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if _, pattern := c.s.mux.Handler(req); pattern != "" {
		c.mu.Lock()
		c.hit[pattern] = true
		c.mu.Unlock()
	}
	resp, err := c.ts.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

// ok sends the request, fails the test unless the status is want, and
// returns the JSON body decoded.
func (c *e2e) ok(method, path, key string, body any, want int) map[string]any {
	c.t.Helper()
	status, ctype, out := c.call(method, path, key, body)
	if status != want {
		c.t.Fatalf("%s %s: got status %d, want %d: %s", method, path, status, want, out)
	}
	if ctype != "application/json" {
		c.t.Fatalf("%s %s: got content type %q, want application/json", method, path, ctype)
	}
	var m map[string]any
	if out[0] == '[' {
		var items []any
		if err := json.Unmarshal(out, &items); err != nil {
			c.t.Fatal(err)
		}
		return map[string]any{"items": items}
	}
	if err := json.Unmarshal(out, &m); err != nil {
		c.t.Fatalf("%s %s: body %s: %v", method, path, out, err)
	}
	return m
}

// problem sends the request and fails the test unless it is answered with
// problem details of status, code and, when wantField is set, field.
func (c *e2e) problem(method, path, key string, body any, status int, code passengine.Code, wantField string) map[string]any {
	c.t.Helper()
	got, ctype, out := c.call(method, path, key, body)
	var p map[string]any
	if err := json.Unmarshal(out, &p); err != nil {
		c.t.Fatalf("%s %s: body %s: %v", method, path, out, err)
	}
	if got != status || ctype != passengine.ProblemContentType || p["code"] != string(code) || p["status"] != float64(status) ||
		p["type"] != code.TypeURI() {
		c.t.Fatalf("%s %s: got %d %s %s, want %d %s with code %q", method, path, got, ctype, out, status, passengine.ProblemContentType, code)
	}
	if wantField != "" && p["field"] != wantField {
		c.t.Fatalf("%s %s: field: got %v, want %q (%s)", method, path, p["field"], wantField, out)
	}
	return p
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, k := range path {
		mm, _ := v.(map[string]any)
		v = mm[k]
	}
	s, _ := v.(string)
	return s
}

func usd(s string) map[string]any { return map[string]any{"amount": s, "currency": "USD"} }

// TestServer_EveryRoute drives every route of the server end to end on
// SQLite: seeding, reads with cursors, writes answered 201 and their
// replays 200, the refusals as problem details, and finally checks that
// every registered route was reached.
func TestServer_EveryRoute(t *testing.T) {
	c := newE2E(t)
	c.ok("GET", "/healthz", "", nil, 200)

	// Seeding.
	if n := c.ok("PUT", "", "", map[string]any{"name": "Gym", "currency": "USD", "zone": "America/New_York"}, 200); n["id"] != "gym" {
		t.Errorf("network: got %v, want id gym from the path", n)
	}
	c.ok("GET", "", "", nil, 200)
	c.ok("PUT", "locations/downtown", "", map[string]any{"name": "Downtown", "zone": "America/New_York", "tier": 1}, 200)
	c.ok("PUT", "locations/uptown", "", map[string]any{"name": "Uptown", "zone": "America/New_York", "tier": 2}, 200)
	first := c.ok("GET", "locations?limit=1", "", nil, 200)
	if items := first["items"].([]any); len(items) != 1 || first["next"] == "" {
		t.Fatalf("first page of locations: got %v, want 1 item and a next cursor", first)
	}
	second := c.ok("GET", "locations?limit=1&cursor="+str(first, "next"), "", nil, 200)
	if items := second["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != "uptown" {
		t.Errorf("second page of locations: got %v, want uptown", second)
	}
	c.problem("GET", "locations?cursor=garbage", "", nil, 400, passengine.CodeCursor, "cursor")
	c.ok("GET", "locations/downtown", "", nil, 200)
	terms := map[string]any{"effective_from": "2026-03-02T14:00:00Z", "rates": []any{map[string]any{"tier": 1, "amount": usd("5")}}, "payg_share": "0.5"}
	c.ok("PUT", "locations/downtown/terms/downtown-v1", "", terms, 200)
	c.ok("PUT", "locations/downtown/terms/downtown-v1", "", terms, 200) // seeding again
	changed := map[string]any{"effective_from": "2026-03-02T14:00:00Z", "rates": []any{map[string]any{"tier": 1, "amount": usd("6")}}, "payg_share": "0.5"}
	c.problem("PUT", "locations/downtown/terms/downtown-v1", "", changed, 409, passengine.CodeExists, "")
	c.ok("PUT", "products/ten-days", "", map[string]any{"name": "10 days", "kind": "day", "units": 10, "tier": 1, "price": usd("99"),
		"validity": map[string]any{"months": 3}, "activation": "on_purchase"}, 200)
	c.ok("PUT", "products/classes", "", map[string]any{"name": "5 classes", "kind": "visits", "units": 5, "tier": 1, "price": usd("60"),
		"validity": map[string]any{"months": 3}, "activation": "on_purchase"}, 200)
	c.ok("PUT", "products/yoga-card", "", map[string]any{"name": "Yoga card", "kind": "visits", "units": 10, "tier": 1, "price": usd("100"),
		"validity": map[string]any{"months": 6}, "activation": "on_purchase"}, 200)
	c.ok("GET", "products", "", nil, 200)
	c.ok("GET", "products/ten-days", "", nil, 200)
	c.ok("PUT", "payg/walk-in", "", map[string]any{"name": "Walk-in", "prices": []any{map[string]any{"hourly": usd("8")}}, "daily_cap": usd("20")}, 200)
	declared := "2026-03-01T12:00:00Z"
	for _, h := range []string{"ana", "ben", "cy"} {
		c.ok("PUT", "holders/"+h, "", map[string]any{"name": h, "audience": "member", "health_declared_at": declared}, 200)
	}
	if hs := c.ok("GET", "holders", "", nil, 200); len(hs["items"].([]any)) != 3 {
		t.Errorf("holders: got %v, want 3", hs)
	}
	c.ok("GET", "holders/ana", "", nil, 200)

	// Passes: a first write is 201, its replay 200 with the same pass.
	issued := c.ok("POST", "passes", "issue-ana", map[string]any{"holder": "ana", "product": "ten-days"}, 201)
	replay := c.ok("POST", "passes", "issue-ana", map[string]any{"holder": "ana", "product": "ten-days"}, 200)
	if str(issued, "id") == "" || str(replay, "id") != str(issued, "id") {
		t.Errorf("replayed issue: got pass %q, want %q", str(replay, "id"), str(issued, "id"))
	}
	c.problem("POST", "passes", "issue-ana", map[string]any{"holder": "ben", "product": "ten-days"}, 409, passengine.CodeKeyReused, "")
	c.ok("POST", "passes", "issue-ana-classes", map[string]any{"holder": "ana", "product": "classes"}, 201)
	benPass := c.ok("POST", "passes", "issue-ben", map[string]any{"holder": "ben", "product": "ten-days", "passcode": true}, 201)
	c.ok("POST", "passes", "issue-cy", map[string]any{"holder": "cy", "product": "ten-days"}, 201)
	c.ok("GET", "passes/"+str(issued, "id"), "", nil, 200)
	code := c.ok("GET", "passes/"+str(benPass, "id")+"/passcode", "", nil, 200)
	if ps := c.ok("GET", "holders/ana/passes", "", nil, 200); len(ps["items"].([]any)) != 2 {
		t.Errorf("ana's passes: got %v, want 2", ps)
	}

	// Visits.
	c.ok("POST", "check-ins/explain", "", map[string]any{"holder": "ana", "location": "downtown"}, 200)
	in := c.ok("POST", "check-ins", "in-ana", map[string]any{"holder": "ana", "location": "downtown"}, 201)
	visit := str(in, "visit", "id")
	if open := c.ok("GET", "visits?status=open", "", nil, 200); len(open["items"].([]any)) != 1 {
		t.Errorf("open visits: got %v, want ana's", open)
	}
	occ := c.ok("GET", "occupancy", "", nil, 200)
	if items := occ["items"].([]any); len(items) != 2 || items[0].(map[string]any)["checked_in"] != float64(1) {
		t.Errorf("occupancy: got %v, want downtown with 1 in", occ)
	}
	c.clock.Advance(time.Hour)
	c.ok("POST", "visits/"+visit+"/check-out", "out-ana", nil, 201)
	c.ok("POST", "visits/"+visit+"/check-out", "out-ana", nil, 200)
	c.problem("POST", "visits/"+visit+"/check-out", "out-ana-2", nil, 409, passengine.CodeNotOpen, "")
	c.ok("GET", "visits/"+visit, "", nil, 200)
	booked := c.ok("POST", "bookings", "book-ana", map[string]any{"holder": "ana", "location": "downtown", "start": "2026-03-04T18:00:00-05:00"}, 201)
	c.ok("POST", "visits/"+str(booked, "visit", "id")+"/cancel", "cancel-ana", map[string]any{}, 201)
	red := c.ok("POST", "redemptions", "redeem-ben", map[string]any{"location": "downtown", "code": str(code, "code")}, 201)
	if red["outcome"] != "redeemed" {
		t.Errorf("redemption: got %v, want redeemed", red)
	}
	c.problem("POST", "redemptions", "redeem-uptown", map[string]any{"location": "uptown", "code": str(code, "code")}, 403, passengine.CodeNoEntitlement, "")
	for _, q := range []string{"holder=ana", "location=downtown", "from=2026-03-01&to=2026-03-31", "holder=ana&limit=1"} {
		if vs := c.ok("GET", "visits?"+q, "", nil, 200); len(vs["items"].([]any)) == 0 {
			t.Errorf("visits?%s: got none, want some", q)
		}
	}
	c.problem("GET", "visits?from=March", "", nil, 422, passengine.CodeInvalid, "from")
	status, ctype, csv := c.call("GET", "payout.csv?from=2026-03-01&to=2026-03-31", "", nil)
	if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !strings.Contains(string(csv), "downtown") {
		t.Errorf("payout CSV: got %d %s %q, want 200 text/csv with downtown's redemption", status, ctype, csv)
	}
	c.problem("GET", "payout.csv?from=2026-03-31&to=2026-03-01", "", nil, 422, passengine.CodeInvalid, "")

	// Prepaid account.
	c.ok("POST", "holders/ana/account/deposits", "dep-ana", map[string]any{"amount": usd("50.00")}, 201)
	if acc := c.ok("GET", "holders/ana/account", "", nil, 200); str(acc, "balance", "amount") == "" {
		t.Errorf("account: got %v, want a balance", acc)
	}
	if es := c.ok("GET", "holders/ana/account/entries", "", nil, 200); len(es["entries"].([]any)) != 1 {
		t.Errorf("account entries: got %v, want the deposit", es)
	}

	// Multipass card.
	card := c.ok("POST", "cards", "card-cy", map[string]any{"holder": "cy", "program": "yoga-card"}, 201)
	id := str(card, "card", "id")
	c.ok("POST", "cards/"+id+"/visits", "card-cy-10", map[string]any{"visits": 10, "amount": usd("100")}, 201)
	if cv := c.ok("GET", "cards/"+id, "", nil, 200); cv["metrics"] == nil {
		t.Errorf("card: got %v, want metrics", cv)
	}
	c.problem("POST", "cards", "card-cy-2", map[string]any{"holder": "cy", "program": "yoga-card"}, 409, passengine.CodeCardExists, "")

	var missing []string
	for _, rt := range c.s.routes {
		if p := rt.Method + " " + rt.Path; !c.hit[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		t.Errorf("routes no request reached: %v", missing)
	}
}

// TestServer_ConcurrentCheckIns: 50 check-ins of one holder at once, each
// with its own key: exactly one is answered 201, the 49 others are
// problems already_checked_in (RULES C1, I2).
func TestServer_ConcurrentCheckIns(t *testing.T) {
	c := newE2E(t)
	seed(c)
	const n = 50
	statuses := make([]int, n)
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _, out := c.call("POST", "check-ins", fmt.Sprint("in-", i), map[string]any{"holder": "ana", "location": "downtown"})
			statuses[i] = status
			var p map[string]any
			_ = json.Unmarshal(out, &p)
			codes[i], _ = p["code"].(string)
		}()
	}
	wg.Wait()
	created := 0
	for i := range n {
		switch {
		case statuses[i] == 201:
			created++
		case statuses[i] != 409 || codes[i] != string(passengine.CodeAlreadyCheckedIn):
			t.Errorf("check-in %d: got %d %q, want 201 or 409 already_checked_in", i, statuses[i], codes[i])
		}
	}
	if created != 1 {
		t.Errorf("check-ins answered 201: got %d, want 1", created)
	}
	if open := c.ok("GET", "visits?status=open", "", nil, 200); len(open["items"].([]any)) != 1 {
		t.Errorf("open visits: got %d, want 1", len(open["items"].([]any)))
	}
}

// seed puts the gym with location downtown, a day product and holder ana
// with a pass of it.
func seed(c *e2e) {
	c.t.Helper()
	c.ok("PUT", "", "", map[string]any{"name": "Gym", "currency": "USD", "zone": "America/New_York"}, 200)
	c.ok("PUT", "locations/downtown", "", map[string]any{"name": "Downtown", "zone": "America/New_York", "tier": 1}, 200)
	c.ok("PUT", "products/ten-days", "", map[string]any{"name": "10 days", "kind": "day", "units": 10, "tier": 1, "price": usd("99"),
		"validity": map[string]any{"months": 3}, "activation": "on_purchase"}, 200)
	c.ok("PUT", "holders/ana", "", map[string]any{"name": "Ana", "audience": "member"}, 200)
	c.ok("POST", "passes", "issue-ana", map[string]any{"holder": "ana", "product": "ten-days"}, 201)
}

// TestServer_BadInput: bad bodies and parameters are problems "invalid"
// naming the field (the member, dotted when nested), the network and key
// never come from a body, an unknown holder is "not_found", and nothing
// bad input sends is written.
func TestServer_BadInput(t *testing.T) {
	c := newE2E(t)
	seed(c)
	checkIn := func(extra map[string]any) map[string]any {
		b := map[string]any{"holder": "ana", "location": "downtown"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name, method, path, key string
		body                    any
		status                  int
		code                    passengine.Code
		field                   string
	}{
		{"unknown member", "POST", "check-ins", "k1", checkIn(map[string]any{"colour": "red"}), 422, passengine.CodeInvalid, "colour"},
		{"unknown nested member", "POST", "holders/ana/account/deposits", "k2", map[string]any{"amount": map[string]any{"amount": "5", "currency": "USD", "cents": 1}}, 422, passengine.CodeInvalid, "amount.cents"},
		{"bad money", "POST", "holders/ana/account/deposits", "k3", map[string]any{"amount": usd("1,5")}, 422, passengine.CodeInvalid, "amount.amount"},
		{"money in another currency", "POST", "holders/ana/account/deposits", "k4", map[string]any{"amount": map[string]any{"amount": "5", "currency": "EUR"}}, 422, passengine.CodeInvalid, ""},
		{"missing holder", "POST", "check-ins", "k5", map[string]any{"location": "downtown"}, 422, passengine.CodeInvalid, "holder"},
		{"wrong JSON type", "POST", "check-ins", "k6", checkIn(map[string]any{"cost": "two"}), 422, passengine.CodeInvalid, "cost"},
		{"bad instant", "POST", "check-ins", "k7", checkIn(map[string]any{"at": "yesterday"}), 422, passengine.CodeInvalid, "at"},
		{"not JSON", "POST", "check-ins", "k8", `{"holder":`, 422, passengine.CodeInvalid, "body"},
		{"not an object", "POST", "check-ins", "k9", `[1,2]`, 422, passengine.CodeInvalid, "body"},
		{"network in the body", "POST", "check-ins", "k10", checkIn(map[string]any{"network": "other"}), 422, passengine.CodeInvalid, "network"},
		{"key in the body", "POST", "check-ins", "k11", checkIn(map[string]any{"key": "k"}), 422, passengine.CodeInvalid, "key"},
		{"id in a seeding body", "PUT", "holders/bo", "", map[string]any{"id": "someone-else", "audience": "member"}, 422, passengine.CodeInvalid, "id"},
		{"no Idempotency-Key", "POST", "check-ins", "", checkIn(nil), 422, passengine.CodeInvalid, "key"},
		{"bad limit", "GET", "holders?limit=many", "", nil, 422, passengine.CodeInvalid, "limit"},
		{"unknown holder", "GET", "holders/nobody", "", nil, 404, passengine.CodeNotFound, ""},
		{"check-in of an unknown holder", "POST", "check-ins", "k12", map[string]any{"holder": "nobody", "location": "downtown"}, 404, passengine.CodeNotFound, ""},
		{"unknown network", "GET", "/v1/networks/nowhere/holders", "", nil, 404, passengine.CodeNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			p := c.problem(tc.method, tc.path, tc.key, tc.body, tc.status, tc.code, tc.field)
			if p["detail"] == "" || p["instance"] == "" {
				t.Errorf("problem: got %v, want a detail and the instance", p)
			}
		})
	}
	c.t = t
	if open := c.ok("GET", "visits", "", nil, 200); len(open["items"].([]any)) != 0 {
		t.Errorf("visits after bad input: got %v, want none", open)
	}
	if acc := c.ok("GET", "holders/ana/account/entries", "", nil, 200); len(acc["entries"].([]any)) != 0 {
		t.Errorf("account entries after bad input: got %v, want none", acc)
	}
	// The network of the path is the one written: a body cannot move a
	// call to another network.
	in := c.ok("POST", "check-ins", "k-ok", checkIn(nil), 201)
	if got := str(in, "visit", "network"); got != "gym" {
		t.Errorf("visit's network: got %q, want gym", got)
	}
	if !slices.ContainsFunc(c.s.routes, func(r route) bool { return r.Path == "/healthz" }) {
		t.Error("no health route")
	}
}
