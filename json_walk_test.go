package passengine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/wallet"
	"github.com/shopspring/decimal"
)

// secretName matches the JSON or field names that say a secret: a hash
// or seal of a passcode, a salt, a token, a password, a private key.
var secretName = regexp.MustCompile(`(?i)(hash|seal|secret|salt|token|passw|credential|private)`)

// snakeCase is the form of every JSON key of passengine's types.
var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// jsonResults are the types the Engine hands to a host for its clients:
// results and the values inside them. Their zero value marshals with no
// null list and no zero time, besides the checks on every JSON type.
var jsonResults = []any{
	passengine.VisitResult{}, passengine.Balance{}, passengine.RedeemResult{}, passengine.HealthDeclaration{},
	passengine.AccountResult{}, passengine.DeleteHolderResult{}, passengine.PassView{}, passengine.BulkResult{},
	passengine.Page[catalog.Location]{}, passengine.Page[checkin.Visit]{}, passengine.Page[passengine.Occupancy]{},
	passengine.PurchasesPage{}, passengine.Purchase{}, passengine.ExpiringPage{}, passengine.ExpiringPass{},
	passengine.EntryPage{}, passengine.CardView{}, passengine.CardPoints{}, passengine.CardSegment{},
	passengine.UnlockResult{}, passengine.Occupancy{}, passengine.HistoryRow{},
	passengine.Problem{}, passengine.ProblemReason{},
	money.Money{}, calendar.Date{}, calendar.Validity{}, calendar.Zone{},
	catalog.Network{}, catalog.Location{}, catalog.Team{}, catalog.Holder{},
	pass.Pass{}, pass.Freeze{}, pass.Product{}, pass.Entry{},
	checkin.Visit{}, checkin.Consumption{}, checkin.Guard{}, checkin.Lockout{},
	entitlement.Selection{}, entitlement.Candidate{}, entitlement.Key{},
	billing.Statement{}, billing.Line{}, billing.LocationTotal{}, billing.Terms{}, billing.Rate{}, billing.Price{},
	billing.PAYG{}, billing.DayCharge{},
	card.Card{}, card.Counters{}, card.Metrics{}, card.BonusRule{}, card.RFM{}, card.Score{}, card.Segmentation{},
	card.Thresholds{}, card.Rule{},
	wallet.Account{}, wallet.Entry{}, wallet.Debt{},
}

// jsonRequests are the request and filter types a host may decode a
// client's body into. They never take the network or the idempotency key
// from JSON.
var jsonRequests = []any{
	passengine.CheckInRequest{}, passengine.CheckOutRequest{}, passengine.BookRequest{}, passengine.CancelRequest{},
	passengine.AttendanceRequest{}, passengine.MoveRequest{}, passengine.CloseStaleRequest{},
	passengine.IssueRequest{}, passengine.BulkIssueRequest{}, passengine.AdjustRequest{}, passengine.ExpiryRequest{},
	passengine.FreezeRequest{}, passengine.UnfreezeRequest{}, passengine.PaidRequest{},
	passengine.PasscodeRequest{}, passengine.UnlockRequest{}, passengine.RedeemRequest{},
	passengine.DepositRequest{}, passengine.SpendRequest{}, passengine.RefundRequest{}, passengine.AdjustAccountRequest{},
	passengine.OverdraftRequest{}, passengine.SettleRequest{},
	passengine.IssueCardRequest{}, passengine.VisitsRequest{}, passengine.BonusRequest{}, passengine.CardStatusRequest{},
	passengine.CardExpiryRequest{}, passengine.DeleteHolderRequest{}, passengine.PayoutRequest{},
	passengine.PurchasesRequest{}, passengine.ExpiringRequest{}, passengine.AccountEntriesRequest{},
	passengine.NetworkHistoryRequest{}, passengine.AccountHistoryRequest{}, passengine.SegmentsRequest{},
	passengine.PageRequest{}, passengine.PassFilter{}, passengine.LedgerFilter{}, passengine.DebtFilter{},
	passengine.CardFilter{}, passengine.VisitFilter{},
}

// notJSON are the exported types with json tags that have no JSON form of
// their own: decision inputs and outputs inside the Engine, and a cursor
// that is encoded opaquely. The source walk still checks their fields.
var notJSON = map[string]bool{
	"checkin.Outcome": true, "checkin.State": true, "checkin.Cancel": true, "store.EntryCursor": true,
}

