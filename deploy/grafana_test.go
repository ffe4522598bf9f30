package deploy

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	dashboardsDir    = "grafana/dashboards"
	datasourcesFile  = "grafana/provisioning/datasources/xinfang.yml"
	dashboardsFile   = "grafana/provisioning/dashboards/xinfang.yml"
	contactsFile     = "grafana/provisioning/alerting/contact-points.yml"
	policiesFile     = "grafana/provisioning/alerting/policies.yml"
	alertRulesFile   = "grafana/provisioning/alerting/rules.yml"
	clickhouseUsers  = "clickhouse/users.d/grafana.xml"
	composeFile      = "../docker-compose.yml"
	prometheusUID    = "xinfang-prometheus"
	clickhouseUID    = "xinfang-clickhouse"
	expressionUID    = "__expr__"      // Grafana's server-side expressions
	builtinGrafanaDS = "-- Grafana --" // the built-in annotations data source
)

// grafanaUID is what Grafana accepts as a uid (at most 40 characters).
var grafanaUID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)

type datasourcesYAML struct {
	APIVersion  int `yaml:"apiVersion"`
	Datasources []struct {
		Name           string            `yaml:"name"`
		UID            string            `yaml:"uid"`
		Type           string            `yaml:"type"`
		URL            string            `yaml:"url"`
		JSONData       map[string]any    `yaml:"jsonData"`
		SecureJSONData map[string]string `yaml:"secureJsonData"`
	} `yaml:"datasources"`
}

// provisionedDatasources returns the data sources by uid.
func provisionedDatasources(t *testing.T) map[string]string {
	t.Helper()
	var f datasourcesYAML
	readYAML(t, datasourcesFile, &f)
	require.Equal(t, 1, f.APIVersion)
	types := map[string]string{}
	for _, ds := range f.Datasources {
		require.Regexp(t, grafanaUID, ds.UID, "data source %q", ds.Name)
		require.NotContains(t, types, ds.UID, "data source uid %s twice", ds.UID)
		types[ds.UID] = ds.Type
	}
	return types
}

func TestGrafanaDatasources(t *testing.T) {
	t.Parallel()
	var f datasourcesYAML
	readYAML(t, datasourcesFile, &f)
	types := provisionedDatasources(t)
	require.Equal(t, map[string]string{
		prometheusUID: "prometheus",
		clickhouseUID: "grafana-clickhouse-datasource",
	}, types)
	for _, ds := range f.Datasources {
		switch ds.UID {
		case prometheusUID:
			require.Equal(t, "http://prometheus:9090", ds.URL)
		case clickhouseUID:
			require.Equal(t, "clickhouse", ds.JSONData["host"])
			require.Equal(t, 9000, ds.JSONData["port"])
			require.Equal(t, "native", ds.JSONData["protocol"])
			require.Equal(t, "xinfang", ds.JSONData["defaultDatabase"])
			require.Equal(t, "grafana", ds.JSONData["username"], "the read-only user of users.d/grafana.xml")
			// From the container's environment, never a literal.
			require.Equal(t, "$GRAFANA_CLICKHOUSE_PASSWORD", ds.SecureJSONData["password"])
		}
	}
}

// dashboard is a decoded dashboard JSON file.
type dashboard struct {
	file string
	raw  map[string]any
}

func (d dashboard) uid() string   { s, _ := d.raw["uid"].(string); return s }
func (d dashboard) title() string { s, _ := d.raw["title"].(string); return s }

// panels returns every panel, those inside rows included.
func (d dashboard) panels() []map[string]any {
	var out []map[string]any
	var walk func(list any)
	walk = func(list any) {
		items, _ := list.([]any)
		for _, item := range items {
			p, ok := item.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, p)
			walk(p["panels"])
		}
	}
	walk(d.raw["panels"])
	return out
}

