package enginetest

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/wallet"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// mWallet is the model of the holder's prepaid account, in cents.
type mWallet struct {
	balance, overdraft, owed int64
	entries                  int64
	debts                    []*mDebt
	// refundable are the debits a refund may name, with what they took
	// and what was refunded of them.
	refundable []*mDebit
	product    bool // the product issuePaid sells exists
}

type mDebt struct {
	visit         string
	start         time.Time
	debited, owed int64
}

type mDebit struct {
	entry          string
	took, refunded int64
}

func cents(n int64) money.Money { return money.Money{Amount: decimal.New(n, -2), Currency: "USD"} }

// centsOf returns m in cents; m must be in whole cents.
func centsOf(t *rapid.T, m money.Money) int64 {
	c := m.Amount.Shift(2)
	if !c.IsInteger() {
		t.Fatalf("%s is not in whole cents", m)
	}
	return c.IntPart()
}

func (w *mWallet) available() int64 { return max(w.balance+w.overdraft, 0) }

// settleDebts pays the debts oldest first from what is available, as the
// deposit or settle result says, and checks the result's entries and
// settled visits against the model.
func (m *machine) settleDebts(t *rapid.T, res passengine.AccountResult, entries []wallet.Entry) {
	w := &m.wal
	slices.SortFunc(w.debts, func(a, b *mDebt) int {
		return cmp.Or(a.start.Compare(b.start), strings.Compare(a.visit, b.visit))
	})
	i := 0
	for _, d := range w.debts {
		pay := min(d.owed, w.available())
		if d.owed == 0 || pay == 0 {
			continue
		}
		if i >= len(entries) || entries[i].Type != wallet.EntrySettle || entries[i].Visit != d.visit || centsOf(t, entries[i].Amount) != -pay {
			t.Fatalf("settle of visit %s by %d cents: got entries %+v", d.visit, pay, entries)
		}
		w.refundable = append(w.refundable, &mDebit{entry: entries[i].ID, took: pay})
		i++
		w.balance -= pay
		w.owed -= pay
		d.owed -= pay
		d.debited += pay
		w.entries++
	}
	if i != len(entries) {
		t.Fatalf("settle: %d entries, the model settles %d", len(entries), i)
	}
	if len(res.Settled) != i {
		t.Fatalf("settle: %d visits settled, the model settles %d", len(res.Settled), i)
	}
}

func (m *machine) deposit(t *rapid.T) {
	amount := int64(rapid.IntRange(1, 5000).Draw(t, "cents"))
	res, err := m.eng.Deposit(m.ctx, passengine.DepositRequest{Key: m.key("deposit"), Network: smNetwork, Holder: smHolder, Amount: cents(amount)})
	if err != nil {
		t.Fatalf("deposit of %d cents: %v", amount, err)
	}
	m.wal.balance += amount
	m.wal.entries++
	m.settleDebts(t, res, res.Entries[1:])
}

// wantFunds fails t unless err is an *InsufficientFundsError.
func wantFunds(t *rapid.T, what string, err error) {
	t.Helper()
	var ife *wallet.InsufficientFundsError
	if !errors.As(err, &ife) {
		t.Fatalf("%s: got %v, want an *InsufficientFundsError", what, err)
	}
}

func (m *machine) spend(t *rapid.T) {
	amount := int64(rapid.IntRange(1, 5000).Draw(t, "cents"))
	res, err := m.eng.Spend(m.ctx, passengine.SpendRequest{Key: m.key("spend"), Network: smNetwork, Holder: smHolder, Amount: cents(amount)})
	if amount > m.wal.available() {
		wantFunds(t, "spend", err)
		return
	}
	if err != nil {
		t.Fatalf("spend of %d cents with %d available: %v", amount, m.wal.available(), err)
	}
	m.wal.balance -= amount
	m.wal.entries++
	m.wal.refundable = append(m.wal.refundable, &mDebit{entry: res.Entries[0].ID, took: amount})
}

