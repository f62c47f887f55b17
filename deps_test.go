package cordon_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbidden is the layering of STYLE.md: data flows api/web/CLI -> app ->
// store, the root package holds no I/O, and handlers never touch the store.
var forbidden = map[string][]string{
	".":                 {"database/sql", "net/http", "cordon/internal/"},
	"internal/api":      {"cordon/internal/store", "database/sql", "cordon/internal/web"},
	"internal/web":      {"cordon/internal/store", "database/sql", "cordon/internal/api"},
	"internal/server":   {"cordon/internal/store", "database/sql"},
	"internal/app":      {"net/http", "cordon/internal/api", "cordon/internal/web", "cordon/internal/server"},
	"internal/store":    {"net/http", "cordon/internal/app", "cordon/internal/api", "cordon/internal/web", "cordon/internal/server"},
	"internal/demo":     {"cordon/internal/store", "database/sql", "net/http"},
	"internal/vault":    {"cordon/internal/", "database/sql", "net/http"},
	"internal/auth":     {"cordon/internal/", "database/sql", "net/http"},
	"internal/division": {"cordon/internal/", "database/sql", "net/http"},
}

// imports lists the imports of the non-test Go files directly in dir.
func imports(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[p] = filepath.Join(dir, name)
		}
	}
	return out
}

func TestLayering(t *testing.T) {
	for dir, bans := range forbidden {
		for imp, file := range imports(t, dir) {
			for _, ban := range bans {
				if imp == ban || (strings.HasSuffix(ban, "/") && strings.HasPrefix(imp, ban)) {
					t.Errorf("%s imports %s, which the layering forbids for %s", file, imp, dir)
				}
			}
		}
	}
}

// TestLayeringCatchesViolations makes sure the check itself bites.
func TestLayeringCatchesViolations(t *testing.T) {
	dir := t.TempDir()
	src := "package x\nimport (\n\t\"database/sql\"\n\t\"cordon/internal/store\"\n)\nvar _ = sql.ErrNoRows\nvar _ store.Scope\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := imports(t, dir)
	if _, ok := got["cordon/internal/store"]; !ok {
		t.Fatal("the import scanner missed an import")
	}
}
