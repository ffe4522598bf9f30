package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/clock"
	"github.com/xinfang/xinfang/internal/metrics"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// testBundle is a database with two departments, a workflow that reports
// to Cases, and the registry Cases is on.
type testBundle struct {
	db       *store.DB
	clk      *clock.Manual
	wf       *workflow.Service
	reg      *prometheus.Registry
	cases    *metrics.Cases
	admin    context.Context
	depts    map[string]int // code → ID
	handlers map[string]int // department code → a handler's ID
}

// setup builds a bundle on a fresh database of backend. The departments
// CS (intake) and ADMIN exist before Cases is built, as at a server start.
func setup(t *testing.T, backend testenv.Backend) *testBundle {
	t.Helper()
	ctx := context.Background()
	db := testenv.Open(t, backend)
	b := &testBundle{db: db, clk: clock.NewManual(time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)), // Monday 10:00 in Shanghai
		reg: prometheus.NewRegistry(), depts: map[string]int{}, handlers: map[string]int{}}
	for _, d := range []struct {
		code   string
		intake bool
	}{{"CS", true}, {"ADMIN", false}} {
		dept, err := db.Client.Department.Create().SetCode(d.code).SetName(d.code).SetIntake(d.intake).Save(ctx)
		require.NoError(t, err)
		b.depts[d.code] = dept.ID
		h, err := db.Client.Staff.Create().SetUsername("h-" + d.code).SetDisplayName("h").SetPasswordHash("x").
			SetRole("HANDLER").SetDepartmentID(dept.ID).Save(ctx)
		require.NoError(t, err)
		b.handlers[d.code] = h.ID
	}
	admin, err := db.Client.Staff.Create().SetUsername("admin").SetDisplayName("admin").SetPasswordHash("x").
		SetRole("ADMIN").SetDepartmentID(b.depts["CS"]).Save(ctx)
	require.NoError(t, err)
	b.admin = policy.WithSubject(ctx, policy.Subject{Kind: policy.StaffMember, StaffID: admin.ID, Role: policy.RoleAdmin, DepartmentID: b.depts["CS"]})
	b.cases = metrics.NewCases(b.reg, []string{"CS", "ADMIN"})
	b.wf, err = workflow.New(workflow.Config{Client: db.Client, Policy: testenv.Policy(t), Postgres: backend == testenv.Postgres,
		PINSecret: []byte(strings.Repeat("s", 32)), Now: b.clk.Now, Observer: workflow.Observers{b.cases}})
	require.NoError(t, err)
	return b
}

// submission is a web complaint.
func submission(subject string) workflow.Submission {
	return workflow.Submission{Kind: casefile.KindCOMPLAINT, Subject: subject, Body: "内容",
		Contact: workflow.Contact{Name: "张三", Phone: "13800000000"}}
}

func petitioner(ctx context.Context, caseID int) context.Context {
	return policy.WithSubject(ctx, policy.Subject{Kind: policy.Petitioner, CaseID: caseID})
}

// submit files a web complaint and returns the case as stored.
func (b *testBundle) submit(t *testing.T, subject string) *ent.CaseFile {
	t.Helper()
	r, err := b.wf.Submit(context.Background(), submission(subject))
	require.NoError(t, err)
	return b.get(t, r.CaseID)
}

func (b *testBundle) get(t *testing.T, id int) *ent.CaseFile {
	t.Helper()
	c, err := b.db.Client.CaseFile.Get(context.Background(), id)
	require.NoError(t, err)
	return c
}

// ref is a reference to c at its version.
func ref(c *ent.CaseFile) workflow.Ref { return workflow.Ref{ID: c.ID, Version: workflow.V(c.Version)} }

// must returns c after checking err.
func must(t *testing.T) func(*ent.CaseFile, error) *ent.CaseFile {
	return func(c *ent.CaseFile, err error) *ent.CaseFile {
		t.Helper()
		require.NoError(t, err)
		return c
	}
}

// find returns the series of a metric with exactly the given labels
// (name, value pairs).
func find(t *testing.T, g prometheus.Gatherer, name string, labels ...string) *dto.Metric {
	t.Helper()
	require.Zero(t, len(labels)%2, "labels come in name, value pairs")
	families, err := g.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels)/2 {
				continue
			}
			for _, l := range m.GetLabel() {
				found := false
				for i := 0; i < len(labels); i += 2 {
					if labels[i] == l.GetName() && labels[i+1] == l.GetValue() {
						found = true
					}
				}
				if !found {
					continue metrics
				}
			}
			return m
		}
	}
	require.Failf(t, "no such series", "%s%v", name, labels)
	return nil
}

func gauge(t *testing.T, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	return find(t, g, name, labels...).GetGauge().GetValue()
}

func counter(t *testing.T, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	return find(t, g, name, labels...).GetCounter().GetValue()
}

// histogram returns a histogram series' observation count and sum.
func histogram(t *testing.T, g prometheus.Gatherer, name string, labels ...string) (uint64, float64) {
	t.Helper()
	h := find(t, g, name, labels...).GetHistogram()
	return h.GetSampleCount(), h.GetSampleSum()
}

// caseGauges are the values of every case gauge series, keyed by metric
// name and labels.
func caseGauges(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	families, err := g.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		switch f.GetName() {
		case "xinfang_cases_open", "xinfang_sla_cases_at_risk", "xinfang_sla_cases_breached", "xinfang_sla_cases_escalated":
		default:
			continue
		}
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			out[key] = m.GetGauge().GetValue()
		}
	}
	return out
}
