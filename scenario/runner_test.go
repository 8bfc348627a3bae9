package scenario_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passengine/passengine/scenario"
	"github.com/passengine/passengine/store/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dayPass is a small scenario whose expectations hold.
const dayPass = `# one day pass
setup
network id=hub currency=USD zone=America/New_York
location id=downtown
holder id=ada audience=member
product id=day-5 kind=day units=5 price=125
clock at=2024-06-10T09:00
----
now Mon 2024-06-10 09:00 EDT

issue id=pass-1 product=day-5 holder=ada
----
pass pass-1: day 5/5, active, product day-5, holder ada, source product
  price 125.00 USD, paid, unit value 25.00 USD
  on_purchase, activated 2024-06-10, no expiry

check-in holder=ada location=downtown visit=morning
----
visit morning: check_in, ada at downtown, Mon 2024-06-10 09:00 EDT, date 2024-06-10, open, day by pass-1
  used 1 day of pass-1
balances: pass-1 4 days
ranking:
  1. pass-1 day, balance 5 days: chosen

balances holder=ada
----
pass-1 day 4/5, active
`

func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.txt")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func check(t *testing.T, path string, opts scenario.Options) (*scenario.Report, error) {
	t.Helper()
	return scenario.Check(context.Background(), path, memstore.New(), opts)
}

func TestCheckPassesWhenTheOutputIsExpected(t *testing.T) {
	rep, err := check(t, write(t, dayPass), scenario.Options{})
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Cases)
	assert.NoError(t, rep.Err())
}

// A wrong expectation fails with a readable diff naming the file and the
// line of the directive.
func TestCheckReportsAWrongExpectationWithFileLineAndDiff(t *testing.T) {
	wrong := strings.Replace(dayPass, "pass-1 day 4/5, active", "pass-1 day 5/5, active", 1)
	path := write(t, wrong)
	rep, err := check(t, path, scenario.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Failures, 1)
	f := rep.Failures[0]
	assert.Equal(t, 25, f.Line, "the balances directive's line")
	msg := rep.Err().Error()
	for _, want := range []string{
		path + ":25: balances holder=ada",
		"output differs (- expected, + actual):",
		"- pass-1 day 5/5, active",
		"+ pass-1 day 4/5, active",
		scenario.RewriteEnv + "=1",
	} {
		assert.Contains(t, msg, want)
	}
}

// A missing line and an extra line show as - and + lines among the
// unchanged ones.
func TestDiff(t *testing.T) {
	got := scenario.Diff("a\nb\nc\n", "a\nc\nd\n")
	assert.Equal(t, "  a\n- b\n  c\n+ d\n", got)
	assert.Empty(t, scenario.Diff("same\n", "same\n"))
}

// Rewrite writes the actual output in place of the expected one, keeps
// comments and directives, and a second run passes; rewriting a passing
// file leaves it byte for byte.
func TestRewrite(t *testing.T) {
	stale := strings.Replace(dayPass, "pass-1 day 4/5, active", "stale", 1)
	stale = strings.Replace(stale, "  1. pass-1 day, balance 5 days: chosen\n", "", 1)
	path := write(t, stale)
	rep, err := check(t, path, scenario.Options{Rewrite: true})
	require.NoError(t, err)
	assert.True(t, rep.Rewritten)
	assert.Empty(t, rep.Failures, "a rewrite reports no failures")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, dayPass, string(data))

	rep, err = check(t, path, scenario.Options{Rewrite: true})
	require.NoError(t, err)
	assert.False(t, rep.Rewritten, "nothing to rewrite")
}

// An output with a blank line is written between double separators, which
// parse back to the same output.
func TestParseDoubleSeparator(t *testing.T) {
	f, err := scenario.Parse("x", strings.NewReader("cmd a=1 b=(x, y (z))\n----\n----\nline 1\n\nline 3\n----\n----\n\nnext\n----\nout\n"))
	require.NoError(t, err)
	require.Len(t, f.Cases, 2)
	assert.Equal(t, "line 1\n\nline 3\n", f.Cases[0].Expected)
	assert.Equal(t, []scenario.Arg{{Key: "a", Vals: []string{"1"}}, {Key: "b", Vals: []string{"x", "y (z)"}}}, f.Cases[0].Args)
	assert.Equal(t, 10, f.Cases[1].Line)
	assert.Equal(t, "cmd a=1 b=(x, y (z))\n----\n----\nline 1\n\nline 3\n----\n----\n\nnext\n----\nout\n",
		string(f.Format([]string{"line 1\n\nline 3\n", "out\n"})))
}

// Mistakes in a scenario stop it with the file and line: an unknown
// command, a misspelt argument, a line of a setup block, a command before
// the clock is set.
func TestMistakesNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"unknown command", "chek-in holder=ada\n----\n", ":1: unknown command \"chek-in\""},
		{"misspelt argument", "setup\nnetwork id=hub currency=USD zone=UTC\nclock at=2024-06-10T09:00\nholder id=ada\n----\n\nbalances hodler=ada\n----\n",
			":7: balances does not take \"hodler\""},
		{"setup line", "setup\nnetwork id=hub currency=USD zone=UTC\nproduct id=p kind=day units=five\n----\n",
			":3: units: \"five\" is not a whole number"},
		{"no clock", "setup\nnetwork id=hub currency=USD zone=UTC\nissue product=p holder=ada\n----\n",
			":3: issue: set the clock first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.content)
			_, err := check(t, path, scenario.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), path+tc.want)
		})
	}
}

// Refusals by the Engine are output, not mistakes: bad input gets the
// Engine's field error, a refused use every pass's reason.
func TestEngineRefusalsAreOutput(t *testing.T) {
	path := write(t, `setup
network id=hub currency=USD zone=UTC
location id=gym
holder id=ada
clock at=2024-06-10T09:00
----
now Mon 2024-06-10 09:00 UTC

check-in holder=ada location=gym cost=-1
----
error: invalid cost: must not be negative, got -1

check-in holder=ada location=gym
----
refused: no eligible pass
`)
	rep, err := check(t, path, scenario.Options{})
	require.NoError(t, err)
	assert.NoError(t, rep.Err())
}

func TestFilesSkipsHiddenFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.txt", "a", ".hidden", "_draft.txt", "sub/c.txt"} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o644))
	}
	files, err := scenario.Files(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "a"), filepath.Join(dir, "b.txt"), filepath.Join(dir, "sub/c.txt")}, files)
}
