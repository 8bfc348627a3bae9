package passengine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/passcode"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/sqlite"
	"github.com/passengine/passengine/wallet"
	"github.com/shopspring/decimal"
)

// problemWorld is a small network on memstore whose Engine calls return
// the errors ProblemOf classifies: a gym "gym" in USD with clubs "club"
// (tier 1) and "prime" (tier 2), a tier 1 day pack and holders ana (with
// a pass and a passcode) and bob (no pass).
type problemWorld struct {
	tb    testing.TB
	ctx   context.Context
	eng   *passengine.Engine
	clock *passengine.ManualClock
	pass  pass.Pass
	code  string
}

func newProblemWorld(tb testing.TB) *problemWorld {
	tb.Helper()
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(memstore.New(), passengine.WithClock(clock),
		passengine.WithCodeKey([]byte("problem test passcode key, 32 by")))
	w := &problemWorld{tb: tb, ctx: context.Background(), eng: eng, clock: clock}
	declared := clock.Now().Add(-time.Hour)
	w.must(eng.PutNetwork(w.ctx, catalog.Network{ID: "gym", Currency: "USD", Zone: "UTC"}))
	w.must(eng.PutLocation(w.ctx, catalog.Location{Network: "gym", ID: "club", Zone: "UTC", Tier: 1}))
	w.must(eng.PutLocation(w.ctx, catalog.Location{Network: "gym", ID: "prime", Zone: "UTC", Tier: 2}))
	w.must(eng.PutProduct(w.ctx, pass.Product{Network: "gym", ID: "days", Kind: pass.Day, Units: 10, Tier: 1,
		Price: money.MustNew("50", "USD"), Validity: calendar.Validity{Months: 1}, Activation: pass.OnPurchase}))
	for _, id := range []string{"ana", "bob"} {
		w.must(eng.PutHolder(w.ctx, catalog.Holder{Network: "gym", ID: id, Audience: catalog.Member, HealthDeclaredAt: &declared}))
	}
	w.must(eng.PutTerms(w.ctx, billing.Terms{Network: "gym", Location: "club", ID: "club-v1", EffectiveFrom: clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: money.MustNew("5", "USD")}}, PAYGShare: decimal.Zero}))
	p, err := eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "issue-ana", Network: "gym", Product: "days", Holder: "ana", Passcode: true})
	w.must(err)
	w.pass = p
	w.code, err = eng.Passcode(w.ctx, "gym", p.ID)
	w.must(err)
	return w
}

func (w *problemWorld) must(err error) {
	w.tb.Helper()
	if err != nil {
		w.tb.Fatal(err)
	}
}

func (w *problemWorld) checkIn(key, holder, location string) error {
	_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: key, Network: "gym", Holder: holder, Location: location})
	return err
}

func (w *problemWorld) redeem(key, location, code string) error {
	_, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: key, Network: "gym", Location: location, Code: code})
	return err
}

// problemCase is an error as the Engine returns it and the Problem
// members ProblemOf must give it.
type problemCase struct {
	name string
	err  func(w *problemWorld) error
	code passengine.Code
	// check, when set, checks the extension members.
	check func(t *testing.T, p passengine.Problem)
}

