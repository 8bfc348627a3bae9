package card_test

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func usd(s string) money.Money { return money.MustNew(s, "USD") }

func program() pass.Product {
	return pass.Product{Network: "studio", ID: "multipass", Name: "Multipass", Kind: pass.Visits, Units: 10,
		Price: usd("100"), Activation: pass.OnPurchase, Validity: calendar.Validity{Months: 6}}
}

// issue returns a new card of program() for holder ada.
func issue(t *testing.T) (card.Card, pass.Pass) {
	t.Helper()
	c, p, entries, err := card.Issue(program(), card.IssueSpec{ID: "card-1", Pass: "pass-1", Holder: "ada",
		At: t0, On: calendar.DateOf(t0)})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if len(entries) != 1 || entries[0].Type != pass.EntryIssue || entries[0].Units != 0 {
		t.Fatalf("Issue entries: got %+v, want one issue entry of 0 units", entries)
	}
	return c, p
}

func at(h int) card.Change {
	return card.Change{At: t0.Add(time.Duration(h) * time.Hour), On: calendar.DateOf(t0)}
}

func change(h, value int, amount string) card.Change {
	ch := at(h)
	ch.Value = value
	if amount != "" {
		ch.Amount = usd(amount)
	}
	return ch
}

func wantField(t *testing.T, what string, err error, name string) {
	t.Helper()
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name != name {
		t.Errorf("%s: got %v, want a *field.Error named %q", what, err, name)
	}
}

func TestIssue(t *testing.T) {
	c, p := issue(t)
	if p.Card != c.ID || c.Pass != p.ID || p.Kind != pass.Visits || p.Units != 0 || p.Balance != 0 {
		t.Errorf("issued card %+v with pass %+v: want an empty visits pass naming the card", c, p)
	}
	if c.Status != card.NotInstalled || !p.Price.IsZero() && !p.Price.Amount.IsZero() {
		t.Errorf("issued card: got status %s and price %s, want not_installed and zero", c.Status, p.Price)
	}
	if got, want := p.ExpiresOn, calendar.MustDate("2026-09-02"); got != want {
		t.Errorf("issued card expires on %s, want %s (the program's six months)", got, want)
	}
	prod := program()
	prod.Kind = pass.Day
	_, _, _, err := card.Issue(prod, card.IssueSpec{ID: "c", Pass: "p", Holder: "ada", At: t0, On: calendar.DateOf(t0)})
	wantField(t, "a day program", err, "program")
	_, _, _, err = card.Issue(program(), card.IssueSpec{ID: "c", Pass: "p", Holder: "ada", Status: card.Deleted, At: t0, On: calendar.DateOf(t0)})
	wantField(t, "issued deleted", err, "status")
}

// TestRule_M1_M2_SeedExample: add 10 visits with 100.00: sold 10, LTV
// 100; subtract 2 with a 20.00 refund: available 8, LTV 120 as seed 003
// counts it, net revenue 80.
func TestRule_M1_M2_SeedExample(t *testing.T) {
	c, p := issue(t)
	if _, err := card.AddVisits(&c, &p, change(1, 10, "100.00"), "USD"); err != nil {
		t.Fatal(err)
	}
	m := card.MetricsOf(&c, &p)
	if m.Sold != 10 || m.Available != 10 || !m.LTV.Amount.Equal(usd("100").Amount) {
		t.Errorf("after adding 10 for 100.00: got sold %d available %d LTV %s, want 10, 10, 100", m.Sold, m.Available, m.LTV)
	}
	if !m.LastAdding.Equal(t0.Add(time.Hour)) {
		t.Errorf("last adding: got %s, want %s", m.LastAdding, t0.Add(time.Hour))
	}
	if _, err := card.SubtractVisits(&c, &p, change(2, 2, "20.00"), "USD", card.BonusRule{}); err != nil {
		t.Fatal(err)
	}
	m = card.MetricsOf(&c, &p)
	if m.Available != 8 || !m.LTV.Amount.Equal(usd("120").Amount) || !m.NetRevenue.Amount.Equal(usd("80").Amount) {
		t.Errorf("after subtracting 2 with 20.00: got available %d LTV %s net %s, want 8, 120, 80", m.Available, m.LTV, m.NetRevenue)
	}
	if m.Sold != 10 || m.Removed != 2 || m.TotalVisits != 2 || m.Redeemed != 0 {
		t.Errorf("after subtracting 2: got sold %d removed %d total %d redeemed %d, want 10, 2, 2, 0", m.Sold, m.Removed, m.TotalVisits, m.Redeemed)
	}
}

