package sla

import "github.com/prometheus/client_golang/prometheus"

// watcherMetrics are the watcher's own series; the SLA gauges of cases are
// kept by package metrics from the events the watcher records.
type watcherMetrics struct {
	leader       prometheus.Gauge
	tickDuration prometheus.Histogram
	checked      prometheus.Counter
	lastTick     prometheus.Gauge
	errors       prometheus.Counter
}

func newWatcherMetrics(reg prometheus.Registerer) *watcherMetrics {
	m := &watcherMetrics{
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "xinfang", Subsystem: "sla_watcher", Name: "leader",
			Help: "1 while this instance holds the deadline watcher's lease, else 0.",
		}),
		tickDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "xinfang", Subsystem: "sla_watcher", Name: "tick_duration_seconds",
			Help:    "Time one deadline watcher tick took.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 15, 60},
		}),
		checked: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "xinfang", Subsystem: "sla_watcher", Name: "checked_cases_total",
			Help: "Cases whose deadline the watcher checked.",
		}),
		lastTick: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "xinfang", Subsystem: "sla_watcher", Name: "last_tick_timestamp_seconds",
			Help: "When the last completed tick of this instance ended (Unix time); 0 before the first.",
		}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "xinfang", Subsystem: "sla_watcher", Name: "errors_total",
			Help: "Deadline checks or ticks that failed (retried later).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.leader, m.tickDuration, m.checked, m.lastTick, m.errors)
	}
	return m
}
