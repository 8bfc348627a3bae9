package passengine_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
)

// SlogObserver logs one record per call: Info for a success, Warn for a
// refusal. (The handler here leaves out the time and the durations so that
// the output is the same on every run.)
func ExampleSlogObserver() {
	stable := func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.TimeKey, "duration", "store_duration":
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: stable}))
	eng := passengine.New(memstore.New(), passengine.WithObserver(passengine.SlogObserver(logger)))

	ctx := context.Background()
	_ = eng.PutNetwork(ctx, catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"})
	_ = eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member})
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "day-5", Kind: pass.Day, Units: 5,
		Price: money.MustNew("125", "USD"), Activation: pass.OnPurchase})
	order := passengine.IssueRequest{Key: "order-17", Network: "hub", Product: "day-5", Holder: "ada"}
	_, _ = eng.IssuePass(ctx, order)
	_, _ = eng.IssuePass(ctx, order) // the client sent it again
	_, _ = eng.Holder(ctx, "hub", "bob")
	// Output:
	// level=INFO msg="passengine call" op=put_network network=hub key="" code="" retries=0 replayed=false
	// level=INFO msg="passengine call" op=put_holder network=hub key="" code="" retries=0 replayed=false
	// level=INFO msg="passengine call" op=put_product network=hub key="" code="" retries=0 replayed=false
	// level=INFO msg="passengine call" op=issue network=hub key=order-17 code="" retries=0 replayed=false
	// level=INFO msg="passengine call" op=issue network=hub key=order-17 code="" retries=0 replayed=true
	// level=WARN msg="passengine call" op=holder network=hub key="" code=not_found retries=0 replayed=false error="holder \"bob\": not found"
}
