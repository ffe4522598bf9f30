package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// promtoolEnv names the promtool binary (scripts/test-services.sh exports
// /usr/bin/promtool from Debian's prometheus package).
const promtoolEnv = "XINFANG_TEST_PROMTOOL"

// promtool returns the promtool to run, skipping the test when there is
// none (failing it under CI).
func promtool(t *testing.T) string {
	t.Helper()
	if path := os.Getenv(promtoolEnv); path != "" {
		return path
	}
	if path, err := exec.LookPath("promtool"); err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s must be set (or promtool be on the PATH) under CI", promtoolEnv)
	}
	t.Skipf("%s is not set and promtool is not on the PATH: promtool checks are skipped", promtoolEnv)
	return ""
}

// runPromtool runs promtool in dir and fails the test with its output
// when it fails.
func runPromtool(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// readYAML decodes a YAML file of this package into v.
func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, v), "%s", path)
}

// The parts of a Prometheus rule file and of a promtool test file the
// tests look at.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type ruleTestFile struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		Name          string `yaml:"name"`
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels      map[string]string `yaml:"exp_labels"`
				ExpAnnotations map[string]string `yaml:"exp_annotations"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

const (
	prometheusConfig = "prometheus/prometheus.yml"
	rulesFile        = "prometheus/rules/xinfang.yml"
	ruleTestsFile    = "prometheus/rules/xinfang_test.yml"
	// rulesMountGlob is where Prometheus finds the rules in the container.
	rulesMountGlob = "/etc/prometheus/rules/*.yml"
)

func loadRules(t *testing.T) []rule {
	t.Helper()
	var f ruleFile
	readYAML(t, rulesFile, &f)
	var rules []rule
	for _, g := range f.Groups {
		rules = append(rules, g.Rules...)
	}
	require.NotEmpty(t, rules)
	return rules
}

// recordingRules returns the names the rules record.
func recordingRules(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, r := range loadRules(t) {
		if r.Record != "" {
			names[r.Record] = true
		}
	}
	return names
}

// prometheusYAML is the part of prometheus.yml the tests look at.
type prometheusYAML struct {
	RuleFiles     []string       `yaml:"rule_files"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type scrapeConfig struct {
	JobName        string `yaml:"job_name"`
	ScrapeInterval string `yaml:"scrape_interval"`
	MetricsPath    string `yaml:"metrics_path"`
	StaticConfigs  []struct {
		Targets []string `yaml:"targets"`
	} `yaml:"static_configs"`
}

func TestPrometheusConfigIsValid(t *testing.T) {
	t.Parallel()
	var cfg prometheusYAML
	readYAML(t, prometheusConfig, &cfg)
	require.Equal(t, []string{rulesMountGlob}, cfg.RuleFiles)
	i := slices.IndexFunc(cfg.ScrapeConfigs, func(sc scrapeConfig) bool { return sc.JobName == "xinfang" })
	require.GreaterOrEqual(t, i, 0, "no scrape job xinfang")
	job := cfg.ScrapeConfigs[i]
	require.Equal(t, "15s", job.ScrapeInterval)
	require.Equal(t, "/metrics", job.MetricsPath)
	require.Len(t, job.StaticConfigs, 1)
	require.Equal(t, []string{"xinfang:8080"}, job.StaticConfigs[0].Targets)

	// promtool also loads the rule files the glob finds: point it at a
	// copy holding the rules alone, as docker-compose.yml mounts them.
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	require.NoError(t, os.Mkdir(rulesDir, 0o755))
	rules, err := os.ReadFile(rulesFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(rulesDir, "xinfang.yml"), rules, 0o644))
	config, err := os.ReadFile(prometheusConfig)
	require.NoError(t, err)
	local := bytes.ReplaceAll(config, []byte(rulesMountGlob), []byte(filepath.Join(rulesDir, "*.yml")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), local, 0o644))
	out := runPromtool(t, dir, "check", "config", "prometheus.yml")
	require.Contains(t, out, "1 rule files found")
}

func TestPrometheusRulesAreValid(t *testing.T) {
	t.Parallel()
	runPromtool(t, ".", "check", "rules", rulesFile)
}