// targets returns the queries of the dashboard's panels with the uid of
// their data source (the target's, else the panel's).
func (d dashboard) targets() []target {
	var out []target
	for _, p := range d.panels() {
		panelUID := datasourceUID(p["datasource"])
		list, _ := p["targets"].([]any)
		for _, item := range list {
			tg, _ := item.(map[string]any)
			uid := datasourceUID(tg["datasource"])
			if uid == "" {
				uid = panelUID
			}
			expr, _ := tg["expr"].(string)
			sql, _ := tg["rawSql"].(string)
			title, _ := p["title"].(string)
			out = append(out, target{panel: title, datasource: uid, expr: expr, sql: sql})
		}
	}
	return out
}

type target struct {
	panel, datasource, expr, sql string
}

func datasourceUID(v any) string {
	ds, _ := v.(map[string]any)
	uid, _ := ds["uid"].(string)
	return uid
}

func loadDashboards(t *testing.T) []dashboard {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []dashboard
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var raw map[string]any
		require.NoError(t, json.Unmarshal(data, &raw), "%s", file)
		out = append(out, dashboard{file: file, raw: raw})
	}
	return out
}

func dashboardByUID(t *testing.T, uid string) dashboard {
	t.Helper()
	for _, d := range loadDashboards(t) {
		if d.uid() == uid {
			return d
		}
	}
	t.Fatalf("no dashboard with uid %s", uid)
	return dashboard{}
}

// datasourceRefs returns every data source reference in v: an object
// under a "datasource" key, or a legacy name string there.
func datasourceRefs(v any, path string, visit func(path string, ref any)) {
	switch v := v.(type) {
	case map[string]any:
		for key, child := range v {
			if key == "datasource" {
				visit(path+".datasource", child)
				continue
			}
			datasourceRefs(child, path+"."+key, visit)
		}
	case []any:
		for i, child := range v {
			datasourceRefs(child, fmt.Sprintf("%s[%d]", path, i), visit)
		}
	}
}

func TestGrafanaDashboards(t *testing.T) {
	t.Parallel()
	types := provisionedDatasources(t)
	uids := map[string]string{}
	for _, d := range loadDashboards(t) {
		require.Regexp(t, grafanaUID, d.uid(), "%s has no valid uid", d.file)
		require.NotContains(t, uids, d.uid(), "%s and %s share a uid", d.file, uids[d.uid()])
		uids[d.uid()] = d.file
		require.NotEmpty(t, d.title(), "%s has no title", d.file)
		// Provisioned dashboards take their identity from the file.
		require.Nil(t, d.raw["id"], "%s: a provisioned dashboard carries no id", d.file)

		datasourceRefs(d.raw, d.file, func(path string, ref any) {
			obj, ok := ref.(map[string]any)
			require.True(t, ok, "%s: a data source is referred to by an object with a uid, not %v", path, ref)
			uid, _ := obj["uid"].(string)
			if uid == builtinGrafanaDS || uid == expressionUID {
				return
			}
			typ, ok := types[uid]
			require.True(t, ok, "%s: data source uid %q is not provisioned", path, uid)
			if declared, _ := obj["type"].(string); declared != "" {
				require.Equal(t, typ, declared, "%s: type of data source %s", path, uid)
			}
		})

		ids := map[float64]bool{}
		for _, p := range d.panels() {
			id, ok := p["id"].(float64)
			require.True(t, ok, "%s: panel %v without id", d.file, p["title"])
			require.False(t, ids[id], "%s: panel id %v twice", d.file, id)
			ids[id] = true
			require.NotEmpty(t, p["title"], "%s: panel %v without title", d.file, id)
			if p["type"] == "row" {
				continue
			}
			require.NotEmpty(t, datasourceUID(p["datasource"]), "%s: panel %q has no data source", d.file, p["title"])
			require.NotEmpty(t, p["targets"], "%s: panel %q has no query", d.file, p["title"])
		}
		for _, tg := range d.targets() {
			switch types[tg.datasource] {
			case "prometheus":
				require.NotEmpty(t, tg.expr, "%s: panel %q: Prometheus query without expr", d.file, tg.panel)
			case "grafana-clickhouse-datasource":
				require.NotEmpty(t, tg.sql, "%s: panel %q: ClickHouse query without rawSql", d.file, tg.panel)
			}
		}
	}
	require.Contains(t, uids, "xinfang-sla-live")
	require.Contains(t, uids, "xinfang-oversight")
	require.Equal(t, "Oversight committee", dashboardByUID(t, "xinfang-oversight").title())
}