func problemCases() []problemCase {
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	return []problemCase{
		{name: "CheckIn without a holder", code: passengine.CodeInvalid,
			err: func(w *problemWorld) error { return w.checkIn("k-invalid", "", "club") },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Field != "holder" {
					t.Errorf("field: got %q, want %q", p.Field, "holder")
				}
			}},
		{name: "money.New of a bad amount", code: passengine.CodeInvalid,
			err: func(*problemWorld) error { _, err := money.New("1,5", "USD"); return err },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Field != "amount" {
					t.Errorf("field: got %q, want %q", p.Field, "amount")
				}
			}},
		{name: "Holders with a cursor it did not return", code: passengine.CodeCursor,
			err: func(w *problemWorld) error {
				_, err := w.eng.Holders(w.ctx, "gym", passengine.PageRequest{Cursor: "not-a-cursor"})
				return err
			},
			check: func(t *testing.T, p passengine.Problem) {
				if p.Field != "cursor" {
					t.Errorf("field: got %q, want cursor", p.Field)
				}
			}},
		{name: "store.ErrCursor wrapped", code: passengine.CodeCursor,
			err: func(*problemWorld) error { return fmt.Errorf("ledger page: %w", store.ErrCursor) }},
		{name: "CheckIn of an unknown holder", code: passengine.CodeNotFound,
			err: func(w *problemWorld) error { return w.checkIn("k-nobody", "nobody", "club") }},
		{name: "CheckIn of a holder without a pass", code: passengine.CodeNoEntitlement,
			err: func(w *problemWorld) error { return w.checkIn("k-bob", "bob", "club") },
			check: func(t *testing.T, p passengine.Problem) {
				if len(p.Reasons) != 0 {
					t.Errorf("reasons: got %+v, want none", p.Reasons)
				}
			}},
		{name: "CheckIn above the pass's tier", code: passengine.CodeNoEntitlement,
			err: func(w *problemWorld) error { return w.checkIn("k-prime", "ana", "prime") },
			check: func(t *testing.T, p passengine.Problem) {
				if len(p.Reasons) != 1 || p.Reasons[0].Reason != string(entitlement.TierTooLow) || p.Reasons[0].Message == "" {
					t.Errorf("reasons: got %+v, want one tier_too_low with a message", p.Reasons)
				}
			}},
		{name: "Redeem above the pass's tier", code: passengine.CodeNoEntitlement,
			err: func(w *problemWorld) error { return w.redeem("r-prime", "prime", w.code) },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Outcome != string(checkin.NotIncluded) || len(p.Reasons) != 1 || p.Reasons[0].Reason != string(entitlement.TierTooLow) {
					t.Errorf("outcome and reasons: got %q %+v, want not_included with tier_too_low", p.Outcome, p.Reasons)
				}
			}},
		{name: "Redeem of an unknown code", code: passengine.CodeRefused,
			err: func(w *problemWorld) error { return w.redeem("r-unknown", "club", wrongPasscode(0, w.code)) },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Outcome != string(checkin.UnknownCode) || p.LockedUntil != nil {
					t.Errorf("outcome, locked until: got %q %v, want unknown_code and none", p.Outcome, p.LockedUntil)
				}
			}},
		{name: "Redeem at a locked location", code: passengine.CodeLocationLocked,
			err: func(w *problemWorld) error {
				var err error
				for i := 0; i < 6; i++ {
					err = w.redeem(fmt.Sprint("r-lock-", i), "club", wrongPasscode(i, w.code))
				}
				if passengine.CodeOf(err) != passengine.CodeRefused || passengine.ProblemOf(err).LockedUntil == nil {
					return fmt.Errorf("the failure that sets the lock: got %v, want refused with locked_until", err)
				}
				return w.redeem("r-locked", "club", w.code)
			},
			check: func(t *testing.T, p passengine.Problem) {
				if p.LockedUntil == nil || p.LockedUntil.Location() != time.UTC || p.Outcome != string(checkin.LocationLocked) {
					t.Errorf("locked until, outcome: got %v %q, want a UTC instant and location_locked", p.LockedUntil, p.Outcome)
				}
			}},
		{name: "CheckIn twice", code: passengine.CodeAlreadyCheckedIn,
			err: func(w *problemWorld) error {
				w.must(w.checkIn("k-in", "ana", "club"))
				return w.checkIn("k-in-again", "ana", "club")
			},
			check: func(t *testing.T, p passengine.Problem) {
				if p.Visit == "" {
					t.Error("visit: got none, want the open visit")
				}
			}},
		{name: "CheckOut of a closed visit", code: passengine.CodeNotOpen,
			err: func(w *problemWorld) error {
				r, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "k-out", Network: "gym", Holder: "ana", Location: "club"})
				w.must(err)
				_, err = w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "k-out-1", Network: "gym", Visit: r.Visit.ID})
				w.must(err)
				_, err = w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "k-out-2", Network: "gym", Visit: r.Visit.ID})
				return err
			}},
		{name: "ErrNotBooked wrapped", code: passengine.CodeNotBooked,
			err: func(*problemWorld) error { return fmt.Errorf("visit v1: %w", passengine.ErrNotBooked) }},
		{name: "ErrNotMovable wrapped", code: passengine.CodeNotMovable,
			err: func(*problemWorld) error { return fmt.Errorf("visit v1: %w", passengine.ErrNotMovable) }},
		{name: "AdjustUnits below zero", code: passengine.CodeBalance,
			err: func(w *problemWorld) error {
				_, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "adj", Network: "gym", Pass: w.pass.ID, Units: -100})
				return err
			}},
		{name: "a key sent again with another request", code: passengine.CodeKeyReused,
			err: func(w *problemWorld) error {
				w.must(w.checkIn("k-reuse", "ana", "club"))
				return w.checkIn("k-reuse", "ana", "prime")
			},
			check: func(t *testing.T, p passengine.Problem) {
				if p.Key != "k-reuse" || p.Operation == "" {
					t.Errorf("key, operation: got %q %q, want k-reuse and an operation", p.Key, p.Operation)
				}
			}},
		{name: "ErasedError", code: passengine.CodeErased,
			err: func(*problemWorld) error { return &passengine.ErasedError{Key: "k1"} },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Key != "k1" {
					t.Errorf("key: got %q, want k1", p.Key)
				}
			}},
		{name: "PutTerms of a changed version", code: passengine.CodeExists,
			err: func(w *problemWorld) error {
				return w.eng.PutTerms(w.ctx, billing.Terms{Network: "gym", Location: "club", ID: "club-v1", EffectiveFrom: w.clock.Now(),
					Rates: []billing.Rate{{Tier: 1, Amount: usd("6")}}, PAYGShare: decimal.Zero})
			}},
		{name: "CardExistsError", code: passengine.CodeCardExists,
			err: func(*problemWorld) error { return &passengine.CardExistsError{Card: "c1"} },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Card != "c1" {
					t.Errorf("card: got %q, want c1", p.Card)
				}
			}},
		{name: "CardInstalledError", code: passengine.CodeCardInstalled,
			err: func(*problemWorld) error { return &passengine.CardInstalledError{Card: "c2"} },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Card != "c2" {
					t.Errorf("card: got %q, want c2", p.Card)
				}
			}},
		{name: "Spend from an empty account", code: passengine.CodeInsufficientFunds,
			err: func(w *problemWorld) error {
				_, err := w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "spend", Network: "gym", Holder: "bob", Amount: usd("10")})
				return err
			},
			check: func(t *testing.T, p passengine.Problem) {
				if p.Amount == nil || p.Available == nil || p.Amount.String() != "10.00 USD" || !p.Available.Amount.IsZero() {
					t.Errorf("amount, available: got %v %v, want 10.00 USD and 0", p.Amount, p.Available)
				}
			}},
		{name: "Refund of more than the entry took", code: passengine.CodeRefundTooLarge,
			err: func(w *problemWorld) error {
				_, err := w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: "dep", Network: "gym", Holder: "bob", Amount: usd("20")})
				w.must(err)
				r, err := w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "spend-5", Network: "gym", Holder: "bob", Amount: usd("5")})
				w.must(err)
				_, err = w.eng.Refund(w.ctx, passengine.RefundRequest{Key: "ref", Network: "gym", Entry: r.Entries[0].ID, Amount: usd("6"), Actor: "desk"})
				return err
			},
			check: func(t *testing.T, p passengine.Problem) {
				if p.Entry == "" || p.Available == nil || p.Available.String() != "5.00 USD" {
					t.Errorf("entry, available: got %q %v, want the entry and 5.00 USD", p.Entry, p.Available)
				}
			}},
		{name: "Settle with nothing owed", code: passengine.CodeNoDebt,
			err: func(w *problemWorld) error {
				_, err := w.eng.Settle(w.ctx, passengine.SettleRequest{Key: "settle", Network: "gym", Holder: "bob"})
				return err
			}},
		{name: "NoDebtError naming a visit", code: passengine.CodeNoDebt,
			err: func(*problemWorld) error { return &wallet.NoDebtError{Holder: "bob", Visit: "v9"} },
			check: func(t *testing.T, p passengine.Problem) {
				if p.Visit != "v9" {
					t.Errorf("visit: got %q, want v9", p.Visit)
				}
			}},
		{name: "billing.ErrTermsMissing wrapped", code: passengine.CodeTermsMissing,
			err: func(*problemWorld) error {
				return fmt.Errorf("visit v1: terms %q of location club: %w", "x", billing.ErrTermsMissing)
			}},
		{name: "ErrNoPasscode wrapped", code: passengine.CodeNoPasscode,
			err: func(*problemWorld) error { return fmt.Errorf("pass p1: %w", passengine.ErrNoPasscode) }},
		{name: "ErrCodesExhausted wrapped", code: passengine.CodeCodesExhausted,
			err: func(*problemWorld) error { return fmt.Errorf("pass p1: 16 draws: %w", passengine.ErrCodesExhausted) }},
		{name: "Redeem without a passcode key", code: passengine.CodeMisconfigured,
			err: func(w *problemWorld) error {
				eng := passengine.New(memstore.New(), passengine.WithClock(w.clock))
				_, err := eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "r", Network: "gym", Location: "club", Code: "12345678"})
				return err
			}},
		{name: "passcode.ErrSealed wrapped", code: passengine.CodeMisconfigured,
			err: func(*problemWorld) error { return fmt.Errorf("pass p1: %w", passcode.ErrSealed) }},
		{name: "ErrConflict after the retries", code: passengine.CodeConflict,
			err: func(*problemWorld) error { return fmt.Errorf("check_in: %w", passengine.ErrConflict) }},
		{name: "a cancelled context", code: passengine.CodeUnavailable,
			err: func(w *problemWorld) error {
				ctx, cancel := context.WithCancel(w.ctx)
				cancel()
				_, err := w.eng.CheckIn(ctx, passengine.CheckInRequest{Key: "k-cancel", Network: "gym", Holder: "ana", Location: "club"})
				return err
			}},
		{name: "a closed SQLite store", code: passengine.CodeUnavailable,
			err: func(w *problemWorld) error {
				st, err := sqlite.Open(w.ctx, filepath.Join(w.tb.TempDir(), "closed.db"))
				w.must(err)
				w.must(st.Close())
				_, err = passengine.New(st).Network(w.ctx, "gym")
				return err
			}},
		{name: "an error of no known class", code: passengine.CodeInternal,
			err: func(*problemWorld) error { return errors.New("pq: relation \"visits\" does not exist") },
			check: func(t *testing.T, p passengine.Problem) {
				if strings.Contains(p.Detail, "visits") {
					t.Errorf("detail: got %q, want no internal message", p.Detail)
				}
			}},
	}
}

