package policy

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// RoutingInput is what a routing decision looks at. Departments, categories
// and service projects are identified by their codes, which do not depend
// on the installation; the workflow maps codes to IDs.
type RoutingInput struct {
	Kind, Channel, Priority, Subject, Body string
	// Category is the category's code and CategoryDepartment its default
	// department's code ("" when none).
	Category, CategoryDepartment string
	// ServiceProject is the service project's code and
	// ServiceProjectDepartment its owner department's code.
	ServiceProject, ServiceProjectDepartment string
	// IntakeDepartment is the intake department's code: the fallback.
	IntakeDepartment string
	// ConcernedDepartment is, for a REPORT case, the department reported on:
	// the case is never routed there.
	ConcernedDepartment string
}

// Route is a routing decision and why it was made.
type Route struct {
	// Department is the code of the department that handles the case.
	Department string
	// Rule names the stage that decided: "kind_rule",
	// "service_project_owner", "keyword", "category_default_department",
	// "intake_fallback" or "last_resort".
	Rule string
	// Reasons are human-readable, e.g. `keyword "食堂" in subject →
	// COMMUNITY_SERVICES`.
	Reasons  []string
	Decision Decision
}

// Router decides which department handles a new case. *Engine implements
// it.
type Router interface {
	Route(ctx context.Context, in RoutingInput) (Route, error)
}

var _ Router = (*Engine)(nil)

// Route decides which department handles a new case. A policy that
// decides nothing is an error: the case is not silently sent anywhere.
func (e *Engine) Route(ctx context.Context, in RoutingInput) (Route, error) {
	start := time.Now()
	c := e.active.Load()
	d := e.nextDecision(c)
	r, err := c.route(ctx, in)
	if err != nil {
		e.done(ctx, policyRouting, start, d, resultError, err)
		return Route{}, fmt.Errorf("route case: %w", err)
	}
	r.Decision = d
	if e.done(ctx, policyRouting, start, d, resultOK, nil) {
		e.logDecision(ctx, policyRouting, d, resultOK, slog.String("department", r.Department),
			slog.String("rule", r.Rule), slog.Any("reasons", r.Reasons))
	}
	return r, nil
}

func (c *compiled) route(ctx context.Context, in RoutingInput) (Route, error) {
	matches := c.keywords.match(in.Subject, in.Body)
	if !c.memoize {
		return c.evalRoute(ctx, in, matches)
	}
	k := routeKey(in, matches)
	if r, ok := c.routeMemo.get(k); ok {
		r.Reasons = slices.Clone(r.Reasons)
		return r, nil
	}
	r, err := c.evalRoute(ctx, in, matches)
	if err == nil {
		c.routeMemo.put(k, r)
		r.Reasons = slices.Clone(r.Reasons)
	}
	return r, err
}

// routeKey is everything the routing policy sees of in: all but the text,
// of which only the keywords found count.
func routeKey(in RoutingInput, matches []keywordMatch) string {
	var b strings.Builder
	for _, s := range []string{in.Kind, in.Channel, in.Priority, in.Category, in.CategoryDepartment,
		in.ServiceProject, in.ServiceProjectDepartment, in.IntakeDepartment, in.ConcernedDepartment} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	for _, m := range matches {
		b.WriteString(strconv.Itoa(m.entry))
		b.WriteByte(1)
		b.WriteString(m.field)
		b.WriteByte(1)
		b.WriteString(m.word)
		b.WriteByte(0)
	}
	return b.String()
}

// evalRoute evaluates the routing policy.
func (c *compiled) evalRoute(ctx context.Context, in RoutingInput, matches []keywordMatch) (Route, error) {
	t, err := c.eval(ctx, c.routing, routingInput(in, matches))
	if err != nil {
		return Route{}, err
	}
	obj, err := asObject(t, "route")
	if err != nil {
		return Route{}, err
	}
	var r Route
	if r.Department, err = getString(obj, "department"); err != nil {
		return Route{}, err
	}
	if r.Rule, err = getString(obj, "rule"); err != nil {
		return Route{}, err
	}
	if r.Reasons, err = getStrings(obj, "reasons"); err != nil {
		return Route{}, err
	}
	if r.Department == "" {
		return Route{}, fmt.Errorf("the route names no department: %v", t)
	}
	if r.Department == in.ConcernedDepartment {
		return Route{}, fmt.Errorf("the route names %s, the department the report concerns", r.Department)
	}
	return r, nil
}

func routingInput(in RoutingInput, matches []keywordMatch) ast.Value {
	hits := make([]*ast.Term, len(matches))
	for i, m := range matches {
		hits[i] = ast.NewTerm(ast.NewObject(
			item("entry", num(m.entry)),
			item("word", str(m.word)),
			item("field", key(m.field)),
		))
	}
	return ast.NewObject(
		item("kind", str(in.Kind)),
		item("channel", str(in.Channel)),
		item("priority", str(in.Priority)),
		item("category", str(in.Category)),
		item("category_department", str(in.CategoryDepartment)),
		item("service_project", str(in.ServiceProject)),
		item("service_project_department", str(in.ServiceProjectDepartment)),
		item("intake_department", str(in.IntakeDepartment)),
		item("concerned_department", str(in.ConcernedDepartment)),
		item("keyword_matches", ast.ArrayTerm(hits...)),
	)
}
