package enginetest

import (
	"context"
	"strings"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/money"
)

// walletHostileInputs are the hostile inputs of the prepaid account calls
// (RULES W1 with S2, S4, S5): IDs with NUL bytes or past the length bound,
// text past its bound or not UTF-8, amounts at the size bound or finer
// than the minor unit, instants past the years every store keeps, page
// sizes past the bound and forged cursors.
func walletHostileInputs() []Hostile {
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	megabyte := strings.Repeat("x", 1<<20)
	year10000 := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	deposit := func(edit func(*passengine.DepositRequest)) func(context.Context, *HostileWorld) error {
		return func(ctx context.Context, h *HostileWorld) error {
			r := passengine.DepositRequest{Key: "wallet-hostile", Network: hostileNet, Holder: "ada", Amount: usd("10")}
			edit(&r)
			_, err := h.Eng.Deposit(ctx, r)
			return err
		}
	}
	return []Hostile{
		{"deposit to a holder ID with a NUL byte", "holder", deposit(func(r *passengine.DepositRequest) { r.Holder = "ada\x00" })},
		{"deposit of 10^12", "amount.amount", deposit(func(r *passengine.DepositRequest) { r.Amount = usd("1000000000000") })},
		{"deposit finer than a cent", "amount.amount", deposit(func(r *passengine.DepositRequest) { r.Amount = usd("0.001") })},
		{"deposit with a megabyte comment", "comment", deposit(func(r *passengine.DepositRequest) { r.Comment = megabyte })},
		{"deposit by an actor that is not UTF-8", "actor", deposit(func(r *passengine.DepositRequest) { r.Actor = "\xff\xfe" })},
		{"spend of minus 10^12", "amount.amount", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Spend(ctx, passengine.SpendRequest{Key: "wallet-hostile", Network: hostileNet, Holder: "ada", Amount: usd("-1000000000000")})
			return err
		}},
		{"adjustment of minus 10^12", "amount.amount", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.AdjustAccount(ctx, passengine.AdjustAccountRequest{Key: "wallet-hostile", Network: hostileNet, Holder: "ada",
				Amount: usd("-1000000000000"), Actor: "m"})
			return err
		}},
		{"overdraft limit of 10^12", "limit.amount", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.SetOverdraft(ctx, passengine.OverdraftRequest{Key: "wallet-hostile", Network: hostileNet, Holder: "ada",
				Limit: usd("1000000000000"), Actor: "m"})
			return err
		}},
		{"refund of an entry ID past the bound", "entry", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Refund(ctx, passengine.RefundRequest{Key: "wallet-hostile", Network: hostileNet, Entry: strings.Repeat("e", 201), Actor: "m"})
			return err
		}},
		{"settle of a visit ID with a NUL byte", "visit", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Settle(ctx, passengine.SettleRequest{Key: "wallet-hostile", Network: hostileNet, Holder: "ada", Visit: "v\x00"})
			return err
		}},
		{"account entries from the year 10000", "from", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.AccountEntries(ctx, passengine.AccountEntriesRequest{Network: hostileNet, From: year10000})
			return err
		}},
		{"account entries in pages of 2^31", "limit", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.AccountEntries(ctx, passengine.AccountEntriesRequest{Network: hostileNet, Limit: 1 << 31})
			return err
		}},
		{"account entries after a forged cursor", "cursor", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.AccountEntries(ctx, passengine.AccountEntriesRequest{Network: hostileNet, Cursor: "eyJhdCI6MX0"})
			return err
		}},
	}
}
