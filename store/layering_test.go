package store_test

import (
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is the module path of passengine.
const module = "github.com/passengine/passengine"

// TestStoreImportsNothingAbove: no package under store/ (the contract,
// the adapters, the conformance suite, the fault wrapper) depends,
// directly or through another package, on the root package passengine
// or on any package that depends on it (enginetest, scenario, the
// examples and commands): the storage contract and its suite stand below
// the Engine (DESIGN, "Store contract"). Test files are not counted: an
// adapter's tests run the Engine's scenarios on it.
func TestStoreImportsNothingAbove(t *testing.T) {
	imports := moduleImports(t, "..")
	// above: the root package and every package that depends on it.
	above := map[string]bool{}
	var dependsOnRoot func(p string, seen map[string]bool) bool
	dependsOnRoot = func(p string, seen map[string]bool) bool {
		if p == module {
			return true
		}
		if seen[p] {
			return false
		}
		seen[p] = true
		return slices.ContainsFunc(imports[p], func(q string) bool { return dependsOnRoot(q, seen) })
	}
	for p := range imports {
		if dependsOnRoot(p, map[string]bool{}) {
			above[p] = true
		}
	}
	if len(above) < 3 || !above[module+"/enginetest"] {
		t.Fatalf("found %d packages above the store (%v): the module was not read", len(above), above)
	}
	checked := 0
	for p := range imports {
		if p != module+"/store" && !strings.HasPrefix(p, module+"/store/") {
			continue
		}
		checked++
		if chain := pathTo(imports, p, above); chain != nil {
			t.Errorf("%s imports a package above the store: %s", p, strings.Join(chain, " -> "))
		}
	}
	if checked < 6 {
		t.Errorf("checked %d packages under store/, want the contract, its adapters, storetest and storefault", checked)
	}
}

// pathTo returns the import path from p to the first package of target
// it reaches, nil when it reaches none.
func pathTo(imports map[string][]string, p string, target map[string]bool) []string {
	var walk func(p string, seen map[string]bool) []string
	walk = func(p string, seen map[string]bool) []string {
		if seen[p] {
			return nil
		}
		seen[p] = true
		for _, q := range imports[p] {
			if target[q] {
				return []string{p, q}
			}
			if rest := walk(q, seen); rest != nil {
				return append([]string{p}, rest...)
			}
		}
		return nil
	}
	return walk(p, map[string]bool{})
}

// moduleImports returns, for every package of the module rooted at dir
// (test files, testdata and hidden directories left out), the module's
// packages its files import.
func moduleImports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != dir && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if path != dir {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a nested module
			}
		}
		pkg, err := build.ImportDir(path, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		ip := module
		if rel != "." {
			ip += "/" + filepath.ToSlash(rel)
		}
		for _, imp := range pkg.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				out[ip] = append(out[ip], imp)
			}
		}
		if _, ok := out[ip]; !ok {
			out[ip] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
