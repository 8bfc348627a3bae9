// Command passengine-scenario runs passengine scenario files (see package
// scenario for the format and the commands) and reports every case whose
// output differs from the expected output, with the file, the line and a
// diff; with -rewrite it writes the actual output into the files instead,
// for review.
//
// Usage:
//
//	passengine-scenario [-store memory|sqlite] [-rewrite] [-v] path...
//
// Each path is a scenario file or a directory, read recursively (files
// whose names start with "." or "_" are skipped). Each file runs on a new,
// empty store: in memory, or in a new SQLite database in a temporary
// directory, removed afterwards. The exit status is 0 when every file
// passes (or was rewritten), 1 when a case failed or a file has a
// mistake, and 2 for bad usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/passengine/passengine/scenario"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/sqlite"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command with args, writing reports to stdout and usage
// and setup errors to stderr, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("passengine-scenario", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storeName := fs.String("store", "memory", "the store each file runs on: memory or sqlite")
	rewrite := fs.Bool("rewrite", false, "write the actual output into the files instead of comparing")
	verbose := fs.Bool("v", false, "name every file, passing ones too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: passengine-scenario [-store memory|sqlite] [-rewrite] [-v] path...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	open, err := opener(*storeName)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var files []string
	for _, p := range fs.Args() {
		found, err := scenario.Files(p)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		files = append(files, found...)
	}
	ctx := context.Background()
	failed, cases := 0, 0
	for _, path := range files {
		ok, n := runFile(ctx, path, open, *rewrite, *verbose, stdout)
		cases += n
		if !ok {
			failed++
		}
	}
	switch {
	case failed > 0:
		fmt.Fprintf(stdout, "FAIL: %d of %d files (%s store)\n", failed, len(files), *storeName)
		return 1
	case *rewrite:
		fmt.Fprintf(stdout, "ok: %d files, %d cases run and written (%s store)\n", len(files), cases, *storeName)
	default:
		fmt.Fprintf(stdout, "ok: %d files, %d cases (%s store)\n", len(files), cases, *storeName)
	}
	return 0
}

// runFile runs one file on a new store and reports it; it returns whether
// it passed and how many cases ran.
func runFile(ctx context.Context, path string, open func() (store.Store, func(), error), rewrite, verbose bool, out io.Writer) (bool, int) {
	st, done, err := open()
	if err != nil {
		fmt.Fprintf(out, "FAIL %s: %v\n", path, err)
		return false, 0
	}
	defer done()
	rep, err := scenario.Check(ctx, path, st, scenario.Options{Rewrite: rewrite})
	n := 0
	if rep != nil {
		n = rep.Cases
	}
	switch {
	case err != nil:
		fmt.Fprintf(out, "FAIL %s\n%v\n", path, err)
		return false, n
	case rep.Err() != nil:
		fmt.Fprintf(out, "FAIL %s\n%v\n", path, rep.Err())
		return false, n
	case rep.Rewritten:
		fmt.Fprintf(out, "rewrote %s (%d cases)\n", path, n)
	case verbose:
		fmt.Fprintf(out, "ok %s (%d cases)\n", path, n)
	}
	return true, n
}

// opener returns the function that makes a new store for a file, and
// closes and removes it afterwards.
func opener(name string) (func() (store.Store, func(), error), error) {
	switch name {
	case "memory":
		return func() (store.Store, func(), error) { return memstore.New(), func() {}, nil }, nil
	case "sqlite":
		return func() (store.Store, func(), error) {
			dir, err := os.MkdirTemp("", "passengine-scenario-")
			if err != nil {
				return nil, nil, err
			}
			st, err := sqlite.Open(context.Background(), filepath.Join(dir, "scenario.db"))
			if err != nil {
				os.RemoveAll(dir)
				return nil, nil, err
			}
			return st, func() { st.Close(); os.RemoveAll(dir) }, nil
		}, nil
	}
	return nil, fmt.Errorf("-store %q: want memory or sqlite", name)
}
