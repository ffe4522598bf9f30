package graph_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/clock"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"golang.org/x/crypto/bcrypt"
)

// testBundle is one test's server and fixtures.
type testBundle struct {
	t       *testing.T
	app     *app.App
	clock   *clock.Manual
	depts   map[string]*ent.Department
	staff   map[string]*ent.Staff
	tokens  map[string]string
	cat     *ent.Category
	project *ent.ServiceProject
	cfg     config.Config
}

// testPassword is every fixture account's password.
const testPassword = "correct horse battery"

// Fixture accounts: name → role and department.
var fixtureStaff = map[string]struct {
	role staff.Role
	dept string
}{
	"admin":     {staff.RoleADMIN, ""},
	"intake":    {staff.RoleINTAKE_AGENT, "CS"},
	"head":      {staff.RoleDEPT_HEAD, "CS"},
	"handler":   {staff.RoleHANDLER, "CS"},
	"handler2":  {staff.RoleHANDLER, "CS"},
	"adminHead": {staff.RoleDEPT_HEAD, "ADMIN"},
	"adminHand": {staff.RoleHANDLER, "ADMIN"},
	"evaluator": {staff.RoleEVALUATOR, "EVAL"},
	"oversight": {staff.RoleOVERSIGHT_MEMBER, ""},
	"hr":        {staff.RoleHR_OFFICER, "HR"},
}

// passwordHash is computed once at bcrypt's minimum cost: fixtures need
// many accounts and the hash strength is not under test.
var passwordHash = func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}()

// setup starts an app on a fresh database of the backend with an
// organisation of four departments and an account per fixture.
func setup(t *testing.T, backend testenv.Backend, mutate ...func(*config.Config, *app.Options)) *testBundle {
	t.Helper()
	return setupDB(t, testenv.Open(t, backend), mutate...)
}

func setupDB(t *testing.T, db *store.DB, mutate ...func(*config.Config, *app.Options)) *testBundle {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) // a Monday, 09:00 in Shanghai
	cfg := config.Config{
		DataDir:         t.TempDir(),
		JWTSecret:       strings.Repeat("j", 32),
		PINSecret:       strings.Repeat("p", 32),
		TokenTTL:        365 * 24 * time.Hour, // tests move the clock by days
		Introspection:   true,
		MaxBodyBytes:    1 << 20,
		ComplexityLimit: 20000,
		DepthLimit:      12,
		TimeZone:        "Asia/Shanghai",
		LogFormat:       "text",
	}
	opts := app.Options{Now: clk.Now, DB: db}
	for _, m := range mutate {
		m(&cfg, &opts)
	}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), opts)
	require.NoError(t, err)
	b := &testBundle{t: t, app: a, clock: clk, cfg: cfg,
		depts: map[string]*ent.Department{}, staff: map[string]*ent.Staff{}, tokens: map[string]string{}}
	client := db.Client
	for _, d := range []struct {
		code, name, nameEn string
		intake             bool
	}{
		{"CS", "客户服务部", "Customer Service", true},
		{"ADMIN", "行政部", "Administration", false},
		{"EVAL", "评估部", "Evaluation", false},
		{"HR", "人力资源部", "Human Resources", false},
	} {
		dept, err := client.Department.Create().SetCode(d.code).SetName(d.name).SetNameEn(d.nameEn).SetIntake(d.intake).Save(ctx)
		require.NoError(t, err)
		b.depts[d.code] = dept
	}
	for name, f := range fixtureStaff {
		create := client.Staff.Create().SetUsername(name).SetDisplayName(name).
			SetPasswordHash(passwordHash).SetRole(f.role)
		if f.dept != "" {
			create.SetDepartmentID(b.depts[f.dept].ID)
		}
		member, err := create.Save(ctx)
		require.NoError(t, err)
		b.staff[name] = member
		token, err := a.Auth.Issue(member)
		require.NoError(t, err)
		b.tokens[name] = token
	}
	b.cat, err = client.Category.Create().SetCode("SERVICE").SetName("服务质量").SetNameEn("Service quality").
		SetDefaultDepartmentID(b.depts["ADMIN"].ID).Save(ctx)
	require.NoError(t, err)
	b.project, err = client.ServiceProject.Create().SetCode("EDU").SetName("助学项目").SetNameEn("Education aid").Save(ctx)
	require.NoError(t, err)
	return b
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) Code() string {
	code, _ := e.Extensions["code"].(string)
	return code
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	status int
}

// firstCode is the code of the first error, "" when there is none.
func (r gqlResponse) firstCode() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Code()
}

// request describes one GraphQL call.
type request struct {
	as       string // fixture account, "" for the public
	lang     string // Accept-Language
	query    string
	vars     map[string]any
	rawToken string
}

