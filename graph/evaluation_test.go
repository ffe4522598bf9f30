package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/evaluation"
	"github.com/xinfang/xinfang/internal/testenv"
)

// fixedFiguresWarehouse is a test-only analytics.Warehouse: it answers
// every query with the same hand-written figures, dated to the query's
// period, and records the queries it got. It stands in until the embedded
// warehouse is merged; these tests then switch to it.
type fixedFiguresWarehouse struct {
	mu      sync.Mutex
	queries []analytics.Query
	// categoryID and projectID are ranked first; set them before the
	// first query.
	categoryID, projectID int64
}

func (w *fixedFiguresWarehouse) Ingest(context.Context, []analytics.Event) error {
	return errors.New("fixedFiguresWarehouse does not ingest")
}

func (w *fixedFiguresWarehouse) Close() error { return nil }

func (w *fixedFiguresWarehouse) Evaluate(_ context.Context, q analytics.Query) (*analytics.Evaluation, error) {
	w.mu.Lock()
	w.queries = append(w.queries, q)
	w.mu.Unlock()
	length := q.To.Sub(q.From)
	trend := []analytics.TrendPoint{
		{Start: q.From, Received: 12, Responded: 10, WithinLimitShare: 0.9, SatisfactionRate: 1, MedianResponseSecs: 20 * 3600},
		{Start: q.From.AddDate(0, 0, 7), Received: 8, Responded: 8, WithinLimitShare: 1, SatisfactionRate: 0.5, MedianResponseSecs: 24 * 3600},
	}
	gain := 0.5
	return &analytics.Evaluation{
		Current: analytics.Figures{
			From: q.From, To: q.To, Received: 20,
			ByChannel: map[string]int64{"WEB": 10, "HOTLINE": 6, "EMAIL": 4},
			ByKind:    map[string]int64{"COMPLAINT": 15, "PRAISE": 5},
			Accepted:  18, Declined: 2, AcceptanceRate: 0.9,
			TimeToAcknowledge:   analytics.Durations{Count: 20, Median: 60, P90: 300},
			TimeToFirstResponse: analytics.Durations{Count: 18, Median: 20 * 3600, P90: 40 * 3600},
			TimeToResolution:    analytics.Durations{Count: 16, Median: 30 * 3600, P90: 60 * 3600},
			Responded:           18, WithinLimit: 18, WithinLimitShare: 1,
			Closed: 16, Rated: 8, Satisfied: 7, SatisfactionRate: 0.875, SurveyResponseRate: 0.5,
			Reviews: 2, ReReviews: 1, ReviewRate: 0.125, ReReviewRate: 0.5,
			Petitioners: 15, RepeatPetitioners: 3,
			TopCategories:      []analytics.Ranked{{ID: w.categoryID, Cases: 9}, {ID: 8589939999, Cases: 1}},
			TopServiceProjects: []analytics.Ranked{{ID: w.projectID, Cases: 4}},
			Trend:              trend,
		},
		Previous: analytics.Figures{
			From: q.From.Add(-length), To: q.From, Received: 10,
			TimeToFirstResponse: analytics.Durations{Count: 9, Median: 30 * 3600, P90: 50 * 3600},
			Responded:           9, WithinLimit: 8, WithinLimitShare: 8.0 / 9,
		},
		EfficiencyGain: &gain,
	}, nil
}

func (w *fixedFiguresWarehouse) lastQuery() analytics.Query {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queries[len(w.queries)-1]
}

func (w *fixedFiguresWarehouse) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queries)
}

// setupWithWarehouse starts the app with the fixed-figures warehouse.
func setupWithWarehouse(t *testing.T, backend testenv.Backend) (*testBundle, *fixedFiguresWarehouse) {
	t.Helper()
	wh := &fixedFiguresWarehouse{}
	b := setup(t, backend, func(_ *config.Config, o *app.Options) { o.Warehouse = wh })
	wh.categoryID, wh.projectID = int64(b.cat.ID), int64(b.project.ID)
	return b, wh
}