// wrongPasscode returns the i-th 8-digit code that is not good.
func wrongPasscode(i int, good string) string {
	c := fmt.Sprintf("%08d", 13_570_000+i)
	if c == good {
		c = fmt.Sprintf("%08d", 13_580_000+i)
	}
	return c
}

// TestProblemOf_EveryCode: every Code is produced by ProblemOf from an
// error as the Engine returns it (the main ones from a real Engine call on
// memstore), with the code's status, title and type URI, the error's
// message as Detail (a fixed text for internal) and the extension members
// that apply.
func TestProblemOf_EveryCode(t *testing.T) {
	seen := map[passengine.Code]bool{}
	for _, c := range problemCases() {
		t.Run(c.name, func(t *testing.T) {
			w := newProblemWorld(t)
			err := c.err(w)
			if err == nil {
				t.Fatalf("got nil error, want one of code %q", c.code)
			}
			p := passengine.ProblemOf(err)
			if p.Code != c.code {
				t.Fatalf("code of %v: got %q, want %q", err, p.Code, c.code)
			}
			seen[p.Code] = true
			if got, want := passengine.CodeOf(err), c.code; got != want {
				t.Errorf("CodeOf: got %q, want %q", got, want)
			}
			if p.Status != c.code.Status() || p.Status < 400 || p.Status > 599 {
				t.Errorf("status: got %d, want %d (4xx or 5xx)", p.Status, c.code.Status())
			}
			if got, want := p.Type, "https://passengine.dev/errors/"+string(c.code); got != want {
				t.Errorf("type: got %q, want %q", got, want)
			}
			if p.Title == "" || p.Title != c.code.Title() {
				t.Errorf("title: got %q, want %q", p.Title, c.code.Title())
			}
			if c.code != passengine.CodeInternal && p.Detail != err.Error() {
				t.Errorf("detail: got %q, want %q", p.Detail, err.Error())
			}
			if c.check != nil {
				c.check(t, p)
			}
		})
	}
	for _, code := range passengine.Codes() {
		if !seen[code] {
			t.Errorf("code %q: no case produced it", code)
		}
	}
}

