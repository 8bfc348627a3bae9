package passengine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/wallet"
	"github.com/stretchr/testify/require"
)

// walletWorld is a coreWorld (USD, New York) with PAYG at $10 an hour and
// a $100 daily cap, a visits product "pack" at $40 and a free one.
func walletWorld(t *testing.T, opts ...passengine.Option) *coreWorld {
	t.Helper()
	w := newCoreWorld(t, "America/New_York", "USD", opts...)
	w.payg(billing.PAYG{ID: "payg", DailyCap: w.money("100"), Prices: []billing.Price{{Hourly: w.money("10")}}})
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10, Price: w.money("40")})
	w.product(pass.Product{ID: "free", Kind: pass.Visits, Units: 1})
	return w
}

func (w *coreWorld) deposit(holder, amount string) passengine.AccountResult {
	w.t.Helper()
	r, err := w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: coreNet, Holder: holder, Amount: w.money(amount)})
	w.must(err)
	return r
}

func (w *coreWorld) account(holder string) wallet.Account {
	w.t.Helper()
	a, err := w.eng.Account(w.ctx, coreNet, holder)
	w.must(err)
	return a
}

func (w *coreWorld) entries(holder string) []wallet.Entry {
	w.t.Helper()
	p, err := w.eng.AccountEntries(w.ctx, passengine.AccountEntriesRequest{Network: coreNet, Holder: holder})
	w.must(err)
	return p.Entries
}

func wantAmount(t *testing.T, what string, got money.Money, want string) {
	t.Helper()
	if !got.Amount.Equal(money.MustNew(want, "USD").Amount) {
		t.Errorf("%s: got %s, want %s", what, got, want)
	}
}

// Rule W1: deposit, spend, refund and adjust through the Engine; every
// entry carries the call's key, actor, comment, instant, type, amount and
// balance after, and the balance equals their sum.
func TestRule_W1_AccountCalls(t *testing.T) {
	w := walletWorld(t)
	if a := w.account("ada"); !a.Balance.Amount.IsZero() || a.Entries != 0 || a.Currency != "USD" {
		t.Fatalf("account before any entry: got %+v, want the empty USD account", a)
	}
	dep, err := w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: "dep-1", Network: coreNet, Holder: "ada",
		Amount: w.money("100.00"), Actor: "portal", Comment: "card payment"})
	w.must(err)
	e := dep.Entries[0]
	if e.Key != "dep-1" || e.Actor != "portal" || e.Comment != "card payment" || e.Type != wallet.EntryDeposit ||
		!e.At.Equal(w.clock.Now()) || e.ID == "" {
		t.Errorf("deposit entry: got %+v", e)
	}
	sp, err := w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "shop-1", Network: coreNet, Holder: "ada", Amount: w.money("30")})
	w.must(err)
	if got := sp.Entries[0].Actor; got != "ada" {
		t.Errorf("spend with no actor: got actor %q, want the holder", got)
	}
	_, err = w.eng.Refund(w.ctx, passengine.RefundRequest{Key: "ref-1", Network: coreNet, Entry: sp.Entries[0].ID,
		Amount: w.money("10"), Actor: "manager", Comment: "damaged towel"})
	w.must(err)
	_, err = w.eng.Refund(w.ctx, passengine.RefundRequest{Key: "ref-2", Network: coreNet, Entry: sp.Entries[0].ID,
		Amount: w.money("20.01"), Actor: "manager"})
	var re *wallet.RefundError
	if !errors.As(err, &re) || !errors.Is(err, passengine.ErrRefundTooLarge) {
		t.Fatalf("refund above what is left: got %v, want a *wallet.RefundError", err)
	}
	_, err = w.eng.AdjustAccount(w.ctx, passengine.AdjustAccountRequest{Key: "adj-1", Network: coreNet, Holder: "ada",
		Amount: w.money("-5.25"), Actor: "manager", Comment: "correction"})
	w.must(err)
	a := w.account("ada")
	wantAmount(t, "balance", a.Balance, "74.75")
	es := w.entries("ada")
	require.Len(t, es, 4)
	sum := money.Zero("USD")
	for i, e := range es {
		sum = sum.Add(e.Amount)
		wantAmount(t, "balance after entry", e.Balance, sum.Amount.String())
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d: seq %d", i, e.Seq)
		}
	}
	wantAmount(t, "sum of entries", sum, "74.75")
	if es[2].Type != wallet.EntryRefund || es[2].Refunds != sp.Entries[0].ID || es[2].Actor != "manager" {
		t.Errorf("refund entry: got %+v", es[2])
	}
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "shop-2", Network: coreNet, Holder: "ada", Amount: w.money("74.76")})
	if !errors.Is(err, passengine.ErrInsufficientFunds) {
		t.Fatalf("spend above the balance: got %v, want ErrInsufficientFunds", err)
	}
}