func (m *machine) refund(t *rapid.T) {
	if len(m.wal.refundable) == 0 {
		t.Skip("nothing to refund")
	}
	d := rapid.SampledFrom(m.wal.refundable).Draw(t, "debit")
	amount := int64(0) // all that is left
	if rapid.Bool().Draw(t, "part") {
		amount = int64(rapid.IntRange(1, int(d.took)+100).Draw(t, "cents"))
	}
	req := passengine.RefundRequest{Key: m.key("refund"), Network: smNetwork, Entry: d.entry, Actor: "desk"}
	if amount > 0 {
		req.Amount = cents(amount)
	}
	_, err := m.eng.Refund(m.ctx, req)
	left := d.took - d.refunded
	if amount == 0 {
		amount = left
	}
	if amount == 0 || amount > left {
		if !errors.Is(err, passengine.ErrRefundTooLarge) {
			t.Fatalf("refund of %d cents with %d left: got %v, want ErrRefundTooLarge", amount, left, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("refund of %d cents with %d left: %v", amount, left, err)
	}
	d.refunded += amount
	m.wal.balance += amount
	m.wal.entries++
}

func (m *machine) adjustAccount(t *rapid.T) {
	delta := int64(rapid.IntRange(-5000, 5000).Filter(func(n int) bool { return n != 0 }).Draw(t, "cents"))
	_, err := m.eng.AdjustAccount(m.ctx, passengine.AdjustAccountRequest{Key: m.key("adjustAccount"), Network: smNetwork,
		Holder: smHolder, Amount: cents(delta), Actor: "manager"})
	if delta < 0 && -delta > m.wal.available() {
		wantFunds(t, "adjustment down", err)
		return
	}
	if err != nil {
		t.Fatalf("adjustment by %d cents: %v", delta, err)
	}
	m.wal.balance += delta
	m.wal.entries++
}

func (m *machine) overdraft(t *rapid.T) {
	limit := int64(rapid.IntRange(0, 3000).Draw(t, "cents"))
	_, err := m.eng.SetOverdraft(m.ctx, passengine.OverdraftRequest{Key: m.key("overdraft"), Network: smNetwork,
		Holder: smHolder, Limit: cents(limit), Actor: "manager"})
	if m.wal.balance+limit < 0 {
		var fe *field.Error
		if !errors.As(err, &fe) || fe.Name != "limit" {
			t.Fatalf("limit %d with balance %d: got %v, want a field error on limit", limit, m.wal.balance, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("limit %d: %v", limit, err)
	}
	if limit != m.wal.overdraft {
		m.wal.overdraft = limit
		m.wal.entries++
	}
}

func (m *machine) settle(t *rapid.T) {
	res, err := m.eng.Settle(m.ctx, passengine.SettleRequest{Key: m.key("settle"), Network: smNetwork, Holder: smHolder})
	switch {
	case m.wal.owed == 0:
		if !errors.Is(err, passengine.ErrNoDebt) {
			t.Fatalf("settle with nothing owed: got %v, want ErrNoDebt", err)
		}
		return
	case m.wal.available() == 0:
		wantFunds(t, "settle", err)
		return
	case err != nil:
		t.Fatalf("settle of %d owed with %d available: %v", m.wal.owed, m.wal.available(), err)
	}
	m.settleDebts(t, res, res.Entries)
}

// issuePaid issues a 5-visit pass at 7.00 paid from the account (W2).
func (m *machine) issuePaid(t *rapid.T) {
	const prod, price = "wallet-pack", 700
	if !m.wal.product {
		must(t, m.eng.PutProduct(m.ctx, pass.Product{Network: smNetwork, ID: prod, Kind: pass.Visits, Units: 5,
			UnitValue: money.MustNew("1", "USD"), Price: cents(price), Activation: pass.OnPurchase}))
		m.wal.product = true
	}
	p, err := m.eng.IssuePass(m.ctx, passengine.IssueRequest{Key: m.key("issuePaid"), Network: smNetwork,
		Product: prod, Holder: smHolder, PayFromAccount: true})
	if price > m.wal.available() {
		wantFunds(t, "pass paid from the account", err)
		return
	}
	if err != nil {
		t.Fatalf("pass paid from the account: %v", err)
	}
	if !p.Paid || p.PaidWith == "" {
		t.Fatalf("pass paid from the account: paid %t with %q", p.Paid, p.PaidWith)
	}
	m.wal.balance -= price
	m.wal.entries++
	m.wal.refundable = append(m.wal.refundable, &mDebit{entry: p.PaidWith, took: price})
	m.passes = append(m.passes, &mPass{id: p.ID, kind: pass.Visits, unitValue: 1, source: pass.FromProduct,
		activation: pass.OnPurchase, issuedAt: m.clock.Now().UTC(), balance: 5,
		activatedOn: p.ActivatedOn})
}

// charged applies the charges of a visit just closed to the account
// under WithAccountDebit (W2) and checks the visit's Debited and Owed.
func (m *machine) charged(t *rapid.T, v checkin.Visit) {
	var charge int64
	for _, c := range v.Charges {
		charge += centsOf(t, c.Amount)
	}
	res := passengine.VisitResult{Visit: v}
	var debited, owed int64
	if m.debit && charge > 0 {
		debited = min(charge, m.wal.available())
		owed = charge - debited
		m.wal.balance -= debited
		if debited > 0 {
			m.wal.entries++
		}
		m.wal.owed += owed
		m.wal.debts = append(m.wal.debts, &mDebt{visit: res.Visit.ID, start: res.Visit.Start, debited: debited, owed: owed})
	}
	if centsOf(t, res.Visit.Debited) != debited || centsOf(t, res.Visit.Owed) != owed {
		t.Fatalf("check-out charged %d cents: debited %s, owed %s; want %d and %d cents", charge, res.Visit.Debited, res.Visit.Owed, debited, owed)
	}
}

// checkWallet compares the store's account and debts with the model.
func (m *machine) checkWallet(t *rapid.T, s *Snapshot) {
	if err := s.CheckAccounts(); err != nil {
		t.Fatal(err)
	}
	w := &m.wal
	if w.entries == 0 && len(w.debts) == 0 {
		if len(s.Accounts) != 0 {
			t.Fatalf("got accounts %+v, want none", s.Accounts)
		}
		return
	}
	if len(s.Accounts) != 1 {
		t.Fatalf("got %d accounts, want 1", len(s.Accounts))
	}
	a := s.Accounts[0]
	if centsOf(t, a.Balance) != w.balance || centsOf(t, a.Overdraft) != w.overdraft || centsOf(t, a.Owed) != w.owed || a.Entries != w.entries {
		t.Fatalf("account: balance %s, limit %s, owed %s, %d entries; want %d, %d, %d cents, %d entries",
			a.Balance, a.Overdraft, a.Owed, a.Entries, w.balance, w.overdraft, w.owed, w.entries)
	}
	owed := map[string]int64{}
	for _, d := range w.debts {
		owed[d.visit] = d.owed
	}
	for _, v := range s.Visits {
		if got := centsOf(t, v.Owed); got != owed[v.ID] {
			t.Fatalf("visit %s owes %d cents, want %d", v.ID, got, owed[v.ID])
		}
	}
}
