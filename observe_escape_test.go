package passengine_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// guardRE matches the observer's guard at the top of a public method
// (observe.go): three lines that send an observed call through observe.
var guardRE = regexp.MustCompile(`(?m)^\tif e\.observes\(ctx\) \{[^\n]*\n\t\treturn observe[^\n]*\n\t\}\n`)

// TestObserverAddsNoEscape compiles the package twice with the escape
// analysis printed (go build -gcflags=-m): as it is, and with every
// observer guard cut out of the public methods (a build overlay), which is
// the Engine as it would be without observer code. For every function the
// two must agree on what moves to the heap, escapes or leaks: the
// observer then adds no allocation to a call made without one. Only the
// guard's own lines (they run with an observer only) and the Engine
// pointer itself (always on the heap: New returns it) may differ.
func TestObserverAddsNoEscape(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the package twice")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		t.Skipf("no go tool: %v", err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	replace := map[string]string{}
	orig, stripped := map[string]string{}, map[string]string{}
	guards := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		orig[f] = string(b)
		stripped[f] = guardRE.ReplaceAllString(string(b), "")
		guards += len(guardRE.FindAllString(string(b), -1))
		if stripped[f] == orig[f] {
			continue
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(tmp, f)
		if err := os.WriteFile(out, []byte(stripped[f]), 0o644); err != nil {
			t.Fatal(err)
		}
		replace[abs] = out
	}
	if guards < 70 {
		t.Fatalf("found %d observer guards, want one per public method (at least 70)", guards)
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}

	with := escapes(t, goTool, orig, "")
	without := escapes(t, goTool, stripped, overlayFile)
	if len(without) == 0 {
		t.Fatal("the escape analysis printed nothing")
	}
	for fn, want := range without {
		if got := with[fn]; !slices.Equal(got, want) {
			t.Errorf("%s: escape analysis with the observer guard differs:\n got %q\nwant %q", fn, got, want)
		}
	}
	for fn, got := range with {
		if _, ok := without[fn]; !ok {
			t.Errorf("%s: escape analysis only with the observer guard: %q", fn, got)
		}
	}
}

// escapes builds the package with -gcflags=-m (and overlay, if any) and
// returns, per function, its sorted escape-analysis messages, leaving out
// observe.go, the guards' lines and the Engine receiver's leak.
func escapes(tb testing.TB, goTool string, src map[string]string, overlay string) map[string][]string {
	tb.Helper()
	args := []string{"build", "-gcflags=-m", "-o", os.DevNull}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.Command(goTool, append(args, ".")...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	funcs := map[string]func(line int) (string, bool){}
	for f, s := range src {
		funcs[f] = funcAt(tb, f, s)
	}
	line := regexp.MustCompile(`^\./([^:]+\.go):(\d+):\d+: (.*)$`)
	res := map[string][]string{}
	for _, l := range strings.Split(string(out), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil || m[1] == "observe.go" {
			continue
		}
		msg := m[3]
		if !strings.Contains(msg, "escape") && !strings.Contains(msg, "heap") && !strings.Contains(msg, "leaking param") {
			continue
		}
		if msg == "leaking param: e" || msg == "leaking param content: e" {
			continue
		}
		at, ok := funcs[m[1]]
		if !ok {
			continue
		}
		var n int
		fmt.Sscan(m[2], &n)
		fn, guarded := at(n)
		if guarded {
			continue
		}
		res[m[1]+" "+fn] = append(res[m[1]+" "+fn], msg)
	}
	for k := range res {
		slices.Sort(res[k])
	}
	return res
}

// funcAt parses a file's source and returns a function telling the name of
// the declaration that holds a line, and whether the line is part of an
// observer guard.
func funcAt(tb testing.TB, name, src string) func(line int) (string, bool) {
	tb.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		tb.Fatal(err)
	}
	type span struct {
		from, to int
		name     string
	}
	var decls []span
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		n := fd.Name.Name
		if fd.Recv != nil {
			n = "Engine." + n
		}
		decls = append(decls, span{fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line, n})
	}
	var guards [][2]int
	for _, m := range guardRE.FindAllStringIndex(src, -1) {
		from := strings.Count(src[:m[0]], "\n") + 1
		guards = append(guards, [2]int{from, from + 2})
	}
	return func(line int) (string, bool) {
		for _, g := range guards {
			if line >= g[0] && line <= g[1] {
				return "", true
			}
		}
		for _, d := range decls {
			if line >= d.from && line <= d.to {
				return d.name, false
			}
		}
		return fmt.Sprintf("line %d", line), false
	}
}