const createAction = `mutation($in: CreateImprovementActionInput!) { createImprovementAction(input: $in) {
	id title status dueDate periodLabel kpiKey department { code } createdBy { username } } }`

type actionView struct {
	ID          string
	Title       string
	Status      string
	DueDate     string
	PeriodLabel string
	KpiKey      *string
	Department  struct{ Code string }
	CreatedBy   struct{ Username string }
}

// TestImprovementActions: evaluators record and update improvement
// actions; oversight members and department heads read them; nobody else
// may, and bad input is refused field by field.
func TestImprovementActions(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend) // today is 2026-03-02 in Shanghai
		cs := itoa(b.depts["CS"].ID)
		in := func(changes map[string]any) map[string]any {
			v := map[string]any{"title": "热线高峰时段增加值班", "description": "复查率上升，需缩短答复时间。",
				"departmentID": cs, "dueDate": "2026-06-30", "periodLabel": "2026h1", "kpiKey": "RESPONSE_WITHIN_LIMIT"}
			for k, c := range changes {
				v[k] = c
			}
			return map[string]any{"in": v}
		}
		var created struct{ CreateImprovementAction actionView }
		b.ok("evaluator", createAction, in(nil), &created)
		a := created.CreateImprovementAction
		require.Equal(t, "OPEN", a.Status)
		require.Equal(t, "2026H1", a.PeriodLabel, "labels are normalised")
		require.Equal(t, "CS", a.Department.Code)
		require.Equal(t, "evaluator", a.CreatedBy.Username, "the caller is the author")
		require.Equal(t, "RESPONSE_WITHIN_LIMIT", *a.KpiKey)

		b.fails("FORBIDDEN", "oversight", createAction, in(nil))
		b.fails("FORBIDDEN", "head", createAction, in(nil))
		b.fails("UNAUTHENTICATED", "", createAction, in(nil))
		for field, changes := range map[string]map[string]any{
			"dueDate#format":  {"dueDate": "2026-02-30"},
			"dueDate#passed":  {"dueDate": "2026-03-01"},
			"dueDate#before":  {"dueDate": "2026-05-01", "periodLabel": "2026H2"},
			"periodLabel":     {"periodLabel": "2026-01-01..2026-06-30"},
			"kpiKey":          {"kpiKey": "HAPPINESS"},
			"title":           {"title": ""},
			"departmentID":    {"departmentID": "12884999999"},
			"periodLabel#bad": {"periodLabel": "H1"},
		} {
			name, _, _ := strings.Cut(field, "#")
			e := b.fails("VALIDATION", "evaluator", createAction, in(changes))
			require.Equal(t, name, e.Extensions["field"], "%s: %s", field, e.Message)
		}
		e := b.do(request{as: "evaluator", lang: "zh-CN", query: createAction, vars: in(map[string]any{"dueDate": "2026-03-01"})}).Errors[0]
		require.Equal(t, "截止日期2026-03-01已过，请填写今天或之后的日期。", e.Message)

		update := `mutation($id: ID!, $in: UpdateImprovementActionInput!) { updateImprovementAction(id: $id, input: $in) {
			status dueDate kpiKey periodLabel department { code } } }`
		var updated struct{ UpdateImprovementAction actionView }
		b.ok("evaluator", update, map[string]any{"id": a.ID, "in": map[string]any{
			"status": "IN_PROGRESS", "dueDate": "2026-05-31", "kpiKey": "", "departmentID": itoa(b.depts["ADMIN"].ID)}}, &updated)
		require.Equal(t, "IN_PROGRESS", updated.UpdateImprovementAction.Status)
		require.Equal(t, "2026-05-31", updated.UpdateImprovementAction.DueDate)
		require.Nil(t, updated.UpdateImprovementAction.KpiKey, "an empty key clears it")
		require.Equal(t, "ADMIN", updated.UpdateImprovementAction.Department.Code)
		b.fails("FORBIDDEN", "oversight", update, map[string]any{"id": a.ID, "in": map[string]any{"status": "DONE"}})
		require.Equal(t, "dueDate", b.fails("VALIDATION", "evaluator", update,
			map[string]any{"id": a.ID, "in": map[string]any{"dueDate": "2025-12-31"}}).Extensions["field"])
		require.Equal(t, "status", b.fails("VALIDATION", "evaluator", update,
			map[string]any{"id": a.ID, "in": map[string]any{"status": "FORGOTTEN"}}).Extensions["field"])
		b.fails("NOT_FOUND", "evaluator", update, map[string]any{"id": "30064779999", "in": map[string]any{"status": "DONE"}})

		// A second action, for the next half-year, then lists.
		b.ok("admin", createAction, in(map[string]any{"title": "满意度回访", "periodLabel": "2026H2", "dueDate": "2026-12-31", "kpiKey": nil}), nil)
		list := `query($where: ImprovementActionWhereInput, $order: ImprovementActionOrder) {
			improvementActions(first: 10, where: $where, orderBy: $order) { totalCount edges { node { title periodLabel } } } }`
		var out struct {
			ImprovementActions struct {
				TotalCount int
				Edges      []struct{ Node actionView }
			}
		}
		b.ok("oversight", list, map[string]any{"order": map[string]any{"field": "DUE_DATE", "direction": "DESC"}}, &out)
		require.Equal(t, 2, out.ImprovementActions.TotalCount)
		require.Equal(t, "满意度回访", out.ImprovementActions.Edges[0].Node.Title)
		b.ok("head", list, map[string]any{"where": map[string]any{"periodLabel": "2026H1", "status": "IN_PROGRESS"}}, &out)
		require.Equal(t, 1, out.ImprovementActions.TotalCount)
		require.Equal(t, "热线高峰时段增加值班", out.ImprovementActions.Edges[0].Node.Title)
		b.fails("FORBIDDEN", "handler", list, nil)
		b.fails("FORBIDDEN", "hr", list, nil)

		// Fetching one by its global ID follows the same rule.
		node := `query($id: ID!) { node(id: $id) { ... on ImprovementAction { title } } }`
		b.ok("oversight", node, map[string]any{"id": a.ID}, nil)
		b.fails("FORBIDDEN", "hr", node, map[string]any{"id": a.ID})
	})
}