// Rule W1, Rule I1: an account call sent again with its key returns the
// first result and writes nothing; with another request it is refused.
func TestRule_W1_AccountCallsIdempotent(t *testing.T) {
	w := walletWorld(t)
	req := passengine.DepositRequest{Key: "dep-1", Network: coreNet, Holder: "ada", Amount: w.money("20")}
	first, err := w.eng.Deposit(w.ctx, req)
	w.must(err)
	before := w.snapshot()
	w.clock.Advance(time.Hour)
	again, err := w.eng.Deposit(w.ctx, req)
	w.must(err)
	require.Equal(t, first, again)
	req.Amount = w.money("21")
	_, err = w.eng.Deposit(w.ctx, req)
	if !errors.Is(err, passengine.ErrKeyReused) {
		t.Fatalf("same key, another amount: got %v, want ErrKeyReused", err)
	}
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "dep-1", Network: coreNet, Holder: "ada", Amount: w.money("20")})
	if !errors.Is(err, passengine.ErrKeyReused) {
		t.Fatalf("a deposit's key for a spend: got %v, want ErrKeyReused", err)
	}
	w.unchanged(before)
}

// Rule W1: with an overdraft limit a spend may take the balance to minus
// the limit; the limit change is an entry of its own.
func TestRule_W1_OverdraftLimit(t *testing.T) {
	w := walletWorld(t)
	r, err := w.eng.SetOverdraft(w.ctx, passengine.OverdraftRequest{Key: "od", Network: coreNet, Holder: "ada", Limit: w.money("25"), Actor: "manager"})
	w.must(err)
	if len(r.Entries) != 1 || r.Entries[0].Type != wallet.EntryOverdraft {
		t.Fatalf("limit change: got %+v", r.Entries)
	}
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "s1", Network: coreNet, Holder: "ada", Amount: w.money("25")})
	w.must(err)
	wantAmount(t, "balance", w.account("ada").Balance, "-25")
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "s2", Network: coreNet, Holder: "ada", Amount: w.money("0.01")})
	if !errors.Is(err, passengine.ErrInsufficientFunds) {
		t.Fatalf("spend past the limit: got %v, want ErrInsufficientFunds", err)
	}
	_, err = w.eng.SetOverdraft(w.ctx, passengine.OverdraftRequest{Key: "od2", Network: coreNet, Holder: "ada", Limit: w.money("10"), Actor: "manager"})
	var fe *passengine.FieldError
	if !errors.As(err, &fe) || fe.Name != "limit" {
		t.Fatalf("limit below what the balance uses: got %v, want a field error on limit", err)
	}
}

