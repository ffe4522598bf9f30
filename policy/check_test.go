package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckAcceptsTheShippedPolicies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	report, err := Check(ctx, "")
	require.NoError(t, err)
	require.Equal(t, embedded(t).Revision(), report.Revision)
	require.GreaterOrEqual(t, report.RegoTests, 40)
	require.Contains(t, report.Files, CheckedFile{Path: "rego/authz.rego", Origin: "embedded"})
	for _, dir := range []string{"examples/statutory", "examples/business-hours"} {
		report, err := Check(ctx, dir)
		require.NoError(t, err, dir)
		require.NotEqual(t, embedded(t).Revision(), report.Revision)
		require.Contains(t, report.Ignored, "README.md")
		var fromDir []string
		for _, f := range report.Files {
			if f.Origin == dir {
				fromDir = append(fromDir, f.Path)
			}
		}
		require.Len(t, fromDir, 1, dir)
	}
}

func TestCheckNamesTheProblem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	deadlines := embeddedFile(t, "config/deadlines.json")
	calendars := embeddedFile(t, "config/calendars.json")
	routing := embeddedFile(t, "config/routing.json")
	escalation := embeddedFile(t, "config/escalation.json")
	authz := embeddedFile(t, "config/authz.json")
	for _, c := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"Rego syntax", map[string]string{"rego/deadlines.rego": "package xinfang.v1.deadlines\n\nlimits := {\n"},
			[]string{"rego/deadlines.rego:4: rego_parse_error"}},
		{"Rego that does not compile", map[string]string{"rego/more.rego": "package xinfang.v1.more\n\nx := undefined_thing\n"},
			[]string{"rego/more.rego:3", "undefined_thing"}},
		{"a rule the engine needs is gone", map[string]string{"rego/escalation.rego": "package xinfang.v1.escalation\n", "rego/escalation_test.rego": "package xinfang.v1.escalation_test\n"},
			[]string{"the policy does not define xinfang.v1.escalation.decision"}},
		{"a failing Rego test", map[string]string{"rego/mine_test.rego": "package mine_test\n\ntest_fails if {\n\t1 == 2\n}\n"},
			[]string{"1 Rego test(s) failed", "rego/mine_test.rego:3: data.mine_test.test_fails: FAIL"}},
		{"not JSON", map[string]string{"config/deadlines.json": "{"}, []string{"config/deadlines.json: not valid JSON"}},
		{"a bad duration", map[string]string{"config/deadlines.json": strings.Replace(deadlines, `"resolve": "7d"`, `"resolve": "a week"`, 1)},
			[]string{`config/deadlines.json: deadlines.default.resolve: "a week" is not a duration`}},
		{"an unknown key", map[string]string{"config/deadlines.json": strings.Replace(deadlines, `"acknowledge": "4h"`, `"acknowledge": "4h", "acknowlege": "2h"`, 1)},
			[]string{"config/deadlines.json: deadlines.priorities.URGENT.acknowlege: unknown key; expected one of acknowledge, decide"}},
		{"a missing key", map[string]string{"config/deadlines.json": strings.Replace(deadlines, `"extension_count": 2`, `"extension_count2": 2`, 1)},
			[]string{"deadlines.default.extension_count: is missing", "deadlines.default.extension_count2: unknown key"}},
		{"a bad extension count", map[string]string{"config/deadlines.json": strings.Replace(deadlines, `"extension_count": 2`, `"extension_count": -1`, 1)},
			[]string{"deadlines.default.extension_count: must be a whole number ≥ 0, not -1"}},
		{"an unknown priority", map[string]string{"config/deadlines.json": strings.Replace(deadlines, `"URGENT": {"acknowledge"`, `"CRITICAL": {"acknowledge"`, 1)},
			[]string{`deadlines.priorities.CRITICAL: "CRITICAL" is not a known priority`}},
		{"an undefined calendar", map[string]string{"config/calendars.json": strings.Replace(calendars, `"departments": {}`, `"departments": {"HR": "office"}`, 1)},
			[]string{`config/calendars.json: calendars.departments.HR: names calendar "office", which calendars.definitions does not define`}},
		{"a bad time zone", map[string]string{"config/calendars.json": strings.Replace(calendars, `"Asia/Shanghai"`, `"Asia/Beijing"`, 1)},
			[]string{`calendars.definitions.calendar_hours: time_zone "Asia/Beijing" is not a known IANA time zone`}},
		{"an unknown kind in a routing rule", map[string]string{"config/routing.json": strings.Replace(routing, `"kinds": ["REPORT"]`, `"kinds": ["WHISTLE"]`, 1)},
			[]string{`routing.kind_rules[0].kinds[0]: "WHISTLE" is not a known kind`}},
		{"an empty keyword entry", map[string]string{"config/routing.json": strings.Replace(routing, `"zh": ["培训", "招聘"],
        "en": ["training", "recruitment"]`, `"zh": []`, 1)},
			[]string{"routing.keywords[5]: has no keywords (zh or en)"}},
		{"a warning threshold above 1", map[string]string{"config/escalation.json": strings.Replace(escalation, `"warn_at": 0.75`, `"warn_at": 75`, 1)},
			[]string{"escalation.default.warn_at: must be a fraction of the time above 0 and at most 1 (e.g. 0.75), not 75"}},
		{"an unknown recipient", map[string]string{"config/escalation.json": strings.Replace(escalation, `"escalate": ["admin"]`, `"escalate": ["ceo"]`, 1)},
			[]string{`escalation.default.notify.escalate[0]: "ceo" is not a known recipient`}},
		{"a misspelt role", map[string]string{"config/authz.json": strings.Replace(authz, `"directory.manage": ["ADMIN"]`, `"directory.manage": ["ADMINS"]`, 1)},
			[]string{`config/authz.json: authz.permissions.directory.manage[0]: "ADMINS" is not a known role`}},
		{"a misspelt action", map[string]string{"config/authz.json": strings.Replace(authz, `"directory.manage": ["ADMIN"]`, `"directory.manages": ["ADMIN"]`, 1)},
			[]string{`authz.permissions.directory.manages: "directory.manages" is not a known action`}},
		{"a topic missing", map[string]string{"config/escalation.json": `{"escalations": {}}`},
			[]string{"config.escalation: missing (expected in config/escalation.json)", "config/escalation.json: escalations: unknown key"}},
		{"two files setting the same data", map[string]string{"config/extra.json": `{"routing": {"last_resort": []}}`},
			[]string{"config/routing.json: data.config.routing.last_resort is also set by config/extra.json"}},
	} {
		_, err := Check(ctx, overrideDir(t, c.files))
		require.Error(t, err, c.name)
		for _, want := range c.want {
			require.ErrorContains(t, err, want, c.name)
		}
	}
}

