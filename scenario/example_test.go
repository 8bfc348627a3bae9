package scenario_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/passengine/passengine/scenario"
	"github.com/passengine/passengine/store/memstore"
)

// Check runs a scenario file on a store and reports the cases whose
// output differs, with the file, the line and a diff.
func ExampleCheck() {
	dir, _ := os.MkdirTemp("", "scenario")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "payg.txt")
	_ = os.WriteFile(path, []byte(`setup
network id=hub currency=USD zone=America/New_York
location id=downtown
holder id=ada audience=member
payg id=payg member=6.25
clock at=2024-06-10T09:00
----
now Mon 2024-06-10 09:00 EDT

check-in holder=ada location=downtown visit=in
----
visit in: check_in, ada at downtown, Mon 2024-06-10 09:00 EDT, date 2024-06-10, open, payg payg

advance by=4h
----
now Mon 2024-06-10 13:00 EDT

check-out visit=in
----
visit in: check_in, ada at downtown, Mon 2024-06-10 09:00 EDT to 13:00 EDT (240 min), date 2024-06-10, closed, payg payg
  payg 2024-06-10: 240 min, 16 x 15 min, 20.00 USD
charge: 20.00 USD
`), 0o644)

	rep, err := scenario.Check(context.Background(), path, memstore.New(), scenario.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Cases, "cases,", len(rep.Failures), "failure")
	f := rep.Failures[0]
	fmt.Printf("line %d: %s\n%s", f.Line, f.Command, scenario.Diff(f.Expected, f.Actual))
	// Output:
	// 4 cases, 1 failure
	// line 18: check-out visit=in
	//   visit in: check_in, ada at downtown, Mon 2024-06-10 09:00 EDT to 13:00 EDT (240 min), date 2024-06-10, closed, payg payg
	// -   payg 2024-06-10: 240 min, 16 x 15 min, 20.00 USD
	// - charge: 20.00 USD
	// +   payg 2024-06-10: 240 min, 16 x 15 min, 25.00 USD
	// + charge: 25.00 USD
}
