package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/workflow"
)

// DefaultReconcileInterval is how often the gauges are reset to the
// database's counts unless configured otherwise.
const DefaultReconcileInterval = 5 * time.Minute

// CountFunc counts the unclosed cases by department, status and SLA state:
// (*workflow.Service).CountUnclosed.
type CountFunc func(context.Context) ([]workflow.OpenCount, error)

// gaugeValues are the gauge values of one department.
type gaugeValues struct {
	open                        [len(unclosed)]int64
	atRisk, breached, escalated int64
}

func (d *departmentSeries) load() gaugeValues {
	var v gaugeValues
	for i := range d.open {
		v.open[i] = d.open[i].Load()
	}
	v.atRisk, v.breached, v.escalated = d.atRisk.Load(), d.breached.Load(), d.escalated.Load()
	return v
}

// Reconcile sets the case gauges to the counts of the database: every
// department's series, including those whose cases are all gone (to 0).
// Changes reported while count runs are kept on top of its result, since
// a transaction that commits after count's snapshot is not in it; only a
// change that committed before the snapshot and is reported after
// Reconcile read the gauges (a few microseconds) counts twice, until the
// next reconcile.
func (c *Cases) Reconcile(ctx context.Context, count CountFunc) error {
	before := map[*departmentSeries]gaugeValues{}
	for _, d := range *c.departments.Load() {
		before[d] = d.load()
	}
	rows, err := count(ctx)
	if err != nil {
		return fmt.Errorf("reconcile case gauges: count unclosed cases: %w", err)
	}
	truth := map[*departmentSeries]*gaugeValues{}
	for _, r := range rows {
		i := statusIndex(r.Status)
		if i < 0 {
			return fmt.Errorf("reconcile case gauges: %d cases of department %q counted in status %s, which is not unclosed",
				r.Cases, r.Department, r.Status)
		}
		d := c.department(label(r.Department))
		v := truth[d]
		if v == nil {
			v = &gaugeValues{}
			truth[d] = v
		}
		n := int64(r.Cases)
		v.open[i] += n
		switch r.SLAState {
		case casefile.SLAStateAT_RISK:
			v.atRisk += n
		case casefile.SLAStateBREACHED:
			v.breached += n
		case casefile.SLAStateESCALATED:
			v.breached += n
			v.escalated += n
		}
	}
	for _, d := range *c.departments.Load() {
		var want gaugeValues
		if v := truth[d]; v != nil {
			want = *v
		}
		was := before[d] // zero for a department added meanwhile
		for i := range d.open {
			reset(&d.open[i], want.open[i], was.open[i])
		}
		reset(&d.atRisk, want.atRisk, was.atRisk)
		reset(&d.breached, want.breached, was.breached)
		reset(&d.escalated, want.escalated, was.escalated)
	}
	c.reconciled.SetToCurrentTime()
	return nil
}

// reset sets v to want plus what changes added to it since it was was,
// never below zero.
func reset(v *atomic.Int64, want, was int64) {
	for {
		cur := v.Load()
		if v.CompareAndSwap(cur, max(0, want+cur-was)) {
			return
		}
	}
}

// RunReconciler reconciles the gauges at once and then every interval
// until ctx ends. A failed reconcile is logged (nil log: slog.Default())
// and tried again at the next interval: the gauges keep their running
// totals meanwhile.
func (c *Cases) RunReconciler(ctx context.Context, interval time.Duration, count CountFunc, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	if interval <= 0 {
		interval = DefaultReconcileInterval
	}
	run := func() {
		started := time.Now()
		if err := c.Reconcile(ctx, count); err != nil {
			if ctx.Err() == nil { // not the shutdown
				log.WarnContext(ctx, "metrics: reconcile case gauges", "err", err)
			}
			return
		}
		log.DebugContext(ctx, "metrics: case gauges reconciled", "elapsed", time.Since(started))
	}
	run()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			run()
		}
	}
}
