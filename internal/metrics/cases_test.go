package metrics_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/schema/schematype"
	"github.com/xinfang/xinfang/internal/metrics"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// TestNewCasesStartsAtZero: every series of the known departments exists
// at zero before any case changes.
func TestNewCasesStartsAtZero(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	metrics.NewCases(reg, []string{"CS", "ADMIN", "HR"})
	count := func(name string) int {
		n, err := testutil.GatherAndCount(reg, name)
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 3*6, count("xinfang_cases_open"), "departments × unclosed statuses")
	for _, name := range []string{"xinfang_sla_cases_at_risk", "xinfang_sla_cases_breached", "xinfang_sla_cases_escalated",
		"xinfang_case_first_response_seconds", "xinfang_case_resolution_seconds"} {
		require.Equal(t, 3, count(name), name)
	}
	require.Equal(t, 3*3, count("xinfang_sla_events_total"), "departments × levels")
	require.Equal(t, 3, count("xinfang_sla_deadline_headroom_seconds"), "decide, respond, resolve")
	require.Equal(t, 22, count("xinfang_case_transitions_total"), "every event type")
	require.Equal(t, 5, count("xinfang_case_ratings_total"))
	require.Equal(t, 6*5, count("xinfang_case_intake_total"), "channels × kinds")
	require.Equal(t, 1, count("xinfang_cases_reconciled_timestamp_seconds"))
	require.Zero(t, gauge(t, reg, "xinfang_cases_open", "department", "HR", "status", "RESPONDED"))
	require.Zero(t, gauge(t, reg, "xinfang_cases_reconciled_timestamp_seconds"))
	require.Zero(t, counter(t, reg, "xinfang_case_intake_total", "channel", "VISIT", "kind", "REPORT"))

	require.Panics(t, func() { metrics.NewCases(reg, nil) }, "a second Cases on one registry is a programming error")
}

