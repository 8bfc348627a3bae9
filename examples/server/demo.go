package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// demoClient drives the demo's requests against the server at base (the
// demo network's prefix).
type demoClient struct {
	base string
	http *http.Client
}

// answer is one response: its status and its JSON body decoded (nil for
// a body that is not JSON), or its text.
type answer struct {
	status int
	json   map[string]any
	text   string
}

// do sends method path with body (JSON; nil for none) and the idempotency
// key (none when empty), prints the exchange in a line, and returns an
// error when the status is not want.
func (c *demoClient) do(method, path, key string, body any, want int, say string) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, text: string(b)}
	_ = json.Unmarshal(b, &a.json)
	note := say
	if code, ok := a.json["code"].(string); ok {
		note += fmt.Sprintf(" (problem %q: %v)", code, a.json["detail"])
	}
	shown := path
	if shown == "" {
		shown = "/ (the network)"
	}
	fmt.Printf("  %-6s %-40s -> %d %s\n", method, shown, a.status, note)
	if a.status != want {
		return a, fmt.Errorf("%s %s: got status %d, want %d: %s", method, path, a.status, want, strings.TrimSpace(a.text))
	}
	return a, nil
}

// run seeds a gym, sells a day pack, checks a member in (again, and with
// the same key: a replay), reads who is in and checks out.
func (c *demoClient) run() error {
	today := time.Now().UTC().Format("2006-01-02")
	steps := []struct {
		method, path, key string
		body              any
		want              int
		say               string
	}{
		{"PUT", "", "", map[string]any{"name": "Demo Gym", "currency": "USD", "zone": "America/New_York"}, 200, "network seeded"},
		{"PUT", "/locations/downtown", "", map[string]any{"name": "Downtown", "zone": "America/New_York", "tier": 1}, 200, "location seeded"},
		{"PUT", "/products/ten-days", "", map[string]any{"name": "10 day passes", "kind": "day", "units": 10, "tier": 1,
			"price": map[string]any{"amount": "99.00", "currency": "USD"}, "validity": map[string]any{"months": 3}, "activation": "on_purchase"}, 200, "product seeded"},
		{"PUT", "/holders/ana", "", map[string]any{"name": "Ana", "audience": "member"}, 200, "holder seeded"},
		{"POST", "/passes", "issue-ana", map[string]any{"holder": "ana", "product": "ten-days"}, 201, "pass issued"},
		{"POST", "/check-ins", "in-ana-1", map[string]any{"holder": "ana", "location": "downtown"}, 201, "checked in"},
		{"POST", "/check-ins", "in-ana-1", map[string]any{"holder": "ana", "location": "downtown"}, 200, "same key again: the stored answer (replay)"},
		{"POST", "/check-ins", "in-ana-2", map[string]any{"holder": "ana", "location": "downtown"}, 409, "another check-in refused"},
		{"GET", "/occupancy", "", nil, 200, "who is in"},
		{"GET", "/holders/nobody", "", nil, 404, "unknown holder"},
	}
	var visit string
	for _, s := range steps {
		a, err := c.do(s.method, s.path, s.key, s.body, s.want, s.say)
		if err != nil {
			return err
		}
		if s.key == "in-ana-1" && a.status == 201 {
			v, _ := a.json["visit"].(map[string]any)
			visit, _ = v["id"].(string)
		}
	}
	if _, err := c.do("POST", "/visits/"+visit+"/check-out", "out-ana-1", map[string]any{}, 201, "checked out"); err != nil {
		return err
	}
	a, err := c.do("GET", "/payout.csv?from="+today+"&to="+today, "", nil, 200, "payout statement")
	if err != nil {
		return err
	}
	fmt.Printf("  payout CSV: %d lines\n", strings.Count(a.text, "\n"))
	return nil
}
