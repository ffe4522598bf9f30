package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/evaluation"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
)

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
		received accepted declined acceptanceRate responded withinLimit withinLimitShare breaches closed rated satisfied
		satisfactionRate surveyResponseRate petitioners repeatPetitioners
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
			Received, Accepted, Declined, Responded, WithinLimit, Breaches, Closed int
			Rated, Satisfied, Petitioners, RepeatPetitioners                       int
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

// evaluationCases are the cases buildEvaluationCases files, by the letter
// its comments use.
type evaluationCases struct{ a, b, c, d, e, p string }

// buildEvaluationCases files and handles cases through GraphQL, then relays
// their events from the outbox into the app's warehouse. Starting at t0 =
// 2026-03-02 09:00 in Shanghai (2026H1), the cases are:
//
//	A  web complaint, category SERVICE, project EDU → CS, transferred to
//	   ADMIN; answered after 20 h, closed, rated 5
//	B  web complaint → CS; answered after 30 h, closed, rated 2
//	C  hotline inquiry, category SERVICE → ADMIN; accepted, in progress
//	D  anonymous web suggestion → CS; declined
//	E  web complaint → CS; answered after 50 h, past the 48 h limit, closed
//	P  letter received 2025-12-15 (the previous half-year, 2025-07-04 to
//	   2025-12-31), recorded at t0 and answered at once: 77 days
//
// So for 2026H1: 5 received (4 web, 1 hotline; 3 complaints, 1 inquiry, 1
// suggestion), 4 accepted, 1 declined, 3 responded (20 h, 30 h, 50 h:
// median 30 h, P90 50 h), 2 within the limit, 1 breach, 3 closed, 2 rated,
// 1 satisfied, 4 identified petitioners, none repeating; SERVICE ranks
// first with 2 cases, EDU with 1. The previous period: P alone.
func (b *testBundle) buildEvaluationCases() evaluationCases {
	b.t.Helper()
	t := b.t
	receipts := map[string]submitted{}
	submit := func(in map[string]any) string {
		t.Helper()
		var out struct {
			SubmitCase struct{ TrackingCode, Pin string }
		}
		b.ok("", `mutation($in: SubmitCaseInput!) { submitCase(input: $in) { trackingCode pin } }`, map[string]any{"in": in}, &out)
		id, _, ok := workflow.ParseTrackingCode(out.SubmitCase.TrackingCode)
		require.True(t, ok)
		receipts[itoa(id)] = submitted{ID: itoa(id), TrackingCode: out.SubmitCase.TrackingCode, PIN: out.SubmitCase.Pin}
		return itoa(id)
	}
	record := func(in map[string]any) string {
		t.Helper()
		var out struct {
			RecordCase struct{ Case struct{ ID string } }
		}
		b.ok("intake", `mutation($in: RecordCaseInput!) { recordCase(input: $in) { case { id } } }`, map[string]any{"in": in}, &out)
		return out.RecordCase.Case.ID
	}
	cat, project := itoa(b.cat.ID), itoa(b.project.ID)
	cs := evaluationCases{
		a: submit(map[string]any{"kind": "COMPLAINT", "subject": "助学金发放延迟", "body": "助学金比约定晚了两个月。",
			"categoryId": cat, "serviceProjectId": project, "name": "王五", "phone": "13900139001"}),
		b: submit(map[string]any{"kind": "COMPLAINT", "subject": "热线无人接听", "body": "连续三天打不通热线。", "name": "赵六", "phone": "13900139002"}),
		c: record(map[string]any{"channel": "HOTLINE", "kind": "INQUIRY", "subject": "服务时间咨询", "body": "周末是否开放？",
			"categoryId": cat, "name": "钱七", "phone": "13900139003"}),
		d: submit(map[string]any{"kind": "SUGGESTION", "subject": "建议", "body": "希望增加英文资料。", "anonymous": true}),
		e: submit(map[string]any{"kind": "COMPLAINT", "subject": "窗口态度差", "body": "工作人员态度生硬。", "name": "孙八", "phone": "13900139004"}),
		p: record(map[string]any{"channel": "LETTER", "kind": "SUGGESTION", "subject": "来信建议", "body": "建议公开年度报告。",
			"receivedAt": "2025-12-15T09:00:00+08:00", "name": "周九", "phone": "13900139005"}),
	}
	require.Equal(t, "CS", b.getCase("admin", cs.a).Department.Code, "the public form goes to intake")
	a := b.act("intake", "transferCase", map[string]any{"id": cs.a, "version": 1, "departmentId": itoa(b.depts["ADMIN"].ID), "reason": "属于行政部职责"})
	require.Equal(t, "ADMIN", a.Department.Code)
	require.Equal(t, "ADMIN", b.getCase("admin", cs.c).Department.Code, "recorded: routed to the category's department")

	// Accepted, assigned and started at t0; versions as each step returns them.
	versions := map[string]int{}
	for _, h := range []struct{ id, head, handler string }{
		{cs.a, "adminHead", "adminHand"}, {cs.b, "head", "handler"}, {cs.c, "adminHead", "adminHand"},
		{cs.e, "head", "handler"}, {cs.p, "head", "handler"},
	} {
		c := b.getCase("admin", h.id)
		if c.Status == "SUBMITTED" {
			c = b.act("admin", "acceptCase", map[string]any{"id": h.id, "version": c.Version})
		}
		c = b.act(h.head, "assignCase", map[string]any{"id": h.id, "version": c.Version, "assigneeId": itoa(b.staff[h.handler].ID)})
		c = b.act(h.handler, "startWork", map[string]any{"id": h.id, "version": c.Version})
		require.Equal(t, "IN_PROGRESS", c.Status)
		versions[h.id] = c.Version
	}
	b.act("admin", "declineCase", map[string]any{"id": cs.d, "version": 1, "reason": "不属于本机构受理范围"})
	answer := func(id, handler string, rating int) {
		t.Helper()
		c := b.act(handler, "respondCase", map[string]any{"id": id, "version": versions[id], "outcome": "EXPLAINED", "reply": "已核实并答复。"})
		require.Equal(t, "RESPONDED", c.Status)
		c = b.act(handler, "closeCase", map[string]any{"id": id, "version": c.Version})
		require.Equal(t, "CLOSED", c.Status)
		if rating > 0 {
			require.Equal(t, rating, *b.petitioner(receipts[id], "rateCase", map[string]any{"rating": rating}).Rating)
		}
	}
	answer(cs.p, "handler", 0)
	b.clock.Advance(20 * time.Hour)
	answer(cs.a, "adminHand", 5)
	b.clock.Advance(10 * time.Hour)
	answer(cs.b, "handler", 2)
	b.clock.Advance(20 * time.Hour) // t0 + 50 h: 2 h past E's deadline
	require.True(t, b.getCase("handler", cs.e).Overdue)
	answer(cs.e, "handler", 0)

	rc, err := app.RelayConfig(b.cfg, b.app.DB, b.app.Warehouse, slog.New(slog.DiscardHandler), nil)
	require.NoError(t, err)
	relay, err := analytics.NewRelay(rc)
	require.NoError(t, err)
	ctx := context.Background()
	shipped, err := relay.Drain(ctx)
	require.NoError(t, err)
	require.Positive(t, shipped)
	again, err := relay.Drain(ctx)
	require.NoError(t, err)
	require.Zero(t, again, "the outbox is empty after a drain")
	return cs
}