func TestCheckCollectsEveryDataProblem(t *testing.T) {
	t.Parallel()
	deadlines := strings.NewReplacer(`"respond": "48h"`, `"respond": "2 days"`, `"resolve": "7d"`, `"resolve": 7`).Replace(embeddedFile(t, "config/deadlines.json"))
	_, err := Check(context.Background(), overrideDir(t, map[string]string{"config/deadlines.json": deadlines}))
	require.ErrorContains(t, err, `deadlines.default.respond: "2 days" is not a duration`)
	require.ErrorContains(t, err, "deadlines.default.resolve: must be a string, not 7")
}

func TestOverrideDirectoryFollowsLinksAndSkipsHiddenFiles(t *testing.T) {
	t.Parallel()
	dir := overrideDir(t, map[string]string{
		"..2026_12_04/config/deadlines.json": respondIn(t, "30h"),
		".editor.swp":                        "garbage",
		"notes.txt":                          "ignored",
	})
	// A Kubernetes ConfigMap volume: config is a link into a hidden,
	// timestamped directory.
	require.NoError(t, symlink(dir+"/..2026_12_04/config", dir+"/config"))
	report, err := Check(context.Background(), dir)
	require.NoError(t, err)
	require.Equal(t, []string{"notes.txt"}, report.Ignored)
	require.Contains(t, report.Files, CheckedFile{Path: "config/deadlines.json", Origin: dir})
}
