package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// serverErrorCodes collects every error code the server can answer with, from its Go source:
// the code argument of apierr.New (New inside package apierr) and the Code of an apierr.Error
// literal. Reading the source, not a list kept by hand, is what makes a new code that nobody
// translated fail here.
func serverErrorCodes(t *testing.T, root string) map[string]string {
	t.Helper()
	codes := map[string]string{} // code → where it is made
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inApierr := f.Name.Name == "apierr"
		isApierr := func(e ast.Expr, name string) bool {
			switch x := e.(type) {
			case *ast.SelectorExpr:
				id, ok := x.X.(*ast.Ident)
				return ok && id.Name == "apierr" && x.Sel.Name == name
			case *ast.Ident:
				return inApierr && x.Name == name
			}
			return false
		}
		add := func(e ast.Expr) {
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					codes[s] = fset.Position(lit.Pos()).String()
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if isApierr(x.Fun, "New") && len(x.Args) >= 2 {
					add(x.Args[1])
				}
			case *ast.CompositeLit:
				if isApierr(x.Type, "Error") {
					for _, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" {
								add(kv.Value)
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes
}

var errKey = regexp.MustCompile(`['"]err\.([a-z0-9_]+)['"]\s*:`)

func TestTranslations_EveryErrorCodeTheServerAnswersHasASentenceInEveryLanguage(t *testing.T) {
	codes := serverErrorCodes(t, filepath.Join("..", "server"))
	// The parser must have found the codes made in each way, or it finds nothing to check.
	for _, known := range []string{"not_found", "invalid_field", "stale_cycle", "duplicate_reference"} {
		if _, ok := codes[known]; !ok {
			t.Fatalf("the server's error codes as read from its source lack %q: the reading is broken", known)
		}
	}
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("static", "i18n", lang+".js"))
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, m := range errKey.FindAllStringSubmatch(string(src), -1) {
				have[m[1]] = true
			}
			var missing []string
			for code, where := range codes {
				if !have[code] {
					missing = append(missing, code+" ("+where+")")
				}
			}
			slices.Sort(missing)
			if len(missing) > 0 {
				t.Errorf("static/i18n/%s.js has no 'err.<code>' for %d code(s) the server answers with:\n%s", lang, len(missing), strings.Join(missing, "\n"))
			}
		})
	}
}

// The donors' transaction list names each kind of ledger event; a kind without a label would
// show as the server's English word in every language.
func TestTranslations_EveryTransactionKindHasALabelInEveryLanguage(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "server", "report", "transactions.go"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, m := range regexp.MustCompile(`index\.Kind\w+:\s*"([a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		kinds = append(kinds, m[1])
	}
	if len(kinds) < 5 {
		t.Fatalf("found %d transaction kinds in report/transactions.go: the reading is broken", len(kinds))
	}
	for _, lang := range []string{"en", "ar"} {
		js, err := os.ReadFile(filepath.Join("static", "i18n", lang+".js"))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			if !strings.Contains(string(js), "'kind."+k+"':") {
				t.Errorf("static/i18n/%s.js has no 'kind.%s'", lang, k)
			}
		}
	}
}