// The SLA dashboard shows what the issue asks for: a panel reads each of
// these metrics (directly or through a recording rule).
func TestSLADashboardCoversTheLiveMetrics(t *testing.T) {
	t.Parallel()
	var used []string
	for _, tg := range dashboardByUID(t, "xinfang-sla-live").targets() {
		require.Equal(t, prometheusUID, tg.datasource, "panel %q", tg.panel)
		used = append(used, promqlMetrics(tg.expr)...)
	}
	joined := strings.Join(used, " ")
	for _, metric := range []string{
		"xinfang_cases_open", "xinfang_sla_cases_at_risk", "xinfang_sla_cases_breached",
		"xinfang_sla_events", "xinfang_case_first_response_seconds", "xinfang_sla_deadline_headroom_seconds",
		"xinfang_case_intake", "xinfang_case_transitions", "xinfang_graphql_request_duration_seconds",
		"xinfang_graphql_errors_total", "xinfang_relay_backlog_events", "xinfang_relay_lag_seconds",
		"xinfang_sla_watcher_leader", "xinfang_sla_watcher_last_tick_timestamp_seconds",
		"xinfang_sla_watcher_tick_duration_seconds",
	} {
		require.Contains(t, joined, metric, "no SLA live panel shows %s", metric)
	}
	// The first-response panel draws the 48 h limit.
	found := false
	for _, p := range dashboardByUID(t, "xinfang-sla-live").panels() {
		if strings.HasPrefix(fmt.Sprint(p["title"]), "First response") {
			data, err := json.Marshal(p["fieldConfig"])
			require.NoError(t, err)
			require.Contains(t, string(data), `"value":172800`)
			found = true
		}
	}
	require.True(t, found, "no first response panel")
}

