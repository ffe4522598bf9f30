package analytics

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// The stages of a delivery that can fail, the values of the errors
// counter's stage label.
const (
	stageClaim   = "claim"   // reading outbox rows and their events
	stageIngest  = "ingest"  // storing the events in the warehouse
	stageAck     = "ack"     // deleting the delivered rows
	stageBacklog = "backlog" // measuring the backlog
)

// relayMetrics are the relay's Prometheus metrics.
type relayMetrics struct {
	backlog       prometheus.Gauge
	lag           prometheus.Gauge
	delivered     prometheus.Counter
	errors        *prometheus.CounterVec
	batchDuration prometheus.Histogram
}

// newRelayMetrics creates the relay metrics and registers them on reg
// (nil: not registered). Several relays in one process share the
// collectors of the first.
func newRelayMetrics(reg prometheus.Registerer) (*relayMetrics, error) {
	m := &relayMetrics{
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xinfang_relay_backlog_events",
			Help: "Case events waiting in the analytics outbox (estimated from the outbox ID range when large; exact below 10000).",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xinfang_relay_lag_seconds",
			Help: "Age of the oldest case event not yet delivered to the warehouse; 0 when the outbox is empty.",
		}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xinfang_relay_delivered_events_total",
			Help: "Case events delivered to the warehouse.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xinfang_relay_errors_total",
			Help: "Failed relay steps, by stage (claim, ingest, ack, backlog).",
		}, []string{"stage"}),
		batchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "xinfang_relay_batch_duration_seconds",
			Help:    "Time to deliver one batch: claim, ingest and acknowledge.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 5, 10, 30},
		}),
	}
	for _, stage := range []string{stageClaim, stageIngest, stageAck, stageBacklog} {
		m.errors.WithLabelValues(stage)
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.backlog, err = register(reg, m.backlog); err != nil {
		return nil, err
	}
	if m.lag, err = register(reg, m.lag); err != nil {
		return nil, err
	}
	if m.delivered, err = register(reg, m.delivered); err != nil {
		return nil, err
	}
	if m.errors, err = register(reg, m.errors); err != nil {
		return nil, err
	}
	if m.batchDuration, err = register(reg, m.batchDuration); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c on reg, or returns the collector already registered
// under its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	switch {
	case err == nil:
		return c, nil
	case errors.As(err, &already):
		if existing, ok := already.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, fmt.Errorf("register relay metrics: %w", err)
}
