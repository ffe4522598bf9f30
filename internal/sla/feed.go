package sla

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xinfang/xinfang/internal/workflow"
)

// Feed streams deadline alerts to subscribed staff. It is a
// workflow.Observer: an alert recorded in this process wakes every
// subscription at once; alerts recorded on other replicas are found by
// polling.
type Feed struct {
	cases *workflow.Service
	poll  time.Duration
	log   *slog.Logger
	// open counts the subscriptions being served.
	open prometheus.Gauge

	mu      sync.Mutex
	waiters map[chan struct{}]struct{}
}

// feedPage is how many alerts one poll of a subscription reads at most.
const feedPage = 50

// NewFeed returns a Feed that polls every poll (5 s when zero) and counts
// its subscriptions on reg (when not nil).
func NewFeed(cases *workflow.Service, poll time.Duration, log *slog.Logger, reg prometheus.Registerer) *Feed {
	if poll <= 0 {
		poll = 5 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	open := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "xinfang", Subsystem: "sla", Name: "alert_subscriptions",
		Help: "Deadline alert subscriptions this instance serves.",
	})
	if reg != nil {
		reg.MustRegister(open)
	}
	return &Feed{cases: cases, poll: poll, log: log, open: open, waiters: map[chan struct{}]struct{}{}}
}

// CaseChanged implements workflow.Observer.
func (f *Feed) CaseChanged(_ context.Context, ch workflow.Change) {
	if !workflow.IsDeadlineEvent(ch.Event) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for w := range f.waiters {
		select {
		case w <- struct{}{}:
		default: // already woken
		}
	}
}

// Subscribe streams the alerts addressed to the caller of ctx that are
// recorded from now on, until ctx ends. It refuses callers who may not
// read alerts.
func (f *Feed) Subscribe(ctx context.Context) (<-chan *workflow.DeadlineAlert, error) {
	// Authorize now: an empty page asks the same questions as a full one.
	if _, err := f.cases.DeadlineAlerts(ctx, workflow.AlertQuery{First: 0}); err != nil {
		return nil, err
	}
	cursor, err := f.cases.LatestAlertID(ctx)
	if err != nil {
		return nil, err
	}
	wake := make(chan struct{}, 1)
	f.mu.Lock()
	f.waiters[wake] = struct{}{}
	f.mu.Unlock()
	f.open.Inc()

	out := make(chan *workflow.DeadlineAlert, feedPage)
	go func() {
		defer func() {
			f.mu.Lock()
			delete(f.waiters, wake)
			f.mu.Unlock()
			f.open.Dec()
			close(out)
		}()
		ticker := time.NewTicker(f.poll)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-ticker.C:
			}
			for more := true; more; {
				page, err := f.cases.DeadlineAlerts(ctx, workflow.AlertQuery{First: feedPage, After: cursor})
				if err != nil {
					if ctx.Err() == nil {
						f.log.WarnContext(ctx, "deadline alert feed: poll failed", "err", err)
					}
					break
				}
				for i := range page.Alerts {
					select {
					case out <- &page.Alerts[i]:
					case <-ctx.Done():
						return
					}
				}
				cursor, more = page.Cursor, page.HasMore
			}
		}
	}()
	return out, nil
}
