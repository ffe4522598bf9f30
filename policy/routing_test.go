package policy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRouteByKeyword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := embedded(t)
	for _, c := range []struct {
		name, subject, body string
		category, catDept   string
		want, reason        string
	}{
		{"Chinese subject", "长者食堂饭菜偏咸、分量不足", "", "SERVICE_QUALITY", "CUSTOMER_SERVICE",
			"COMMUNITY_SERVICES", `keyword "长者" in subject → COMMUNITY_SERVICES`},
		{"Chinese body", "有个问题", "本学期春蕾助学金迟迟未发放,请帮忙查一下。", "", "",
			"EDUCATION_AID", `keyword "助学金" in body → EDUCATION_AID`},
		{"English subject", "Meals at the canteen too salty", "", "", "",
			"COMMUNITY_SERVICES", `keyword "canteen" in subject → COMMUNITY_SERVICES`},
		{"English ignores case", "SCHOLARSHIP payment late", "", "", "",
			"EDUCATION_AID", `keyword "scholarship" in subject → EDUCATION_AID`},
		{"English phrase in body", "Question", "Can I see the annual report of last year?", "", "",
			"INFORMATION", `keyword "annual report" in body → INFORMATION`},
		{"subject before body", "热线接线员态度生硬", "我想捐款", "", "",
			"ADMINISTRATION", `keyword "态度" in subject → ADMINISTRATION`},
		{"keyword before the category's department", "官网无法使用读屏软件", "", "ACCESSIBILITY", "COMMUNITY_SERVICES",
			"INFORMATION", `keyword "官网" in subject → INFORMATION`},
	} {
		in := RoutingInput{Kind: "COMPLAINT", Channel: "WEB", Priority: "NORMAL", Subject: c.subject, Body: c.body,
			Category: c.category, CategoryDepartment: c.catDept, IntakeDepartment: "CUSTOMER_SERVICE"}
		r, err := e.Route(ctx, in)
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, r.Department, c.name)
		require.Equal(t, "keyword", r.Rule, c.name)
		require.Equal(t, []string{c.reason}, r.Reasons, c.name)
		require.Equal(t, e.Revision(), r.Decision.Revision)
		require.NotEmpty(t, r.Decision.ID)
	}
}

func TestRouteStages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := embedded(t)
	base := RoutingInput{Kind: "COMPLAINT", Channel: "WEB", Priority: "NORMAL", IntakeDepartment: "CUSTOMER_SERVICE"}
	with := func(f func(*RoutingInput)) RoutingInput { in := base; f(&in); return in }
	for _, c := range []struct {
		name       string
		in         RoutingInput
		department string
		rule       string
	}{
		{"nothing matches: intake", with(func(*RoutingInput) {}), "CUSTOMER_SERVICE", "intake_fallback"},
		{"category default", with(func(in *RoutingInput) { in.Category, in.CategoryDepartment = "FINANCE", "INFORMATION" }), "INFORMATION", "category_default_department"},
		{"service project owner beats keywords", with(func(in *RoutingInput) {
			in.ServiceProject, in.ServiceProjectDepartment = "SCHOLARSHIP", "EDUCATION_AID"
			in.Subject = "长者食堂"
		}), "EDUCATION_AID", "service_project_owner"},
		{"reports go to administration", with(func(in *RoutingInput) {
			in.Kind = "REPORT"
			in.ServiceProject, in.ServiceProjectDepartment = "RURAL_LIBRARY", "EDUCATION_AID"
		}), "ADMINISTRATION", "kind_rule"},
		{"urgent privacy goes to information", with(func(in *RoutingInput) {
			in.Priority, in.Category, in.CategoryDepartment = "URGENT", "PRIVACY", "INFORMATION"
			in.ServiceProject, in.ServiceProjectDepartment = "VOLUNTEER", "PUBLIC_RELATIONS"
		}), "INFORMATION", "kind_rule"},
		{"high priority privacy follows the project", with(func(in *RoutingInput) {
			in.Priority, in.Category, in.CategoryDepartment = "HIGH", "PRIVACY", "INFORMATION"
			in.ServiceProject, in.ServiceProjectDepartment = "VOLUNTEER", "PUBLIC_RELATIONS"
		}), "PUBLIC_RELATIONS", "service_project_owner"},
		{"consultation opinions without a home go to public relations", with(func(in *RoutingInput) { in.Channel = "CONSULTATION" }), "PUBLIC_RELATIONS", "kind_rule"},
		{"a consultation opinion with a category follows it", with(func(in *RoutingInput) {
			in.Channel, in.Category, in.CategoryDepartment = "CONSULTATION", "FINANCE", "INFORMATION"
		}), "INFORMATION", "category_default_department"},
	} {
		r, err := e.Route(ctx, c.in)
		require.NoError(t, err, c.name)
		require.Equal(t, c.department, r.Department, "%s: %v", c.name, r.Reasons)
		require.Equal(t, c.rule, r.Rule, c.name)
		require.NotEmpty(t, r.Reasons, c.name)
	}
}