// TestEvaluationQueries: cases handled through the API reach the
// warehouse through the outbox and the relay, and evaluators and the
// oversight committee read back exactly the figures those cases make, with
// names from the directory, filtered and bucketed in the organisation's
// time zone.
func TestEvaluationQueries(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		b.buildEvaluationCases()
		loc, err := time.LoadLocation("Asia/Shanghai")
		require.NoError(t, err)
		march := time.Date(2026, 3, 1, 0, 0, 0, 0, loc)

		// The whole organisation, monthly buckets by default for a half-year.
		var ev evaluationView
		b.ok("evaluator", evaluationQuery, map[string]any{"period": "2026H1"}, &ev)
		e := ev.Evaluation
		require.Equal(t, "2026H1", e.Period.Label)
		require.Equal(t, []string{"2026-01-01", "2026-06-30"}, []string{e.Period.FirstDay, e.Period.LastDay})
		require.Equal(t, 181, e.Period.Days)
		require.Equal(t, []string{"2025-07-04", "2025-12-31"}, []string{e.PreviousPeriod.FirstDay, e.PreviousPeriod.LastDay})
		require.Nil(t, e.Department)
		cur := e.Current
		require.Equal(t, [4]int{5, 4, 1, 3}, [4]int{cur.Received, cur.Accepted, cur.Declined, cur.Responded}, "received, accepted, declined, responded")
		require.Equal(t, 0.8, cur.AcceptanceRate)
		require.Equal(t, [3]int{2, 1, 3}, [3]int{cur.WithinLimit, cur.Breaches, cur.Closed}, "within the limit, breaches, closed")
		require.InDelta(t, 2.0/3, cur.WithinLimitShare, 1e-9)
		require.Equal(t, [2]int{2, 1}, [2]int{cur.Rated, cur.Satisfied})
		require.Equal(t, 0.5, cur.SatisfactionRate)
		require.InDelta(t, 2.0/3, cur.SurveyResponseRate, 1e-9)
		require.Equal(t, 4, cur.Petitioners, "D was anonymous")
		require.Zero(t, cur.RepeatPetitioners, "each case has its own petitioner record")
		require.Equal(t, 3, cur.TimeToFirstResponse.Count)
		require.Equal(t, 30*3600.0, cur.TimeToFirstResponse.MedianSeconds)
		require.Equal(t, 50*3600.0, cur.TimeToFirstResponse.P90Seconds)
		require.Equal(t, map[string]int{"WEB": 4, "HOTLINE": 1, "EMAIL": 0, "LETTER": 0, "VISIT": 0, "CONSULTATION": 0}, channelsOf(cur.ByChannel),
			"every channel, unused ones with 0")
		require.Len(t, cur.ByChannel, 6)
		require.Equal(t, "WEB", cur.ByChannel[0].Channel)
		require.Equal(t, "HOTLINE", cur.ByChannel[1].Channel)
		kinds := map[string]int{}
		for _, k := range cur.ByKind {
			kinds[k.Kind] = k.Cases
		}
		require.Equal(t, map[string]int{"COMPLAINT": 3, "SUGGESTION": 1, "INQUIRY": 1, "PRAISE": 0, "REPORT": 0}, kinds)
		require.Len(t, cur.TopCategories, 1, "only cases with a category are ranked")
		top := cur.TopCategories[0]
		require.Equal(t, []string{itoa(b.cat.ID), "SERVICE", "服务质量", "Service quality"}, []string{top.ID, top.Code, top.Name, top.NameEn})
		require.Equal(t, 2, top.Cases)
		require.Len(t, cur.TopServiceProjects, 1)
		require.Equal(t, "助学项目", cur.TopServiceProjects[0].Name)
		require.Equal(t, 1, cur.TopServiceProjects[0].Cases)
		require.Len(t, cur.Trend, 6, "January to June")
		for i, p := range cur.Trend {
			require.True(t, p.Start.Equal(time.Date(2026, time.Month(i+1), 1, 0, 0, 0, 0, loc)), "bucket %d starts %s", i, p.Start)
			if !p.Start.Equal(march) {
				require.Zero(t, p.Received, "bucket %s", p.Start)
				continue
			}
			require.Equal(t, [2]int{5, 3}, [2]int{p.Received, p.Responded})
			require.InDelta(t, 2.0/3, p.WithinLimitShare, 1e-9)
			require.Equal(t, 30*3600.0, p.MedianResponseSeconds)
		}
		// The previous half-year holds P alone: 77 days from receipt to answer.
		const pSecs = 77 * 24 * 3600.0
		require.Equal(t, 1, e.Previous.Received)
		require.Equal(t, pSecs, e.Previous.TimeToFirstResponse.MedianSeconds)
		require.InDelta(t, pSecs/(30*3600)-1, *e.EfficiencyGain, 1e-9)
		require.InDelta(t, 30*3600/pSecs-1, *e.HandlingTimeChange, 1e-9)

		// One department and category, weekly: A and C.
		b.ok("oversight", evaluationQuery, map[string]any{"period": "2026H1", "filter": map[string]any{
			"departmentId": itoa(b.depts["ADMIN"].ID), "categoryId": itoa(b.cat.ID), "trend": "WEEK", "top": 5}}, &ev)
		e = ev.Evaluation
		require.Equal(t, "ADMIN", e.Department.Code)
		require.Equal(t, "行政部", e.Department.Name)
		cur = e.Current
		require.Equal(t, [4]int{2, 2, 0, 1}, [4]int{cur.Received, cur.Accepted, cur.Declined, cur.Responded})
		require.Equal(t, 1.0, cur.AcceptanceRate)
		require.Equal(t, 1.0, cur.WithinLimitShare)
		require.Equal(t, 1.0, cur.SatisfactionRate)
		require.Equal(t, 20*3600.0, cur.TimeToFirstResponse.MedianSeconds)
		require.Equal(t, map[string]int{"WEB": 1, "HOTLINE": 1, "EMAIL": 0, "LETTER": 0, "VISIT": 0, "CONSULTATION": 0}, channelsOf(cur.ByChannel))
		require.Equal(t, 2, cur.TopCategories[0].Cases)
		require.Len(t, cur.Trend, 27, "the weeks from Monday 2025-12-29 to Monday 2026-06-29")
		require.True(t, cur.Trend[0].Start.Equal(time.Date(2025, 12, 29, 0, 0, 0, 0, loc)), "weeks start on Monday: %s", cur.Trend[0].Start)
		received := 0
		for _, p := range cur.Trend {
			received += p.Received
			if p.Start.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, loc)) {
				require.Equal(t, [2]int{2, 1}, [2]int{p.Received, p.Responded})
				require.Equal(t, 20*3600.0, p.MedianResponseSeconds)
			}
		}
		require.Equal(t, 2, received, "both in the week of 2026-03-02")
		require.Zero(t, e.Previous.Received, "P was in CS")
		require.Nil(t, e.EfficiencyGain, "no previous response to compare with")
		require.Nil(t, e.HandlingTimeChange)

		// Channel and kind narrow it to C; CS holds B, D and E, and P before.
		b.ok("oversight", evaluationQuery, map[string]any{"period": "2026H1", "filter": map[string]any{
			"channel": "HOTLINE", "kind": "INQUIRY"}}, &ev)
		require.Equal(t, [3]int{1, 1, 0}, [3]int{ev.Evaluation.Current.Received, ev.Evaluation.Current.Accepted, ev.Evaluation.Current.Responded})
		b.ok("head", evaluationQuery, map[string]any{"period": "2026H1", "filter": map[string]any{"departmentId": itoa(b.depts["CS"].ID)}}, &ev)
		cur = ev.Evaluation.Current
		require.Equal(t, [4]int{3, 2, 1, 2}, [4]int{cur.Received, cur.Accepted, cur.Declined, cur.Responded})
		require.Equal(t, 0.5, cur.WithinLimitShare, "B in time, E late")
		require.Equal(t, 0.0, cur.SatisfactionRate, "B rated 2")
		require.Equal(t, 1, ev.Evaluation.Previous.Received)

		// A month defaults to weekly buckets; nothing was received in January.
		b.ok("head", evaluationQuery, map[string]any{"period": "2026-01-01..2026-01-31"}, &ev)
		require.Equal(t, 31, ev.Evaluation.Period.Days)
		require.Zero(t, ev.Evaluation.Current.Received)
		require.Len(t, ev.Evaluation.Current.Trend, 5, "the weeks of 2025-12-29 to 2026-01-26")
		require.Nil(t, ev.Evaluation.EfficiencyGain)

		b.fails("FORBIDDEN", "handler", evaluationQuery, map[string]any{"period": "2026H1"})
		b.fails("FORBIDDEN", "hr", evaluationQuery, map[string]any{"period": "2026H1"})
		b.fails("UNAUTHENTICATED", "", evaluationQuery, map[string]any{"period": "2026H1"})
		require.Equal(t, "period", b.fails("VALIDATION", "oversight", evaluationQuery, map[string]any{"period": "2026H3"}).Extensions["field"])
		require.Equal(t, "top", b.fails("VALIDATION", "oversight", evaluationQuery,
			map[string]any{"period": "2026H1", "filter": map[string]any{"top": 51}}).Extensions["field"])
		require.Equal(t, "departmentId", b.fails("VALIDATION", "oversight", evaluationQuery,
			map[string]any{"period": "2026H1", "filter": map[string]any{"departmentId": "12884999999"}}).Extensions["field"])
	})
}