// TestCasesFollowTheWorkflow drives cases through the real workflow and
// checks every case metric against hand counts and against the database.
func TestCasesFollowTheWorkflow(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			b := setup(t, backend)
			ctx, reg, ok := b.admin, b.reg, must(t)
			open := func(dept, status string) float64 {
				t.Helper()
				return gauge(t, reg, "xinfang_cases_open", "department", dept, "status", status)
			}
			sla := func(name, dept string) float64 {
				t.Helper()
				return gauge(t, reg, "xinfang_sla_cases_"+name, "department", dept)
			}
			// Expected headroom observations, in seconds, by deadline.
			headroom := map[string][]float64{}
			expectHeadroom := func(deadline string, due *time.Time) {
				require.NotNil(t, due, "the policy sets a %s deadline", deadline)
				headroom[deadline] = append(headroom[deadline], due.Sub(b.clk.Now()).Seconds())
			}

			// Case 1: the whole life of a web complaint, then a review round.
			c1 := b.submit(t, "网上投诉")
			received := c1.ReceivedAt
			require.Equal(t, 1.0, open("CS", "SUBMITTED"))
			require.Equal(t, 1.0, counter(t, reg, "xinfang_case_intake_total", "channel", "WEB", "kind", "COMPLAINT"))
			b.clk.Advance(time.Hour)
			expectHeadroom("decide", c1.DecideDue)
			c1 = ok(b.wf.Accept(ctx, ref(c1), nil))
			require.Equal(t, 0.0, open("CS", "SUBMITTED"))
			require.Equal(t, 1.0, open("CS", "ACCEPTED"))
			c1 = ok(b.wf.Assign(ctx, ref(c1), b.handlers["CS"]))
			c1 = ok(b.wf.StartWork(ctx, ref(c1)))
			require.Equal(t, 1.0, open("CS", "IN_PROGRESS"))
			require.Equal(t, 0.0, open("CS", "ACCEPTED")+open("CS", "ASSIGNED"))
			c1 = ok(b.wf.RequestInformation(ctx, ref(c1), "请补充材料"))
			require.Equal(t, 1.0, open("CS", "AWAITING_PETITIONER"), "a paused case is still unclosed")
			b.clk.Advance(2 * time.Hour)
			c1 = ok(b.wf.ProvideInformation(petitioner(ctx, c1.ID), ref(c1), "材料"))
			require.Equal(t, 0.0, open("CS", "AWAITING_PETITIONER"))
			c1 = ok(b.wf.AddNote(ctx, ref(c1), "内部备注", false))
			require.Equal(t, 1.0, open("CS", "IN_PROGRESS"), "a note changes no gauge")
			b.clk.Advance(3 * time.Hour)
			expectHeadroom("respond", c1.RespondDue)
			c1 = ok(b.wf.Respond(ctx, ref(c1), casefile.OutcomeSUPPORTED, "答复"))
			require.Equal(t, 1.0, open("CS", "RESPONDED"), "answered but not closed")
			n, sum := histogram(t, reg, "xinfang_case_first_response_seconds", "department", "CS")
			require.Equal(t, uint64(1), n)
			require.Equal(t, (6 * time.Hour).Seconds(), sum)
			b.clk.Advance(24 * time.Hour)
			expectHeadroom("resolve", c1.ResolveDue)
			c1 = ok(b.wf.Close(ctx, ref(c1)))
			require.Equal(t, 0.0, open("CS", "RESPONDED"))
			n, sum = histogram(t, reg, "xinfang_case_resolution_seconds", "department", "CS")
			require.Equal(t, uint64(1), n)
			require.Equal(t, (30 * time.Hour).Seconds(), sum)
			require.WithinDuration(t, received.Add(30*time.Hour), *c1.ClosedAt, 0)
			c1 = ok(b.wf.Rate(petitioner(ctx, c1.ID), ref(c1), 4, ""))
			for r, want := range map[string]float64{"1": 0, "2": 0, "3": 0, "4": 1, "5": 0} {
				require.Equal(t, want, counter(t, reg, "xinfang_case_ratings_total", "rating", r), r)
			}
			b.clk.Advance(time.Hour)
			c1 = ok(b.wf.RequestReview(petitioner(ctx, c1.ID), ref(c1), "不满意"))
			require.Equal(t, 1.0, open("CS", "ACCEPTED"), "a review reopens the case")
			reviewRequested := b.clk.Now()
			c1 = ok(b.wf.Assign(ctx, ref(c1), b.handlers["CS"]))
			c1 = ok(b.wf.StartWork(ctx, ref(c1)))
			b.clk.Advance(4 * time.Hour)
			expectHeadroom("respond", c1.RespondDue)
			c1 = ok(b.wf.Respond(ctx, ref(c1), casefile.OutcomeSUPPORTED, "复查答复"))
			n, _ = histogram(t, reg, "xinfang_case_first_response_seconds", "department", "CS")
			require.Equal(t, uint64(1), n, "a review's reply is not a first response")
			b.clk.Advance(time.Hour)
			expectHeadroom("resolve", c1.ResolveDue)
			c1 = ok(b.wf.Close(ctx, ref(c1)))
			n, sum = histogram(t, reg, "xinfang_case_resolution_seconds", "department", "CS")
			require.Equal(t, uint64(2), n)
			require.Equal(t, (30*time.Hour + 5*time.Hour).Seconds(), sum, "a review round runs from the review request")
			require.WithinDuration(t, reviewRequested.Add(5*time.Hour), *c1.ClosedAt, 0)

			// Case 2: recorded by hotline, transferred to ADMIN, warned,
			// breached, escalated, transferred back, then relieved by the
			// watcher (an extension) without an event.
			rec := submission("来电")
			rec.Channel, rec.Kind = casefile.ChannelHOTLINE, casefile.KindSUGGESTION
			r2, err := b.wf.Record(ctx, rec)
			require.NoError(t, err)
			c2 := b.get(t, r2.CaseID)
			require.Equal(t, 1.0, counter(t, reg, "xinfang_case_intake_total", "channel", "HOTLINE", "kind", "SUGGESTION"))
			b.clk.Advance(30 * time.Minute)
			expectHeadroom("decide", c2.DecideDue)
			c2 = ok(b.wf.Accept(ctx, ref(c2), nil))
			c2 = ok(b.wf.Transfer(ctx, ref(c2), b.depts["ADMIN"], "不属于本部门"))
			require.Equal(t, 0.0, open("CS", "ACCEPTED"))
			require.Equal(t, 1.0, open("ADMIN", "ACCEPTED"))
			check := func(c *ent.CaseFile, level int) *ent.CaseFile {
				t.Helper()
				running, ok := workflow.Running(c)
				require.True(t, ok)
				_, err := b.wf.RecordDeadlineCheck(context.Background(), c, workflow.DeadlineCheck{
					Deadline:   running,
					Escalation: policy.Escalation{Level: level, NextCheck: b.clk.Now().Add(time.Hour)},
				})
				require.NoError(t, err)
				return b.get(t, c.ID)
			}
			c2 = check(c2, policy.LevelWarned)
			require.Equal(t, []float64{1, 0, 0}, []float64{sla("at_risk", "ADMIN"), sla("breached", "ADMIN"), sla("escalated", "ADMIN")})
			c2 = check(c2, policy.LevelBreached)
			require.Equal(t, []float64{0, 1, 0}, []float64{sla("at_risk", "ADMIN"), sla("breached", "ADMIN"), sla("escalated", "ADMIN")})
			c2 = check(c2, policy.LevelEscalated)
			require.Equal(t, []float64{0, 1, 1}, []float64{sla("at_risk", "ADMIN"), sla("breached", "ADMIN"), sla("escalated", "ADMIN")})
			for _, level := range []string{"warning", "breached", "escalated"} {
				require.Equal(t, 1.0, counter(t, reg, "xinfang_sla_events_total", "department", "ADMIN", "level", level), level)
				require.Equal(t, 0.0, counter(t, reg, "xinfang_sla_events_total", "department", "CS", "level", level), level)
			}
			c2 = ok(b.wf.Transfer(ctx, ref(c2), b.depts["CS"], "退回"))
			require.Equal(t, casefile.SLAStateESCALATED, c2.SLAState, "the same deadline keeps its level")
			require.Equal(t, []float64{0, 0, 0}, []float64{open("ADMIN", "ACCEPTED"), sla("breached", "ADMIN"), sla("escalated", "ADMIN")})
			require.Equal(t, []float64{1, 1, 1}, []float64{open("CS", "ACCEPTED"), sla("breached", "CS"), sla("escalated", "CS")})
			transitionsBefore := transitions(t, reg)
			c2 = check(c2, policy.LevelFine)
			require.Equal(t, casefile.SLAStateON_TRACK, c2.SLAState)
			require.Equal(t, []float64{1, 0, 0}, []float64{open("CS", "ACCEPTED"), sla("breached", "CS"), sla("escalated", "CS")})
			require.Equal(t, transitionsBefore, transitions(t, reg), "a lowered level is no transition")

			// Cases 3 and 4: a duplicate merged. Case 5: declined.
			c3 := b.submit(t, "重复投诉一")
			c4 := b.submit(t, "重复投诉二")
			require.Equal(t, 2.0, open("CS", "SUBMITTED"))
			ok(b.wf.Merge(ctx, ref(c4), c3.ID))
			require.Equal(t, 1.0, open("CS", "SUBMITTED"))
			c5 := b.submit(t, "不受理")
			b.clk.Advance(2 * time.Hour)
			expectHeadroom("decide", c5.DecideDue)
			ok(b.wf.Decline(ctx, ref(c5), "不属于受理范围"))
			require.Equal(t, 1.0, open("CS", "SUBMITTED"), "a declined case is closed")
			require.Equal(t, 4.0, counter(t, reg, "xinfang_case_intake_total", "channel", "WEB", "kind", "COMPLAINT"), "cases 1, 3, 4, 5")

			for deadline, values := range headroom {
				n, sum := histogram(t, reg, "xinfang_sla_deadline_headroom_seconds", "deadline", deadline)
				require.Equal(t, uint64(len(values)), n, deadline)
				want := 0.0
				for _, v := range values {
					want += v
				}
				require.InDelta(t, want, sum, 1e-6, deadline)
			}
			require.Len(t, headroom["decide"], 3)
			require.Len(t, headroom["respond"], 2)
			require.Len(t, headroom["resolve"], 2)

			// Every event in the database was counted once, by type.
			var events []struct {
				Type  caseevent.Type `json:"type"`
				Count int            `json:"count"`
			}
			require.NoError(t, b.db.Client.CaseEvent.Query().GroupBy(caseevent.FieldType).
				Aggregate(ent.Count()).Scan(context.Background(), &events))
			stored := map[string]float64{}
			for _, e := range events {
				stored[string(e.Type)] = float64(e.Count)
			}
			counted := transitions(t, reg)
			for event, n := range counted {
				if n == 0 {
					delete(counted, event)
				}
			}
			require.Equal(t, stored, counted)
			require.Equal(t, 1.0, counted["DUPLICATE_MERGED"])

			// The running totals equal the database's counts.
			truth := prometheus.NewRegistry()
			require.NoError(t, metrics.NewCases(truth, []string{"CS", "ADMIN"}).Reconcile(context.Background(), b.wf.CountUnclosed))
			require.Equal(t, caseGauges(t, truth), caseGauges(t, reg))
			require.Equal(t, []float64{1, 1}, []float64{open("CS", "SUBMITTED"), open("CS", "ACCEPTED")}, "case 3, case 2")
		})
	}
}