// Rule W2: a pass paid from the account is marked paid (who, when) with
// the spend entry that paid it, and its ledger says so; one the account
// cannot pay is refused and nothing is written.
func TestRule_W2_IssuePaidFromAccount(t *testing.T) {
	w := walletWorld(t)
	w.deposit("ada", "50")
	p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "buy-1", Network: coreNet, Product: "pack", Holder: "ada",
		PayFromAccount: true, Actor: "portal"})
	w.must(err)
	if !p.Paid || p.PaidBy != "portal" || p.PaidAt == nil || !p.PaidAt.Equal(w.clock.Now()) || p.PaidWith == "" {
		t.Fatalf("paid pass: got paid %t by %q at %v with %q", p.Paid, p.PaidBy, p.PaidAt, p.PaidWith)
	}
	es := w.entries("ada")
	if last := es[len(es)-1]; last.ID != p.PaidWith || last.Pass != p.ID || last.Type != wallet.EntrySpend || last.Key != "buy-1" {
		t.Errorf("spend entry: got %+v", last)
	}
	wantAmount(t, "balance", w.account("ada").Balance, "10")
	ledger := w.ledger(p.ID)
	if l := ledger[len(ledger)-1]; l.Type != pass.EntryPaid || l.Comment != "paid from the account, entry "+p.PaidWith {
		t.Errorf("pass ledger: got %+v", l)
	}

	before := w.snapshot()
	_, err = w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "buy-2", Network: coreNet, Product: "pack", Holder: "ada", PayFromAccount: true})
	var ife *wallet.InsufficientFundsError
	if !errors.As(err, &ife) {
		t.Fatalf("issue the account cannot pay: got %v, want an *InsufficientFundsError", err)
	}
	w.unchanged(before)
}

// Choice: a pass priced zero paid from the account is marked paid with no
// account entry.
func TestChoice_FreePassFromAccount(t *testing.T) {
	w := walletWorld(t)
	p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "buy", Network: coreNet, Product: "free", Holder: "ben", PayFromAccount: true})
	w.must(err)
	if !p.Paid || p.PaidWith != "" || p.PaidBy != "ben" {
		t.Errorf("free pass: got paid %t with %q by %q", p.Paid, p.PaidWith, p.PaidBy)
	}
	if es := w.entries("ben"); len(es) != 0 {
		t.Errorf("account entries: got %+v, want none", es)
	}
}

// Rule W2, Rule E6: a bulk issue paid from the accounts pays for each
// holder that can, and refuses the others in their results.
func TestRule_W2_BulkIssuePaidFromAccount(t *testing.T) {
	w := walletWorld(t)
	w.deposit("ada", "40")
	rs, err := w.eng.BulkIssue(w.ctx, passengine.BulkIssueRequest{Key: "bulk", Network: coreNet, Product: "pack",
		Holders: []string{"ada", "ben"}, PayFromAccount: true})
	w.must(err)
	if rs[0].Err != nil || !rs[0].Pass.Paid || rs[0].Pass.PaidWith == "" {
		t.Errorf("ada: got %+v", rs[0])
	}
	if !errors.Is(rs[1].Err, passengine.ErrInsufficientFunds) {
		t.Errorf("ben: got %v, want ErrInsufficientFunds", rs[1].Err)
	}
	ps, err := w.eng.Passes(w.ctx, passengine.PassFilter{Network: coreNet, Holder: "ben"})
	w.must(err)
	if len(ps) != 0 {
		t.Errorf("ben's passes: got %d, want none", len(ps))
	}
}

