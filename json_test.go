package passengine_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
)

// updateGolden rewrites testdata/json/*.golden from what the tests build:
// go test -run TestJSON -update, then review the diff.
var updateGolden = flag.Bool("update", false, "rewrite testdata/json/*.golden")

// mustJSON returns v's JSON, failing the test if it has none.
func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal %T: %v", v, err)
	}
	return string(b)
}

// golden compares v's indented JSON with testdata/json/name.golden, or
// writes it there with -update.
func golden(tb testing.TB, name string, v any) {
	tb.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatalf("%s: marshal %T: %v", name, v, err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "json", name+".golden")
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%s: %v (run go test -run TestJSON -update to write it)", name, err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s: the JSON form changed (JSON.md; rewrite with -update if meant):\ngot  %s\nwant %s", path, got, want)
	}
}

// goldenWorld is the coworking network the golden files are made in:
// memstore, a fixed clock, sequential IDs, USD in New York.
func goldenWorld(t *testing.T) *coreWorld {
	t.Helper()
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: "late", Name: "Late club",
		Zone: "America/New_York", DayCutoff: 3 * time.Hour, Tier: 1}))
	w.product(pass.Product{ID: "day-5", Name: "5 day passes", Kind: pass.Day, Units: 5, Price: w.money("125"),
		Validity: calendar.Validity{Months: 1}})
	w.product(pass.Product{ID: "plan-days", Name: "Plan: 10 day passes", Kind: pass.Day, Units: 10,
		UnitValue: w.money("15")})
	w.product(pass.Product{ID: "visits-3", Name: "3 classes", Kind: pass.Visits, Units: 3, Price: w.money("100"),
		Activation: pass.OnFirstUse, Validity: calendar.Validity{Days: 30}})
	w.payg(billing.PAYG{ID: "payg", Name: "Pay as you go", DailyCap: w.money("100"),
		Prices: []billing.Price{{Audience: catalog.Member, Hourly: w.money("10")}, {Audience: catalog.Contact, Hourly: w.money("15")}}})
	return w
}

// TestJSON_Values: the value types built directly: money in currencies of
// 0, 2 and 3 decimals and finer than its minor unit, dates, validities,
// zones and a lockout in minutes.
func TestJSON_Values(t *testing.T) {
	zone, err := calendar.LoadZone("Europe/Paris", 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "money.Money", map[string]money.Money{
		"usd":        money.MustNew("90", "USD"),
		"jpy":        money.MustNew("2500", "JPY"),
		"bhd":        money.MustNew("1.5", "BHD"),
		"negative":   money.MustNew("-12.5", "EUR"),
		"unit_value": {Amount: decimal.NewFromInt(100).DivRound(decimal.NewFromInt(3), 8), Currency: "USD"},
	})
	golden(t, "calendar", struct {
		Date     calendar.Date     `json:"date"`
		Zero     calendar.Date     `json:"zero_date_omitted,omitzero"`
		Validity calendar.Validity `json:"validity"`
		Zone     calendar.Zone     `json:"zone"`
	}{calendar.MustDate("2026-10-31"), calendar.Date{}, calendar.Validity{Months: 1, Days: 15}, zone})
	golden(t, "checkin.Lockout", checkin.DefaultLockout())
}

