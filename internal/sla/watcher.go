package sla

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// Escalator decides escalation levels; *policy.Engine implements it.
type Escalator interface {
	Escalate(ctx context.Context, in policy.EscalationInput) (policy.Escalation, error)
}

// Config holds a Watcher's dependencies and settings.
type Config struct {
	Cases  *workflow.Service
	Policy Escalator
	// Lease decides whether this replica watches; LocalLease when nil.
	Lease Lease
	// Interval between ticks; 15 s when zero.
	Interval time.Duration
	// BatchSize is how many due cases one query reads; 200 when zero.
	BatchSize int
	// MaxPerTick bounds the cases one tick checks, so a backlog after an
	// outage is worked off over several ticks; 20,000 when zero.
	MaxPerTick int
	// Workers check a batch's cases in parallel; 4 when zero.
	Workers int
	// RetryAfter is how long a case whose check failed waits before the
	// next try; 5 minutes when zero.
	RetryAfter time.Duration
	// Now returns the current time.
	Now        func() time.Time
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Watcher records deadline warnings, breaches and escalations.
type Watcher struct {
	cfg     Config
	metrics *watcherMetrics
}

// New returns a Watcher.
func New(cfg Config) (*Watcher, error) {
	if cfg.Cases == nil || cfg.Policy == nil {
		return nil, errors.New("sla: the workflow and the policy engine are required")
	}
	if cfg.Lease == nil {
		cfg.Lease = LocalLease{}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 15 * time.Second
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 200
	}
	if cfg.MaxPerTick <= 0 {
		cfg.MaxPerTick = 20000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Watcher{cfg: cfg, metrics: newWatcherMetrics(cfg.Registerer)}, nil
}

// Run ticks until ctx ends, whenever this replica holds the lease. It
// releases the lease on return.
func (w *Watcher) Run(ctx context.Context) {
	defer func() {
		w.cfg.Lease.Release()
		w.metrics.leader.Set(0)
	}()
	ticker := time.NewTicker(w.cfg.Interval)
	defer ticker.Stop()
	wasLeader := false
	for {
		leader, err := w.cfg.Lease.Hold(ctx)
		if err != nil && ctx.Err() == nil {
			w.metrics.errors.Inc()
			w.cfg.Logger.WarnContext(ctx, "deadline watcher: lease", "err", err)
		}
		if leader != wasLeader {
			w.cfg.Logger.InfoContext(ctx, "deadline watcher leadership changed", "leader", leader)
			wasLeader = leader
		}
		if leader {
			w.metrics.leader.Set(1)
			if _, err := w.Tick(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Logger.ErrorContext(ctx, "deadline watcher tick failed", "err", err)
			}
		} else {
			w.metrics.leader.Set(0)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// TickStats says what one tick did.
type TickStats struct {
	// Checked cases; Recorded events (warnings, breaches, escalations);
	// Failed checks, retried later.
	Checked, Recorded, Failed int
}

// Tick checks every case whose deadline check is due, up to MaxPerTick.
// A check that fails is logged, counted and retried after RetryAfter; a
// case that changed meanwhile is left to the check its change scheduled.
func (w *Watcher) Tick(ctx context.Context) (TickStats, error) {
	start := time.Now()
	now := w.cfg.Now().UTC()
	var stats TickStats
	for stats.Checked < w.cfg.MaxPerTick {
		cases, err := w.cfg.Cases.DueForCheck(ctx, now, w.cfg.BatchSize)
		if err != nil {
			w.metrics.errors.Inc()
			return stats, err
		}
		recorded, failed := w.checkAll(ctx, cases, now)
		stats.Checked += len(cases)
		stats.Recorded += recorded
		stats.Failed += failed
		if len(cases) < w.cfg.BatchSize || failed == len(cases) {
			break
		}
	}
	w.metrics.checked.Add(float64(stats.Checked))
	w.metrics.tickDuration.Observe(time.Since(start).Seconds())
	w.metrics.lastTick.Set(float64(w.cfg.Now().Unix()))
	if stats.Checked > 0 {
		w.cfg.Logger.DebugContext(ctx, "deadline watcher tick", "checked", stats.Checked,
			"recorded", stats.Recorded, "failed", stats.Failed, "duration", time.Since(start))
	}
	return stats, ctx.Err()
}

// checkAll checks cases with the configured number of workers.
func (w *Watcher) checkAll(ctx context.Context, cases []*ent.CaseFile, now time.Time) (recorded, failed int) {
	var mu sync.Mutex
	next := make(chan *ent.CaseFile)
	var wg sync.WaitGroup
	for range min(w.cfg.Workers, len(cases)) {
		wg.Go(func() {
			for c := range next {
				rec, err := w.check(ctx, c, now)
				mu.Lock()
				if rec {
					recorded++
				}
				if err != nil {
					failed++
				}
				mu.Unlock()
			}
		})
	}
	for _, c := range cases {
		next <- c
	}
	close(next)
	wg.Wait()
	return recorded, failed
}

// check asks the policy about one case's running deadline and records the
// answer. It reports whether an event was recorded.
func (w *Watcher) check(ctx context.Context, c *ent.CaseFile, now time.Time) (bool, error) {
	deadline, running := workflow.Running(c)
	if !running {
		// Nothing runs (no limit set by the policy): stop looking.
		err := w.cfg.Cases.RescheduleDeadlineCheck(ctx, c, nil)
		if err != nil && !changedMeanwhile(err) {
			return false, w.retry(ctx, c, now, err)
		}
		return false, nil
	}
	department, err := w.cfg.Cases.DepartmentCode(ctx, c.DepartmentID)
	if err != nil {
		return false, w.retry(ctx, c, now, err)
	}
	esc, err := w.cfg.Policy.Escalate(ctx, policy.EscalationInput{
		Department: department, Kind: string(c.Kind), Priority: string(c.Priority),
		Deadline: deadline.Name, Start: deadline.Start, Due: deadline.Due, Now: now,
		Level: workflow.LevelOf(c.SLAState),
	})
	if err != nil {
		return false, w.retry(ctx, c, now, err)
	}
	ev, err := w.cfg.Cases.RecordDeadlineCheck(ctx, c, workflow.DeadlineCheck{
		Deadline: deadline, Escalation: esc,
	})
	if changedMeanwhile(err) {
		return false, nil
	}
	if err != nil {
		return false, w.retry(ctx, c, now, err)
	}
	if ev != nil {
		w.cfg.Logger.InfoContext(ctx, "deadline alert recorded", "case_id", c.ID, "event", string(ev.Type),
			"deadline", deadline.Name, "due", deadline.Due, "department", department, "notify", esc.Notify)
	}
	return ev != nil, nil
}

// changedMeanwhile reports whether err says the case changed since it was
// read: the change scheduled a check of its own.
func changedMeanwhile(err error) bool {
	return err != nil && apperr.CodeOf(err) == apperr.Conflict
}

// retry counts a failed check and looks at the case again later, so that
// one case the policy cannot decide does not hold up the others.
func (w *Watcher) retry(ctx context.Context, c *ent.CaseFile, now time.Time, cause error) error {
	w.metrics.errors.Inc()
	w.cfg.Logger.WarnContext(ctx, "deadline check failed; retrying later", "case_id", c.ID,
		"retry_after", w.cfg.RetryAfter, "err", cause)
	at := now.Add(w.cfg.RetryAfter)
	if err := w.cfg.Cases.RescheduleDeadlineCheck(ctx, c, &at); err != nil && !changedMeanwhile(err) {
		return fmt.Errorf("%w (and postponing it: %v)", cause, err)
	}
	return cause
}
