package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/store/sqlite"
)

// Open a database file (created when missing), apply the embedded
// migrations, and hand the store to the Engine; what it writes is there
// when the file is opened again.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "passengine-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "passengine.db")

	st, err := sqlite.Open(ctx, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := st.Migrate(ctx); err != nil { // explicit: a host decides when its schema changes
		fmt.Println(err)
		return
	}
	eng := passengine.New(st)
	err = eng.PutNetwork(ctx, catalog.Network{ID: "hub", Name: "The Hub", Currency: "USD", Zone: "America/New_York"})
	fmt.Println("put:", err)
	st.Close()

	st, err = sqlite.Open(ctx, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	n, err := passengine.New(st).Network(ctx, "hub")
	fmt.Println("read back:", n.Name, n.Currency, n.Zone, err)
	// Output:
	// put: <nil>
	// read back: The Hub USD America/New_York <nil>
}