// TestRule_M1_M2_BadInput: zero, negative and too large values, an amount
// in another currency or finer than cents, and subtracting more than
// available are field errors that change nothing.
func TestRule_M1_M2_BadInput(t *testing.T) {
	c, p := issue(t)
	if _, err := card.AddVisits(&c, &p, change(1, 3, ""), "USD"); err != nil {
		t.Fatal(err)
	}
	before, beforePass := c, p
	for name, tc := range map[string]struct {
		ch    card.Change
		add   bool
		field string
	}{
		"zero":            {change(2, 0, ""), true, "visits"},
		"negative":        {change(2, -1, ""), true, "visits"},
		"above MaxValue":  {change(2, card.MaxValue+1, ""), true, "visits"},
		"currency":        {card.Change{Value: 1, Amount: money.MustNew("5", "EUR")}, true, "amount.currency"},
		"fraction":        {change(2, 1, "5.001"), true, "amount.amount"},
		"negative amount": {change(2, 1, "-5"), true, "amount.amount"},
		"more than left":  {change(2, 4, ""), false, "visits"},
		"zero subtract":   {change(2, 0, ""), false, "visits"},
	} {
		var err error
		if tc.add {
			_, err = card.AddVisits(&c, &p, tc.ch, "USD")
		} else {
			_, err = card.SubtractVisits(&c, &p, tc.ch, "USD", card.BonusRule{})
		}
		wantField(t, name, err, tc.field)
		if c != before || p.Balance != beforePass.Balance || p.Units != beforePass.Units {
			t.Errorf("%s: the card or pass changed: %+v, %+v", name, c, p)
		}
	}
	ref := change(2, 1, "")
	ref.Referral = true
	_, err := card.SubtractVisits(&c, &p, ref, "USD", card.BonusRule{})
	wantField(t, "a referral subtraction", err, "referral")
	red := change(2, 1, "5")
	red.Redeemed = true
	_, err = card.SubtractVisits(&c, &p, red, "USD", card.BonusRule{})
	wantField(t, "a redemption with a refund", err, "amount")
}

