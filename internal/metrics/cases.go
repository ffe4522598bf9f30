package metrics

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/schema/schematype"
	"github.com/xinfang/xinfang/internal/workflow"
)

// NoDepartment is the department label of cases without a responsible
// department: an empty label value would read as a missing label.
const NoDepartment = "NONE"

// The values of the headroom histogram's deadline label: the deadlines a
// case meets or misses by a transition of its own.
const (
	deadlineDecide  = workflow.DeadlineDecide
	deadlineRespond = workflow.DeadlineRespond
	deadlineResolve = workflow.DeadlineResolve
)

// The values of xinfang_sla_events_total's level label.
const (
	levelWarning   = "warning"
	levelBreached  = "breached"
	levelEscalated = "escalated"
)

// headroomBuckets are due time minus completion time, in seconds, from two
// days late to two days early: 0 splits met from missed deadlines.
var headroomBuckets = []float64{-172800, -86400, -14400, -3600, 0, 3600, 14400, 43200, 86400, 172800}

// durationBuckets of first response and resolution, in seconds, from an
// hour to ten days, with a bucket at the 48-hour objective.
var durationBuckets = []float64{3600, 14400, 28800, 43200, 86400, 129600, 172800, 259200, 432000, 864000}

// eventTypes are the case event types, whose transition counters start at
// zero. An event type added later is still counted, from its first use.
var eventTypes = []caseevent.Type{
	caseevent.TypeSUBMITTED, caseevent.TypeRECORDED, caseevent.TypeACCEPTED, caseevent.TypeDECLINED,
	caseevent.TypeASSIGNED, caseevent.TypeWORK_STARTED, caseevent.TypeNOTE_ADDED,
	caseevent.TypeINFORMATION_REQUESTED, caseevent.TypeINFORMATION_PROVIDED, caseevent.TypeTRANSFERRED,
	caseevent.TypeEXTENSION_REQUESTED, caseevent.TypeEXTENSION_APPROVED, caseevent.TypeEXTENSION_REJECTED,
	caseevent.TypeRESPONDED, caseevent.TypeCLOSED, caseevent.TypeRATED, caseevent.TypeREVIEW_REQUESTED,
	caseevent.TypeMERGED, caseevent.TypeDUPLICATE_MERGED,
	caseevent.TypeDEADLINE_WARNING, caseevent.TypeDEADLINE_BREACHED, caseevent.TypeDEADLINE_ESCALATED,
}

var channels = []casefile.Channel{
	casefile.ChannelWEB, casefile.ChannelHOTLINE, casefile.ChannelEMAIL,
	casefile.ChannelLETTER, casefile.ChannelVISIT, casefile.ChannelCONSULTATION,
}

var kinds = []casefile.Kind{
	casefile.KindCOMPLAINT, casefile.KindSUGGESTION, casefile.KindINQUIRY, casefile.KindPRAISE, casefile.KindREPORT,
}

// Cases keeps the case and SLA metrics from the workflow's committed
// changes: it is the workflow's Observer. The gauges of unclosed cases are
// running totals that Reconcile resets to the database's counts now and
// then (see the package documentation).
type Cases struct {
	// departments maps a department label to its series. Changes only read
	// it, without a lock; a department first seen is added by copying the
	// map under mu, which happens a handful of times in a process's life.
	departments atomic.Pointer[map[string]*departmentSeries]
	mu          sync.Mutex

	gauges        *caseGauges
	firstResponse *prometheus.HistogramVec
	resolution    *prometheus.HistogramVec
	slaEvents     *prometheus.CounterVec
	headroom      map[string]prometheus.Observer
	transitionVec *prometheus.CounterVec
	transitions   map[caseevent.Type]prometheus.Counter
	ratings       [5]prometheus.Counter
	intake        *prometheus.CounterVec
	reconciled    prometheus.Gauge
}

// departmentSeries are one department's series, resolved once so that a
// change does no label lookups.
type departmentSeries struct {
	// open counts unclosed cases by status, in the order of
	// workflow.UnclosedStatuses.
	open                        [len(unclosed)]atomic.Int64
	atRisk, breached, escalated atomic.Int64

	firstResponse, resolution prometheus.Observer
	slaEvents                 map[caseevent.Type]prometheus.Counter
}