// grafanaAlertRules is the part of the alerting rules file the tests look
// at.
type grafanaAlertRules struct {
	APIVersion int `yaml:"apiVersion"`
	Groups     []struct {
		Name     string `yaml:"name"`
		Folder   string `yaml:"folder"`
		Interval string `yaml:"interval"`
		Rules    []struct {
			UID       string `yaml:"uid"`
			Title     string `yaml:"title"`
			Condition string `yaml:"condition"`
			Data      []struct {
				RefID         string         `yaml:"refId"`
				DatasourceUID string         `yaml:"datasourceUid"`
				Model         map[string]any `yaml:"model"`
			} `yaml:"data"`
			For          string            `yaml:"for"`
			NoDataState  string            `yaml:"noDataState"`
			ExecErrState string            `yaml:"execErrState"`
			Labels       map[string]string `yaml:"labels"`
			Annotations  map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// envReference is a $NAME or ${NAME} that Grafana would replace with an
// environment variable ($$ is a literal $).
var envReference = regexp.MustCompile(`\$\{?[A-Za-z_]`)

func unescapedEnv(s string) bool {
	return envReference.MatchString(strings.ReplaceAll(s, "$$", ""))
}

// stringsIn returns every string in v.
func stringsIn(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		for _, child := range v {
			out = append(out, stringsIn(child)...)
		}
		return out
	case []any:
		var out []string
		for _, child := range v {
			out = append(out, stringsIn(child)...)
		}
		return out
	}
	return nil
}

func TestGrafanaAlertRules(t *testing.T) {
	t.Parallel()
	types := provisionedDatasources(t)
	var f grafanaAlertRules
	readYAML(t, alertRulesFile, &f)
	require.Equal(t, 1, f.APIVersion)
	uids := map[string]bool{}
	for _, g := range f.Groups {
		require.NotEmpty(t, g.Name)
		require.NotEmpty(t, g.Folder)
		require.NotEmpty(t, g.Interval)
		for _, r := range g.Rules {
			require.Regexp(t, grafanaUID, r.UID, "rule %q has no valid uid", r.Title)
			require.False(t, uids[r.UID], "rule uid %s twice", r.UID)
			uids[r.UID] = true
			require.NotEmpty(t, r.Title, "rule %s", r.UID)
			require.Contains(t, []string{"critical", "warning"}, r.Labels["severity"], "rule %s", r.UID)
			for _, key := range []string{"summary", "description", "runbook"} {
				require.NotEmpty(t, r.Annotations[key], "rule %s has no %s", r.UID, key)
			}
			require.Contains(t, []string{"OK", "NoData", "Alerting", "KeepLast"}, r.NoDataState, "rule %s", r.UID)
			require.Contains(t, []string{"OK", "Error", "Alerting", "KeepLast"}, r.ExecErrState, "rule %s", r.UID)

			// Grafana interpolates the environment into titles, labels and
			// query models: a stray $ would be silently emptied.
			require.False(t, unescapedEnv(r.Title), "rule %s: $ in the title", r.UID)
			for _, v := range r.Labels {
				require.False(t, unescapedEnv(v), "rule %s: $ in a label", r.UID)
			}

			refs := map[string]bool{}
			for _, q := range r.Data {
				require.NotEmpty(t, q.RefID, "rule %s", r.UID)
				require.Equal(t, q.RefID, q.Model["refId"], "rule %s: model refId", r.UID)
				refs[q.RefID] = true
				for _, s := range stringsIn(q.Model) {
					require.False(t, unescapedEnv(s), "rule %s query %s: write $$ for a $ in %q", r.UID, q.RefID, s)
				}
				if q.DatasourceUID == expressionUID {
					continue
				}
				require.Contains(t, types, q.DatasourceUID, "rule %s query %s: data source not provisioned", r.UID, q.RefID)
				require.NotEmpty(t, q.Model["expr"], "rule %s query %s", r.UID, q.RefID)
			}
			require.True(t, refs[r.Condition], "rule %s: condition %s is no query", r.UID, r.Condition)
			// Expressions refer to earlier queries.
			for _, q := range r.Data {
				if q.DatasourceUID != expressionUID {
					continue
				}
				expr, _ := q.Model["expression"].(string)
				require.NotEmpty(t, expr, "rule %s expression %s", r.UID, q.RefID)
				for _, ref := range regexp.MustCompile(`[A-Z]+`).FindAllString(strings.ReplaceAll(expr, "$$", ""), -1) {
					require.True(t, refs[ref], "rule %s expression %s refers to unknown %s", r.UID, q.RefID, ref)
				}
			}

			if uid := r.Annotations["__dashboardUid__"]; uid != "" {
				d := dashboardByUID(t, uid)
				id, err := strconv.Atoi(r.Annotations["__panelId__"])
				require.NoError(t, err, "rule %s: __panelId__", r.UID)
				require.True(t, slices.ContainsFunc(d.panels(), func(p map[string]any) bool { return p["id"] == float64(id) }),
					"rule %s: panel %d is not on dashboard %s", r.UID, id, uid)
			}
		}
	}
	require.True(t, uids["xinfang-sla-breach"], "no SLA breach rule")
	require.True(t, uids["xinfang-watcher-stalled"], "no watcher stalled rule")
}

// grafanaPromQL returns the PromQL of the dashboards' Prometheus panels and
// of the Grafana alert rules, variables replaced.
func grafanaPromQL(t *testing.T) []string {
	t.Helper()
	var exprs []string
	for _, d := range loadDashboards(t) {
		for _, tg := range d.targets() {
			if tg.datasource == prometheusUID {
				exprs = append(exprs, concretePromQL(tg.expr))
			}
		}
	}
	var f grafanaAlertRules
	readYAML(t, alertRulesFile, &f)
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			for _, q := range r.Data {
				if expr, ok := q.Model["expr"].(string); ok && q.DatasourceUID == prometheusUID {
					exprs = append(exprs, expr)
				}
			}
		}
	}
	return exprs
}

