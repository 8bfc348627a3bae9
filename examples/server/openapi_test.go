package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/wallet"
	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the server's routes")

// schemaTypes are the Go types of the routes' Body and Result schema
// names.
var schemaTypes = map[string]reflect.Type{
	"Network":          reflect.TypeFor[catalog.Network](),
	"Location":         reflect.TypeFor[catalog.Location](),
	"LocationPage":     reflect.TypeFor[passengine.Page[catalog.Location]](),
	"Terms":            reflect.TypeFor[billing.Terms](),
	"Product":          reflect.TypeFor[pass.Product](),
	"ProductPage":      reflect.TypeFor[passengine.Page[pass.Product]](),
	"PAYG":             reflect.TypeFor[billing.PAYG](),
	"Holder":           reflect.TypeFor[catalog.Holder](),
	"HolderPage":       reflect.TypeFor[passengine.Page[catalog.Holder]](),
	"PassViews":        reflect.TypeFor[[]passengine.PassView](),
	"IssueRequest":     reflect.TypeFor[passengine.IssueRequest](),
	"Pass":             reflect.TypeFor[pass.Pass](),
	"PassView":         reflect.TypeFor[passengine.PassView](),
	"CheckInRequest":   reflect.TypeFor[passengine.CheckInRequest](),
	"CheckOutRequest":  reflect.TypeFor[passengine.CheckOutRequest](),
	"BookRequest":      reflect.TypeFor[passengine.BookRequest](),
	"CancelRequest":    reflect.TypeFor[passengine.CancelRequest](),
	"RedeemRequest":    reflect.TypeFor[passengine.RedeemRequest](),
	"VisitResult":      reflect.TypeFor[passengine.VisitResult](),
	"RedeemResult":     reflect.TypeFor[passengine.RedeemResult](),
	"Visit":            reflect.TypeFor[checkin.Visit](),
	"VisitPage":        reflect.TypeFor[passengine.Page[checkin.Visit]](),
	"OccupancyPage":    reflect.TypeFor[passengine.Page[passengine.Occupancy]](),
	"DepositRequest":   reflect.TypeFor[passengine.DepositRequest](),
	"AccountResult":    reflect.TypeFor[passengine.AccountResult](),
	"Account":          reflect.TypeFor[wallet.Account](),
	"EntryPage":        reflect.TypeFor[passengine.EntryPage](),
	"IssueCardRequest": reflect.TypeFor[passengine.IssueCardRequest](),
	"VisitsRequest":    reflect.TypeFor[passengine.VisitsRequest](),
	"CardView":         reflect.TypeFor[passengine.CardView](),
}

// schemaGen builds JSON Schemas of Go types as encoding/json writes them,
// each struct once as a component.
type schemaGen struct {
	components map[string]any
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	genericArgs       = regexp.MustCompile(`[\w./-]*/`)
)

// componentName is t's component: "Problem" for passengine.Problem,
// otherwise its package and name ("catalog.Location",
// "passengine.Page_checkin.Visit").
func componentName(t reflect.Type) string {
	if t == reflect.TypeFor[passengine.Problem]() {
		return "Problem"
	}
	name := genericArgs.ReplaceAllString(t.Name(), "")
	name = strings.NewReplacer("[", "_", "]", "", ",", "_", "*", "").Replace(name)
	return path.Base(t.PkgPath()) + "." + name
}

