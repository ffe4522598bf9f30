package policy

import (
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Routing, time-limit and authorization decisions depend only on their
// input and the policy revision, and their inputs take few distinct values
// in practice (a case's text matters to routing only through the keywords
// found in it; a case matters to authorization only through its kind,
// status and how the caller relates to it, see authzFacts). An engine
// therefore remembers their results per revision, which saves a Rego
// evaluation on every repeated question: each call still gets its own
// decision ID, log line and metrics. A policy that calls a
// non-deterministic built-in (time.now_ns, http.send, rand.intn, ...) is
// never remembered.

// A memo is bounded; once full it stops remembering, so a stream of
// unusual inputs costs evaluations, never memory. Limits take few inputs
// (departments × kinds × priorities × channels × rounds); routing more (a
// few megabytes at most); authorization at most subject kinds × roles ×
// actions × case kinds × statuses × relations, of the facts the policy
// reads (a few thousand for the embedded policy, which ignores the status;
// ten times as many if a policy reads it); visibility the same without the
// action; the list scope one entry per subject (staff member or
// petitioner's case).
const (
	limitsMemoSize     = 4096
	routeMemoSize      = 16384
	authzMemoSize      = 65536
	visibilityMemoSize = 16384
	scopeMemoSize      = 16384
)

type memo[K comparable, V any] struct {
	m    sync.Map
	size atomic.Int64
	max  int64
}

func (m *memo[K, V]) get(k K) (V, bool) {
	v, ok := m.m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

func (m *memo[K, V]) put(k K, v V) {
	if m.size.Load() >= m.max {
		return
	}
	if _, loaded := m.m.LoadOrStore(k, v); !loaded {
		m.size.Add(1)
	}
}

// deterministic reports whether no module calls a non-deterministic
// built-in, so that equal inputs always get equal decisions.
func deterministic(modules map[string]*ast.Module) bool {
	ok := true
	for _, m := range modules {
		ast.WalkTerms(m, func(t *ast.Term) bool {
			call, isCall := t.Value.(ast.Call)
			if !isCall || len(call) == 0 {
				return false
			}
			if b, known := ast.BuiltinMap[call[0].String()]; known && b.IsNondeterministic() {
				ok = false
			}
			return false
		})
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if e.IsCall() {
				if b, known := ast.BuiltinMap[e.Operator().String()]; known && b.IsNondeterministic() {
					ok = false
				}
			}
			return false
		})
	}
	return ok
}