// TestRule_M3_BackendRedemption: visits subtracted as used count as
// redeemed, set the last redemption and earn bonus points.
func TestRule_M3_BackendRedemption(t *testing.T) {
	c, p := issue(t)
	card.AddVisits(&c, &p, change(1, 5, "50"), "USD")
	ch := change(3, 2, "")
	ch.Redeemed = true
	entries, err := card.SubtractVisits(&c, &p, ch, "USD", card.BonusRule{PerVisit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Type != pass.EntryUse || entries[1].Type != pass.EntryReward || entries[1].Points != 6 {
		t.Fatalf("entries: got %+v, want a use of 2 and a reward of 6 points", entries)
	}
	m := card.MetricsOf(&c, &p)
	if m.Available != 3 || m.Redeemed != 2 || m.Removed != 0 || m.Bonus != 6 || !m.LastRedemption.Equal(ch.At) {
		t.Errorf("after redeeming 2: got %+v", m)
	}
}

// TestRule_M3_ApplyUseAndReturn: a use redeems and earns points by the
// host's rule, per program; a return gives the visits back and takes back
// the points, never more than the card has (M4).
func TestRule_M3_ApplyUseAndReturn(t *testing.T) {
	c, p := issue(t)
	card.AddVisits(&c, &p, change(1, 5, ""), "USD")
	rule := card.BonusRule{PerVisit: 1, Programs: map[string]int{"multipass": 4}}
	p.Balance -= 2
	use := pass.Entry{Network: "studio", Pass: p.ID, Holder: "ada", Visit: "v1", At: t0.Add(5 * time.Hour), Type: pass.EntryUse, Units: -2, Balance: p.Balance}
	other := pass.Entry{Network: "studio", Pass: "other", Visit: "v1", Type: pass.EntryUse, Units: -1}
	out := card.Apply(&c, &p, []pass.Entry{use, other}, rule)
	if len(out) != 3 || out[2].Type != pass.EntryReward || out[2].Points != 8 || out[2].Bonus != 8 || out[2].Visit != "v1" {
		t.Fatalf("Apply of a use: got %+v, want the entries and a reward of 8 points for v1", out)
	}
	if c.Redeemed != 2 || c.Bonus != 8 || !c.LastRedemption.Equal(use.At) {
		t.Errorf("after a use: got redeemed %d bonus %d last %s", c.Redeemed, c.Bonus, c.LastRedemption)
	}
	sub := change(6, 6, "")
	if _, err := card.SubtractBonus(&c, &p, sub, "USD"); err != nil {
		t.Fatal(err)
	}
	p.Balance += 2
	ret := pass.Entry{Network: "studio", Pass: p.ID, Visit: "v1", At: t0.Add(7 * time.Hour), Type: pass.EntryReturn, Units: 2, Balance: p.Balance}
	out = card.Apply(&c, &p, []pass.Entry{ret}, rule)
	if len(out) != 2 || out[1].Points != -2 || out[1].Bonus != 0 {
		t.Fatalf("Apply of a return with 2 points left: got %+v, want 2 points taken back, 0 left", out)
	}
	if c.Redeemed != 0 || c.Bonus != 0 || !c.LastRedemption.Equal(use.At) {
		t.Errorf("after the return: got redeemed %d bonus %d last %s", c.Redeemed, c.Bonus, c.LastRedemption)
	}
}

// TestRule_M4_BonusNeverBelowZero: bonus points are whole numbers added
// and subtracted with comment and actor, never below zero; an amount
// entered when adding is a purchase, when subtracting only a record.
func TestRule_M4_BonusNeverBelowZero(t *testing.T) {
	c, p := issue(t)
	add := change(1, 10, "5.00")
	add.Actor, add.Comment = "desk", "birthday"
	entries, err := card.AddBonus(&c, &p, add, "USD")
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.Type != pass.EntryBonus || e.Points != 10 || e.Bonus != 10 || e.Units != 0 || e.Actor != "desk" || e.Comment != "birthday" {
		t.Errorf("bonus entry: got %+v", e)
	}
	_, err = card.SubtractBonus(&c, &p, change(2, 11, ""), "USD")
	wantField(t, "subtracting more points than the card has", err, "points")
	if _, err := card.SubtractBonus(&c, &p, change(2, 10, "3.00"), "USD"); err != nil {
		t.Fatal(err)
	}
	if c.Bonus != 0 || !c.Purchases.Amount.Equal(usd("5").Amount) || !c.Refunds.Amount.IsZero() {
		t.Errorf("after +10 (5.00) and -10 (3.00): got bonus %d purchases %s refunds %s, want 0, 5, 0", c.Bonus, c.Purchases, c.Refunds)
	}
	_, err = card.AddBonus(&c, &p, change(3, 0, ""), "USD")
	wantField(t, "zero points", err, "points")
}

// TestRule_M5_Status: not installed and installed either way; deleted is
// final, revokes the pass, and every later change is a field error.
func TestRule_M5_Status(t *testing.T) {
	c, p := issue(t)
	card.AddVisits(&c, &p, change(1, 2, ""), "USD")
	if e, err := card.SetStatus(&c, &p, card.Installed, "ada", "", t0); err != nil || len(e) != 1 || e[0].Type != pass.EntryStatus {
		t.Fatalf("install: got %v, %v", e, err)
	}
	if e, err := card.SetStatus(&c, &p, card.Installed, "ada", "", t0); err != nil || len(e) != 0 {
		t.Errorf("install again: got %v, %v; want no entry", e, err)
	}
	_, err := card.SetStatus(&c, &p, "lost", "ada", "", t0)
	wantField(t, "an unknown status", err, "status")
	if _, err := card.SetStatus(&c, &p, card.Deleted, "manager", "left", t0); err != nil {
		t.Fatal(err)
	}
	if !p.Revoked || p.StatusOn(calendar.DateOf(t0)) != pass.StatusRevoked {
		t.Errorf("deleted card's pass: revoked %t, status %s; want revoked", p.Revoked, p.StatusOn(calendar.DateOf(t0)))
	}
	_, err = card.SetStatus(&c, &p, card.Installed, "ada", "", t0)
	wantField(t, "reinstalling a deleted card", err, "card")
	_, err = card.AddVisits(&c, &p, change(2, 1, ""), "USD")
	wantField(t, "adding to a deleted card", err, "card")
	_, err = card.SubtractVisits(&c, &p, change(2, 1, ""), "USD", card.BonusRule{})
	wantField(t, "spending from a deleted card", err, "card")
	_, err = card.AddBonus(&c, &p, change(2, 1, ""), "USD")
	wantField(t, "bonus on a deleted card", err, "card")
}

func TestBonusRulePoints(t *testing.T) {
	r := card.BonusRule{PerVisit: 2, Programs: map[string]int{"gold": 5, "bad": -3}}
	for _, c := range []struct {
		program string
		visits  int
		want    int
	}{{"multipass", 3, 6}, {"gold", 2, 10}, {"bad", 4, 0}, {"multipass", 0, 0}} {
		if got := r.Points(c.program, c.visits); got != c.want {
			t.Errorf("Points(%s, %d): got %d, want %d", c.program, c.visits, got, c.want)
		}
	}
	if got := (card.BonusRule{}).Points("x", 5); got != 0 {
		t.Errorf("the zero rule: got %d points, want 0", got)
	}
}
