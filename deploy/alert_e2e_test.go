package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/deploy"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// prometheusBinary finds the Prometheus server for the end-to-end test:
// XINFANG_TEST_PROMETHEUS, else prometheus on the PATH. Without one the
// test skips, or fails under CI.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("XINFANG_TEST_PROMETHEUS")
	if path == "" {
		path, _ = exec.LookPath("prometheus")
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but no Prometheus server was found: run ./scripts/test-services.sh or set XINFANG_TEST_PROMETHEUS")
		}
		t.Skip("no Prometheus server: set XINFANG_TEST_PROMETHEUS or install Debian's prometheus package")
	}
	return path
}

// TestSLABreachAlertFires runs the project's alert rules in a real
// Prometheus server that scrapes a running xinfang, causes a breach, and
// waits for Prometheus to report the XinfangSLABreach alert firing for
// the department.
func TestSLABreachAlertFires(t *testing.T) {
	t.Parallel()
	promBin := prometheusBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// xinfang with the deadline watcher ticking every 200 ms.
	cfg := config.Config{
		DataDir: t.TempDir(), JWTSecret: strings.Repeat("j", 32), PINSecret: strings.Repeat("p", 32),
		TokenTTL: time.Hour, MaxBodyBytes: 1 << 20, ComplexityLimit: 20000, DepthLimit: 12,
		TimeZone: "Asia/Shanghai", AnalyticsTimeZone: "Asia/Shanghai", LogFormat: "text",
		Watcher: true, WatchInterval: 200 * time.Millisecond, Relay: true,
	}
	db := testenv.Open(t, testenv.SQLite)
	cs, err := db.Client.Department.Create().SetCode("CUSTOMER_SERVICE").SetName("客户服务部").SetNameEn("Customer Service").SetIntake(true).Save(ctx)
	require.NoError(t, err)
	intake, err := db.Client.Staff.Create().SetUsername("intake").SetDisplayName("Intake").SetPasswordHash("x").
		SetRole(staff.RoleINTAKE_AGENT).SetDepartmentID(cs.ID).Save(ctx)
	require.NoError(t, err)
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), app.Options{DB: db})
	require.NoError(t, err)
	runDone := make(chan error, 1)
	go func() { runDone <- a.Run(ctx) }()
	defer func() { cancel(); <-runDone }()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()

	// Prometheus, scraping and evaluating every second.
	rules, err := filepath.Abs(filepath.Join("prometheus", "rules", "xinfang.yml"))
	require.NoError(t, err)
	dir := t.TempDir()
	promAddr := freeAddr(t)
	target := strings.TrimPrefix(srv.URL, "http://")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(fmt.Sprintf(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: xinfang
    static_configs:
      - targets: [%q]
`, rules, target)), 0o600))
	prom := exec.CommandContext(ctx, promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+promAddr)
	var promLog strings.Builder
	prom.Stdout, prom.Stderr = &promLog, &promLog
	require.NoError(t, prom.Start())
	defer func() {
		_ = prom.Process.Kill()
		_ = prom.Wait()
		if t.Failed() {
			t.Logf("prometheus output:\n%s", promLog.String())
		}
	}()
	api := "http://" + promAddr

	// The target is up, and nothing is breached yet.
	require.Eventually(t, func() bool {
		v, ok := queryValue(api, `up{job="xinfang"}`)
		return ok && v == 1
	}, 30*time.Second, 250*time.Millisecond, "Prometheus never scraped xinfang")
	require.Eventually(t, func() bool {
		v, ok := queryValue(api, `sum(xinfang_sla_cases_breached)`)
		return ok && v == 0
	}, 10*time.Second, 250*time.Millisecond)
	require.Empty(t, firing(t, api, "XinfangSLABreach"))

	// xinfang serves exactly the metrics the rules and dashboards are
	// checked against (deploy/metrics.txt).
	require.ElementsMatch(t, deploy.MetricNames(), scrapedNames(t, api))

	// A letter recorded 30 hours after it arrived: its 24-hour decision
	// deadline has passed, and the watcher records the breach.
	staffCtx := policy.WithSubject(ctx, policy.Subject{Kind: policy.StaffMember, StaffID: intake.ID,
		Role: policy.RoleIntakeAgent, DepartmentID: cs.ID})
	receipt, err := a.Workflow.Record(staffCtx, workflow.Submission{
		Channel: casefile.ChannelLETTER, Kind: casefile.KindCOMPLAINT, Priority: casefile.PriorityNORMAL,
		Subject: "来信：窗口服务态度差", Body: "来信反映窗口工作人员服务态度差，要求整改。", Locale: "zh-CN",
		ReceivedAt: time.Now().Add(-30 * time.Hour),
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		c, err := a.DB.Client.CaseFile.Get(ctx, receipt.CaseID)
		return err == nil && c.SLAState == casefile.SLAStateBREACHED
	}, 10*time.Second, 100*time.Millisecond, "the watcher never recorded the breach")

	var alert promAlert
	require.Eventually(t, func() bool {
		alerts := firing(t, api, "XinfangSLABreach")
		if len(alerts) == 0 {
			return false
		}
		alert = alerts[0]
		return true
	}, 30*time.Second, 250*time.Millisecond, "Prometheus never fired XinfangSLABreach")
	require.Equal(t, "CUSTOMER_SERVICE", alert.Labels["department"])
	require.Equal(t, "critical", alert.Labels["severity"])
	require.NotEmpty(t, alert.Annotations["summary"])
	require.Empty(t, firing(t, api, "XinfangInstanceDown"))
}

// promAlert is one alert of Prometheus' /api/v1/alerts.
type promAlert struct {
	Labels      map[string]string
	Annotations map[string]string
	State       string
}

// firing lists the firing alerts named name.
func firing(t *testing.T, api, name string) []promAlert {
	t.Helper()
	resp, err := http.Get(api + "/api/v1/alerts")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Status string
		Data   struct{ Alerts []promAlert }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "success", body.Status)
	var out []promAlert
	for _, a := range body.Data.Alerts {
		if a.Labels["alertname"] == name && a.State == "firing" {
			out = append(out, a)
		}
	}
	return out
}

// scrapedNames lists the xinfang_* sample names Prometheus scraped.
func scrapedNames(t *testing.T, api string) []string {
	t.Helper()
	resp, err := http.Get(api + "/api/v1/label/__name__/values?match[]=" + url.QueryEscape(`{job="xinfang",__name__=~"xinfang_.*"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Status string
		Data   []string
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "success", body.Status)
	return body.Data
}

// queryValue evaluates an instant query that yields one sample.
func queryValue(api, query string) (float64, bool) {
	resp, err := http.Get(api + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Data   struct {
			Result []struct{ Value [2]any }
		}
	}
	if json.NewDecoder(resp.Body).Decode(&body) != nil || body.Status != "success" || len(body.Data.Result) != 1 {
		return 0, false
	}
	s, _ := body.Data.Result[0].Value[1].(string)
	var v float64
	_, err = fmt.Sscan(s, &v)
	return v, err == nil
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}
