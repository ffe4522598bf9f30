package metrics_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/testenv"
)

// appBundle is a whole server on a fresh database whose intake department
// CS exists before the server starts, and a signed-in administrator.
type appBundle struct {
	app   *app.App
	token string
}

func setupApp(t *testing.T, backend testenv.Backend) *appBundle {
	t.Helper()
	ctx := context.Background()
	db := testenv.Open(t, backend)
	dept, err := db.Client.Department.Create().SetCode("CS").SetName("客户服务部").SetIntake(true).Save(ctx)
	require.NoError(t, err)
	admin, err := db.Client.Staff.Create().SetUsername("admin").SetDisplayName("admin").SetPasswordHash("x").
		SetRole("ADMIN").SetDepartmentID(dept.ID).Save(ctx)
	require.NoError(t, err)
	cfg := config.Config{
		DataDir: t.TempDir(), JWTSecret: strings.Repeat("j", 32), PINSecret: strings.Repeat("p", 32),
		TokenTTL: time.Hour, MaxBodyBytes: 1 << 20, ComplexityLimit: 20000, DepthLimit: 12,
		TimeZone: "Asia/Shanghai", AnalyticsTimeZone: "Asia/Shanghai", LogFormat: "text",
		MetricsReconcileInterval: time.Minute,
	}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), app.Options{DB: db, WithoutWarehouse: true})
	require.NoError(t, err)
	token, err := a.Auth.Issue(admin)
	require.NoError(t, err)
	return &appBundle{app: a, token: token}
}

// graphQL posts a request through the server's handler and returns the
// codes of the errors in the response.
func (b *appBundle) graphQL(t *testing.T, token, query string, vars map[string]any) []string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	b.app.Handler.ServeHTTP(rec, req)
	var resp struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp), rec.Body.String())
	codes := []string{}
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		codes = append(codes, code)
	}
	return codes
}

const submitCase = `mutation($in: SubmitCaseInput!) { submitCase(input: $in) { trackingCode } }`

func submitInput(subject string) map[string]any {
	return map[string]any{"in": map[string]any{"kind": "COMPLAINT", "subject": subject, "body": "内容", "name": "张三", "phone": "13800138000"}}
}

// TestGraphQLMetrics: operations through the real HTTP handler are timed by
// type, and their errors counted by code, including requests refused
// before they ran.
func TestGraphQLMetrics(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			b := setupApp(t, backend)
			reg := b.app.Metrics
			require.Empty(t, b.graphQL(t, b.token, `{ me { username } }`, nil))
			require.Empty(t, b.graphQL(t, "", submitCase, submitInput("网上投诉")))
			require.Equal(t, []string{"VALIDATION"}, b.graphQL(t, "", submitCase, submitInput("  ")), "a failing mutation")
			require.Equal(t, []string{"UNAUTHENTICATED"}, b.graphQL(t, "", `{ departments(first: 1) { totalCount } }`, nil))
			require.Equal(t, []string{"GRAPHQL_PARSE_FAILED"}, b.graphQL(t, b.token, `{ me { `, nil))
			require.Equal(t, []string{"GRAPHQL_VALIDATION_FAILED"}, b.graphQL(t, b.token, `{ noSuchField }`, nil))
			require.Equal(t, []string{"VALIDATION"}, b.graphQL(t, b.token, `query($id: ID!) { node(id: $id) { id } }`, nil),
				"a missing variable: refused before running, but the operation type is known")

			durations := map[string]uint64{}
			for _, op := range []string{"query", "mutation", "subscription", "unknown"} {
				durations[op], _ = histogram(t, reg, "xinfang_graphql_request_duration_seconds", "operation", op)
			}
			require.Equal(t, map[string]uint64{"query": 3, "mutation": 2, "subscription": 0, "unknown": 2}, durations)
			_, sum := histogram(t, reg, "xinfang_graphql_request_duration_seconds", "operation", "mutation")
			require.Positive(t, sum)
			for _, e := range []struct {
				op, code string
				want     float64
			}{
				{"mutation", "VALIDATION", 1},
				{"query", "UNAUTHENTICATED", 1},
				{"query", "VALIDATION", 1},
				{"unknown", "GRAPHQL_PARSE_FAILED", 1},
				{"unknown", "GRAPHQL_VALIDATION_FAILED", 1},
				{"query", "GRAPHQL_PARSE_FAILED", 0},
				{"mutation", "FORBIDDEN", 0},
				{"query", "UNKNOWN", 0},
			} {
				require.Equal(t, e.want, counter(t, reg, "xinfang_graphql_errors_total", "operation", e.op, "code", e.code), "%s %s", e.op, e.code)
			}

			// The submission reached the case metrics through the
			// workflow's observer.
			require.Equal(t, 1.0, gauge(t, reg, "xinfang_cases_open", "department", "CS", "status", "SUBMITTED"))
			require.Equal(t, 1.0, counter(t, reg, "xinfang_case_intake_total", "channel", "WEB", "kind", "COMPLAINT"))
		})
	}
}

// contractNames are the metrics of internal/metrics in the metric contract.
var contractNames = []string{
	"xinfang_cases_open", "xinfang_sla_cases_at_risk", "xinfang_sla_cases_breached", "xinfang_sla_cases_escalated",
	"xinfang_sla_events_total", "xinfang_sla_deadline_headroom_seconds", "xinfang_case_first_response_seconds",
	"xinfang_case_resolution_seconds", "xinfang_case_transitions_total", "xinfang_case_ratings_total",
	"xinfang_case_intake_total", "xinfang_cases_reconciled_timestamp_seconds",
	"xinfang_graphql_request_duration_seconds", "xinfang_graphql_errors_total",
}

// TestScrape: GET /metrics of a freshly started server shows every metric
// of the contract (labelled series start at zero), gzipped as Prometheus
// asks; App.Run reconciles the case gauges at once.
func TestScrape(t *testing.T) {
	t.Parallel()
	b := setupApp(t, testenv.SQLite)
	scrape := func() string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		b.app.Handler.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
		zr, err := gzip.NewReader(rec.Body)
		require.NoError(t, err)
		body, err := io.ReadAll(zr)
		require.NoError(t, err)
		return string(body)
	}
	body := scrape()
	for _, name := range contractNames {
		require.Contains(t, body, "\n# TYPE "+name+" ", name)
	}
	require.Contains(t, body, `xinfang_cases_open{department="CS",status="SUBMITTED"} 0`)
	require.Contains(t, body, `xinfang_graphql_errors_total{code="FORBIDDEN",operation="mutation"} 0`)
	require.Contains(t, body, "\nxinfang_cases_reconciled_timestamp_seconds 0\n")
	require.Contains(t, body, "\ngo_goroutines ")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.app.Run(ctx) }()
	require.Eventually(t, func() bool {
		return gauge(t, b.app.Metrics, "xinfang_cases_reconciled_timestamp_seconds") > 0
	}, 10*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	require.NotContains(t, scrape(), "\nxinfang_cases_reconciled_timestamp_seconds 0\n")
}
