package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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

// TestReconcileCorrectsDrift: gauges that drifted from the database (changes
// made elsewhere, changes never made) are set back to its counts, and a
// decrement never takes them below zero meanwhile.
func TestReconcileCorrectsDrift(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			b := setup(t, backend)
			ctx, reg, ok := b.admin, b.reg, must(t)
			b.submit(t, "一")
			c2 := ok(b.wf.Accept(ctx, ref(b.submit(t, "二")), nil))
			running, found := workflow.Running(c2)
			require.True(t, found)
			_, err := b.wf.RecordDeadlineCheck(context.Background(), c2, workflow.DeadlineCheck{Deadline: running,
				Escalation: policy.Escalation{Level: policy.LevelWarned, NextCheck: b.clk.Now().Add(time.Hour)}})
			require.NoError(t, err)
			truth := caseGauges(t, reg)
			require.Equal(t, 1.0, truth["xinfang_sla_cases_at_risk department=CS"])

			// Drift: a case that never existed, in a department that does
			// not either, and closings of cases the gauges never counted.
			at := b.clk.Now()
			ghost := &ent.CaseFile{Status: schematype.StatusInProgress, SLAState: casefile.SLAStateESCALATED, ReceivedAt: at}
			b.cases.CaseChanged(ctx, workflow.Change{Event: caseevent.TypeRECORDED, At: at, After: ghost, DepartmentAfter: "GHOST"})
			closed := &ent.CaseFile{Status: schematype.StatusClosed, SLAState: casefile.SLAStateON_TRACK}
			for range 3 {
				gone := &ent.CaseFile{Status: schematype.StatusSubmitted, SLAState: casefile.SLAStateAT_RISK}
				b.cases.CaseChanged(ctx, workflow.Change{Event: caseevent.TypeMERGED, At: at, Before: gone, After: closed,
					DepartmentBefore: "CS", DepartmentAfter: "CS"})
			}
			drifted := caseGauges(t, reg)
			require.Equal(t, 1.0, drifted["xinfang_sla_cases_escalated department=GHOST"])
			require.Equal(t, 0.0, drifted["xinfang_cases_open department=CS status=SUBMITTED"], "1 − 3, clamped")
			require.Equal(t, 0.0, drifted["xinfang_sla_cases_at_risk department=CS"], "1 − 3, clamped")
			for series, v := range drifted {
				require.GreaterOrEqual(t, v, 0.0, series)
			}

			before := time.Now()
			require.NoError(t, b.cases.Reconcile(context.Background(), b.wf.CountUnclosed))
			after := time.Now()
			reconciled := caseGauges(t, reg)
			for series, v := range truth {
				require.Equal(t, v, reconciled[series], series)
			}
			for _, series := range []string{"xinfang_cases_open department=GHOST status=IN_PROGRESS",
				"xinfang_sla_cases_breached department=GHOST", "xinfang_sla_cases_escalated department=GHOST"} {
				v, exists := reconciled[series]
				require.True(t, exists, series)
				require.Zero(t, v, "a department without cases goes to 0: %s", series)
			}
			stamp := gauge(t, reg, "xinfang_cases_reconciled_timestamp_seconds")
			require.GreaterOrEqual(t, stamp, float64(before.UnixNano())/1e9-1e-3)
			require.LessOrEqual(t, stamp, float64(after.UnixNano())/1e9+1e-3)
		})
	}
}

// TestReconcileKeepsChangesDuringCount: a change that commits after the
// count's snapshot and is reported while the count runs is not lost by
// the reconcile.
func TestReconcileKeepsChangesDuringCount(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			b := setup(t, backend)
			b.submit(t, "一")
			count := func(ctx context.Context) ([]workflow.OpenCount, error) {
				rows, err := b.wf.CountUnclosed(ctx)
				b.submit(t, "计数之后") // commits after the snapshot
				return rows, err
			}
			require.NoError(t, b.cases.Reconcile(context.Background(), count))
			require.Equal(t, 2.0, gauge(t, b.reg, "xinfang_cases_open", "department", "CS", "status", "SUBMITTED"))
			truth := prometheus.NewRegistry()
			require.NoError(t, metrics.NewCases(truth, []string{"CS", "ADMIN"}).Reconcile(context.Background(), b.wf.CountUnclosed))
			require.Equal(t, caseGauges(t, truth), caseGauges(t, b.reg))
		})
	}
}

// TestReconcileFailure: a failed count, or one that counts a status that is
// not unclosed, changes nothing and says why.
func TestReconcileFailure(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := metrics.NewCases(reg, []string{"CS"})
	require.NoError(t, c.Reconcile(context.Background(), fixedCounts(workflow.OpenCount{
		Department: "CS", Status: schematype.StatusAssigned, SLAState: casefile.SLAStateBREACHED, Cases: 3})))
	stamp := gauge(t, reg, "xinfang_cases_reconciled_timestamp_seconds")
	want := caseGauges(t, reg)
	require.Equal(t, 3.0, want["xinfang_sla_cases_breached department=CS"])

	down := errors.New("database down")
	err := c.Reconcile(context.Background(), func(context.Context) ([]workflow.OpenCount, error) { return nil, down })
	require.ErrorIs(t, err, down)
	require.ErrorContains(t, err, "reconcile case gauges")
	err = c.Reconcile(context.Background(), fixedCounts(workflow.OpenCount{
		Department: "CS", Status: schematype.StatusClosed, SLAState: casefile.SLAStateON_TRACK, Cases: 1}))
	require.ErrorContains(t, err, "CLOSED")
	require.Equal(t, want, caseGauges(t, reg))
	require.Equal(t, stamp, gauge(t, reg, "xinfang_cases_reconciled_timestamp_seconds"))
}

func fixedCounts(rows ...workflow.OpenCount) metrics.CountFunc {
	return func(context.Context) ([]workflow.OpenCount, error) { return rows, nil }
}

// TestRunReconciler: the loop reconciles at once and then every interval,
// logs a failure and carries on, and stops with its context.
func TestRunReconciler(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := metrics.NewCases(reg, []string{"CS"})
	var calls atomic.Int32
	count := func(context.Context) ([]workflow.OpenCount, error) {
		if calls.Add(1) == 2 {
			return nil, errors.New("database down")
		}
		return []workflow.OpenCount{{Department: "CS", Status: schematype.StatusSubmitted, SLAState: casefile.SLAStateAT_RISK, Cases: 2}}, nil
	}
	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		c.RunReconciler(ctx, 5*time.Millisecond, count, slog.New(slog.NewTextHandler(&logs, nil)))
		close(done)
	}()
	require.Eventually(t, func() bool { return calls.Load() >= 4 }, 5*time.Second, time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunReconciler did not stop with its context")
	}
	require.Equal(t, 2.0, gauge(t, reg, "xinfang_cases_open", "department", "CS", "status", "SUBMITTED"))
	require.Equal(t, 2.0, gauge(t, reg, "xinfang_sla_cases_at_risk", "department", "CS"))
	require.Positive(t, gauge(t, reg, "xinfang_cases_reconciled_timestamp_seconds"))
	require.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("database down")), logs.String())
	require.Contains(t, logs.String(), "level=WARN")
}

// lockedBuffer is a bytes.Buffer safe for a logger on another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

func (l *lockedBuffer) String() string { return string(l.Bytes()) }
