// Package policysim replays recorded cases through a candidate policy and
// reports what would have changed compared with the policy in force:
// cases routed to another department, response deadlines moved, and
// breaches that would or would not have happened. It backs
// `xinfang policy simulate`, so an organisation can see the effect of a
// policy change on its own history before it deploys the change.
//
// It only reads. Both policies see the same facts of each case: what the
// petitioner wrote, its kind, channel, priority, category, service project,
// the department that handled it, when it was received, how long it waited
// for the petitioner and when it was first answered.
package policysim

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/policy"
)

// Engine is what the simulation asks of a policy.
type Engine interface {
	Route(ctx context.Context, in policy.RoutingInput) (policy.Route, error)
	Limits(ctx context.Context, in policy.DeadlineInput) (policy.Limits, error)
	Revision() string
}

// Options select the cases to replay.
type Options struct {
	// Since is the earliest receipt replayed.
	Since time.Time
	// Now is "today": open cases not yet answered count as breached when
	// their deadline is before Now.
	Now time.Time
	// Tracking turns a case into its public tracking code for the report.
	Tracking func(id int, received time.Time) string
}

// Change is one case whose outcome differs between the two policies.
type Change struct {
	CaseID       int
	TrackingCode string
	// Routing: the department each policy picks (codes), with the
	// candidate's reasons. Equal when routing did not change or the case
	// was routed by hand.
	CurrentDepartment, CandidateDepartment string
	CandidateReasons                       []string
	// Response deadlines under each policy (zero when that policy sets
	// none) and whether the first answer came after it.
	CurrentDue, CandidateDue           time.Time
	CurrentBreached, CandidateBreached bool
}

// Rerouted reports whether the candidate routes the case elsewhere.
func (c Change) Rerouted() bool { return c.CurrentDepartment != c.CandidateDepartment }

// DeadlineMoved reports whether the response deadline differs.
func (c Change) DeadlineMoved() bool { return !c.CurrentDue.Equal(c.CandidateDue) }

// Report is the outcome of a simulation.
type Report struct {
	Since                               time.Time
	CurrentRevision, CandidateRevision  string
	Cases                               int // cases replayed
	ManuallyRouted                      int // routing overrides, not re-routed
	Rerouted                            int
	DeadlinesEarlier, DeadlinesLater    int
	MedianDeadlineShift                 time.Duration // over moved deadlines
	BreachesCurrent, BreachesCandidate  int
	BreachesAvoided, BreachesIntroduced int
	// Changes lists every case with a difference, oldest first.
	Changes []Change
}

// Simulate replays the cases received since opts.Since.
func Simulate(ctx context.Context, client *ent.Client, current, candidate Engine, opts Options) (*Report, error) {
	rep := &Report{Since: opts.Since, CurrentRevision: current.Revision(), CandidateRevision: candidate.Revision()}
	facts, err := loadFacts(ctx, client)
	if err != nil {
		return nil, err
	}
	cases, err := client.CaseFile.Query().
		Where(casefile.ReceivedAtGTE(opts.Since)).
		Order(ent.Asc(casefile.FieldReceivedAt), ent.Asc(casefile.FieldID)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load cases: %w", err)
	}
	manual, err := manuallyRouted(ctx, client, cases)
	if err != nil {
		return nil, err
	}
	var shifts []time.Duration
	for _, c := range cases {
		rep.Cases++
		in := facts.routingInput(c)
		ch := Change{CaseID: c.ID, TrackingCode: opts.Tracking(c.ID, c.ReceivedAt)}
		if manual[c.ID] {
			rep.ManuallyRouted++
		} else {
			cur, err := current.Route(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("case %d: current routing: %w", c.ID, err)
			}
			cand, err := candidate.Route(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("case %d: candidate routing: %w", c.ID, err)
			}
			ch.CurrentDepartment, ch.CandidateDepartment, ch.CandidateReasons = cur.Department, cand.Department, cand.Reasons
		}
		// Deadlines are compared in the department that handled the case,
		// so that a routing change does not hide a time-limit change.
		dept := facts.deptCode[deref(c.DepartmentID)]
		if ch.CurrentDue, err = responseDue(ctx, current, c, dept); err != nil {
			return nil, fmt.Errorf("case %d: current limits: %w", c.ID, err)
		}
		if ch.CandidateDue, err = responseDue(ctx, candidate, c, dept); err != nil {
			return nil, fmt.Errorf("case %d: candidate limits: %w", c.ID, err)
		}
		answered := opts.Now
		if c.FirstRespondedAt != nil {
			answered = *c.FirstRespondedAt
		}
		ch.CurrentBreached = !ch.CurrentDue.IsZero() && answered.After(ch.CurrentDue)
		ch.CandidateBreached = !ch.CandidateDue.IsZero() && answered.After(ch.CandidateDue)
		if ch.CurrentBreached {
			rep.BreachesCurrent++
		}
		if ch.CandidateBreached {
			rep.BreachesCandidate++
		}
		switch {
		case ch.CurrentBreached && !ch.CandidateBreached:
			rep.BreachesAvoided++
		case !ch.CurrentBreached && ch.CandidateBreached:
			rep.BreachesIntroduced++
		}
		if ch.Rerouted() {
			rep.Rerouted++
		}
		if ch.DeadlineMoved() && !ch.CurrentDue.IsZero() && !ch.CandidateDue.IsZero() {
			shift := ch.CandidateDue.Sub(ch.CurrentDue)
			shifts = append(shifts, shift)
			if shift < 0 {
				rep.DeadlinesEarlier++
			} else {
				rep.DeadlinesLater++
			}
		}
		if ch.Rerouted() || ch.DeadlineMoved() || ch.CurrentBreached != ch.CandidateBreached {
			rep.Changes = append(rep.Changes, ch)
		}
	}
	if len(shifts) > 0 {
		slices.Sort(shifts)
		rep.MedianDeadlineShift = shifts[(len(shifts)-1)/2]
	}
	return rep, nil
}