// TestProblemOf_Nil: a nil error is no problem: the zero Problem.
func TestProblemOf_Nil(t *testing.T) {
	if got := passengine.ProblemOf(nil); got.Code != "" || got.Status != 0 || got.Type != "" {
		t.Errorf("ProblemOf(nil): got %+v, want the zero Problem", got)
	}
	if got := passengine.CodeOf(nil); got != "" {
		t.Errorf("CodeOf(nil): got %q, want \"\"", got)
	}
}

// TestProblemOf_MostSpecificFirst: an error that matches several classes
// gets the most specific: a *RedeemError refusing a pass is no_entitlement
// with the outcome, a locked one location_locked although it is also a
// redemption refusal, a FieldError naming "cursor" is cursor, and a
// FieldError wrapped in a key-reuse chain keeps key_reused.
func TestProblemOf_MostSpecificFirst(t *testing.T) {
	until := time.Date(2026, 3, 3, 9, 0, 0, 0, time.FixedZone("X", 3600))
	for _, c := range []struct {
		err  error
		want passengine.Code
	}{
		{&checkin.RedeemError{Outcome: checkin.PassExpired, Reason: entitlement.Expired, Pass: "p1"}, passengine.CodeNoEntitlement},
		{&checkin.RedeemError{Outcome: checkin.LocationLocked, LockedUntil: until}, passengine.CodeLocationLocked},
		{&checkin.RedeemError{Outcome: checkin.NoHealthDeclaration, Pass: "p1"}, passengine.CodeRefused},
		{&checkin.AlreadyCheckedInError{Visit: checkin.Visit{ID: "v1"}}, passengine.CodeAlreadyCheckedIn},
		{field.Invalid("cursor", "is not a cursor"), passengine.CodeCursor},
		{fmt.Errorf("%w (%w)", &passengine.IdempotencyError{Key: "k", Operation: "issue"}, field.Invalid("x", "bad")), passengine.CodeKeyReused},
		{fmt.Errorf("lookup: %w: %w", store.ErrNotFound, context.Canceled), passengine.CodeNotFound},
	} {
		if got := passengine.CodeOf(c.err); got != c.want {
			t.Errorf("CodeOf(%v): got %q, want %q", c.err, got, c.want)
		}
	}
	p := passengine.ProblemOf(&checkin.RedeemError{Outcome: checkin.LocationLocked, LockedUntil: until})
	if p.LockedUntil == nil || !p.LockedUntil.Equal(until) || p.LockedUntil.Location() != time.UTC {
		t.Errorf("locked until: got %v, want %v in UTC", p.LockedUntil, until)
	}
}