func (g *schemaGen) schema(t reflect.Type) any {
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[calendar.Date]():
		return map[string]any{"type": "string", "description": "a civil date, YYYY-MM-DD; \"\" for none"}
	case reflect.TypeFor[decimal.Decimal]():
		return map[string]any{"type": "string", "description": "a decimal number (\"12.50\"); a JSON number is accepted in requests"}
	case reflect.TypeFor[time.Duration]():
		return map[string]any{"type": "integer", "description": "a duration in nanoseconds"}
	}
	if t.Implements(marshalerType) || t.Implements(textMarshalerType) {
		return map[string]any{"description": "the JSON form of Go type " + t.String()}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		name := componentName(t)
		if _, ok := g.components[name]; !ok {
			g.components[name] = nil // a recursive type refers to itself
			g.components[name] = g.object(t, nil)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// object is the schema of struct t with the members in omit left out.
func (g *schemaGen) object(t reflect.Type, omit []string) map[string]any {
	props := map[string]any{}
	for name, ft := range jsonFields(t) {
		if !slices.Contains(omit, name) {
			props[name] = g.schema(ft)
		}
	}
	o := map[string]any{"type": "object", "properties": props, "description": "Go type " + t.String()}
	if omit != nil {
		o["additionalProperties"] = false
	}
	return o
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// openAPI returns the OpenAPI 3.1 document of routes.
func openAPI(routes []route) map[string]any {
	g := &schemaGen{components: map[string]any{}}
	g.schema(reflect.TypeFor[passengine.Problem]())
	paths := map[string]any{}
	for _, rt := range routes {
		op := map[string]any{"operationId": rt.OperationID, "summary": rt.Summary}
		var params []any
		var names []string
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			names = append(names, m[1])
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			typ := "string"
			if q == "limit" || q == "offset" {
				typ = "integer"
			}
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": typ}})
		}
		if rt.Write {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": true,
				"description": "the call's idempotency key: the same key with the same request answers the first result (200), with another request the problem key_reused",
				"schema":      map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Body != "" {
			omit := append(slices.Clone(alwaysFromRoute), names...)
			if rt.Method == "PUT" {
				omit = append(omit, "id")
			}
			name := strings.TrimSuffix(rt.Body, "Request") + "Body"
			g.components[name] = g.object(schemaTypes[rt.Body], omit)
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + name}}}}
		}
		var ok map[string]any
		switch rt.Result {
		case "":
			ok = map[string]any{"description": "done"}
		case "csv":
			ok = map[string]any{"description": "the CSV file", "content": map[string]any{"text/csv": map[string]any{"schema": map[string]any{"type": "string"}}}}
		case "Health":
			ok = map[string]any{"description": "the server and its store answer", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object", "properties": map[string]any{"status": map[string]any{"type": "string", "const": "ok"}}}}}}
		case "Passcode":
			ok = map[string]any{"description": "the pass's passcode", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object", "properties": map[string]any{"pass": map[string]any{"type": "string"}, "code": map[string]any{"type": "string"}}}}}}
		default:
			ok = map[string]any{"description": "the result", "content": map[string]any{"application/json": map[string]any{"schema": g.schema(schemaTypes[rt.Result])}}}
		}
		responses := map[string]any{
			"4XX": map[string]any{"$ref": "#/components/responses/Problem"},
			"5XX": map[string]any{"$ref": "#/components/responses/Problem"},
		}
		if rt.Write {
			first := maps(ok)
			first["description"] = "the first call: done now"
			replay := maps(ok)
			replay["description"] = "a replay: the stored result of the first call with this key"
			responses["201"], responses["200"] = first, replay
		} else {
			responses["200"] = ok
		}
		op["responses"] = responses
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "passengine reference server",
			"version": "1.0.0",
			"description": "The reference JSON HTTP service of passengine (examples/server). Every route of a network is under " +
				"/v1/networks/{network}: the network comes from the path, never from a body. Errors are RFC 9457 problem " +
				"details (application/problem+json) whose code ERRORS.md lists.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.components,
			"responses": map[string]any{"Problem": map[string]any{
				"description": "an error as RFC 9457 problem details; code is the stable machine code (ERRORS.md)",
				"content": map[string]any{passengine.ProblemContentType: map[string]any{
					"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
			}},
		},
	}
}

// maps returns a shallow copy of m.
func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func testRoutes(t *testing.T) *server {
	t.Helper()
	return newServer(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestOpenAPI_Current: openapi.json is the document of the server's
// routes as they are (rewrite it with go test -run TestOpenAPI -update).
func TestOpenAPI_Current(t *testing.T) {
	b, err := json.MarshalIndent(openAPI(testRoutes(t).routes), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile("openapi.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, b) {
		t.Error("openapi.json is not the document of the routes: run go test ./examples/server -run TestOpenAPI -update")
	}
}

// TestOpenAPI_Valid validates the checked-in openapi.json without a
// validator library: it is OpenAPI 3.1, every $ref resolves, every route
// the server registers on its mux is a path with the same method and
// every operation is a route the mux sends there, every operation has an
// operationId (unique) and responses, and every error response is a
// problem referring to the Problem schema.
func TestOpenAPI_Valid(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi: got %q, want 3.1.x", v)
	}
	if info, _ := doc["info"].(map[string]any); info["title"] == nil || info["version"] == nil {
		t.Errorf("info: got %v, want a title and a version", info)
	}
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				refs = append(refs, r)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if len(refs) == 0 {
		t.Error("no $ref at all")
	}
	for _, r := range refs {
		if resolve(doc, r) == nil {
			t.Errorf("$ref %q does not resolve", r)
		}
	}

	s := testRoutes(t)
	registered := map[string]bool{}
	for _, rt := range s.routes {
		registered[rt.Method+" "+rt.Path] = true
	}
	documented := map[string]bool{}
	ids := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		for method, op := range item.(map[string]any) {
			key := strings.ToUpper(method) + " " + p
			documented[key] = true
			concrete := pathParam.ReplaceAllString(p, "x1")
			if _, pattern := s.mux.Handler(httptest.NewRequest(strings.ToUpper(method), concrete, nil)); pattern != key {
				t.Errorf("%s: the mux sends %s %s to %q", key, strings.ToUpper(method), concrete, pattern)
			}
			o := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s: operationId %q missing or repeated", key, id)
			}
			ids[id] = true
			responses, _ := o["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s: no responses", key)
			}
			problems := 0
			for status, resp := range responses {
				r := resp.(map[string]any)
				if ref, ok := r["$ref"].(string); ok {
					r, _ = resolve(doc, ref).(map[string]any)
				}
				content, _ := r["content"].(map[string]any)
				pj, isProblem := content[passengine.ProblemContentType].(map[string]any)
				if status[0] == '4' || status[0] == '5' || status == "default" {
					if !isProblem {
						t.Errorf("%s %s: an error response that is not %s", key, status, passengine.ProblemContentType)
						continue
					}
				}
				if isProblem {
					problems++
					if ref, _ := pj["schema"].(map[string]any)["$ref"].(string); ref != "#/components/schemas/Problem" {
						t.Errorf("%s %s: problem schema %q, want the Problem schema", key, status, ref)
					}
				}
			}
			if problems == 0 {
				t.Errorf("%s: no problem response", key)
			}
		}
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s is registered on the mux but not in openapi.json", k)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("operation %s is in openapi.json but no route of the mux", k)
		}
	}
	problem, _ := resolve(doc, "#/components/schemas/Problem").(map[string]any)
	props, _ := problem["properties"].(map[string]any)
	var members []string
	for k := range props {
		members = append(members, k)
	}
	sort.Strings(members)
	for _, m := range []string{"type", "title", "status", "detail", "code", "field", "reasons", "locked_until"} {
		if props[m] == nil {
			t.Errorf("Problem schema: no member %q (got %v)", m, members)
		}
	}
}

// resolve returns the value a local JSON pointer ref ("#/a/b") names in
// doc, or nil.
func resolve(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var v any = doc
	for _, part := range strings.Split(rest, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[part]; !ok {
			return nil
		}
	}
	return v
}
