package passengine

import (
	"context"
	"errors"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// The errors of the prepaid account calls (W1, W2).
var (
	// ErrInsufficientFunds: the balance plus the overdraft limit does not
	// cover a spend, a pass paid from the account, an adjustment down or a
	// settle. The error is a *wallet.InsufficientFundsError.
	ErrInsufficientFunds = wallet.ErrInsufficientFunds
	// ErrRefundTooLarge: a refund is more than what is left to refund of
	// its entry. The error is a *wallet.RefundError.
	ErrRefundTooLarge = wallet.ErrRefundTooLarge
	// ErrNoDebt: a settle found nothing owed. The error is a
	// *wallet.NoDebtError.
	ErrNoDebt = wallet.ErrNoDebt
)

// WithAccountDebit sets the host policy that debits a visit's PAYG
// charges (at check-out, or when the visit is closed automatically, C8)
// and a no-show fee (B3) from the holder's prepaid account, in the same
// unit of work (W2). A check-out is never refused for money: what the
// balance and the overdraft limit do not cover is owed on the visit
// (Visit.Owed), listed by Outstanding, and settled by the holder's next
// deposit (oldest debt first) or by Settle. Without it the Engine records
// charges on visits and leaves collecting them to the host.
func WithAccountDebit() Option { return func(e *Engine) { e.accountDebit = true } }

// AccountResult is what an account call did: the account after it, the
// entries it wrote in order (none when it changed nothing), and the visits
// whose debts it settled, in their new state (W2).
type AccountResult struct {
	// Account is the holder's account after the call.
	Account wallet.Account `json:"account"`
	// Entries are the entries the call wrote, in order; none when it changed
	// nothing.
	Entries []wallet.Entry `json:"entries"`
	// Settled are the visits whose debts the call paid, in their new state
	// (W2).
	Settled []checkin.Visit `json:"settled"`
}

// DepositRequest pays money into a holder's prepaid account (W1).
type DepositRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder whose account it is.
	Holder string `json:"holder"`
	// Amount is what is paid in: above zero, in the network's currency and its
	// minor unit (S5).
	Amount money.Money `json:"amount"`
	// Actor is who made the call; empty means the holder.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the entries, free text.
	Comment string `json:"comment,omitempty"`
}

// validHolder checks the key, network, holder, actor and comment of an
// account request.
func validHolder(key, network, holder, actor, comment string) error {
	return field.First(validKey(key, network), field.ID("holder", holder), field.Text("actor", actor), field.Text("comment", comment))
}

// Deposit pays req.Amount into the holder's account in the network's
// currency (W1) and, in the same unit of work, settles the holder's debts
// oldest first with what the account can pay after it (W2). It returns
// the account, the deposit and settle entries and the visits settled. It
// returns a *FieldError for bad input (an amount not above zero, finer
// than the currency's minor unit or in another currency than the
// network's), ErrNotFound for an unknown network or holder, and an
// *IdempotencyError for a key reused with another request.
func (e *Engine) Deposit(ctx context.Context, req DepositRequest) (AccountResult, error) {
	if err := field.First(validHolder(req.Key, req.Network, req.Holder, req.Actor, req.Comment), wallet.ValidAmount("amount", req.Amount, "")); err != nil {
		return AccountResult{}, err
	}
	return e.accountCall(ctx, req.Network, req.Key, "deposit", req.fingerprint("deposit"), fixed(req.Holder), true, req.Actor, req.Comment,
		func(st wallet.State, m wallet.Meta) (wallet.Outcome, error) {
			return wallet.DecideDeposit(st, wallet.Deposit{Amount: req.Amount, Meta: m})
		})
}

// SpendRequest pays for a purchase (a product of the club's shop, say)
// from a holder's account (W1). Passes are paid with
// IssueRequest.PayFromAccount, which links the entry to the pass.
type SpendRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder whose account it is.
	Holder string `json:"holder"`
	// Amount is what is paid out: above zero, in the network's currency and
	// its minor unit (S5).
	Amount money.Money `json:"amount"`
	// Actor is who made the call; empty means the holder.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the entries, free text.
	Comment string `json:"comment,omitempty"`
}

// Spend takes req.Amount from the holder's account (W1): down to zero, or
// to minus the overdraft limit when one is set. It returns a
// *wallet.InsufficientFundsError (ErrInsufficientFunds) for more, writing
// nothing, and otherwise the errors of Deposit.
func (e *Engine) Spend(ctx context.Context, req SpendRequest) (AccountResult, error) {
	if err := field.First(validHolder(req.Key, req.Network, req.Holder, req.Actor, req.Comment), wallet.ValidAmount("amount", req.Amount, "")); err != nil {
		return AccountResult{}, err
	}
	return e.accountCall(ctx, req.Network, req.Key, "spend", req.fingerprint("spend"), fixed(req.Holder), false, req.Actor, req.Comment,
		func(st wallet.State, m wallet.Meta) (wallet.Outcome, error) {
			return wallet.DecideSpend(st, wallet.Spend{Amount: req.Amount, Meta: m})
		})
}

