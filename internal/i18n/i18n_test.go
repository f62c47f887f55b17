package i18n

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cordon"
)

func catalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLanguages(t *testing.T) {
	c := catalog(t)
	if got := c.Languages(); !slices.Equal(got, []string{"zh-CN", "en"}) {
		t.Fatalf("Languages = %v, want [zh-CN en]", got)
	}
}

// TestSameKeys fails when one catalog has a key that another lacks, or an
// empty message.
func TestSameKeys(t *testing.T) {
	c := catalog(t)
	want := c.Keys(Default)
	for _, lang := range c.Languages() {
		got := c.Keys(lang)
		for _, k := range want {
			if !c.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for _, k := range got {
			if !c.Has(Default, k) {
				t.Errorf("%s has %q, which %s lacks", lang, k, Default)
			}
			if strings.TrimSpace(c.T(lang, k)) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
	}
}

// TestFormatVerbsMatch fails when a translation takes other arguments than
// the default's, which would garble it.
func TestFormatVerbsMatch(t *testing.T) {
	c := catalog(t)
	verb := regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)
	for _, k := range c.Keys(Default) {
		want := verb.FindAllString(c.messages[Default][k], -1)
		for _, lang := range c.Languages() {
			if got := verb.FindAllString(c.messages[lang][k], -1); !slices.Equal(got, want) {
				t.Errorf("%s %q: verbs %v, %s has %v", lang, k, got, Default, want)
			}
		}
	}
}

// TestDomainVocabulary fails when a role, level, document type or sex has
// no name to show.
func TestDomainVocabulary(t *testing.T) {
	c := catalog(t)
	var keys []string
	for _, r := range cordon.Roles {
		keys = append(keys, "role."+string(r))
	}
	for _, l := range []cordon.Level{cordon.LevelProvince, cordon.LevelCity, cordon.LevelCounty, cordon.LevelTownship, cordon.LevelVillage, cordon.LevelGrid} {
		keys = append(keys, "level."+string(l))
	}
	for _, d := range cordon.DocTypes {
		keys = append(keys, "doc."+string(d))
	}
	keys = append(keys, "sex."+string(cordon.SexMale), "sex."+string(cordon.SexFemale), "sex.unknown", "lang.name", "error.internal")
	for _, lang := range c.Languages() {
		for _, k := range keys {
			if !c.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

// TestErrorCodes fails when an error code that the domain, app or store can
// return has no "error.<code>" message. It reads their Go source and picks
// the codes out of the calls that make errors: Errorf(kind, "code", ...),
// WithField/Add(field, "code"), Code: "code", x.Code = "code", the values of
// a map of codes, and notFound("what") for "what.not_found".
func TestErrorCodes(t *testing.T) {
	c := catalog(t)
	codes := map[string]string{} // code -> where
	for _, dir := range []string{"../..", "../app", "../store", "../labfile"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			for code, pos := range errorCodesIn(t, f) {
				codes[code] = pos
			}
		}
	}
	if len(codes) < 20 {
		t.Fatalf("found only %d error codes; is the scan broken? %v", len(codes), codes)
	}
	for _, must := range []string{"person.id_number_invalid", "jurisdiction.unknown", "auth.forbidden", "person.duplicate", "person.not_found", "auth.locked"} {
		if _, ok := codes[must]; !ok {
			t.Errorf("scan missed %q", must)
		}
	}
	for code, pos := range codes {
		for _, lang := range c.Languages() {
			if !c.Has(lang, "error."+code) {
				t.Errorf("%s lacks %q (code from %s)", lang, "error."+code, pos)
			}
		}
	}
}

var codeShape = regexp.MustCompile(`^[a-z_]+\.[a-z_]+$`)

func errorCodesIn(t *testing.T, path string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	add := func(e ast.Expr, suffix string) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return
		}
		s += suffix
		if codeShape.MatchString(s) {
			out[s] = fset.Position(lit.Pos()).String()
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			var name string
			switch fn := n.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			switch {
			case name == "Errorf" && len(n.Args) >= 2:
				add(n.Args[1], "")
			case (name == "WithField" || name == "Add") && len(n.Args) == 2:
				add(n.Args[1], "")
			case name == "notFound" && len(n.Args) == 1:
				add(n.Args[0], ".not_found")
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Code" {
				add(n.Value, "")
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Code" && i < len(n.Rhs) {
					add(n.Rhs[i], "")
				}
			}
		case *ast.CompositeLit:
			// map[cordon.Kind]string{...: "store.conflict"}: a table of codes.
			if m, ok := n.Type.(*ast.MapType); ok {
				if v, ok := m.Value.(*ast.Ident); ok && v.Name == "string" {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							add(kv.Value, "")
						}
					}
				}
			}
		}
		return true
	})
	return out
}

func TestT(t *testing.T) {
	var logs bytes.Buffer
	c, err := New(slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("zh-CN", "nav.persons"); got != "人员" {
		t.Errorf("zh-CN nav.persons = %q", got)
	}
	if got := c.T("en", "nav.persons"); got != "Persons" {
		t.Errorf("en nav.persons = %q", got)
	}
	if got := c.T("fr", "nav.persons"); got != "人员" {
		t.Errorf("unknown language should fall back to %s, got %q", Default, got)
	}
	if got := c.T("en", "person.version", 3); got != "version 3" {
		t.Errorf("formatted = %q", got)
	}
	for range 3 {
		if got := c.T("en", "no.such_key"); got != "no.such_key" {
			t.Errorf("missing key renders %q, want the key", got)
		}
	}
	if n := strings.Count(logs.String(), "missing translation"); n != 1 {
		t.Errorf("missing key logged %d times, want once:\n%s", n, logs.String())
	}
}

func TestLang(t *testing.T) {
	c := catalog(t)
	cases := []struct{ explicit, accept, want string }{
		{"", "", "zh-CN"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "fr-FR, en;q=0.5, zh;q=0.8", "zh-CN"},
		{"", "zh-TW", "zh-CN"},
		{"", "fr, de;q=0.9", "zh-CN"},
		{"", "en;q=0", "zh-CN"},
		{"", "*", "zh-CN"},
		{"en", "zh-CN", "en"},
		{"EN", "", "en"},
		{"zh-cn", "en", "zh-CN"},
		{"klingon", "en", "en"},
		{"", "en;q=bogus, zh-CN;q=0.1", "zh-CN"},
	}
	for _, tc := range cases {
		if got := c.Lang(tc.explicit, tc.accept); got != tc.want {
			t.Errorf("Lang(%q, %q) = %q, want %q", tc.explicit, tc.accept, got, tc.want)
		}
	}
}
