package scenario_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passengine/passengine/scenario"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/sqlite"
)

// openSQLite opens a new SQLite database in a file of t's temporary
// directory and closes it when t ends.
func openSQLite(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scenario.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// The project's own scenarios: every seed example of the rules and one
// file per ordering key (O0-O7), on memstore and on SQLite.
func TestScenarios(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		scenario.Run(t, "testdata", func(*testing.T) store.Store { return memstore.New() })
	})
	t.Run("sqlite", func(t *testing.T) {
		scenario.Run(t, "testdata", openSQLite)
	})
}

// The scenario shown in the README's "For QA teams" section passes.
func TestREADMEScenario(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "## For QA teams")
	_, block, ok2 := strings.Cut(section, "```\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("no scenario in the README's For QA teams section")
	}
	path := filepath.Join(t.TempDir(), "readme.txt")
	if err := os.WriteFile(path, []byte(block), 0o644); err != nil {
		t.Fatal(err)
	}
	scenario.RunFile(t, path, func(*testing.T) store.Store { return memstore.New() })
}