// TestJSON_EveryTypeIsSafe walks every exported struct type of every
// package of the module (from the source, package main and test files
// left out) and fails when a field whose name says a secret would be
// serialized, or a time.Duration would be serialized as raw nanoseconds
// by a type without a JSON form of its own (a MarshalJSON). Every type
// with json tags must be listed above, as a result, a request or a type
// with no JSON form, so that the reflection checks of
// TestJSON_EveryJSONTypeIsClean cover it.
func TestJSON_EveryTypeIsSafe(t *testing.T) {
	listed := map[string]bool{}
	for _, v := range append(append([]any{}, jsonResults...), jsonRequests...) {
		listed[typeName(reflect.TypeOf(v))] = true
	}
	types, tagged := 0, 0
	err := walkModule(0, func(_ string, fset *token.FileSet, pkg *ast.Package) {
		{
			if pkg.Name == "main" {
				return
			}
			marshalers := map[string]bool{}
			for _, f := range pkg.Files {
				for _, decl := range f.Decls {
					if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv != nil && fn.Name.Name == "MarshalJSON" {
						marshalers[receiverName(fn.Recv.List[0].Type)] = true
					}
				}
			}
			for _, f := range pkg.Files {
				ast.Inspect(f, func(n ast.Node) bool {
					ts, ok := n.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() {
						return true
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						return false
					}
					types++
					name := pkg.Name + "." + ts.Name.Name
					if pkg.Name == "passengine" {
						name = "passengine." + ts.Name.Name
					}
					hasTags := false
					for _, fl := range st.Fields.List {
						tag := jsonTag(fl)
						hasTags = hasTags || tag != ""
						if tag == "-" {
							continue
						}
						for _, id := range fl.Names {
							if !id.IsExported() {
								continue
							}
							key := strings.Split(tag, ",")[0]
							if key == "" {
								key = id.Name
							}
							pos := fset.Position(id.Pos())
							if secretName.MatchString(key) {
								t.Errorf("%s: %s.%s serializes as %q, a name that says a secret: tag it json:\"-\"", pos, name, id.Name, key)
							}
							if isDuration(fl.Type) && !marshalers[ts.Name.Name] {
								t.Errorf("%s: %s.%s is a time.Duration that serializes as nanoseconds: give %s a MarshalJSON in minutes, or tag it json:\"-\"",
									pos, name, id.Name, ts.Name.Name)
							}
						}
					}
					if hasTags {
						tagged++
						if !listed[name] && !notJSON[name] {
							t.Errorf("%s: %s has json tags but is in neither jsonResults, jsonRequests nor notJSON (json_walk_test.go)",
								fset.Position(ts.Pos()), name)
						}
					}
					return false
				})
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if types < 150 || tagged < 60 {
		t.Fatalf("walked %d exported struct types, %d with json tags: the module was not read", types, tagged)
	}
}

// TestJSON_EveryJSONTypeIsClean marshals every listed type twice: filled
// (every field set, durations to 90 minutes) and zero. Filled, its keys
// are snake_case, none says a secret, no number is a duration in
// nanoseconds, and a request has no "network" or "key". Zero, a result
// has no null but for an absent amount (the zero Money) and no zero
// time.
func TestJSON_EveryJSONTypeIsClean(t *testing.T) {
	const nanos = float64(90 * time.Minute)
	check := func(v any, request bool) {
		typ := reflect.TypeOf(v)
		name := typeName(typ)
		filled := reflect.New(typ).Elem()
		fill(filled, 0)
		b, err := json.Marshal(filled.Interface())
		if err != nil {
			t.Errorf("%s: marshal a filled value: %v", name, err)
			return
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		walkJSON(doc, "", func(path, key string, val any) {
			if key != "" && !snakeCase.MatchString(key) && !strings.HasSuffix(path, "programs") {
				t.Errorf("%s: key %q at %s is not snake_case", name, key, path)
			}
			if secretName.MatchString(key) {
				t.Errorf("%s: key %q at %s says a secret", name, key, path)
			}
			if f, ok := val.(float64); ok && math.Abs(f) == nanos {
				t.Errorf("%s: %s is %v: a duration in nanoseconds", name, path, f)
			}
			if request && path == "" && (key == "network" || key == "key") {
				t.Errorf("%s: a request takes %q from a body: tag it json:\"-\"", name, key)
			}
		})
		if request {
			return
		}
		zero, err := json.Marshal(reflect.New(typ).Elem().Interface())
		if err != nil {
			t.Errorf("%s: marshal the zero value: %v", name, err)
			return
		}
		if strings.Contains(string(zero), "0001-01-01") {
			t.Errorf("%s: the zero value shows a zero time: %s", name, zero)
		}
		money := moneyKeys(typ, map[reflect.Type]bool{})
		for _, m := range regexp.MustCompile(`"([a-z0-9_]+)":null`).FindAllStringSubmatch(string(zero), -1) {
			if !money[m[1]] {
				t.Errorf("%s: the zero value has %q null: a list must be [] and an absent value omitted: %s", name, m[1], zero)
			}
		}
	}
	for _, v := range jsonResults {
		check(v, false)
	}
	for _, v := range jsonRequests {
		check(v, true)
	}
}

// typeName returns "pkg.Name" for t, with the package's last path element
// ("passengine" for the root) and without type arguments.
func typeName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name, _, _ := strings.Cut(t.Name(), "[")
	return pkg + "." + name
}

// receiverName returns the type name of a method's receiver expression.
func receiverName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return receiverName(x.X)
	case *ast.IndexExpr:
		return receiverName(x.X)
	case *ast.IndexListExpr:
		return receiverName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return ""
}

// jsonTag returns the json part of a field's tag, "" without one.
func jsonTag(f *ast.Field) string {
	if f.Tag == nil {
		return ""
	}
	return reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Get("json")
}

// isDuration reports whether e is time.Duration, or a pointer, slice,
// array or map of it.
func isDuration(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.StarExpr:
		return isDuration(x.X)
	case *ast.ArrayType:
		return isDuration(x.Elt)
	case *ast.MapType:
		return isDuration(x.Value)
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == "time" && x.Sel.Name == "Duration"
	}
	return false
}

var (
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(time.Duration(0))
	decimalType  = reflect.TypeOf(decimal.Decimal{})
	moneyType    = reflect.TypeOf(money.Money{})
	errorType    = reflect.TypeOf((*error)(nil)).Elem()
)

// fill sets every settable field of v to a value that is not zero:
// strings "x", numbers 7, durations 90 minutes, one element in every list
// and map, a fixed instant, a zone for a *time.Location.
func fill(v reflect.Value, depth int) {
	if depth > 8 || !v.CanSet() {
		return
	}
	t := v.Type()
	switch {
	case t == durationType:
		v.SetInt(int64(90 * time.Minute))
		return
	case t == timeType:
		v.Set(reflect.ValueOf(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)))
		return
	case t == decimalType:
		v.Set(reflect.ValueOf(decimal.RequireFromString("7.5")))
		return
	case t == reflect.TypeOf(calendar.Date{}):
		v.Set(reflect.ValueOf(calendar.MustDate("2026-03-02")))
		return
	case t == reflect.TypeOf((*time.Location)(nil)):
		v.Set(reflect.ValueOf(time.UTC))
		return
	case t == errorType:
		v.Set(reflect.ValueOf(errors.New("x")))
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(7)
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(t, 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(t)
		k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}

// walkJSON calls f for every member of every object in doc, with its
// path, key and value.
func walkJSON(doc any, path string, f func(path, key string, val any)) {
	switch x := doc.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f(path, k, x[k])
			walkJSON(x[k], path+"."+k, f)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, fmt.Sprintf("%s[%d]", path, i), f)
		}
	}
}

// moneyKeys returns the JSON keys of the money.Money fields reachable
// from t: a zero Money is null by design (an absent amount).
func moneyKeys(t reflect.Type, seen map[reflect.Type]bool) map[string]bool {
	out := map[string]bool{}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return out
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("json"), ",")[0]
		if key == "" {
			key = f.Name
		}
		if f.Type == moneyType {
			out[key] = true
		}
		for k := range moneyKeys(f.Type, seen) {
			out[k] = true
		}
	}
	return out
}