const evaluationQuery = `query($period: String!, $filter: EvaluationFilter) { evaluation(period: $period, filter: $filter) {
	period { label firstDay lastDay days }
	previousPeriod { firstDay lastDay }
	department { code name }
	efficiencyGain handlingTimeChange
	current {
		received accepted acceptanceRate withinLimitShare satisfactionRate surveyResponseRate repeatPetitioners
		byChannel { channel cases } byKind { kind cases }
		timeToFirstResponse { count medianSeconds p90Seconds }
		topCategories { id code name nameEn cases } topServiceProjects { code name cases }
		trend { start received responded withinLimitShare medianResponseSeconds }
	}
	previous { received timeToFirstResponse { medianSeconds } }
} }`

type evaluationView struct {
	Evaluation struct {
		Period struct {
			Label, FirstDay, LastDay string
			Days                     int
		}
		PreviousPeriod     struct{ FirstDay, LastDay string }
		Department         *struct{ Code, Name string }
		EfficiencyGain     *float64
		HandlingTimeChange *float64
		Current            struct {
			Received, Accepted, RepeatPetitioners                                  int
			AcceptanceRate, WithinLimitShare, SatisfactionRate, SurveyResponseRate float64
			ByChannel                                                              []struct {
				Channel string
				Cases   int
			}
			ByKind []struct {
				Kind  string
				Cases int
			}
			TimeToFirstResponse struct {
				Count                     int
				MedianSeconds, P90Seconds float64
			}
			TopCategories []struct {
				ID, Code, Name, NameEn string
				Cases                  int
			}
			TopServiceProjects []struct {
				Code, Name string
				Cases      int
			}
			Trend []struct {
				Start                                   time.Time
				Received, Responded                     int
				WithinLimitShare, MedianResponseSeconds float64
			}
		}
		Previous struct {
			Received            int
			TimeToFirstResponse struct{ MedianSeconds float64 }
		}
	}
}

