package analytics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// DrainResult is a timed drain of the outbox.
type DrainResult struct {
	Events  int
	Elapsed time.Duration
}

// PerSecond is the drain's throughput in events per second.
func (d DrainResult) PerSecond() float64 {
	if d.Elapsed <= 0 {
		return 0
	}
	return float64(d.Events) / d.Elapsed.Seconds()
}

// MeasureDrain empties the outbox with a Relay on cfg and times it: the
// benchmark of the relay's throughput, after FillOutbox.
func MeasureDrain(ctx context.Context, cfg RelayConfig) (DrainResult, error) {
	r, err := NewRelay(cfg)
	if err != nil {
		return DrainResult{}, err
	}
	started := time.Now()
	n, err := r.Drain(ctx)
	return DrainResult{Events: n, Elapsed: time.Since(started)}, err
}

// LagResult is the end-to-end lag measured by ProbeLag: from the commit of
// an event to the warehouse acknowledging the insert that holds it.
type LagResult struct {
	// Events is how many events were committed and delivered; Rate is the
	// rate they were committed at, events per second.
	Events int
	Rate   float64
	P50    time.Duration
	P90    time.Duration
	P99    time.Duration
	Max    time.Duration
}

// lagTick is how often ProbeLag commits: at 1,000 events a second, ten
// events per transaction.
const lagTick = 10 * time.Millisecond

// ProbeLag measures the end-to-end lag of the pipeline. It empties the
// outbox, then runs a Relay on cfg while committing rate events a second
// for duration — each a new case with its first event and outbox row,
// written directly in SQL and committed every 10 ms — and records for each
// event the time from just before its commit to the return of the
// Warehouse.Ingest call that stored it. For a warehouse whose inserts are
// visible once acknowledged (ClickHouse's synchronous INSERT), that is the
// time until the event is visible. Use it on a database nobody else writes
// to.
func ProbeLag(ctx context.Context, cfg RelayConfig, rate int, duration time.Duration) (LagResult, error) {
	if rate <= 0 || duration <= 0 {
		return LagResult{}, errors.New("probe lag: rate and duration must be positive")
	}
	if _, err := MeasureDrain(ctx, cfg); err != nil {
		return LagResult{}, fmt.Errorf("probe lag: empty the outbox first: %w", err)
	}
	rec := &lagRecorder{Warehouse: cfg.Warehouse}
	cfg.Warehouse = rec
	r, err := NewRelay(cfg)
	if err != nil {
		return LagResult{}, err
	}
	dept, err := benchDepartment(ctx, cfg.DB, cfg.Dialect)
	if err != nil {
		return LagResult{}, err
	}

	rctx, stop := context.WithCancel(ctx)
	defer stop()
	relayDone := make(chan error, 1)
	go func() { relayDone <- r.Run(rctx) }()

	written, elapsed, err := commitAtRate(ctx, cfg, dept, rate, duration)
	if err != nil {
		return LagResult{}, err
	}
	// Wait for the tail to arrive.
	deadline := time.Now().Add(30 * time.Second)
	for rec.count() < written {
		if time.Now().After(deadline) {
			return LagResult{}, fmt.Errorf("probe lag: %d of %d events delivered after 30 s", rec.count(), written)
		}
		select {
		case <-ctx.Done():
			return LagResult{}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop()
	if err := <-relayDone; err != nil {
		return LagResult{}, err
	}
	lags := rec.sorted()
	return LagResult{
		Events: len(lags),
		Rate:   float64(written) / elapsed.Seconds(),
		P50:    quantile(lags, 0.50),
		P90:    quantile(lags, 0.90),
		P99:    quantile(lags, 0.99),
		Max:    lags[len(lags)-1],
	}, nil
}

// commitAtRate commits rate events a second for duration and returns how
// many it committed and how long that took.
func commitAtRate(ctx context.Context, cfg RelayConfig, dept int64, rate int, duration time.Duration) (int, time.Duration, error) {
	ticker := time.NewTicker(lagTick)
	defer ticker.Stop()
	started := time.Now()
	written := 0
	for {
		now := time.Now()
		elapsed := now.Sub(started)
		if elapsed >= duration {
			return written, elapsed, nil
		}
		if due := int(float64(rate)*elapsed.Seconds()) + 1; due > written {
			// The events' time is taken before the commit, so the lag
			// measured includes the commit itself.
			n := due - written
			at := time.Now().UTC().Truncate(time.Microsecond)
			if err := fillCases(ctx, cfg.DB, cfg.Dialect, dept, n, n, 1, at, receivedHourAgo); err != nil {
				return written, elapsed, fmt.Errorf("probe lag: commit events: %w", err)
			}
			written += n
		}
		select {
		case <-ctx.Done():
			return written, time.Since(started), ctx.Err()
		case <-ticker.C:
		}
	}
}

// lagRecorder is a Warehouse that passes inserts on and records, for each
// event stored, how long after its OccurredAt the insert returned.
type lagRecorder struct {
	Warehouse
	mu   sync.Mutex
	seen map[int64]bool
	lags []time.Duration
}

func (l *lagRecorder) Ingest(ctx context.Context, events []Event) error {
	if err := l.Warehouse.Ingest(ctx, events); err != nil {
		return err
	}
	acked := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[int64]bool{}
	}
	for _, ev := range events {
		// A redelivered event keeps its first acknowledgement.
		if !l.seen[ev.EventID] {
			l.seen[ev.EventID] = true
			l.lags = append(l.lags, acked.Sub(ev.OccurredAt))
		}
	}
	return nil
}

func (l *lagRecorder) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lags)
}

func (l *lagRecorder) sorted() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.lags)
	slices.Sort(out)
	return out
}

// quantile is the q-quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