// TestProblem_JSON: a Problem marshals with the RFC 9457 members and only
// the extension members that apply.
func TestProblem_JSON(t *testing.T) {
	b, err := json.Marshal(passengine.ProblemOf(&passengine.FieldError{Name: "holder", Problem: "is required"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"https://passengine.dev/errors/invalid","title":"Invalid input","status":422,"detail":"invalid holder: is required","code":"invalid","field":"holder"}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	until := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	b, err = json.Marshal(passengine.ProblemOf(&checkin.RedeemError{Outcome: checkin.LocationLocked, LockedUntil: until}))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["locked_until"] != "2026-03-03T09:00:00Z" || m["code"] != "location_locked" || m["status"] != float64(429) {
		t.Errorf("JSON of a lockout: got %s, want locked_until, code and status 429", b)
	}
	for _, absent := range []string{"field", "reasons", "key", "card", "amount", "instance"} {
		if _, ok := m[absent]; ok {
			t.Errorf("JSON of a lockout: got member %q, want it omitted", absent)
		}
	}
}

// TestErrorsDoc: every Code constant declared in problem.go is listed by
// Codes, and ERRORS.md has a table row for every code with its status.
func TestErrorsDoc(t *testing.T) {
	listed := map[passengine.Code]bool{}
	for _, c := range passengine.Codes() {
		if listed[c] {
			t.Errorf("Codes lists %q twice", c)
		}
		listed[c] = true
	}
	f, err := parser.ParseFile(token.NewFileSet(), "problem.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					continue
				}
				code, _ := strconv.Unquote(lit.Value)
				declared++
				if !listed[passengine.Code(code)] {
					t.Errorf("code %q is declared but Codes does not list it", code)
				}
			}
		}
	}
	if declared != len(listed) {
		t.Errorf("declared codes: got %d, want %d (Codes)", declared, len(listed))
	}
	doc, err := os.ReadFile("ERRORS.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| (\\d{3}) \\|")
	rows := map[string]int{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]], _ = strconv.Atoi(m[2])
	}
	for _, c := range passengine.Codes() {
		status, ok := rows[string(c)]
		switch {
		case !ok:
			t.Errorf("ERRORS.md: no row for code %q", c)
		case status != c.Status():
			t.Errorf("ERRORS.md: status of %q: got %d, want %d", c, status, c.Status())
		}
	}
	if len(rows) != len(listed) {
		t.Errorf("ERRORS.md rows: got %d, want %d (one per code)", len(rows), len(listed))
	}
}

// A host answers any error of the Engine with one call: ProblemOf gives
// the status, the stable code and the problem details to send as
// application/problem+json.
func ExampleProblemOf() {
	err := fmt.Errorf("check-in: %w", &passengine.FieldError{Name: "holder", Problem: "is required"})
	p := passengine.ProblemOf(err)
	b, _ := json.Marshal(p)
	fmt.Println(p.Status, p.Code)
	fmt.Println(string(b))
	// Output:
	// 422 invalid
	// {"type":"https://passengine.dev/errors/invalid","title":"Invalid input","status":422,"detail":"check-in: invalid holder: is required","code":"invalid","field":"holder"}
}