func TestRouteNeverToTheConcernedDepartment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := embedded(t)
	// A report about the administration department goes to evaluation.
	r, err := e.Route(ctx, RoutingInput{Kind: "REPORT", Channel: "WEB", Priority: "HIGH",
		Subject: "举报采购存在利益关联", Category: "STAFF_CONDUCT", CategoryDepartment: "ADMINISTRATION",
		IntakeDepartment: "CUSTOMER_SERVICE", ConcernedDepartment: "ADMINISTRATION"})
	require.NoError(t, err)
	require.Equal(t, "EVALUATION", r.Department)
	require.Equal(t, []string{
		`kind rule "whistleblowing_about_administration" (kinds REPORT) → EVALUATION`,
		"not routed to ADMINISTRATION: the report concerns it",
	}, r.Reasons)

	// Every department reported on, with every stage pointing at it.
	for _, concerned := range []string{"INFORMATION", "CUSTOMER_SERVICE", "ADMINISTRATION", "HR", "PUBLIC_RELATIONS", "EVALUATION", "COMMUNITY_SERVICES", "EDUCATION_AID"} {
		for _, kind := range []string{"REPORT", "COMPLAINT"} {
			r, err := e.Route(ctx, RoutingInput{Kind: kind, Channel: "CONSULTATION", Priority: "URGENT",
				Subject: "长者食堂 scholarship 热线", Body: "财务 donation",
				Category: "PRIVACY", CategoryDepartment: concerned,
				ServiceProject: "X", ServiceProjectDepartment: concerned,
				IntakeDepartment: concerned, ConcernedDepartment: concerned})
			require.NoError(t, err, concerned)
			require.NotEqual(t, concerned, r.Department, "%s %s: %v", kind, concerned, r.Reasons)
			require.Contains(t, r.Reasons, "not routed to "+concerned+": the report concerns it")
		}
	}

	// When the intake department is the one reported on and nothing else
	// matches, the last resort receives the case.
	r, err = e.Route(ctx, RoutingInput{Kind: "COMPLAINT", Channel: "WEB", Priority: "NORMAL",
		IntakeDepartment: "CUSTOMER_SERVICE", ConcernedDepartment: "CUSTOMER_SERVICE"})
	require.NoError(t, err)
	require.Equal(t, "ADMINISTRATION", r.Department)
	require.Equal(t, "last_resort", r.Rule)
}

func TestKeywordMatching(t *testing.T) {
	t.Parallel()
	m, err := newKeywordMatcher(map[string]any{"config": map[string]any{"routing": map[string]any{"keywords": []any{
		map[string]any{"department": "A", "zh": []any{"食堂", "助餐"}, "en": []any{"canteen", "Meals"}},
		map[string]any{"department": "B", "en": []any{"tax", "c++"}},
		map[string]any{"department": "C", "zh": []any{"堂"}},
	}}}})
	require.NoError(t, err)
	require.Equal(t, []keywordMatch{{0, "食堂", "subject"}, {2, "堂", "subject"}}, m.match("长者食堂", ""))
	// The first keyword of the entry's list wins, wherever it is found.
	require.Equal(t, []keywordMatch{{0, "食堂", "body"}, {2, "堂", "body"}}, m.match("", "助餐和食堂"))
	require.Equal(t, []keywordMatch{{0, "Meals", "subject"}}, m.match("MEALS are cold", ""))
	// Words match whole: "tax" is not in "taxi" nor "syntax", but is in "tax-free".
	require.Empty(t, m.match("a taxi", "syntax"))
	require.Equal(t, []keywordMatch{{1, "tax", "body"}}, m.match("", "a tax-free receipt"))
	require.Equal(t, []keywordMatch{{1, "tax", "subject"}}, m.match("Tax", "tax"), "subject only once")
	// A keyword ending in a symbol has no boundary at that end.
	require.Equal(t, []keywordMatch{{1, "c++", "subject"}}, m.match("c++x", ""))
	require.Empty(t, m.match("", ""))
}

func TestRouteFailsWithoutAnAnswer(t *testing.T) {
	t.Parallel()
	// A routing policy that decides nothing is an error, not a silent
	// default.
	b := setup(t, map[string]string{
		"rego/routing.rego":      "package xinfang.v1.routing\n\nroute := r if {\n\tr := {\"department\": \"X\"}\n\tinput.kind == \"PRAISE\"\n}\n",
		"rego/routing_test.rego": "package xinfang.v1.routing_test\n",
	}, Options{})
	_, err := b.engine.Route(context.Background(), RoutingInput{Kind: "COMPLAINT", IntakeDepartment: "CUSTOMER_SERVICE"})
	require.ErrorIs(t, err, errNoResult)
	require.Equal(t, 1.0, b.metric(t, "xinfang_policy_decisions_total", map[string]string{"policy": "routing", "result": "error"}))
	r, err := b.engine.Route(context.Background(), RoutingInput{Kind: "PRAISE"})
	require.NoError(t, err)
	require.Equal(t, "X", r.Department)
}

func TestRouteMemoReturnsPrivateReasons(t *testing.T) {
	t.Parallel()
	e := embedded(t)
	in := RoutingInput{Kind: "SUGGESTION", Channel: "EMAIL", Priority: "LOW", Subject: "关于助学金", IntakeDepartment: "CUSTOMER_SERVICE"}
	a, err := e.Route(context.Background(), in)
	require.NoError(t, err)
	a.Reasons[0] = "changed by the caller"
	b, err := e.Route(context.Background(), in)
	require.NoError(t, err)
	require.Equal(t, `keyword "助学金" in subject → EDUCATION_AID`, b.Reasons[0])
	require.NotEqual(t, a.Decision.ID, b.Decision.ID)
}