// responseDue is the response deadline a policy gives case c handled by
// dept: the limit from receipt on the department's calendar, moved by the
// working time the case spent waiting for the petitioner. Extensions are
// left out: they were granted under the policy in force.
func responseDue(ctx context.Context, e Engine, c *ent.CaseFile, dept string) (time.Time, error) {
	limits, err := e.Limits(ctx, policy.DeadlineInput{
		Department: dept, Kind: string(c.Kind), Priority: string(c.Priority), Channel: string(c.Channel),
	})
	if err != nil {
		return time.Time{}, err
	}
	if limits.Respond == 0 {
		return time.Time{}, nil
	}
	due := limits.Calendar.Add(c.ReceivedAt, limits.Respond)
	if c.PausedSeconds > 0 {
		due = limits.Calendar.Add(due, time.Duration(c.PausedSeconds)*time.Second)
	}
	return due, nil
}

// facts are the directory's codes, which policies use instead of IDs.
type facts struct {
	deptCode map[int]string
	intake   string
	category map[int]*ent.Category
	project  map[int]*ent.ServiceProject
}

func loadFacts(ctx context.Context, client *ent.Client) (*facts, error) {
	f := &facts{deptCode: map[int]string{}, category: map[int]*ent.Category{}, project: map[int]*ent.ServiceProject{}}
	depts, err := client.Department.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load departments: %w", err)
	}
	sort.Slice(depts, func(i, j int) bool { return depts[i].ID < depts[j].ID })
	for _, d := range depts {
		f.deptCode[d.ID] = d.Code
		if d.Intake && d.Active && f.intake == "" {
			f.intake = d.Code
		}
	}
	cats, err := client.Category.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	for _, c := range cats {
		f.category[c.ID] = c
	}
	projects, err := client.ServiceProject.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load service projects: %w", err)
	}
	for _, p := range projects {
		f.project[p.ID] = p
	}
	return f, nil
}

func (f *facts) routingInput(c *ent.CaseFile) policy.RoutingInput {
	in := policy.RoutingInput{
		Kind: string(c.Kind), Channel: string(c.Channel), Priority: string(c.Priority),
		Subject: c.Subject, Body: c.Body, IntakeDepartment: f.intake,
	}
	if c.CategoryID != nil {
		if cat := f.category[*c.CategoryID]; cat != nil {
			in.Category, in.CategoryDepartment = cat.Code, f.deptCode[deref(cat.DefaultDepartmentID)]
		}
	}
	if c.ServiceProjectID != nil {
		if p := f.project[*c.ServiceProjectID]; p != nil {
			in.ServiceProject, in.ServiceProjectDepartment = p.Code, f.deptCode[deref(p.DepartmentID)]
		}
	}
	if c.ConcernedDepartmentID != nil {
		in.ConcernedDepartment = f.deptCode[*c.ConcernedDepartmentID]
	}
	return in
}

// manuallyRouted finds the cases whose intake overrode routing: their first
// event records the staff member's reason instead of a policy rule.
func manuallyRouted(ctx context.Context, client *ent.Client, cases []*ent.CaseFile) (map[int]bool, error) {
	out := map[int]bool{}
	ids := make([]int, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	for start := 0; start < len(ids); start += 1000 {
		end := min(start+1000, len(ids))
		events, err := client.CaseEvent.Query().
			Where(caseevent.CaseIDIn(ids[start:end]...), caseevent.Seq(1)).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load first events: %w", err)
		}
		for _, ev := range events {
			if rule, _ := ev.Payload["routingRule"].(string); rule == "override" {
				out[ev.CaseID] = true
			}
		}
	}
	return out, nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