// transitions are the values of xinfang_case_transitions_total by event.
func transitions(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	families, err := g.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() == "xinfang_case_transitions_total" {
			for _, m := range f.GetMetric() {
				out[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// TestCasesNewDepartment: a department created after the start gets its
// series with its first case, and a case without a department counts
// under NONE.
func TestCasesNewDepartment(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := metrics.NewCases(reg, []string{"CS"})
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	newCase := &ent.CaseFile{Status: workflow.UnclosedStatuses[0], SLAState: casefile.SLAStateON_TRACK,
		Channel: casefile.ChannelEMAIL, Kind: casefile.KindINQUIRY, ReceivedAt: at}
	c.CaseChanged(context.Background(), workflow.Change{Event: caseevent.TypeRECORDED, At: at, After: newCase, DepartmentAfter: "NEW"})
	c.CaseChanged(context.Background(), workflow.Change{Event: caseevent.TypeRECORDED, At: at, After: newCase})
	require.Equal(t, 1.0, gauge(t, reg, "xinfang_cases_open", "department", "NEW", "status", "SUBMITTED"))
	require.Equal(t, 1.0, gauge(t, reg, "xinfang_cases_open", "department", metrics.NoDepartment, "status", "SUBMITTED"))
	require.Equal(t, 0.0, gauge(t, reg, "xinfang_cases_open", "department", "NEW", "status", "RESPONDED"))
	require.Equal(t, 2.0, counter(t, reg, "xinfang_case_intake_total", "channel", "EMAIL", "kind", "INQUIRY"))
	n, err := testutil.GatherAndCount(reg, "xinfang_sla_cases_at_risk")
	require.NoError(t, err)
	require.Equal(t, 3, n, "CS, NEW and NONE")
}

// TestCasesConcurrentChanges: changes from many requests at once, in
// departments that appear meanwhile, while the registry is scraped, add up
// exactly (run with -race for the memory model's side).
func TestCasesConcurrentChanges(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := metrics.NewCases(reg, []string{"CS"})
	const workers, perWorker = 16, 500
	depts := []string{"CS", "D1", "D2", "D3"}
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	ctx := context.Background()
	done := make(chan struct{})
	scraped := make(chan error, 1)
	go func() {
		for {
			select {
			case <-done:
				scraped <- nil
				return
			default:
				if _, err := reg.Gather(); err != nil {
					scraped <- err
					return
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				dept := depts[(w+i)%len(depts)]
				submitted := &ent.CaseFile{Status: schematype.StatusSubmitted, SLAState: casefile.SLAStateON_TRACK,
					Channel: casefile.ChannelWEB, Kind: casefile.KindCOMPLAINT, ReceivedAt: at}
				c.CaseChanged(ctx, workflow.Change{Event: caseevent.TypeSUBMITTED, At: at, After: submitted, DepartmentAfter: dept})
				accepted := *submitted
				accepted.Status, accepted.SLAState = schematype.StatusAccepted, casefile.SLAStateAT_RISK
				c.CaseChanged(ctx, workflow.Change{Event: caseevent.TypeACCEPTED, At: at, Before: submitted, After: &accepted,
					DepartmentBefore: dept, DepartmentAfter: dept})
				if i%2 == 0 {
					declined := accepted
					declined.Status = schematype.StatusNotAccepted
					c.CaseChanged(ctx, workflow.Change{Event: caseevent.TypeMERGED, At: at, Before: &accepted, After: &declined,
						DepartmentBefore: dept, DepartmentAfter: dept})
				}
			}
		})
	}
	wg.Wait()
	close(done)
	require.NoError(t, <-scraped)
	total := 0.0
	for _, d := range depts {
		require.Zero(t, gauge(t, reg, "xinfang_cases_open", "department", d, "status", "SUBMITTED"), d)
		require.Equal(t, gauge(t, reg, "xinfang_cases_open", "department", d, "status", "ACCEPTED"),
			gauge(t, reg, "xinfang_sla_cases_at_risk", "department", d), d)
		total += gauge(t, reg, "xinfang_cases_open", "department", d, "status", "ACCEPTED")
	}
	require.Equal(t, float64(workers*perWorker/2), total)
	require.Equal(t, float64(workers*perWorker), counter(t, reg, "xinfang_case_intake_total", "channel", "WEB", "kind", "COMPLAINT"))
	require.Equal(t, float64(workers*perWorker), counter(t, reg, "xinfang_case_transitions_total", "event", "ACCEPTED"))
}