func TestPrometheusRuleUnitTestsPass(t *testing.T) {
	t.Parallel()
	out := runPromtool(t, filepath.Dir(ruleTestsFile), "test", "rules", filepath.Base(ruleTestsFile))
	require.Contains(t, out, "SUCCESS")
}

// A promtool test that names an alert which does not exist, or that only
// expects silence, passes whatever the rule does: every alert needs a case
// that fires and one that does not.
func TestEveryAlertHasFiringAndQuietUnitTests(t *testing.T) {
	t.Parallel()
	var tests ruleTestFile
	readYAML(t, ruleTestsFile, &tests)
	require.Equal(t, []string{filepath.Base(rulesFile)}, tests.RuleFiles)

	alerts := map[string]bool{}
	for _, r := range loadRules(t) {
		if r.Alert != "" {
			alerts[r.Alert] = true
		}
	}
	firing, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range tests.Tests {
		for _, at := range tc.AlertRuleTest {
			require.True(t, alerts[at.Alertname], "test %q names unknown alert %q", tc.Name, at.Alertname)
			if len(at.ExpAlerts) == 0 {
				quiet[at.Alertname] = true
				continue
			}
			firing[at.Alertname] = true
			for _, exp := range at.ExpAlerts {
				require.NotEmpty(t, exp.ExpLabels["severity"], "test %q: expected alerts list their labels", tc.Name)
				for _, key := range []string{"summary", "description", "runbook"} {
					require.NotEmpty(t, exp.ExpAnnotations[key], "test %q: expected alerts list annotation %s", tc.Name, key)
				}
			}
		}
	}
	for name := range alerts {
		require.True(t, firing[name], "alert %s has no unit test where it fires", name)
		require.True(t, quiet[name], "alert %s has no unit test where it stays quiet", name)
	}
}

func TestAlertRulesCarrySeverityAndHelp(t *testing.T) {
	t.Parallel()
	byName := map[string][]rule{}
	for _, r := range loadRules(t) {
		if r.Alert == "" {
			continue
		}
		byName[r.Alert] = append(byName[r.Alert], r)
		require.Contains(t, []string{"critical", "warning"}, r.Labels["severity"], "alert %s", r.Alert)
		for _, key := range []string{"summary", "description", "runbook"} {
			require.NotEmpty(t, r.Annotations[key], "alert %s has no %s annotation", r.Alert, key)
		}
		if strings.Contains(r.Expr, "by (department)") {
			require.Contains(t, r.Annotations["summary"], "{{ $labels.department }}", "alert %s", r.Alert)
		}
	}
	for _, name := range []string{
		"XinfangSLABreach", "XinfangSLAEscalated", "XinfangBreachRate", "XinfangAtRiskBacklog",
		"XinfangRelayLag", "XinfangRelayErrors", "XinfangAPIErrors", "XinfangInstanceDown",
		"XinfangDeadlineWatcherStalled",
	} {
		require.NotEmpty(t, byName[name], "alert %s is missing", name)
	}
	// The end-to-end test waits for the breach alert with a 1 s evaluation
	// interval: it must fire at the first evaluation that sees a breach.
	breach := byName["XinfangSLABreach"]
	require.Len(t, breach, 1)
	require.Contains(t, []string{"", "0m", "0s"}, breach[0].For)
	require.Equal(t, "max by (department) (xinfang_sla_cases_breached) > 0", breach[0].Expr)
	require.Equal(t, "critical", breach[0].Labels["severity"])
}

// recordingName is level:metric:operations.
var recordingName = regexp.MustCompile(`^[a-z_]+:xinfang_[a-z0-9_]+:[a-z0-9_]+$`)

func TestRecordingRulesAreNamedLevelMetricOperations(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range loadRules(t) {
		if r.Record == "" {
			continue
		}
		require.Regexp(t, recordingName, r.Record)
		require.False(t, seen[r.Record], "%s is recorded twice", r.Record)
		seen[r.Record] = true
	}
	require.NotEmpty(t, seen)
}

// promqlToken is a run of the characters that make up PromQL names and
// numbers; string literals are removed first.
var (
	promqlToken   = regexp.MustCompile(`[A-Za-z0-9_:.]+`)
	promqlStrings = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
)

