package scenario

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/passengine/passengine/store"
)

// RewriteEnv is the environment variable that makes Run and RunFile
// rewrite the expected output of the files they run: set it to 1.
const RewriteEnv = "PASSENGINE_SCENARIO_REWRITE"

// Options change how a scenario file is run.
type Options struct {
	// Rewrite writes the file back with each case's expected output
	// replaced by the output the case produced, for review (a diff in
	// version control), instead of comparing them.
	Rewrite bool
}

// Failure is a case whose output differs from its expected output.
type Failure struct {
	// Path is the scenario file's path.
	Path string
	// Line is the 1-based line of the case's directive.
	Line int
	// Command is the case's directive on one line.
	Command string
	// Expected is the output the file states.
	Expected string
	// Actual is the output the case produced.
	Actual string
}

// Error names the file, line and command and shows the line diff of the
// expected and the actual output (- expected, + actual).
func (f *Failure) Error() string {
	return fmt.Sprintf("%s:%d: %s\noutput differs (- expected, + actual):\n%s", f.Path, f.Line, f.Command,
		indent(Diff(f.Expected, f.Actual)))
}

// Report is what running a scenario file found: how many cases ran and
// those whose output differs. Rewritten is true when the file was written
// back with new output.
type Report struct {
	// Path is the scenario file's path.
	Path string
	// Cases is how many cases ran.
	Cases int
	// Failures are the cases whose output differs, in file order.
	Failures []*Failure
	// Rewritten is described above.
	Rewritten bool
}

// Err returns nil when every case produced its expected output, and
// otherwise an error listing every failure with its diff.
func (r *Report) Err() error {
	if len(r.Failures) == 0 {
		return nil
	}
	msgs := make([]string, len(r.Failures))
	for i, f := range r.Failures {
		msgs[i] = f.Error()
	}
	return errors.New(strings.Join(msgs, "\n") + fmt.Sprintf("\nto accept the new output: %s=1 go test, or passengine-scenario -rewrite", RewriteEnv))
}

// Check runs the scenario file at path on st, an empty store that Check
// migrates (when it has a Migrate method) and does not close. It returns
// the report of the cases that ran. It returns an error, with the file
// and line, for a file that does not parse or a mistake in the scenario
// (an unknown command or argument, a value that does not parse, a
// command before the network or the clock is declared): running stops
// there. With opts.Rewrite the file is written back with the outputs of
// the cases that ran.
func Check(ctx context.Context, path string, st store.Store, opts Options) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(path, strings.NewReader(string(data)))
	if err != nil {
		return nil, err
	}
	if m, ok := st.(interface{ Migrate(context.Context) error }); ok {
		if err := m.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("%s: migrate the store: %w", path, err)
		}
	}
	rep := &Report{Path: path}
	w := newWorld(ctx, st)
	outputs := make([]string, 0, len(f.Cases))
	for i := range f.Cases {
		c := &f.Cases[i]
		got, err := w.runCase(c)
		if err != nil {
			line := c.Line
			var le lineError
			if errors.As(err, &le) {
				line = le.line
			}
			return rep, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		rep.Cases++
		got = normalize(got)
		outputs = append(outputs, got)
		if want := normalize(c.Expected); want != got && !opts.Rewrite {
			rep.Failures = append(rep.Failures, &Failure{Path: path, Line: c.Line, Command: c.CmdLine(), Expected: want, Actual: got})
		}
	}
	if opts.Rewrite {
		if out := f.Format(outputs); string(out) != string(data) {
			if err := os.WriteFile(path, out, 0o644); err != nil {
				return rep, err
			}
			rep.Rewritten = true
		}
	}
	return rep, nil
}

// normalize trims trailing spaces from each line and blank lines from the
// end, and ends a non-empty output with a newline.
func normalize(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.TrimRight(strings.Join(lines, "\n"), "\n")
	if s == "" {
		return ""
	}
	return s + "\n"
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ")
}

// Files returns the scenario files under dir, recursively, sorted: every
// regular file whose name does not start with "." or "_". It returns dir
// itself when dir is a file, and os.Stat's or the walk's error when dir
// cannot be read.
func Files(dir string) ([]string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{dir}, nil
	}
	var out []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Run runs every scenario file under dir (Files) as a subtest of t named
// for the file, each on a new store from open, and fails the subtest with
// the file, line and diff of every case whose output differs. With the
// environment variable PASSENGINE_SCENARIO_REWRITE=1 it rewrites the
// files' expected output instead.
func Run(t *testing.T, dir string, open func(t *testing.T) store.Store) {
	t.Helper()
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no scenario files under %s", dir)
	}
	for _, path := range files {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			rel = path
		}
		t.Run(rel, func(t *testing.T) { RunFile(t, path, open) })
	}
}

// RunFile runs the scenario file at path on a new store from open and
// fails t with the file, line and diff of every case whose output
// differs, or with the scenario's mistake. With the environment variable
// PASSENGINE_SCENARIO_REWRITE=1 it rewrites the file's expected output
// instead.
func RunFile(t *testing.T, path string, open func(t *testing.T) store.Store) {
	t.Helper()
	rep, err := Check(context.Background(), path, open(t), Options{Rewrite: os.Getenv(RewriteEnv) == "1"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rewritten {
		t.Logf("%s: rewritten", path)
	}
	if err := rep.Err(); err != nil {
		t.Error(err)
	}
}