func TestGrafanaMetricsAreInTheContract(t *testing.T) {
	t.Parallel()
	exprs := grafanaPromQL(t)
	// Template variables query label values of a metric too.
	for _, d := range loadDashboards(t) {
		templating, _ := d.raw["templating"].(map[string]any)
		list, _ := templating["list"].([]any)
		for _, item := range list {
			v, _ := item.(map[string]any)
			if datasourceUID(v["datasource"]) == prometheusUID {
				exprs = append(exprs, fmt.Sprint(v["definition"]))
			}
		}
	}
	checkMetricsKnown(t, "the Grafana dashboards and alert rules", exprs)
}

func TestGrafanaNotifications(t *testing.T) {
	t.Parallel()
	var contacts struct {
		APIVersion    int `yaml:"apiVersion"`
		ContactPoints []struct {
			Name      string `yaml:"name"`
			Receivers []struct {
				UID      string         `yaml:"uid"`
				Type     string         `yaml:"type"`
				Settings map[string]any `yaml:"settings"`
			} `yaml:"receivers"`
		} `yaml:"contactPoints"`
	}
	readYAML(t, contactsFile, &contacts)
	require.Equal(t, 1, contacts.APIVersion)
	names := map[string]bool{}
	for _, cp := range contacts.ContactPoints {
		require.NotEmpty(t, cp.Name)
		names[cp.Name] = true
		require.NotEmpty(t, cp.Receivers, "contact point %s", cp.Name)
		for _, r := range cp.Receivers {
			require.Regexp(t, grafanaUID, r.UID, "contact point %s", cp.Name)
			if r.Type == "email" {
				require.Equal(t, "$XINFANG_ALERT_EMAIL", r.Settings["addresses"], "addresses come from the environment")
			}
		}
	}

	type route struct {
		Receiver string   `yaml:"receiver"`
		GroupBy  []string `yaml:"group_by"`
		Routes   []route  `yaml:"routes"`
	}
	var policies struct {
		APIVersion int     `yaml:"apiVersion"`
		Policies   []route `yaml:"policies"`
	}
	readYAML(t, policiesFile, &policies)
	require.Equal(t, 1, policies.APIVersion)
	require.Len(t, policies.Policies, 1, "one policy tree for the organisation")
	var check func(r route)
	check = func(r route) {
		require.True(t, names[r.Receiver], "policy routes to unknown contact point %q", r.Receiver)
		for _, child := range r.Routes {
			check(child)
		}
	}
	check(policies.Policies[0])
	require.Contains(t, policies.Policies[0].GroupBy, "department")
}