// promqlMetrics returns the xinfang metric names (xinfang_...), the
// recording rule names (with a colon) and `up` that expr uses. Labels,
// functions, keywords, durations and numbers never take those forms.
func promqlMetrics(expr string) []string {
	expr = promqlStrings.ReplaceAllString(expr, `""`)
	var names []string
	for _, tok := range promqlToken.FindAllString(expr, -1) {
		first := tok[0]
		if first >= '0' && first <= '9' || first == '.' {
			continue // a number or a duration
		}
		if strings.HasPrefix(tok, "xinfang_") || strings.Contains(tok, ":") || tok == "up" {
			names = append(names, tok)
		}
	}
	return names
}

func TestPromQLMetricExtraction(t *testing.T) {
	t.Parallel()
	got := promqlMetrics(`sum by (le) (rate(xinfang_typo_seconds_bucket{deadline="xinfang_in_a_string",le=~"0|0\\.0"}[5m]))
		/ on (job) department:xinfang_sla_cases_breached:max > 0.5 and up{job="xinfang"} == 0 offset 1d`)
	require.Equal(t, []string{"xinfang_typo_seconds_bucket", "department:xinfang_sla_cases_breached:max", "up"}, got)
}

// checkMetricsKnown fails for every metric of exprs that is neither in
// metrics.txt nor a recording rule nor `up`.
func checkMetricsKnown(t *testing.T, what string, exprs []string) {
	t.Helper()
	known := map[string]bool{"up": true}
	for _, name := range MetricNames() {
		known[name] = true
	}
	for name := range recordingRules(t) {
		known[name] = true
	}
	var unknown []string
	for _, expr := range exprs {
		for _, name := range promqlMetrics(expr) {
			if !known[name] && !slices.Contains(unknown, name) {
				unknown = append(unknown, name)
			}
		}
	}
	sort.Strings(unknown)
	require.Empty(t, unknown, "%s use metrics that are neither in metrics.txt nor recording rules", what)
}

func TestRuleMetricsAreInTheContract(t *testing.T) {
	t.Parallel()
	var exprs []string
	for _, r := range loadRules(t) {
		exprs = append(exprs, r.Expr)
	}
	checkMetricsKnown(t, rulesFile, exprs)
}

var metricName = regexp.MustCompile(`^xinfang_[a-z0-9_]+$`)

func TestMetricNamesFile(t *testing.T) {
	t.Parallel()
	names := MetricNames()
	require.NotEmpty(t, names)
	seen := map[string]bool{}
	for _, name := range names {
		require.Regexp(t, metricName, name)
		require.False(t, seen[name], "%s is listed twice", name)
		seen[name] = true
	}
	// A histogram is listed with all three of its series.
	for _, name := range names {
		if base, ok := strings.CutSuffix(name, "_bucket"); ok {
			require.True(t, seen[base+"_count"] && seen[base+"_sum"], "%s without its _count or _sum", name)
		}
	}
	for _, name := range []string{"xinfang_sla_cases_breached", "xinfang_sla_watcher_leader", "xinfang_relay_lag_seconds"} {
		require.True(t, seen[name], "%s is missing", name)
	}
}

// The Grafana panels' and alert rules' PromQL, made concrete (dashboard
// variables replaced), must parse: promtool checks it as recording rules.
func TestGrafanaPromQLParses(t *testing.T) {
	t.Parallel()
	exprs := grafanaPromQL(t)
	require.NotEmpty(t, exprs)
	var b strings.Builder
	b.WriteString("groups:\n  - name: grafana\n    rules:\n")
	for i, expr := range exprs {
		quoted, err := yaml.Marshal(expr)
		require.NoError(t, err)
		b.WriteString("      - record: grafana_query_" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + "\n")
		b.WriteString("        expr: " + strings.TrimSpace(string(quoted)) + "\n")
	}
	path := filepath.Join(t.TempDir(), "grafana.yml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	runPromtool(t, ".", "check", "rules", path)
}

// concretePromQL replaces the Grafana variables the dashboards use.
func concretePromQL(expr string) string {
	return strings.NewReplacer(
		"$__rate_interval", "1m",
		"$__interval", "1m",
		"$__range", "1d",
		"$department", ".*",
	).Replace(expr)
}