// RefundRequest gives money back into an account for one of its debits:
// a spend, a PAYG charge or fee, or a settle (W1).
type RefundRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Entry is the ID of the entry refunded.
	Entry string `json:"entry"`
	// Amount is what to give back; zero Money gives back all that is left
	// to refund of the entry.
	Amount money.Money `json:"amount"`
	// Actor is the staff member who makes the change; required.
	Actor string `json:"actor"`
	// Comment is a note kept on the entries, free text.
	Comment string `json:"comment,omitempty"`
}

// Refund credits the account of req.Entry with a refund entry linked to
// it (W1): at most what that entry took, less what was refunded of it
// already; more is a *wallet.RefundError (ErrRefundTooLarge) and writes
// nothing. A refund changes no pass or visit: the pass a spend paid for
// stays paid. It returns a *FieldError for bad input (a missing actor, an
// entry that is not a spend, charge or settle, a bad amount), ErrNotFound
// for an unknown network or entry, and an *IdempotencyError for a reused
// key.
func (e *Engine) Refund(ctx context.Context, req RefundRequest) (AccountResult, error) {
	if err := field.First(validKey(req.Key, req.Network), field.ID("entry", req.Entry), field.Required("actor", req.Actor),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return AccountResult{}, err
	}
	if !req.Amount.IsZero() {
		if err := wallet.ValidAmount("amount", req.Amount, ""); err != nil {
			return AccountResult{}, err
		}
	}
	var of wallet.Entry
	holder := func(tx store.Tx) (string, error) { // entries never change: read before the lock
		var err error
		of, err = tx.Accounts().Entry(ctx, req.Network, req.Entry)
		return of.Holder, err
	}
	var refunded money.Money
	return e.accountCallWith(ctx, req.Network, req.Key, "refund", req.fingerprint("refund"), holder, false, req.Actor, req.Comment,
		func(ctx context.Context, tx store.Tx) error { // after the lock: what was refunded of it so far
			rs, err := tx.Accounts().Refunds(ctx, req.Network, req.Entry)
			for _, r := range rs {
				refunded = refunded.Add(r.Amount)
			}
			return err
		},
		func(st wallet.State, m wallet.Meta) (wallet.Outcome, error) {
			return wallet.DecideRefund(st, wallet.Refund{Of: of, Refunded: refunded, Amount: req.Amount, Meta: m})
		})
}

// AdjustAccountRequest corrects a holder's account by a signed amount, by
// staff (W1).
type AdjustAccountRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder whose account it is.
	Holder string `json:"holder"`
	// Amount is added to the balance: negative takes money out.
	Amount money.Money `json:"amount"`
	// Actor is the staff member who makes the change; required.
	Actor string `json:"actor"`
	// Comment is a note kept on the entries, free text.
	Comment string `json:"comment,omitempty"`
}

// AdjustAccount moves the holder's balance by req.Amount with an adjust
// entry (W1); down, never below minus the overdraft limit
// (*wallet.InsufficientFundsError, writing nothing). It returns a
// *FieldError for a missing actor or a zero, foreign or sub-minor-unit
// amount, and otherwise the errors of Deposit.
func (e *Engine) AdjustAccount(ctx context.Context, req AdjustAccountRequest) (AccountResult, error) {
	if err := field.First(validHolder(req.Key, req.Network, req.Holder, req.Actor, req.Comment), field.Required("actor", req.Actor),
		wallet.ValidAdjustment("amount", req.Amount, "")); err != nil {
		return AccountResult{}, err
	}
	return e.accountCall(ctx, req.Network, req.Key, "adjust_account", req.fingerprint("adjust_account"), fixed(req.Holder), false, req.Actor, req.Comment,
		func(st wallet.State, m wallet.Meta) (wallet.Outcome, error) {
			return wallet.DecideAdjust(st, wallet.Adjust{Amount: req.Amount, Meta: m})
		})
}

// OverdraftRequest sets a holder's overdraft limit, by staff (W1).
type OverdraftRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder whose account it is.
	Holder string `json:"holder"`
	// Limit is how far below zero the balance may go; zero Money: none.
	Limit money.Money `json:"limit"`
	// Actor is the staff member who makes the change; required.
	Actor string `json:"actor"`
	// Comment is a note kept on the entries, free text.
	Comment string `json:"comment,omitempty"`
}