// Rule W2, Rule C5: with WithAccountDebit a PAYG check-out is debited from
// the account; what funds and overdraft do not cover is owed on the visit
// and listed as outstanding, and the check-out is never refused.
func TestRule_W2_PAYGDebitAtCheckOut(t *testing.T) {
	w := walletWorld(t, passengine.WithAccountDebit())
	w.deposit("ada", "12")
	_, err := w.eng.SetOverdraft(w.ctx, passengine.OverdraftRequest{Key: "od", Network: coreNet, Holder: "ada", Limit: w.money("5"), Actor: "m"})
	w.must(err)
	out := w.visit("ada", "downtown", w.at(2026, 10, 1, 9, 0), w.at(2026, 10, 1, 12, 0)) // 3 hours: $30
	wantAmount(t, "charge", out.Charge, "30")
	wantAmount(t, "debited", out.Visit.Debited, "17")
	wantAmount(t, "owed", out.Visit.Owed, "13")
	a := w.account("ada")
	wantAmount(t, "balance at minus the limit", a.Balance, "-5")
	wantAmount(t, "account owes", a.Owed, "13")
	es := w.entries("ada")
	if c := es[len(es)-1]; c.Type != wallet.EntryCharge || c.Visit != out.Visit.ID || c.Comment != "PAYG of visit "+out.Visit.ID {
		t.Errorf("charge entry: got %+v", c)
	}
	debts, err := w.eng.Outstanding(w.ctx, passengine.DebtFilter{Network: coreNet, Holder: "ada"})
	w.must(err)
	if len(debts) != 1 || debts[0].ID != out.Visit.ID {
		t.Fatalf("outstanding: got %+v", debts)
	}
	stored, err := w.eng.Visit(w.ctx, coreNet, out.Visit.ID)
	w.must(err)
	wantAmount(t, "stored visit owes", stored.Owed, "13")
	// With nothing left to debit the next PAYG visit is owed whole.
	out = w.visit("ada", "downtown", w.at(2026, 10, 2, 9, 0), w.at(2026, 10, 2, 10, 0))
	wantAmount(t, "second visit owed", out.Visit.Owed, "10")
	if !out.Visit.Debited.Amount.IsZero() {
		t.Errorf("second visit debited: got %s, want nothing", out.Visit.Debited)
	}
	wantAmount(t, "account owes", w.account("ada").Owed, "23")
}

// Rule W2: a later deposit settles the debts in its own unit of work,
// oldest first, with what the account can pay after it.
func TestRule_W2_DepositSettlesOldestFirst(t *testing.T) {
	w := walletWorld(t, passengine.WithAccountDebit())
	old := w.visit("ben", "downtown", w.at(2026, 10, 1, 9, 0), w.at(2026, 10, 1, 10, 0))    // $10 owed
	recent := w.visit("ben", "downtown", w.at(2026, 10, 2, 9, 0), w.at(2026, 10, 2, 11, 0)) // $20 owed
	r := w.deposit("ben", "15")
	if len(r.Settled) != 2 || r.Settled[0].ID != old.Visit.ID || r.Settled[1].ID != recent.Visit.ID {
		t.Fatalf("settled: got %+v", r.Settled)
	}
	wantAmount(t, "old visit owes", r.Settled[0].Owed, "0")
	wantAmount(t, "old visit debited", r.Settled[0].Debited, "10")
	wantAmount(t, "recent visit owes", r.Settled[1].Owed, "15")
	if len(r.Entries) != 3 || r.Entries[1].Type != wallet.EntrySettle || r.Entries[1].Visit != old.Visit.ID {
		t.Errorf("entries: got %+v", r.Entries)
	}
	wantAmount(t, "balance", r.Account.Balance, "0")
	wantAmount(t, "account owes", r.Account.Owed, "15")
	debts, err := w.eng.Outstanding(w.ctx, passengine.DebtFilter{Network: coreNet})
	w.must(err)
	if len(debts) != 1 || debts[0].ID != recent.Visit.ID {
		t.Errorf("outstanding after the deposit: got %+v", debts)
	}
}