// channelsOf maps the channels of a breakdown to their cases.
func channelsOf(list []struct {
	Channel string
	Cases   int
}) map[string]int {
	out := map[string]int{}
	for _, c := range list {
		out[c.Channel] = c.Cases
	}
	return out
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

// data maps a KPI's data to their values.
func (s scorecardView) data(t *testing.T, key string) map[string]float64 {
	t.Helper()
	for _, k := range s.Scorecard.Kpis {
		if k.Key == key {
			out := map[string]float64{}
			for _, d := range k.Data {
				out[d.Key] = d.Value
			}
			return out
		}
	}
	t.Fatalf("no KPI %s", key)
	return nil
}

// TestScorecardAndReport: the scorecard judges the relayed figures against
// the seed strategy's targets and counts the oversight committee and the
// half-year's improvement actions; the report carries the same figures, as
// base64, in each format.
func TestScorecardAndReport(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		b.buildEvaluationCases() // now 2026-03-04 11:00 in Shanghai: 2026H1 is running
		var sc scorecardView
		b.ok("oversight", scorecardQuery, map[string]any{"period": "2026H1"}, &sc)
		require.Len(t, sc.Scorecard.Kpis, len(evaluation.KPIKeys))
		for _, want := range []struct {
			key, status string
			current     float64
		}{
			{evaluation.KPIChannelsInUse, "AT_RISK", 2},             // web and hotline of the three
			{evaluation.KPIResponseWithinLimit, "AT_RISK", 2.0 / 3}, // E was late
			{evaluation.KPIMedianFirstResponse, "MET", 30},          // hours, ≤ 48
			{evaluation.KPIEfficiencyGain, "MET", 1848.0/30 - 1},    // P's 1848 h before
			{evaluation.KPISatisfaction, "AT_RISK", 0.5},            // A's 5 and B's 2
			{evaluation.KPIOversightCommittee, "MET", 1},            // one among the fixtures
			{evaluation.KPIHalfYearlyEvaluation, "AT_RISK", 0},      // no improvement action yet
		} {
			status, current := sc.kpi(t, want.key)
			require.Equal(t, want.status, status, want.key)
			require.InDelta(t, want.current, *current, 1e-9, want.key)
		}
		require.Equal(t, map[string]float64{"responded": 3, "withinLimit": 2, "breaches": 1, "extensions": 0},
			sc.data(t, evaluation.KPIResponseWithinLimit))
		require.Equal(t, map[string]float64{"rated": 2, "satisfied": 1, "closed": 3, "surveyResponseRate": 2.0 / 3},
			sc.data(t, evaluation.KPISatisfaction))
		status, current := sc.kpi(t, evaluation.KPIQuarterlyReports)
		require.Equal(t, "NO_DATA", status)
		require.Nil(t, current)

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
		require.Contains(t, md, "| 收到信访 Received | 5 | 1 | +4 | +400.0% |")
		require.Contains(t, md, "| 2026-03-01 | 5 | 3 | 66.7% | 50.0% | 30.0 h |")
		require.Contains(t, md, "| 服务质量 Service quality | SERVICE | 2 |")
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
		csv := string(decode(out.EvaluationReport.Document))
		require.True(t, strings.HasPrefix(csv, "\uFEFFsection,key,"))
		require.Contains(t, csv, "figure,received,收到信访,Received,5,1,4,4,,,COUNT\n", "P falls in 2025-10-03..2025-12-31 too")
		b.fails("FORBIDDEN", "handler", report, map[string]any{"period": "2026H1"})
		require.Equal(t, "format", b.fails("VALIDATION", "admin", report, map[string]any{"period": "2026H1", "format": "PDF"}).Extensions["field"])
	})
}

// TestEvaluationWithoutWarehouse: a server without an analytics warehouse
// says so with UNAVAILABLE instead of showing figures; improvement actions
// still work, and refusals still come first.
func TestEvaluationWithoutWarehouse(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite, func(_ *config.Config, o *app.Options) { o.WithoutWarehouse = true })
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
