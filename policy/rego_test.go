package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/stretchr/testify/require"
)

// TestRegoTests runs every test_ rule of the embedded *_test.rego files
// with OPA's tester, one subtest each, so that a failing Rego test fails
// go test with its name.
func TestRegoTests(t *testing.T) {
	t.Parallel()
	files, ignored, err := collect("")
	require.NoError(t, err)
	b, err := parseBundle(files, ignored)
	require.NoError(t, err)
	store := inmem.NewFromObjectWithOpts(b.data, inmem.OptRoundTripOnWrite(false))
	results := runTester(t, store, b.modules)
	require.GreaterOrEqual(t, len(results), 40)
	perFile := map[string]int{}
	for _, r := range results {
		perFile[r.Location.File]++
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			require.NoError(t, r.Error)
			require.False(t, r.Fail, "%s failed", r.Name)
		})
	}
	// Every policy has its tests beside it.
	for p := range b.modules {
		if !strings.HasSuffix(p, "_test.rego") {
			test := strings.TrimSuffix(p, ".rego") + "_test.rego"
			require.Positive(t, perFile[test], "%s has no tests in %s", p, test)
		}
	}
}

// TestOPATestLayout loads this directory the way `opa test policy/` does
// (OPA's own loader, data at the directory path) and runs the tests, so
// that the command works for operators and CI.
func TestOPATestLayout(t *testing.T) {
	t.Parallel()
	modules, store, err := tester.Load([]string{"."}, nil)
	require.NoError(t, err)
	results := runTester(t, store, modules)
	require.GreaterOrEqual(t, len(results), 40)
	for _, r := range results {
		require.True(t, r.Pass(), "%s.%s: %v", r.Package, r.Name, r.Error)
	}
}

func runTester(t *testing.T, store storage.Store, modules map[string]*ast.Module) []*tester.Result {
	t.Helper()
	ctx := context.Background()
	txn, err := store.NewTransaction(ctx)
	require.NoError(t, err)
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().SetStore(store).SetModules(modules).RunTests(ctx, txn)
	require.NoError(t, err)
	var out []*tester.Result
	for r := range ch {
		out = append(out, r)
	}
	return out
}