// Rule W2: Settle pays debts from money that came in otherwise than by a
// deposit (a refund here), the named visit's or oldest first.
func TestRule_W2_ExplicitSettle(t *testing.T) {
	w := walletWorld(t, passengine.WithAccountDebit())
	w.deposit("ada", "10")
	sp, err := w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "shop", Network: coreNet, Holder: "ada", Amount: w.money("10")})
	w.must(err)
	out := w.visit("ada", "downtown", w.at(2026, 10, 1, 9, 0), w.at(2026, 10, 1, 10, 0)) // $10 owed
	_, err = w.eng.Settle(w.ctx, passengine.SettleRequest{Key: "settle-0", Network: coreNet, Holder: "ada"})
	if !errors.Is(err, passengine.ErrInsufficientFunds) {
		t.Fatalf("settle from an empty account: got %v, want ErrInsufficientFunds", err)
	}
	_, err = w.eng.Refund(w.ctx, passengine.RefundRequest{Key: "ref", Network: coreNet, Entry: sp.Entries[0].ID, Actor: "desk"})
	w.must(err)
	if d, _ := w.eng.Outstanding(w.ctx, passengine.DebtFilter{Network: coreNet}); len(d) != 1 {
		t.Fatalf("a refund settles nothing by itself: got %d debts", len(d))
	}
	r, err := w.eng.Settle(w.ctx, passengine.SettleRequest{Key: "settle-1", Network: coreNet, Holder: "ada", Visit: out.Visit.ID, Actor: "desk"})
	w.must(err)
	if len(r.Settled) != 1 || !r.Settled[0].Owed.Amount.IsZero() || r.Entries[0].Actor != "desk" {
		t.Fatalf("settle: got %+v", r)
	}
	_, err = w.eng.Settle(w.ctx, passengine.SettleRequest{Key: "settle-2", Network: coreNet, Holder: "ada"})
	var nd *wallet.NoDebtError
	if !errors.As(err, &nd) || !errors.Is(err, passengine.ErrNoDebt) {
		t.Fatalf("settle with nothing owed: got %v, want a *wallet.NoDebtError", err)
	}
}

// Rule W2, Rule B3: a no-show fee is debited from the account under the
// policy.
func TestRule_W2_NoShowFeeDebited(t *testing.T) {
	w := walletWorld(t, passengine.WithAccountDebit(), passengine.WithNoShowFee(money.MustNew("7.50", "USD").Amount))
	w.product(pass.Product{ID: "classes", Kind: pass.Visits, Units: 5})
	w.issue("ada", "classes")
	w.deposit("ada", "5")
	b, err := w.book("ada", "downtown", w.at(2026, 10, 3, 18, 0))
	w.must(err)
	r, err := w.eng.MarkAttendance(w.ctx, passengine.AttendanceRequest{Key: "att", Network: coreNet, Visit: b.Visit.ID})
	w.must(err)
	wantAmount(t, "debited", r.Visit.Debited, "5")
	wantAmount(t, "owed", r.Visit.Owed, "2.50")
	es := w.entries("ada")
	if c := es[len(es)-1]; c.Comment != "no-show fee of visit "+b.Visit.ID {
		t.Errorf("fee entry comment: got %q", c.Comment)
	}
}

// Choice: without WithAccountDebit a PAYG check-out leaves the account
// alone and owes nothing on the visit (the host collects charges).
func TestChoice_NoDebitWithoutPolicy(t *testing.T) {
	w := walletWorld(t)
	w.deposit("ada", "50")
	out := w.visit("ada", "downtown", w.at(2026, 10, 1, 9, 0), w.at(2026, 10, 1, 10, 0))
	if !out.Visit.Debited.Amount.IsZero() || !out.Visit.Owed.Amount.IsZero() {
		t.Errorf("visit: debited %s, owed %s; want nothing", out.Visit.Debited, out.Visit.Owed)
	}
	wantAmount(t, "balance", w.account("ada").Balance, "50")
}

// countingStore counts the Accounts() repositories its units of work ask
// for.
type countingStore struct {
	store.Store
	n *int
}

type countingTx struct {
	store.Tx
	n *int
}

func (t countingTx) Accounts() store.Accounts { *t.n++; return t.Tx.Accounts() }

func (s countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(countingTx{tx, s.n}) })
}