// SetOverdraft sets the holder's overdraft limit, recorded with an
// overdraft entry of amount zero (W1); setting the limit the account has
// writes nothing. It returns a *FieldError for a missing actor, a
// negative, foreign or sub-minor-unit limit, or a limit below what the
// balance already uses, and otherwise the errors of Deposit.
func (e *Engine) SetOverdraft(ctx context.Context, req OverdraftRequest) (AccountResult, error) {
	if err := field.First(validHolder(req.Key, req.Network, req.Holder, req.Actor, req.Comment), field.Required("actor", req.Actor)); err != nil {
		return AccountResult{}, err
	}
	if !req.Limit.IsZero() {
		if err := req.Limit.Validate("limit", ""); err != nil {
			return AccountResult{}, err
		}
	}
	return e.accountCall(ctx, req.Network, req.Key, "overdraft", req.fingerprint("overdraft"), fixed(req.Holder), false, req.Actor, req.Comment,
		func(st wallet.State, m wallet.Meta) (wallet.Outcome, error) {
			return wallet.DecideOverdraft(st, wallet.Overdraft{Limit: req.Limit, Meta: m})
		})
}

// SettleRequest pays a holder's debts from its account (W2).
type SettleRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder whose account it is.
	Holder string `json:"holder"`
	// Visit, when set, settles that visit's debt only; otherwise every
	// debt is settled, oldest first.
	Visit string `json:"visit,omitempty"`
	// Actor is who made the call; empty means the holder.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the entries, free text.
	Comment string `json:"comment,omitempty"`
}

// Settle pays the holder's debts (or the one of req.Visit) from what its
// account can pay, balance plus overdraft limit, oldest first, in part
// when it cannot pay in full (W2): the call for money the holder added
// without a deposit (a refund, an adjustment, a higher limit), since a
// deposit settles by itself. It returns a *wallet.NoDebtError (ErrNoDebt)
// when nothing is owed, a *wallet.InsufficientFundsError when the account
// can pay nothing, and otherwise the errors of Deposit.
func (e *Engine) Settle(ctx context.Context, req SettleRequest) (AccountResult, error) {
	if err := validHolder(req.Key, req.Network, req.Holder, req.Actor, req.Comment); err != nil {
		return AccountResult{}, err
	}
	if req.Visit != "" {
		if err := field.ID("visit", req.Visit); err != nil {
			return AccountResult{}, err
		}
	}
	return e.accountCall(ctx, req.Network, req.Key, "settle", req.fingerprint("settle"), fixed(req.Holder), true, req.Actor, req.Comment,
		func(st wallet.State, m wallet.Meta) (wallet.Outcome, error) {
			return wallet.DecideSettle(st, wallet.Settle{Visit: req.Visit, Meta: m})
		})
}

// fixed returns a holder resolver that names holder.
func fixed(holder string) func(store.Tx) (string, error) {
	return func(store.Tx) (string, error) { return holder, nil }
}

// accountCall runs an account decision as one idempotent unit of work.
func (e *Engine) accountCall(ctx context.Context, netID, key, op string, sum [fpLen]byte, holder func(store.Tx) (string, error),
	debts bool, actor, comment string, decide func(wallet.State, wallet.Meta) (wallet.Outcome, error)) (AccountResult, error) {
	return e.accountCallWith(ctx, netID, key, op, sum, holder, debts, actor, comment, nil, decide)
}

// accountCallWith runs an account decision as one idempotent unit of work
// (I1, I3): it finds the holder (holder), reads the network, locks the
// holder (I2; ErrNotFound for an unknown one), reads its account in the
// network's currency and, with debts, the visits it owes for
// (store.LoadAccount: one round trip on PostgreSQL), runs read (when not
// nil) for what else the decision needs, decides, and writes the account,
// its entries and the visits whose debts changed.
func (e *Engine) accountCallWith(ctx context.Context, netID, key, op string, sum [fpLen]byte, holder func(store.Tx) (string, error),
	debts bool, actor, comment string, read func(context.Context, store.Tx) error,
	decide func(wallet.State, wallet.Meta) (wallet.Outcome, error)) (AccountResult, error) {
	now := e.now()
	return idempotent(ctx, e, netID, key, op, sum, func(tx store.Tx) (AccountResult, error) {
		h, err := holder(tx)
		if err != nil {
			return AccountResult{}, err
		}
		ls, err := store.LoadAccount(ctx, tx, store.AccountQuery{Network: netID, Holder: h, Debts: debts})
		if err != nil {
			return AccountResult{}, err
		}
		st := wallet.State{Account: ls.Account}
		for _, v := range ls.Debts {
			st.Debts = append(st.Debts, wallet.Debt{Visit: v.ID, Start: v.Start, Debited: v.Debited, Owed: v.Owed})
		}
		if read != nil {
			if err := read(ctx, tx); err != nil {
				return AccountResult{}, err
			}
		}
		if actor == "" {
			actor = h
		}
		o, err := decide(st, wallet.Meta{Key: key, Actor: actor, Comment: comment, At: now})
		if err != nil {
			return AccountResult{}, err
		}
		settled, err := e.applyDebts(ctx, tx, o.Debts, ls.Debts, true)
		if err != nil {
			return AccountResult{}, err
		}
		if err := e.writeAccount(ctx, tx, &o); err != nil {
			return AccountResult{}, err
		}
		return AccountResult{Account: o.Account, Entries: o.Entries, Settled: settled}, nil
	})
}

