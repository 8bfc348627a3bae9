package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/shopspring/decimal"
)

// maxBody is the largest request body the server reads, in bytes.
const maxBody = 1 << 20

// alwaysFromRoute are the members no body may carry: the network comes
// from the path, the idempotency key from the Idempotency-Key header.
var alwaysFromRoute = []string{"network", "key"}

// decodeBody decodes r's JSON object body into v (a pointer to a struct)
// and returns a *passengine.FieldError naming the member for any problem:
// a body that is not one JSON object, a member v does not have (matched
// exactly, nested members dotted), a member the route supplies (network,
// key and fromRoute), a value of the wrong JSON type, or a value its type
// refuses (a decimal, an instant, a date). An empty body is the empty
// object. Nothing here maps errors to statuses: ProblemOf does.
func decodeBody(r *http.Request, v any, fromRoute ...string) error {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return &passengine.FieldError{Name: "body", Problem: fmt.Sprintf("cannot be read (at most %d bytes): %v", maxBody, err)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return &passengine.FieldError{Name: "body", Problem: "is not JSON: " + err.Error()}
	}
	if dec.More() {
		return &passengine.FieldError{Name: "body", Problem: "holds more than one JSON value"}
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return &passengine.FieldError{Name: "body", Problem: "is not a JSON object"}
	}
	for _, name := range append(slices.Clone(alwaysFromRoute), fromRoute...) {
		if _, ok := obj[name]; ok {
			return &passengine.FieldError{Name: name, Problem: "comes from the request's path or Idempotency-Key header, never from the body"}
		}
	}
	if err := checkValue(obj, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	strict := json.NewDecoder(bytes.NewReader(data))
	strict.DisallowUnknownFields()
	if err := strict.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &passengine.FieldError{Name: te.Field, Problem: fmt.Sprintf("must be a JSON %s, got %s", jsonKind(te.Type), te.Value)}
		}
		return &passengine.FieldError{Name: "body", Problem: err.Error()}
	}
	return nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkValue checks the decoded JSON value v against type t at path: every
// object member names a field of t, and every value of a type that decodes
// itself (a decimal, an instant, a date) decodes.
func checkValue(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil
	}
	if p := reflect.PointerTo(t); p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) {
		b, _ := json.Marshal(v)
		if err := json.Unmarshal(b, reflect.New(t).Interface()); err != nil {
			var fe *passengine.FieldError
			if errors.As(err, &fe) { // the value names its own member (money's "amount")
				return &passengine.FieldError{Name: join(path, fe.Name), Problem: fe.Problem}
			}
			return &passengine.FieldError{Name: path, Problem: fmt.Sprintf("%s is not %s", field.Quote(string(b)), typeWord(t))}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return &passengine.FieldError{Name: path, Problem: "must be a JSON object"}
		}
		fields := jsonFields(t)
		names := make([]string, 0, len(obj))
		for k := range obj {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			sub := join(path, k)
			ft, ok := fields[k]
			if !ok {
				return &passengine.FieldError{Name: sub, Problem: "is not a member of this request"}
			}
			if err := checkValue(obj[k], ft, sub); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		items, ok := v.([]any)
		if !ok {
			return &passengine.FieldError{Name: path, Problem: "must be a JSON array"}
		}
		for _, item := range items {
			if err := checkValue(item, t.Elem(), path); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields returns t's fields by JSON member name, the fields of
// untagged embedded structs included.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// typeWord names what a value of t must be, for a person.
func typeWord(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[decimal.Decimal]():
		return `a decimal number ("12.50")`
	case reflect.TypeFor[time.Time]():
		return `an RFC 3339 instant ("2026-03-02T09:00:00Z")`
	case reflect.TypeFor[calendar.Date]():
		return `a date ("2026-03-02")`
	}
	return "a valid " + t.Name()
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