// Choice: under WithAccountDebit the check-in and check-out of a visit
// paid by a pass never touch the account: it is read only when a visit
// is charged.
func TestChoice_DebitReadsTheAccountOnlyWhenCharged(t *testing.T) {
	n := 0
	w := newCoreWorldOn(t, countingStore{memstore.New(), &n}, "America/New_York", "USD", passengine.WithAccountDebit())
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.issue("ada", "days")
	n = 0
	w.visit("ada", "downtown", w.at(2026, 10, 1, 9, 0), w.at(2026, 10, 1, 17, 0))
	if n != 0 {
		t.Errorf("a visit paid by a day pass used the account repository %d times, want 0", n)
	}
	w.payg(billing.PAYG{ID: "payg", DailyCap: w.money("100"), Prices: []billing.Price{{Hourly: w.money("10")}}})
	w.visit("ben", "downtown", w.at(2026, 10, 1, 9, 0), w.at(2026, 10, 1, 10, 0))
	if n == 0 {
		t.Errorf("a PAYG visit did not reach the account")
	}
}

// Rule W1: AccountEntries pages a holder's entries and the network's in a
// period, oldest first, by an opaque cursor.
func TestRule_W1_AccountEntriesPaged(t *testing.T) {
	w := walletWorld(t)
	for i := range 5 {
		w.deposit("ada", "1")
		w.deposit("ben", "2")
		w.clock.Advance(time.Duration(i+1) * time.Hour)
	}
	var got []wallet.Entry
	req := passengine.AccountEntriesRequest{Network: coreNet, Holder: "ada", Limit: 2}
	for range 10 {
		p, err := w.eng.AccountEntries(w.ctx, req)
		w.must(err)
		got = append(got, p.Entries...)
		if p.Next == "" {
			break
		}
		req.Cursor = p.Next
	}
	if len(got) != 5 {
		t.Fatalf("ada's entries: got %d, want 5", len(got))
	}
	for i, e := range got {
		if e.Holder != "ada" || e.Seq != int64(i+1) {
			t.Errorf("entry %d: got %s #%d", i, e.Holder, e.Seq)
		}
	}
	start := w.at(2026, 10, 1, 8, 0).Add(time.Hour) // after the first two deposits
	p, err := w.eng.AccountEntries(w.ctx, passengine.AccountEntriesRequest{Network: coreNet, From: start, To: start.Add(5 * time.Hour)})
	w.must(err)
	if len(p.Entries) != 4 || p.Entries[0].Holder != "ada" || p.Entries[1].Holder != "ben" || p.Next != "" {
		t.Errorf("network entries in the period: got %+v", p)
	}
	_, err = w.eng.AccountEntries(w.ctx, passengine.AccountEntriesRequest{Network: coreNet, From: start, To: start})
	var fe *passengine.FieldError
	if !errors.As(err, &fe) || fe.Name != "to" {
		t.Errorf("an empty period: got %v, want a field error on to", err)
	}
	_, err = w.eng.AccountEntries(w.ctx, passengine.AccountEntriesRequest{Network: coreNet, Holder: "nobody"})
	if !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("entries of an unknown holder: got %v, want ErrNotFound", err)
	}
}

// Rule S1: another network's account calls do not see this one's.
func TestRule_S1_AccountsIsolated(t *testing.T) {
	w := walletWorld(t)
	r := w.deposit("ada", "10")
	_, err := w.eng.Refund(w.ctx, passengine.RefundRequest{Key: "r", Network: "elsewhere", Entry: r.Entries[0].ID, Actor: "m"})
	if !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("refund through another network: got %v, want ErrNotFound", err)
	}
	_, err = w.eng.Account(w.ctx, "elsewhere", "ada")
	if !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("account through another network: got %v, want ErrNotFound", err)
	}
}

// Rule S5: a network whose only priced rows are prepaid accounts keeps its
// currency: a change is refused with a field error on "currency".
func TestRule_S5_AccountsFixTheCurrency(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Currency: "EUR", Zone: "America/New_York"}))
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Currency: "USD", Zone: "America/New_York"}))
	w.deposit("ada", "10")
	err := w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Currency: "EUR", Zone: "America/New_York"})
	var fe *passengine.FieldError
	if !errors.As(err, &fe) || fe.Name != "currency" {
		t.Fatalf("currency change with an account: got %v, want a field error on currency", err)
	}
}