// TestJSON_Coworking: the catalog, passes, visits, lists and wallet
// results of Engine calls on memstore, one golden file per type.
func TestJSON_Coworking(t *testing.T) {
	w := goldenWorld(t)
	declared := w.at(2026, 9, 30, 12, 0)
	w.must(w.eng.PutTeam(w.ctx, catalog.Team{Network: coreNet, ID: "acme", Name: "Acme", CreditSharing: true}))
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "cy", Name: "Cy", Audience: catalog.Member,
		Team: "acme", HealthDeclaredAt: &declared}))

	n, err := w.eng.Network(w.ctx, coreNet)
	w.must(err)
	golden(t, "catalog.Network", n)
	l, err := w.eng.Location(w.ctx, coreNet, "late")
	w.must(err)
	golden(t, "catalog.Location", l)
	team, err := w.eng.Team(w.ctx, coreNet, "acme")
	w.must(err)
	golden(t, "catalog.Team", team)
	cy, err := w.eng.Holder(w.ctx, coreNet, "cy")
	w.must(err)
	golden(t, "catalog.Holder", cy)
	prod, err := w.eng.Product(w.ctx, coreNet, "day-5")
	w.must(err)
	golden(t, "pass.Product", prod)
	payg, err := w.eng.PAYG(w.ctx, coreNet, "payg")
	w.must(err)
	golden(t, "billing.PAYG", payg)
	locs, err := w.eng.Locations(w.ctx, coreNet, passengine.PageRequest{Limit: 2})
	w.must(err)
	golden(t, "Page.locations", locs)

	day5 := w.issue("ada", "day-5")
	w.issue("ada", "plan-days")
	frozen, err := w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "freeze", Network: coreNet, Pass: day5.ID,
		From: calendar.MustDate("2026-10-20"), To: calendar.MustDate("2026-10-23"), Actor: "desk", Comment: "travel"})
	w.must(err)
	golden(t, "pass.Pass", frozen)
	view, err := w.eng.Pass(w.ctx, coreNet, day5.ID)
	w.must(err)
	golden(t, "PassView", view)
	es, err := w.eng.Ledger(w.ctx, passengine.LedgerFilter{Network: coreNet, Pass: day5.ID})
	w.must(err)
	golden(t, "pass.Entry", es[0])

	// A check-in paid by a pass, chosen over another (the decision).
	in := w.checkIn("ada", "downtown", w.at(2026, 10, 1, 9, 0))
	golden(t, "VisitResult.checkin", in)
	// A pay-as-you-go visit: charges and the money charged.
	bin := w.checkIn("ben", "uptown", w.at(2026, 10, 1, 9, 0))
	out := w.checkOut(bin.Visit.ID, w.at(2026, 10, 1, 11, 10))
	golden(t, "VisitResult.payg_checkout", out)
	v, err := w.eng.Visit(w.ctx, coreNet, out.Visit.ID)
	w.must(err)
	golden(t, "checkin.Visit", v)
	// A booking of a class on a pass that activates on first use.
	w.issue("ben", "visits-3")
	book, err := w.book("ben", "uptown", w.at(2026, 10, 2, 18, 0))
	w.must(err)
	golden(t, "VisitResult.book", book)

	page, err := w.eng.Visits(w.ctx, passengine.VisitFilter{Network: coreNet, Holder: "ben", Limit: 1})
	w.must(err)
	golden(t, "Page.visits", page)
	empty, err := w.eng.Visits(w.ctx, passengine.VisitFilter{Network: coreNet, Holder: "cy"})
	w.must(err)
	golden(t, "Page.empty", empty)
	occ, err := w.eng.Occupancy(w.ctx, coreNet, passengine.PageRequest{})
	w.must(err)
	golden(t, "Page.occupancy", occ)

	purchases, err := w.eng.Purchases(w.ctx, passengine.PurchasesRequest{Network: coreNet, Holder: "ada", Limit: 1})
	w.must(err)
	golden(t, "PurchasesPage", purchases)
	expiring, err := w.eng.ExpiringSoon(w.ctx, passengine.ExpiringRequest{Network: coreNet, Within: 60})
	w.must(err)
	golden(t, "ExpiringPage", expiring)

	bulk, err := w.eng.BulkIssue(w.ctx, passengine.BulkIssueRequest{Key: "bulk", Network: coreNet, Product: "plan-days",
		Holders: []string{"cy", "nobody"}, Paid: true})
	w.must(err)
	golden(t, "BulkResult", bulk)

	dep := w.deposit("cy", "50")
	golden(t, "AccountResult", dep)
	acct, err := w.eng.Account(w.ctx, coreNet, "cy")
	w.must(err)
	golden(t, "wallet.Account", acct)
	entries, err := w.eng.AccountEntries(w.ctx, passengine.AccountEntriesRequest{Network: coreNet, Holder: "cy"})
	w.must(err)
	golden(t, "EntryPage", entries)

	w.product(pass.Product{ID: "multipass", Name: "Multipass", Kind: pass.Visits, Units: 10, Price: w.money("100")})
	card, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: "card", Network: coreNet, Holder: "cy", Program: "multipass"})
	w.must(err)
	card, err = w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: "visits", Network: coreNet, Card: card.Card.ID,
		Visits: 5, Amount: w.money("45"), Actor: "desk"})
	w.must(err)
	golden(t, "CardView", card)

	del, err := w.eng.DeleteHolder(w.ctx, passengine.DeleteHolderRequest{Key: "erase", Network: coreNet, Holder: "ben", Actor: "support"})
	w.must(err)
	golden(t, "DeleteHolderResult", del)
}

