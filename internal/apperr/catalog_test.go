package apperr_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/i18n"
)

// TestEveryMessageKeyIsInTheCatalog scans the module's Go code for message
// keys given to apperr.New and apperr.Field and checks that each has a
// message in both languages.
func TestEveryMessageKeyIsInTheCatalog(t *testing.T) {
	t.Parallel()
	root := "../.."
	fset := token.NewFileSet()
	used := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "ent" && path != root || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "New" && sel.Sel.Name != "Field") || len(call.Args) != 2 {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "apperr" {
				return true
			}
			if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				key, _ := strconv.Unquote(lit.Value)
				used[key] = fset.Position(lit.Pos()).String()
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 30 {
		t.Fatalf("found only %d message keys: is the scan broken?", len(used))
	}
	for key, where := range used {
		if !apperr.Known(key) {
			t.Errorf("%s: message key %q is not in the catalog", where, key)
		}
	}
}

func TestMessagesAreLocalised(t *testing.T) {
	t.Parallel()
	e := apperr.New(apperr.InvalidTransition, "case.invalid_transition").With("status", "CLOSED")
	if got := e.Message(i18n.English); got != "This action is not possible while the case is CLOSED." {
		t.Errorf("English: %q", got)
	}
	if got := e.Message(i18n.Chinese); got != "案件当前状态为CLOSED，不能执行此操作。" {
		t.Errorf("Chinese: %q", got)
	}
	if apperr.CodeOf(e) != apperr.InvalidTransition {
		t.Error("CodeOf")
	}
}