// accountState reads the holder's account in the network's currency (the
// empty one when it has none), the holder being locked or the unit of
// work read-only.
func (e *Engine) accountState(ctx context.Context, tx store.Tx, n catalog.Network, holder string) (wallet.State, error) {
	a, err := tx.Accounts().Get(ctx, n.ID, holder, n.Currency)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a = wallet.New(n.ID, holder, n.Currency)
	case err != nil:
		return wallet.State{}, err
	}
	return wallet.State{Account: a}, nil
}

// applyDebts sets the Debited and Owed of each debt on its visit among
// visits and, with put, stores the visit. It returns the visits changed,
// in the order of debts.
func (e *Engine) applyDebts(ctx context.Context, tx store.Tx, debts []wallet.Debt, visits []checkin.Visit, put bool) ([]checkin.Visit, error) {
	var out []checkin.Visit
	for _, d := range debts {
		for i := range visits {
			if visits[i].ID != d.Visit {
				continue
			}
			visits[i].Debited, visits[i].Owed = d.Debited, d.Owed
			if put {
				if err := tx.Visits().Put(ctx, visits[i]); err != nil {
					return nil, err
				}
			}
			out = append(out, visits[i])
		}
	}
	return out, nil
}

// writeAccount gives o's entries their IDs and stores them with the
// account; an outcome that changed nothing writes nothing.
func (e *Engine) writeAccount(ctx context.Context, tx store.Tx, o *wallet.Outcome) error {
	if len(o.Entries) == 0 && len(o.Debts) == 0 {
		return nil
	}
	for i := range o.Entries {
		o.Entries[i].ID = e.newID()
	}
	if err := tx.Accounts().Put(ctx, o.Account); err != nil {
		return err
	}
	if len(o.Entries) == 0 {
		return nil
	}
	return tx.Accounts().Append(ctx, o.Entries...)
}

// Account returns the holder's prepaid account in the network's currency:
// the empty account (zero balance, no entries) when nothing was written to
// it yet. It returns a *FieldError for a missing network or holder and
// ErrNotFound for an unknown one.
func (e *Engine) Account(ctx context.Context, network, holder string) (wallet.Account, error) {
	if err := field.First(field.ID("network", network), field.ID("holder", holder)); err != nil {
		return wallet.Account{}, err
	}
	var a wallet.Account
	err := e.st.View(ctx, func(tx store.Tx) error {
		n, err := tx.Catalog().Network(ctx, network)
		if err != nil {
			return err
		}
		if _, err := tx.Catalog().Holder(ctx, network, holder); err != nil {
			return err
		}
		st, err := e.accountState(ctx, tx, n, holder)
		a = st.Account
		return err
	})
	return a, err
}

// Outstanding returns the visits that owe money (W2), the network's or
// f.Holder's, oldest first (by start, then ID), with Owed and Debited set.
// It returns a *FieldError for a missing network, a malformed holder or a
// negative offset or limit, and ErrNotFound for an unknown network or
// holder.
func (e *Engine) Outstanding(ctx context.Context, f DebtFilter) ([]checkin.Visit, error) {
	if err := field.First(field.ID("network", f.Network), field.OptionalID("holder", f.Holder),
		field.NonNegative("offset", f.Offset), field.NonNegative("limit", f.Limit)); err != nil {
		return nil, err
	}
	var out []checkin.Visit
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		if _, err := tx.Catalog().Network(ctx, f.Network); err != nil {
			return err
		}
		if err := ownersExist(ctx, tx, f.Network, f.Holder, ""); err != nil {
			return err
		}
		out, err = tx.Accounts().Debts(ctx, store.DebtFilter(f))
		return err
	})
	return out, err
}