// TestEvaluationQueries: the figures, scorecard and report reach
// evaluators and the oversight committee with names from the directory;
// the filter and the organisation's time zone reach the warehouse.
func TestEvaluationQueries(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b, wh := setupWithWarehouse(t, backend)
		loc, err := time.LoadLocation("Asia/Shanghai")
		require.NoError(t, err)

		var ev evaluationView
		b.ok("oversight", evaluationQuery, map[string]any{"period": "2026H1", "filter": map[string]any{
			"departmentId": itoa(b.depts["CS"].ID), "channel": "HOTLINE", "kind": "COMPLAINT",
			"categoryId": itoa(b.cat.ID), "trend": "WEEK", "top": 5}}, &ev)
		q := wh.lastQuery()
		require.True(t, q.From.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, loc)), "from %s", q.From)
		require.True(t, q.To.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, loc)), "to %s", q.To)
		require.Equal(t, int64(b.depts["CS"].ID), q.DepartmentID)
		require.Equal(t, int64(b.cat.ID), q.CategoryID)
		require.Equal(t, "HOTLINE", q.Channel)
		require.Equal(t, "COMPLAINT", q.Kind)
		require.Equal(t, analytics.Week, q.Trend)
		require.Equal(t, 5, q.TopN)
		require.Equal(t, "Asia/Shanghai", q.Location.String())

		e := ev.Evaluation
		require.Equal(t, "2026H1", e.Period.Label)
		require.Equal(t, []string{"2026-01-01", "2026-06-30"}, []string{e.Period.FirstDay, e.Period.LastDay})
		require.Equal(t, 181, e.Period.Days)
		require.Equal(t, []string{"2025-07-04", "2025-12-31"}, []string{e.PreviousPeriod.FirstDay, e.PreviousPeriod.LastDay})
		require.Equal(t, "CS", e.Department.Code)
		require.Equal(t, 0.5, *e.EfficiencyGain)
		require.InDelta(t, 20.0/30-1, *e.HandlingTimeChange, 1e-9)
		require.Equal(t, 20, e.Current.Received)
		require.Equal(t, 0.875, e.Current.SatisfactionRate)
		require.Len(t, e.Current.ByChannel, 6, "every channel, unused ones with 0")
		require.Equal(t, "HOTLINE", e.Current.ByChannel[1].Channel)
		require.Equal(t, 6, e.Current.ByChannel[1].Cases)
		require.Equal(t, 0, e.Current.ByChannel[3].Cases)
		require.Equal(t, 18, e.Current.TimeToFirstResponse.Count)
		require.Equal(t, 72000.0, e.Current.TimeToFirstResponse.MedianSeconds)
		require.Equal(t, itoa(b.cat.ID), e.Current.TopCategories[0].ID)
		require.Equal(t, "SERVICE", e.Current.TopCategories[0].Code)
		require.Equal(t, "服务质量", e.Current.TopCategories[0].Name)
		require.Equal(t, "Service quality", e.Current.TopCategories[0].NameEn)
		require.Equal(t, "#8589939999", e.Current.TopCategories[1].Code, "an ID the directory does not know")
		require.Equal(t, "助学项目", e.Current.TopServiceProjects[0].Name)
		require.Len(t, e.Current.Trend, 2)
		require.Equal(t, 12, e.Current.Trend[0].Received)
		require.Equal(t, 10, e.Previous.Received)

		// Default trend buckets: months for a half-year, weeks for a quarter.
		b.ok("evaluator", evaluationQuery, map[string]any{"period": "2026H1"}, &ev)
		require.Equal(t, analytics.Month, wh.lastQuery().Trend)
		require.Zero(t, wh.lastQuery().DepartmentID)
		require.Equal(t, 10, wh.lastQuery().TopN)
		require.Nil(t, ev.Evaluation.Department)
		b.ok("head", evaluationQuery, map[string]any{"period": "2026-01-01..2026-01-31"}, &ev)
		require.Equal(t, analytics.Week, wh.lastQuery().Trend)
		require.Equal(t, 31, ev.Evaluation.Period.Days)

		asked := wh.count()
		b.fails("FORBIDDEN", "handler", evaluationQuery, map[string]any{"period": "2026H1"})
		b.fails("FORBIDDEN", "hr", evaluationQuery, map[string]any{"period": "2026H1"})
		b.fails("UNAUTHENTICATED", "", evaluationQuery, map[string]any{"period": "2026H1"})
		require.Equal(t, "period", b.fails("VALIDATION", "oversight", evaluationQuery, map[string]any{"period": "2026H3"}).Extensions["field"])
		require.Equal(t, "top", b.fails("VALIDATION", "oversight", evaluationQuery,
			map[string]any{"period": "2026H1", "filter": map[string]any{"top": 51}}).Extensions["field"])
		require.Equal(t, "departmentId", b.fails("VALIDATION", "oversight", evaluationQuery,
			map[string]any{"period": "2026H1", "filter": map[string]any{"departmentId": "12884999999"}}).Extensions["field"])
		require.Equal(t, asked, wh.count(), "refused queries never reach the warehouse")
	})
}

