package policy

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// The policies an Engine decides with; the values of the "policy" label.
const (
	policyAuthz      = "authz"
	policyVisibility = "visibility"
	policyScope      = "scope"
	policyRouting    = "routing"
	policyLimits     = "limits"
	policyEscalation = "escalation"
)

var policyNames = []string{policyAuthz, policyVisibility, policyScope, policyRouting, policyLimits, policyEscalation}

// The results of a decision; the values of the "result" label. Authorization
// decisions allow or deny; the others are ok. Every policy may fail with
// error (an evaluation error or no result).
const (
	resultAllow = "allow"
	resultDeny  = "deny"
	resultOK    = "ok"
	resultError = "error"
)

// decisionBuckets surround the 50 µs objective of one decision.
var decisionBuckets = []float64{5e-6, 10e-6, 20e-6, 35e-6, 50e-6, 75e-6, 100e-6, 250e-6, 500e-6, 1e-3, 5e-3}

// metrics are the Prometheus series of an Engine.
type metrics struct {
	collectors            []prometheus.Collector
	reloadOK, reloadError prometheus.Counter
	revision              *prometheus.GaugeVec
	// per policy, resolved once so that a decision does no label lookups
	perPolicy map[string]*policyMetrics
}

type policyMetrics struct {
	duration                  prometheus.Observer
	allow, deny, ok, failures prometheus.Counter
}

func newMetrics() *metrics {
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "xinfang_policy_decision_duration_seconds",
		Help:    "Time to make one policy decision, in process.",
		Buckets: decisionBuckets,
	}, []string{"policy"})
	decisions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "xinfang_policy_decisions_total",
		Help: "Policy decisions made, by policy and result (allow, deny, ok, error).",
	}, []string{"policy", "result"})
	reloads := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "xinfang_policy_reloads_total",
		Help: "Policy loads, by result: ok, or error when a candidate policy was refused and the previous one kept.",
	}, []string{"result"})
	revision := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "xinfang_policy_revision_info",
		Help: "The active policy revision (a content hash of its code and data); always 1.",
	}, []string{"revision"})
	m := &metrics{
		collectors:  []prometheus.Collector{duration, decisions, reloads, revision},
		reloadOK:    reloads.WithLabelValues(resultOK),
		reloadError: reloads.WithLabelValues(resultError),
		revision:    revision,
		perPolicy:   map[string]*policyMetrics{},
	}
	for _, p := range policyNames {
		pm := &policyMetrics{
			duration: duration.WithLabelValues(p),
			ok:       decisions.WithLabelValues(p, resultOK),
			failures: decisions.WithLabelValues(p, resultError),
		}
		if p == policyAuthz {
			pm.allow = decisions.WithLabelValues(p, resultAllow)
			pm.deny = decisions.WithLabelValues(p, resultDeny)
			pm.ok = pm.allow
		}
		m.perPolicy[p] = pm
	}
	return m
}

// register registers the metrics on reg (nil: nowhere).
func (m *metrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for _, c := range m.collectors {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register policy metrics: %w", err)
		}
	}
	return nil
}

func (m *metrics) activate(revision string) {
	m.revision.Reset()
	m.revision.WithLabelValues(revision).Set(1)
}
