package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

var (
	timeType    = reflect.TypeFor[time.Time]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
)

// Diff returns "" when got and want are equal for a store, and otherwise
// the path and values of the first difference. Equal for a store means:
// instants equal as instants (time.Time.Equal, any location), decimals
// equal as numbers (decimal.Decimal.Equal, "12.50" = "12.5"), and a nil
// slice equal to an empty one; everything else compares exactly.
func Diff(got, want any) string {
	return diff("", reflect.ValueOf(got), reflect.ValueOf(want))
}

func diff(path string, a, b reflect.Value) string {
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() == b.IsValid() {
			return ""
		}
		return fmt.Sprintf("%s: got %v, want %v", orRoot(path), a, b)
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: got type %s, want %s", orRoot(path), a.Type(), b.Type())
	}
	switch a.Type() {
	case timeType:
		ta, tb := valueOf[time.Time](a), valueOf[time.Time](b)
		if !ta.Equal(tb) {
			return fmt.Sprintf("%s: got %s, want %s", orRoot(path), ta.Format(time.RFC3339Nano), tb.Format(time.RFC3339Nano))
		}
		return ""
	case decimalType:
		da, db := valueOf[decimal.Decimal](a), valueOf[decimal.Decimal](b)
		if !da.Equal(db) {
			return fmt.Sprintf("%s: got %s, want %s", orRoot(path), da, db)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() == b.IsNil() {
				return ""
			}
			return fmt.Sprintf("%s: got %s, want %s", orRoot(path), nilOr(a), nilOr(b))
		}
		return diff(path, a.Elem(), b.Elem())
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: got %d elements, want %d", orRoot(path), a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: got %d entries, want %d", orRoot(path), a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			if d := diff(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := diff(join(path, a.Type().Field(i).Name), a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s: got %q, want %q", orRoot(path), a.String(), b.String())
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Sprintf("%s: got %t, want %t", orRoot(path), a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Sprintf("%s: got %d, want %d", orRoot(path), a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Sprintf("%s: got %d, want %d", orRoot(path), a.Uint(), b.Uint())
		}
	case reflect.Float32, reflect.Float64:
		if a.Float() != b.Float() {
			return fmt.Sprintf("%s: got %g, want %g", orRoot(path), a.Float(), b.Float())
		}
	default:
		return fmt.Sprintf("%s: cannot compare a %s", orRoot(path), a.Kind())
	}
	return ""
}

// valueOf returns the T in v. The domain types export every field, so v
// is always reachable.
func valueOf[T any](v reflect.Value) T { return v.Interface().(T) }

func nilOr(v reflect.Value) string {
	if v.IsNil() {
		return "nil"
	}
	return "non-nil"
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orRoot(path string) string {
	if path == "" {
		return "value"
	}
	return path
}

// unset returns the paths of the fields of v that hold a zero value
// (recursively through structs, pointers and slice elements), except the
// top-level fields named in except. The suite's fixtures set every field,
// so that an adapter dropping one is caught, and a field added to a domain
// type later fails this check until the fixture sets it too.
func unset(v any, except ...string) []string {
	var out []string
	walkUnset("", reflect.ValueOf(v), except, &out)
	return out
}

func walkUnset(path string, v reflect.Value, except []string, out *[]string) {
	switch v.Type() {
	case timeType, decimalType:
		if v.IsZero() || v.Type() == decimalType && valueOf[decimal.Decimal](v).IsZero() {
			*out = append(*out, orRoot(path))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			*out = append(*out, orRoot(path))
			return
		}
		walkUnset(path, v.Elem(), nil, out)
	case reflect.Slice:
		if v.Len() == 0 {
			*out = append(*out, orRoot(path))
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := 0; i < v.Len(); i++ {
			walkUnset(fmt.Sprintf("%s[%d]", path, i), v.Index(i), nil, out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			if path == "" && contains(except, name) {
				continue
			}
			walkUnset(join(path, name), v.Field(i), nil, out)
		}
	default:
		if v.IsZero() {
			*out = append(*out, orRoot(path))
		}
	}
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
