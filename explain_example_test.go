package passengine_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// A dry run of a booking says which pass would pay and what it would
// leave, and writes nothing: the real booking then decides the same.
func ExampleEngine_ExplainBook() {
	ctx := context.Background()
	eng, clock := exampleEngine()
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "classes-10", Kind: pass.Visits, Units: 10,
		Price: money.MustNew("150", "USD"), Activation: pass.OnPurchase})
	p, _ := eng.IssuePass(ctx, passengine.IssueRequest{Key: "order-1", Network: "hub", Product: "classes-10", Holder: "ada"})
	req := passengine.BookRequest{Network: "hub", Holder: "ada", Location: "downtown", Start: clock.Now().Add(48 * time.Hour), Cost: 2}

	ex, err := eng.ExplainBook(ctx, req)
	fmt.Println(ex.Visit.Pass == p.ID, ex.Balances[0].Balance, err)
	now, _ := eng.Pass(ctx, "hub", p.ID)
	fmt.Println("balance after the dry run:", now.Balance)

	req.Key = "book-1"
	bk, err := eng.Book(ctx, req)
	fmt.Println(bk.Visit.Pass == p.ID, bk.Balances[0].Balance, err)
	// Output:
	// true 8 <nil>
	// balance after the dry run: 10
	// true 8 <nil>
}

// A dry run of a redemption counts no wrong code toward the lockout: it
// is a staff and QA tool, never for whoever types codes.
func ExampleEngine_ExplainRedeem() {
	ctx := context.Background()
	eng, clock := exampleEngine()
	eng = passengine.New(eng.Store(), passengine.WithClock(clock),
		passengine.WithCodeKey([]byte("load your 32-byte key from a secret store")),
		passengine.WithCodeSource(rand.NewChaCha8([32]byte{})))
	for range 10 {
		_, err := eng.ExplainRedeem(ctx, passengine.RedeemRequest{Network: "hub", Location: "downtown", Code: "1234 5678"})
		if err == nil {
			fmt.Println("known code")
		}
	}
	g, _ := eng.Guard(ctx, "hub", "downtown")
	fmt.Println("failures counted:", len(g.Failures))
	_, err := eng.ExplainRedeem(ctx, passengine.RedeemRequest{Network: "hub", Location: "downtown", Code: "1234 5678"})
	fmt.Println(err)
	// Output:
	// failures counted: 0
	// redeem refused: unknown passcode: check the digits with the customer
}
