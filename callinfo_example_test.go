package passengine_test

import (
	"context"
	"fmt"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// A host answers 201 to a first write and 200 to a replay of it: the
// result of the replay equals the first (I1), and CallInfo tells them
// apart.
func ExampleWithCallInfo() {
	ctx := context.Background()
	eng, _ := exampleEngine()
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "day-5", Kind: pass.Day, Units: 5,
		Price: money.MustNew("125", "USD"), Activation: pass.OnPurchase})
	req := passengine.IssueRequest{Key: "order-17", Network: "hub", Product: "day-5", Holder: "ada"}
	for range 2 {
		var info passengine.CallInfo
		p, err := eng.IssuePass(passengine.WithCallInfo(ctx, &info), req)
		if err != nil {
			fmt.Println(err)
			return
		}
		status := 201
		if info.Replayed {
			status = 200
		}
		fmt.Printf("%d %s, %d days\n", status, p.ID, p.Units)
	}
	// Output:
	// 201 id-1, 5 days
	// 200 id-1, 5 days
}