// unclosed is workflow.UnclosedStatuses as an array, so that the series
// of a department can be one too.
var unclosed = [6]schematype.CaseStatus{}

func init() {
	if len(workflow.UnclosedStatuses) != len(unclosed) {
		panic("metrics: workflow.UnclosedStatuses changed: resize metrics.unclosed")
	}
	copy(unclosed[:], workflow.UnclosedStatuses)
}

// statusIndex is the position of s in unclosed, or -1 for a status of a
// case that needs no more work.
func statusIndex(s schematype.CaseStatus) int {
	for i, u := range unclosed {
		if u == s {
			return i
		}
	}
	return -1
}

// NewCases returns the case metrics, registered on reg, with every series
// of the given departments (codes) at zero: a department without cases
// shows 0, not a gap. Departments first seen later get their series then.
// It panics when the metrics are already registered on reg: building two
// Cases over one registry is a programming error.
func NewCases(reg prometheus.Registerer, departments []string) *Cases {
	c := &Cases{
		gauges: newCaseGauges(),
		firstResponse: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "xinfang_case_first_response_seconds",
			Help:    "Time from a case's receipt to its first written reply, observed at that reply.",
			Buckets: durationBuckets,
		}, []string{"department"}),
		resolution: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "xinfang_case_resolution_seconds",
			Help:    "Time from a case's receipt (or, in a review round, the review request) to its closing, observed at closing.",
			Buckets: durationBuckets,
		}, []string{"department"}),
		slaEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xinfang_sla_events_total",
			Help: "Escalation events recorded by the deadline watcher, by department and level (warning, breached, escalated).",
		}, []string{"department", "level"}),
		transitionVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xinfang_case_transitions_total",
			Help: "Committed case transitions, by the event they appended.",
		}, []string{"event"}),
		intake: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xinfang_case_intake_total",
			Help: "New cases, by channel and kind.",
		}, []string{"channel", "kind"}),
		reconciled: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xinfang_cases_reconciled_timestamp_seconds",
			Help: "When the case gauges were last reset to the database's counts (Unix time); 0 before the first time.",
		}),
		headroom:    map[string]prometheus.Observer{},
		transitions: map[caseevent.Type]prometheus.Counter{},
	}
	headroom := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "xinfang_sla_deadline_headroom_seconds",
		Help:    "Due time minus completion time of a deadline when a case meets or misses it (decide: accepted or declined; respond: responded; resolve: closed). Negative: late.",
		Buckets: headroomBuckets,
	}, []string{"deadline"})
	ratings := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "xinfang_case_ratings_total",
		Help: "Satisfaction ratings given by petitioners, by rating (1 to 5).",
	}, []string{"rating"})

	for _, d := range []string{deadlineDecide, deadlineRespond, deadlineResolve} {
		c.headroom[d] = headroom.WithLabelValues(d)
	}
	for _, t := range eventTypes {
		c.transitions[t] = c.transitionVec.WithLabelValues(string(t))
	}
	for i := range c.ratings {
		c.ratings[i] = ratings.WithLabelValues(strconv.Itoa(i + 1))
	}
	for _, ch := range channels {
		for _, k := range kinds {
			c.intake.WithLabelValues(string(ch), string(k))
		}
	}
	c.gauges.cases = c
	empty := map[string]*departmentSeries{}
	c.departments.Store(&empty)
	for _, d := range departments {
		c.department(d)
	}
	if reg != nil {
		reg.MustRegister(c.gauges, c.firstResponse, c.resolution, c.slaEvents, headroom,
			c.transitionVec, ratings, c.intake, c.reconciled)
	}
	return c
}

// label is the department label of a department code.
func label(code string) string {
	if code == "" {
		return NoDepartment
	}
	return code
}