func TestGrafanaDashboardProvider(t *testing.T) {
	t.Parallel()
	var f struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Folder  string `yaml:"folder"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, dashboardsFile, &f)
	require.Equal(t, 1, f.APIVersion)
	require.Len(t, f.Providers, 1)
	require.Equal(t, "file", f.Providers[0].Type)
	// docker-compose.yml mounts deploy/grafana/dashboards there.
	require.Contains(t, composeVolumes(t, "grafana"), "./deploy/grafana/dashboards:"+f.Providers[0].Options.Path+":ro")
}

// composeVolumes returns the volume entries of a docker-compose.yml
// service.
func composeVolumes(t *testing.T, service string) []string {
	t.Helper()
	return composeService(t, service).Volumes
}

type composeServiceYAML struct {
	Image       string            `yaml:"image"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Command     []string          `yaml:"command"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

func composeService(t *testing.T, name string) composeServiceYAML {
	t.Helper()
	var f struct {
		Services map[string]composeServiceYAML `yaml:"services"`
	}
	readYAML(t, composeFile, &f)
	s, ok := f.Services[name]
	require.True(t, ok, "docker-compose.yml has no service %s", name)
	return s
}

func TestComposeMountsTheDeployFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"xinfang", "postgres", "clickhouse", "prometheus", "grafana"} {
		for _, v := range composeVolumes(t, name) {
			host, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(host, "./") {
				continue
			}
			_, err := os.Stat(filepath.Join("..", host))
			require.NoError(t, err, "service %s mounts a missing %s", name, host)
			require.True(t, strings.HasSuffix(v, ":ro"), "service %s: mount %s read-only", name, v)
		}
	}

	prom := composeService(t, "prometheus")
	require.Contains(t, prom.Volumes, "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro")
	// The rules alone: the unit tests beside them are no rule file.
	require.Contains(t, prom.Volumes, "./deploy/prometheus/rules/xinfang.yml:/etc/prometheus/rules/xinfang.yml:ro")
	for _, v := range prom.Volumes {
		require.NotContains(t, v, "xinfang_test.yml")
	}
	for _, arg := range prom.Command {
		require.NotContains(t, arg, "web.enable-lifecycle")
	}
	require.Contains(t, strings.Join(prom.Healthcheck.Test, " "), "/-/healthy")

	grafana := composeService(t, "grafana")
	require.Contains(t, grafana.Volumes, "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro")
	require.Equal(t, "grafana-clickhouse-datasource", grafana.Environment["GF_INSTALL_PLUGINS"])
	require.Contains(t, grafana.Environment["GF_SECURITY_ADMIN_PASSWORD"], ":?", "the admin password is required")
	require.Contains(t, strings.Join(grafana.Healthcheck.Test, " "), "/api/health")

	// Grafana's ClickHouse password reaches both ends.
	clickhouse := composeService(t, "clickhouse")
	require.Contains(t, clickhouse.Volumes, "./deploy/clickhouse/users.d/grafana.xml:/etc/clickhouse-server/users.d/grafana.xml:ro")
	require.Equal(t, clickhouse.Environment["GRAFANA_CLICKHOUSE_PASSWORD"], grafana.Environment["GRAFANA_CLICKHOUSE_PASSWORD"])
	require.Contains(t, grafana.Environment["GRAFANA_CLICKHOUSE_PASSWORD"], ":?", "the password is required")

	require.NotEmpty(t, composeService(t, "xinfang").Healthcheck.Test, "xinfang keeps its health check")
}

func TestClickHouseGrafanaUserIsReadOnly(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(clickhouseUsers)
	require.NoError(t, err)
	var cfg struct {
		XMLName  xml.Name `xml:"clickhouse"`
		Profiles []struct {
			Entries []struct {
				XMLName  xml.Name
				Readonly string `xml:"readonly"`
			} `xml:",any"`
		} `xml:"profiles"`
		Users struct {
			Grafana struct {
				Password struct {
					FromEnv string `xml:"from_env,attr"`
					Value   string `xml:",chardata"`
				} `xml:"password"`
				Profile string   `xml:"profile"`
				Grants  []string `xml:"grants>query"`
			} `xml:"grafana"`
		} `xml:"users"`
	}
	require.NoError(t, xml.Unmarshal(data, &cfg))
	user := cfg.Users.Grafana
	require.Equal(t, "GRAFANA_CLICKHOUSE_PASSWORD", user.Password.FromEnv)
	require.Empty(t, strings.TrimSpace(user.Password.Value), "no literal password")
	// SELECT on the xinfang database, nothing else.
	require.Equal(t, []string{"GRANT SELECT ON xinfang.*"}, user.Grants)

	found := false
	for _, profiles := range cfg.Profiles {
		for _, p := range profiles.Entries {
			if p.XMLName.Local != user.Profile {
				continue
			}
			found = true
			require.Equal(t, "1", p.Readonly, "profile %s must be readonly=1", user.Profile)
		}
	}
	require.True(t, found, "profile %s is not defined", user.Profile)
}