const scorecardQuery = `query($period: String!) { scorecard(period: $period) {
	period { label } asOf kpis { key area title titleEn unit comparison target current status basisEn data { key value unit } } } }`

type scorecardView struct {
	Scorecard struct {
		Period struct{ Label string }
		AsOf   time.Time
		Kpis   []struct {
			Key, Title, TitleEn, Unit, Comparison, Status, BasisEn string
			Area                                                   int
			Target                                                 float64
			Current                                                *float64
			Data                                                   []struct {
				Key, Unit string
				Value     float64
			}
		}
	}
}

func (s scorecardView) kpi(t *testing.T, key string) (status string, current *float64) {
	t.Helper()
	for _, k := range s.Scorecard.Kpis {
		if k.Key == key {
			return k.Status, k.Current
		}
	}
	t.Fatalf("no KPI %s", key)
	return "", nil
}

// TestScorecardAndReport: the scorecard counts the oversight committee and
// the half-year's improvement actions; the report arrives as base64 in
// each format.
func TestScorecardAndReport(t *testing.T) {
	t.Parallel()
	b, _ := setupWithWarehouse(t, testenv.SQLite)
	var sc scorecardView
	b.ok("oversight", scorecardQuery, map[string]any{"period": "2026H1"}, &sc)
	require.Len(t, sc.Scorecard.Kpis, len(evaluation.KPIKeys))
	status, current := sc.kpi(t, evaluation.KPIOversightCommittee)
	require.Equal(t, "MET", status)
	require.Equal(t, 1.0, *current, "one oversight member among the fixtures")
	status, current = sc.kpi(t, evaluation.KPIQuarterlyReports)
	require.Equal(t, "NO_DATA", status)
	require.Nil(t, current)
	status, _ = sc.kpi(t, evaluation.KPISatisfaction)
	require.Equal(t, "MET", status, "87.5% ≥ 85%")
	status, _ = sc.kpi(t, evaluation.KPIHalfYearlyEvaluation)
	require.Equal(t, "AT_RISK", status, "no improvement action yet, and 2026H1 is running")

	b.ok("evaluator", createAction, map[string]any{"in": map[string]any{"title": "满意度回访",
		"departmentID": itoa(b.depts["EVAL"].ID), "dueDate": "2026-06-30", "periodLabel": "2026H1"}}, nil)
	b.ok("oversight", scorecardQuery, map[string]any{"period": "2026H1"}, &sc)
	status, _ = sc.kpi(t, evaluation.KPIHalfYearlyEvaluation)
	require.Equal(t, "MET", status)

	report := `query($period: String!, $format: ReportFormat, $dept: ID) { evaluationReport(period: $period, format: $format, departmentId: $dept) {
		format period { label } document { name contentType base64 } charts { name contentType base64 } } }`
	type file struct{ Name, ContentType, Base64 string }
	var out struct {
		EvaluationReport struct {
			Format   string
			Document file
			Charts   []file
		}
	}
	decode := func(f file) []byte {
		data, err := base64.StdEncoding.DecodeString(f.Base64)
		require.NoError(t, err)
		return data
	}
	b.ok("oversight", report, map[string]any{"period": "2026H1"}, &out)
	r := out.EvaluationReport
	require.Equal(t, "MD", r.Format, "Markdown by default")
	require.Equal(t, "evaluation-2026H1.md", r.Document.Name)
	md := string(decode(r.Document))
	require.Contains(t, md, "# 信访处理效果评估报告 2026H1 / Evaluation Report 2026H1")
	require.Contains(t, md, "| 满意度回访 | 评估部 | 2026-06-30 | 未开始 OPEN | — | 2026H1 |")
	require.Contains(t, md, "(evaluation-2026H1-trend.png)")
	require.Len(t, r.Charts, 2)
	for _, c := range r.Charts {
		require.Equal(t, "image/png", c.ContentType)
		_, err := png.Decode(bytes.NewReader(decode(c)))
		require.NoError(t, err)
	}

	b.ok("evaluator", report, map[string]any{"period": "2026H1", "format": "XLSX", "dept": itoa(b.depts["CS"].ID)}, &out)
	r = out.EvaluationReport
	require.Equal(t, "evaluation-2026H1-CS.xlsx", r.Document.Name)
	f, err := excelize.OpenReader(bytes.NewReader(decode(r.Document)))
	require.NoError(t, err)
	defer f.Close()
	require.Contains(t, f.GetSheetList(), evaluation.SheetKPI)
	cells, err := f.GetPictureCells(evaluation.SheetTrend)
	require.NoError(t, err)
	require.Len(t, cells, 2)

	b.ok("admin", report, map[string]any{"period": "2026Q1", "format": "CSV"}, &out)
	require.True(t, strings.HasPrefix(string(decode(out.EvaluationReport.Document)), "\uFEFFsection,key,"))
	b.fails("FORBIDDEN", "handler", report, map[string]any{"period": "2026H1"})
	require.Equal(t, "format", b.fails("VALIDATION", "admin", report, map[string]any{"period": "2026H1", "format": "PDF"}).Extensions["field"])
}