// do sends a GraphQL request through the real HTTP handler.
func (b *testBundle) do(r request) gqlResponse {
	b.t.Helper()
	body, err := json.Marshal(map[string]any{"query": r.query, "variables": r.vars})
	require.NoError(b.t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "192.0.2.10:5555"
	if r.lang != "" {
		req.Header.Set("Accept-Language", r.lang)
	}
	switch {
	case r.rawToken != "":
		req.Header.Set("Authorization", "Bearer "+r.rawToken)
	case r.as != "":
		token, ok := b.tokens[r.as]
		require.True(b.t, ok, "unknown fixture account %q", r.as)
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	b.app.Handler.ServeHTTP(rec, req)
	var resp gqlResponse
	require.NoError(b.t, json.Unmarshal(rec.Body.Bytes(), &resp), "response: %s", rec.Body.String())
	resp.status = rec.Code
	return resp
}

// ok sends a request that must succeed and decodes its data into out.
func (b *testBundle) ok(as, query string, vars map[string]any, out any) {
	b.t.Helper()
	resp := b.do(request{as: as, query: query, vars: vars})
	require.Empty(b.t, resp.Errors, "query failed: %s", query)
	if out != nil {
		require.NoError(b.t, json.Unmarshal(resp.Data, out))
	}
}

// fails sends a request that must fail with code and returns the error.
func (b *testBundle) fails(code, as, query string, vars map[string]any) gqlError {
	b.t.Helper()
	resp := b.do(request{as: as, query: query, vars: vars})
	require.NotEmpty(b.t, resp.Errors, "expected %s from %s", code, query)
	require.Equal(b.t, code, resp.Errors[0].Code(), "error: %+v", resp.Errors[0])
	return resp.Errors[0]
}

// caseFields is what the tests read of a case.
const caseFields = `id version status trackingCode overdue availableActions respondDue pausedSeconds
	extensionCount extensionRequestedHours reviewRound outcome reply rating
	department { code } assignee { username }`

type caseView struct {
	ID                      string   `json:"id"`
	Version                 int      `json:"version"`
	Status                  string   `json:"status"`
	TrackingCode            string   `json:"trackingCode"`
	Overdue                 bool     `json:"overdue"`
	AvailableActions        []string `json:"availableActions"`
	RespondDue              *time.Time
	PausedSeconds           int
	ExtensionCount          int
	ExtensionRequestedHours *int
	ReviewRound             int
	Outcome                 *string
	Reply                   string
	Rating                  *int
	Department              *struct{ Code string }
	Assignee                *struct{ Username string }
}

// submitted is a case submitted through the public form.
type submitted struct {
	ID           string
	TrackingCode string
	PIN          string
}

// submit files a case through the public form and finds its ID.
func (b *testBundle) submit(subject, body string) submitted {
	b.t.Helper()
	var out struct {
		SubmitCase struct {
			TrackingCode string
			Pin          string
		}
	}
	b.ok("", `mutation($in: SubmitCaseInput!) { submitCase(input: $in) { trackingCode pin } }`,
		map[string]any{"in": map[string]any{"kind": "COMPLAINT", "subject": subject, "body": body,
			"name": "张三", "phone": "13800138000", "email": "zhang@example.com"}}, &out)
	id, _, ok := workflow.ParseTrackingCode(out.SubmitCase.TrackingCode)
	require.True(b.t, ok)
	return submitted{ID: itoa(id), TrackingCode: out.SubmitCase.TrackingCode, PIN: out.SubmitCase.Pin}
}

// getCase reads a case as an account.
func (b *testBundle) getCase(as, id string) caseView {
	b.t.Helper()
	var out struct{ Node caseView }
	b.ok(as, `query($id: ID!) { node(id: $id) { ... on Case { `+caseFields+` } } }`, map[string]any{"id": id}, &out)
	return out.Node
}

// act runs a case mutation with input and returns the case.
func (b *testBundle) act(as, mutation string, input map[string]any) caseView {
	b.t.Helper()
	var out map[string]caseView
	b.ok(as, `mutation($in: `+inputType(mutation)+`!) { `+mutation+`(input: $in) { `+caseFields+` } }`,
		map[string]any{"in": input}, &out)
	return out[mutation]
}

// actFails runs a case mutation that must fail with code.
func (b *testBundle) actFails(code, as, mutation string, input map[string]any) gqlError {
	b.t.Helper()
	return b.fails(code, as, `mutation($in: `+inputType(mutation)+`!) { `+mutation+`(input: $in) { id } }`,
		map[string]any{"in": input})
}

func inputType(mutation string) string {
	return strings.ToUpper(mutation[:1]) + mutation[1:] + "Input"
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// forEachBackend runs fn as a parallel subtest per backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, backend testenv.Backend)) {
	t.Helper()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, backend)
		})
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
