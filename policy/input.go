package policy

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Decisions take their input as an AST value built directly, without a
// JSON round trip, and read their results from AST terms.

// terms caches the key terms of inputs and results. Terms are never
// modified once built, so sharing them between evaluations is safe (OPA
// interns common terms the same way).
var terms = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, k := range []string{
		"action", "subject", "resource", "kind", "staff_id", "role", "department_id", "case_id",
		"assignee_id", "status", "concerned_department_id", "allow", "reason", "identity", "full_text",
		"all", "none", "department_ids", "department", "rule", "reasons", "channel", "priority",
		"category", "category_department", "service_project", "service_project_department",
		"intake_department", "concerned_department", "keyword_matches", "entry", "word", "field",
		"review_round", "limits", "calendar", "deadline", "level", "elapsed_fraction", "breached",
		"overdue_ns", "notify", "warn_at", "escalate_after",
		"anonymous", "staff", "petitioner", "body",
		"given", "relation", "own_case", "in_department", "assignee", "concerned_department",
	} {
		m[k] = ast.StringTerm(k)
	}
	return m
}()

func key(k string) *ast.Term {
	if t, ok := terms[k]; ok {
		return t
	}
	return ast.StringTerm(k)
}

func str(s string) *ast.Term   { return ast.InternedTerm(s) }
func num(n int) *ast.Term      { return ast.InternedTerm(n) }
func boolean(b bool) *ast.Term { return ast.InternedTerm(b) }

func item(k string, v *ast.Term) [2]*ast.Term { return [2]*ast.Term{key(k), v} }

// Reading results. A result of the wrong shape is a policy error.

func field(obj ast.Object, k string) *ast.Term { return obj.Get(key(k)) }

func asObject(t *ast.Term, what string) (ast.Object, error) {
	if t != nil {
		if o, ok := t.Value.(ast.Object); ok {
			return o, nil
		}
	}
	return nil, fmt.Errorf("%s: want an object, got %v", what, t)
}

func getBool(obj ast.Object, k string) (bool, error) {
	t := field(obj, k)
	if t == nil {
		return false, nil
	}
	b, ok := t.Value.(ast.Boolean)
	if !ok {
		return false, fmt.Errorf("%s: want true or false, got %v", k, t)
	}
	return bool(b), nil
}

func getString(obj ast.Object, k string) (string, error) {
	t := field(obj, k)
	if t == nil {
		return "", nil
	}
	s, ok := t.Value.(ast.String)
	if !ok {
		return "", fmt.Errorf("%s: want a string, got %v", k, t)
	}
	return string(s), nil
}

func getInt(obj ast.Object, k string) (int, error) {
	t := field(obj, k)
	if t == nil {
		return 0, nil
	}
	n, ok := t.Value.(ast.Number)
	if !ok {
		return 0, fmt.Errorf("%s: want a number, got %v", k, t)
	}
	i, ok := n.Int()
	if !ok {
		return 0, fmt.Errorf("%s: want a whole number, got %v", k, t)
	}
	return i, nil
}

func getFloat(obj ast.Object, k string) (float64, error) {
	t := field(obj, k)
	if t == nil {
		return 0, fmt.Errorf("%s: missing", k)
	}
	n, ok := t.Value.(ast.Number)
	if !ok {
		return 0, fmt.Errorf("%s: want a number, got %v", k, t)
	}
	f, ok := n.Float64()
	if !ok {
		return 0, fmt.Errorf("%s: want a number, got %v", k, t)
	}
	return f, nil
}

func getStrings(obj ast.Object, k string) ([]string, error) {
	t := field(obj, k)
	if t == nil {
		return nil, nil
	}
	var out []string
	var err error
	collect := func(e *ast.Term) {
		s, ok := e.Value.(ast.String)
		if !ok && err == nil {
			err = fmt.Errorf("%s: want strings, got %v", k, e)
		}
		out = append(out, string(s))
	}
	switch v := t.Value.(type) {
	case *ast.Array:
		v.Foreach(collect)
	case ast.Set:
		v.Foreach(collect) // sets iterate in sorted order
	default:
		return nil, fmt.Errorf("%s: want a list, got %v", k, t)
	}
	return out, err
}

func getInts(obj ast.Object, k string) ([]int, error) {
	t := field(obj, k)
	if t == nil {
		return nil, nil
	}
	arr, ok := t.Value.(*ast.Array)
	if !ok {
		return nil, fmt.Errorf("%s: want a list, got %v", k, t)
	}
	out := make([]int, 0, arr.Len())
	for i := range arr.Len() {
		n, ok := arr.Elem(i).Value.(ast.Number)
		v, isInt := 0, false
		if ok {
			v, isInt = n.Int()
		}
		if !isInt {
			return nil, fmt.Errorf("%s: want whole numbers, got %v", k, arr.Elem(i))
		}
		out = append(out, v)
	}
	return out, nil
}