// TestEvaluationWithoutWarehouse: a server without an analytics warehouse
// says so with UNAVAILABLE instead of showing figures; improvement actions
// still work, and refusals still come first.
func TestEvaluationWithoutWarehouse(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	for _, query := range []string{
		`{ evaluation(period: "2026H1") { current { received } } }`,
		`{ scorecard(period: "2026H1") { kpis { key } } }`,
		`{ evaluationReport(period: "2026H1", format: XLSX) { document { name } } }`,
	} {
		resp := b.do(request{as: "oversight", lang: "en", query: query})
		require.Len(t, resp.Errors, 1, query)
		require.Equal(t, "UNAVAILABLE", resp.Errors[0].Code(), query)
		require.Contains(t, strings.ToLower(resp.Errors[0].Message), "analytics warehouse not configured")
		require.Equal(t, "null", string(resp.Data), "no figures at all")
		b.fails("FORBIDDEN", "handler", query, nil)
	}
	resp := b.do(request{as: "oversight", lang: "zh-CN", query: `{ scorecard(period: "2026H1") { kpis { key } } }`})
	require.Equal(t, "未配置分析数据仓库：本服务器无法提供评估数据，请联系运维人员配置。", resp.Errors[0].Message)
	b.ok("oversight", `{ improvementActions(first: 5) { totalCount } }`, nil, nil)
}