// TestJSON_Aggregator: passcode redemption, lockout, terms and payout.
func TestJSON_Aggregator(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ana", "visits-5")
	golden(t, "pass.Pass.with_passcode", p)
	r := w.mustRedeem("basic", w.code(p.ID))
	golden(t, "RedeemResult", r)
	refused, err := w.eng.ExplainRedeem(w.ctx, passengine.RedeemRequest{Network: aggNet, Location: "prime", Code: w.code(p.ID)})
	if err == nil {
		t.Fatal("redeeming a tier 1 pass at a tier 3 club: got no error, want a refusal")
	}
	golden(t, "RedeemResult.refused", refused)
	for i := range 6 {
		_, _ = w.redeem("plus", w.wrongCode(i, w.code(p.ID)))
	}
	g, err := w.eng.Guard(w.ctx, aggNet, "plus")
	w.must(err)
	golden(t, "checkin.Guard", g)
	u, err := w.eng.Unlock(w.ctx, passengine.UnlockRequest{Key: "unlock", Network: aggNet, Location: "plus", Actor: "support"})
	w.must(err)
	golden(t, "UnlockResult", u)
	terms, err := w.eng.TermsVersions(w.ctx, aggNet, "basic")
	w.must(err)
	golden(t, "billing.Terms", terms[0])
	st, err := w.eng.Payout(w.ctx, passengine.PayoutRequest{Network: aggNet, From: calendar.MustDate("2026-03-01"), To: calendar.MustDate("2026-03-31")})
	w.must(err)
	golden(t, "billing.Statement", st)
	none, err := w.eng.Payout(w.ctx, passengine.PayoutRequest{Network: aggNet, Location: "prime", From: calendar.MustDate("2026-04-01"), To: calendar.MustDate("2026-04-30")})
	w.must(err)
	golden(t, "billing.Statement.empty", none)
}

// TestJSON_SameDecisionSerializesTheSame: the decision Explain answers,
// the one CheckIn makes and the one a replay of that CheckIn returns are
// byte-equal in JSON (candidates name their pass by ID only), and the
// whole results are equal but for the visit ID a dry run does not have.
func TestJSON_SameDecisionSerializesTheSame(t *testing.T) {
	w := goldenWorld(t)
	w.issue("ada", "day-5")
	w.issue("ada", "plan-days")
	at := w.at(2026, 10, 1, 9, 0)
	w.clock.Set(at)
	req := passengine.CheckInRequest{Key: "in", Network: coreNet, Holder: "ada", Location: "downtown", At: at}
	ex, err := w.eng.Explain(w.ctx, req)
	w.must(err)
	in, err := w.eng.CheckIn(w.ctx, req)
	w.must(err)
	replay, err := w.eng.CheckIn(w.ctx, req)
	w.must(err)
	if len(in.Selection.Candidates) < 2 {
		t.Fatalf("got %d candidates, want 2: the decision is not shown", len(in.Selection.Candidates))
	}
	exSel, inSel, reSel := mustJSON(t, ex.Selection), mustJSON(t, in.Selection), mustJSON(t, replay.Selection)
	if exSel != inSel || inSel != reSel {
		t.Errorf("selections differ:\nexplain  %s\ncheck-in %s\nreplay   %s", exSel, inSel, reSel)
	}
	if a, b := mustJSON(t, in), mustJSON(t, replay); a != b {
		t.Errorf("check-in and its replay differ:\ngot  %s\nwant %s", b, a)
	}
	ex.Visit.ID = in.Visit.ID
	if a, b := mustJSON(t, ex), mustJSON(t, in); a != b {
		t.Errorf("explain and check-in differ but for the visit ID:\nexplain  %s\ncheck-in %s", a, b)
	}
}

// TestJSON_RequestsTakeNoNetworkOrKey: a client's body decoded straight
// into a request type cannot choose the network or the idempotency key:
// the host sets them from the route and the Idempotency-Key header.
func TestJSON_RequestsTakeNoNetworkOrKey(t *testing.T) {
	body := []byte(`{"key":"k-from-client","network":"someone-elses","holder":"ada","location":"downtown",
		"amount":{"amount":"10.00","currency":"USD"}}`)
	var in passengine.CheckInRequest
	var dep passengine.DepositRequest
	for _, v := range []any{&in, &dep} {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatal(err)
		}
	}
	if in.Network != "" || in.Key != "" || dep.Network != "" || dep.Key != "" {
		t.Errorf("decoded network/key: got %q %q and %q %q, want all empty", in.Network, in.Key, dep.Network, dep.Key)
	}
	if in.Holder != "ada" || !dep.Amount.Amount.Equal(decimal.NewFromInt(10)) {
		t.Errorf("decoded body: got holder %q amount %v, want ada and 10.00 USD", in.Holder, dep.Amount)
	}
	var m money.Money
	err := json.Unmarshal([]byte(`{"amount":10.5,"currency":"USD"}`), &m)
	var fe *passengine.FieldError
	if !errors.As(err, &fe) || fe.Name != "amount" {
		t.Errorf("a float amount: got %v, want a *FieldError named amount", err)
	}
}