// department returns the series of a department label, creating them on
// first sight.
func (c *Cases) department(name string) *departmentSeries {
	if d, ok := (*c.departments.Load())[name]; ok {
		return d
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	current := *c.departments.Load()
	if d, ok := current[name]; ok {
		return d
	}
	d := &departmentSeries{
		firstResponse: c.firstResponse.WithLabelValues(name),
		resolution:    c.resolution.WithLabelValues(name),
		slaEvents: map[caseevent.Type]prometheus.Counter{
			caseevent.TypeDEADLINE_WARNING:   c.slaEvents.WithLabelValues(name, levelWarning),
			caseevent.TypeDEADLINE_BREACHED:  c.slaEvents.WithLabelValues(name, levelBreached),
			caseevent.TypeDEADLINE_ESCALATED: c.slaEvents.WithLabelValues(name, levelEscalated),
		},
	}
	next := make(map[string]*departmentSeries, len(current)+1)
	for k, v := range current {
		next[k] = v
	}
	next[name] = d
	c.departments.Store(&next)
	return d
}

// CaseChanged implements workflow.Observer. It runs on the request's
// goroutine after the commit: it touches only counters of the departments
// involved (atomic adds, no lock, no query).
func (c *Cases) CaseChanged(_ context.Context, ch workflow.Change) {
	if ch.After == nil {
		return
	}
	c.moveGauges(ch)
	if ch.Event == "" {
		return // bookkeeping of the watcher: only the SLA state moved
	}
	c.transition(ch.Event).Inc()
	after := ch.After
	dept := c.department(label(ch.DepartmentAfter))
	switch ch.Event {
	case caseevent.TypeSUBMITTED, caseevent.TypeRECORDED:
		if ch.Before == nil {
			c.intake.WithLabelValues(string(after.Channel), string(after.Kind)).Inc()
		}
	case caseevent.TypeACCEPTED, caseevent.TypeDECLINED:
		c.observeHeadroom(deadlineDecide, ch.Before, func(b *ent.CaseFile) *time.Time { return b.DecideDue }, ch.At)
	case caseevent.TypeRESPONDED:
		c.observeHeadroom(deadlineRespond, ch.Before, func(b *ent.CaseFile) *time.Time { return b.RespondDue }, ch.At)
		if ch.Before != nil && ch.Before.FirstRespondedAt == nil && after.FirstRespondedAt != nil {
			dept.firstResponse.Observe(after.FirstRespondedAt.Sub(after.ReceivedAt).Seconds())
		}
	case caseevent.TypeCLOSED:
		c.observeHeadroom(deadlineResolve, ch.Before, func(b *ent.CaseFile) *time.Time { return b.ResolveDue }, ch.At)
		start := after.ReceivedAt
		if after.ReviewRequestedAt != nil {
			start = *after.ReviewRequestedAt
		}
		closed := ch.At
		if after.ClosedAt != nil {
			closed = *after.ClosedAt
		}
		dept.resolution.Observe(closed.Sub(start).Seconds())
	case caseevent.TypeRATED:
		if r := after.Rating; r != nil && *r >= 1 && *r <= len(c.ratings) {
			c.ratings[*r-1].Inc()
		}
	case caseevent.TypeMERGED:
		// Merging appends DUPLICATE_MERGED to the remaining case in the
		// same transaction, and the workflow reports only the merged one.
		c.transition(caseevent.TypeDUPLICATE_MERGED).Inc()
	case caseevent.TypeDEADLINE_WARNING, caseevent.TypeDEADLINE_BREACHED, caseevent.TypeDEADLINE_ESCALATED:
		dept.slaEvents[ch.Event].Inc()
	}
}

// transition is the counter of an event type.
func (c *Cases) transition(t caseevent.Type) prometheus.Counter {
	if counter, ok := c.transitions[t]; ok {
		return counter
	}
	return c.transitionVec.WithLabelValues(string(t))
}

// observeHeadroom records how far ahead of the deadline in force before
// the transition the case met it; nothing when no such deadline ran.
func (c *Cases) observeHeadroom(deadline string, before *ent.CaseFile, due func(*ent.CaseFile) *time.Time, at time.Time) {
	if before == nil {
		return
	}
	if d := due(before); d != nil {
		c.headroom[deadline].Observe(d.Sub(at).Seconds())
	}
}

// moveGauges takes the case out of the gauges it counted in before the
// change and into those it counts in after. Department, status and SLA
// state may all change at once (a transfer that reopens a deadline).
func (c *Cases) moveGauges(ch workflow.Change) {
	before, after := ch.Before, ch.After
	from, to := -1, statusIndex(after.Status)
	if before != nil {
		from = statusIndex(before.Status)
	}
	if from >= 0 && to >= 0 && from == to && before.SLAState == after.SLAState &&
		label(ch.DepartmentBefore) == label(ch.DepartmentAfter) {
		return // a note, an extension: the case counts where it counted
	}
	if from >= 0 {
		c.department(label(ch.DepartmentBefore)).count(from, before.SLAState, decrement)
	}
	if to >= 0 {
		c.department(label(ch.DepartmentAfter)).count(to, after.SLAState, increment)
	}
}

// count applies op to every gauge a case of status (index) and SLA state
// counts in.
func (d *departmentSeries) count(status int, sla casefile.SLAState, op func(*atomic.Int64)) {
	op(&d.open[status])
	switch sla {
	case casefile.SLAStateAT_RISK:
		op(&d.atRisk)
	case casefile.SLAStateBREACHED:
		op(&d.breached)
	case casefile.SLAStateESCALATED:
		op(&d.breached)
		op(&d.escalated)
	}
}

func increment(v *atomic.Int64) { v.Add(1) }

// decrement lowers v by one but never below zero: a running total that
// drifted (a change missed while the process started, a reconcile that
// raced a change) must not show negative cases until the next reconcile.
func decrement(v *atomic.Int64) {
	for {
		cur := v.Load()
		if cur <= 0 || v.CompareAndSwap(cur, cur-1) {
			return
		}
	}
}

// caseGauges exposes the running totals of Cases as the gauges
// xinfang_cases_open, xinfang_sla_cases_at_risk, _breached and _escalated.
// They are a collector of their own, not GaugeVecs, because a gauge's Add
// cannot be clamped at zero atomically.
type caseGauges struct {
	cases                       *Cases
	open, atRisk, breached, esc *prometheus.Desc
}

func newCaseGauges() *caseGauges {
	return &caseGauges{
		open: prometheus.NewDesc("xinfang_cases_open",
			"Unclosed cases (SUBMITTED, ACCEPTED, ASSIGNED, IN_PROGRESS, AWAITING_PETITIONER, RESPONDED), by department and status.",
			[]string{"department", "status"}, nil),
		atRisk: prometheus.NewDesc("xinfang_sla_cases_at_risk",
			"Unclosed cases whose running deadline was warned (SLA state AT_RISK), by department.",
			[]string{"department"}, nil),
		breached: prometheus.NewDesc("xinfang_sla_cases_breached",
			"Unclosed cases past their running deadline (SLA state BREACHED or ESCALATED), by department.",
			[]string{"department"}, nil),
		esc: prometheus.NewDesc("xinfang_sla_cases_escalated",
			"Unclosed cases escalated beyond their department (SLA state ESCALATED), by department.",
			[]string{"department"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (g *caseGauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.open
	ch <- g.atRisk
	ch <- g.breached
	ch <- g.esc
}

// Collect implements prometheus.Collector.
func (g *caseGauges) Collect(ch chan<- prometheus.Metric) {
	for name, d := range *g.cases.departments.Load() {
		for i, s := range unclosed {
			ch <- prometheus.MustNewConstMetric(g.open, prometheus.GaugeValue, float64(d.open[i].Load()), name, string(s))
		}
		ch <- prometheus.MustNewConstMetric(g.atRisk, prometheus.GaugeValue, float64(d.atRisk.Load()), name)
		ch <- prometheus.MustNewConstMetric(g.breached, prometheus.GaugeValue, float64(d.breached.Load()), name)
		ch <- prometheus.MustNewConstMetric(g.esc, prometheus.GaugeValue, float64(d.escalated.Load()), name)
	}
}
