package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const good = `setup
network id=hub currency=USD zone=UTC
location id=gym
holder id=ada
product id=visits-5 kind=visits units=5 price=50
clock at=2024-06-10T09:00
issue id=pack product=visits-5 holder=ada
----
now Mon 2024-06-10 09:00 UTC
pass pack: visits 5/5, active, product visits-5, holder ada, source product
  price 50.00 USD, paid, unit value 10.00 USD
  on_purchase, activated 2024-06-10, no expiry

check-in holder=ada location=gym
----
visit v1: check_in, ada at gym, Mon 2024-06-10 09:00 UTC, date 2024-06-10, open, visits by pack
  used 1 visit of pack
balances: pack 4 visits
ranking:
  1. pack visits, balance 5 visits: chosen
`

func TestRunPassesAndFails(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "good.txt"), []byte(good), 0o644))
	for _, st := range []string{"memory", "sqlite"} {
		var out, errs bytes.Buffer
		code := run([]string{"-store", st, "-v", dir}, &out, &errs)
		assert.Equal(t, 0, code, "%s: %s%s", st, out.String(), errs.String())
		assert.Contains(t, out.String(), "ok "+filepath.Join(dir, "good.txt")+" (2 cases)")
	}

	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(good, "pack 4 visits", "pack 3 visits", 1)), 0o644))
	var out, errs bytes.Buffer
	code := run([]string{bad}, &out, &errs)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), bad+":14: check-in holder=ada location=gym")
	assert.Contains(t, out.String(), "- balances: pack 3 visits\n")
	assert.Contains(t, out.String(), "+ balances: pack 4 visits\n")

	out.Reset()
	assert.Equal(t, 0, run([]string{"-rewrite", bad}, &out, &errs), out.String())
	assert.Contains(t, out.String(), "rewrote "+bad)
	data, err := os.ReadFile(bad)
	require.NoError(t, err)
	assert.Equal(t, good, string(data))
}

func TestRunUsage(t *testing.T) {
	var out, errs bytes.Buffer
	assert.Equal(t, 2, run(nil, &out, &errs))
	assert.Contains(t, errs.String(), "usage: passengine-scenario")
	assert.Equal(t, 2, run([]string{"-store", "postgres", "x"}, &out, &errs))
	assert.Equal(t, 2, run([]string{"/no/such/dir"}, &out, &errs))
}
