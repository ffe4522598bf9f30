package demo

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/auth"
	"github.com/xinfang/xinfang/internal/clock"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// Options adjust what Load creates.
type Options struct {
	// Cases is how many cases to create; default 200.
	Cases int
	// Now is the present: cases are spread over the year before it and no
	// step happens after it. Default time.Now().
	Now time.Time
	// Seed makes the content reproducible; default 1.
	Seed int64
	// Password is the password of every demo account; default
	// "xinfang-demo-2026".
	Password string
	// Location is the organisation's time zone; default Asia/Shanghai.
	Location *time.Location
	// Policy decides routing, time limits and permissions; default the
	// embedded policy.
	Policy workflow.Policy
}

// Summary says what Load created.
type Summary struct {
	Departments, Staff, Categories, ServiceProjects, Cases int
	// ByStatus counts the cases by their final status.
	ByStatus map[string]int
	// Accounts are the demo sign-ins; they all share Options.Password.
	Accounts []Account
}

// Account is one demo sign-in.
type Account struct {
	Username   string
	Role       string
	Department string // department code; empty for the administrator and oversight members
}

// Default option values.
const (
	DefaultCases    = 200
	DefaultPassword = "xinfang-demo-2026"
	DefaultSeed     = 1
)

// ErrNotEmpty is returned when the database already holds an organisation.
var ErrNotEmpty = errors.New("demo: the database already has departments; demo data can only be loaded into an empty database")

// Load fills an EMPTY database with a realistic demo organisation. It
// refuses (returns ErrNotEmpty) if any department already exists. Cases go
// through the workflow service, with pinSecret as its PIN secret, so the
// secret must be the one the server uses for petitioners' PINs to work.
//
// Load is not atomic: the organisation is written in one transaction, but
// each case step in its own, so a failure part-way leaves a partial demo.
func Load(ctx context.Context, client *ent.Client, pinSecret []byte, opts Options) (*Summary, error) {
	if opts.Cases <= 0 {
		opts.Cases = DefaultCases
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	timeZone := "Asia/Shanghai"
	if opts.Location == nil {
		loc, err := time.LoadLocation(timeZone)
		if err != nil {
			loc = time.FixedZone("CST", 8*60*60)
		}
		opts.Location = loc
	} else if name := opts.Location.String(); name != "Local" && name != "" {
		if _, err := time.LoadLocation(name); err == nil {
			timeZone = name
		}
	}
	now := opts.Now.Round(0).UTC().Truncate(time.Microsecond)

	exists, err := client.Department.Query().Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: check for departments: %w", err)
	}
	if exists {
		return nil, ErrNotEmpty
	}
	hash, err := auth.HashPassword(opts.Password)
	if err != nil {
		return nil, fmt.Errorf("demo: password: %w", err)
	}
	o, err := createOrg(ctx, client, hash, timeZone)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	clk := clock.NewManual(now.AddDate(-1, 0, -7))
	engine := opts.Policy
	if engine == nil {
		if engine, err = policy.New(ctx, policy.Options{}); err != nil {
			return nil, fmt.Errorf("demo: policy: %w", err)
		}
	}
	svc, err := workflow.New(workflow.Config{Client: client, Policy: engine, PINSecret: pinSecret, Location: opts.Location, Now: clk.Now})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	seed := uint64(opts.Seed)
	l := &loader{
		client: client, svc: svc, clock: clk, org: o, loc: opts.Location, now: now, seed: seed, policy: engine,
		rng:      rand.New(rand.NewPCG(seed, 0x5eed)),
		holidays: set(holidays2026), makeup: set(makeupWorkdays2026),
	}
	if err := l.planAll(opts.Cases); err != nil {
		return nil, fmt.Errorf("demo: plan cases: %w", err)
	}
	if l.planErr != nil {
		return nil, fmt.Errorf("demo: plan cases: %w", l.planErr)
	}
	states, err := l.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	sum := &Summary{
		Departments: len(departments), Staff: len(o.staff), Categories: len(categories),
		ServiceProjects: len(projects), Cases: len(states), ByStatus: map[string]int{},
		Accounts: o.accounts,
	}
	for _, s := range states {
		sum.ByStatus[string(s.c.Status)]++
	}
	return sum, nil
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

type loader struct {
	client     *ent.Client
	svc        *workflow.Service
	clock      *clock.Manual
	org        *org
	loc        *time.Location
	now        time.Time
	seed       uint64
	rng        *rand.Rand
	holidays   map[string]bool
	makeup     map[string]bool
	consultDay time.Time
	plans      []*plan
	policy     workflow.Policy
	planErr    error
}

// caseState is a created case as of its latest step.
type caseState struct {
	c    *ent.CaseFile
	cred workflow.Credentials
	rng  *rand.Rand
}

// pending is a plan's next step in the run queue.
type pending struct {
	at         time.Time
	plan, step int
}

type queue []pending

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].plan < q[j].plan
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(pending)) }
func (q *queue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// run executes all plans' steps in time order, moving the clock along.
func (l *loader) run(ctx context.Context) ([]*caseState, error) {
	states := make([]*caseState, len(l.plans))
	q := &queue{}
	for i, p := range l.plans {
		heap.Push(q, pending{at: p.steps[0].at, plan: i})
	}
	for q.Len() > 0 {
		next := heap.Pop(q).(pending)
		p := l.plans[next.plan]
		st := p.steps[next.step]
		at := st.at
		if at.After(l.now) {
			at = l.now
		}
		l.clock.AdvanceTo(at)
		if err := l.exec(ctx, p, st, states); err != nil {
			code := ""
			if s := states[p.idx]; s != nil {
				code = s.cred.TrackingCode + " "
			}
			return nil, fmt.Errorf("case %d %s(%s): %s at %s: %w", p.idx, code, p.final, st.op, at.Format(time.RFC3339), err)
		}
		if next.step+1 < len(p.steps) {
			heap.Push(q, pending{at: p.steps[next.step+1].at, plan: next.plan, step: next.step + 1})
		}
	}
	return states, nil
}

// staffCtx returns ctx with member as the caller.
func staffCtx(ctx context.Context, m *ent.Staff) context.Context {
	s := policy.Subject{Kind: policy.StaffMember, StaffID: m.ID, Role: policy.Role(m.Role)}
	if m.DepartmentID != nil {
		s.DepartmentID = *m.DepartmentID
	}
	return policy.WithSubject(ctx, s)
}

// actor returns the staff member who performs a step on case c.
func (l *loader) actor(p *plan, c *ent.CaseFile, by who) (*ent.Staff, error) {
	switch by {
	case byHead:
		if c.DepartmentID == nil || l.org.heads[*c.DepartmentID] == nil {
			return nil, errors.New("the case's department has no head")
		}
		return l.org.heads[*c.DepartmentID], nil
	case byAssignee:
		if c.AssigneeID == nil {
			return nil, errors.New("the case has no assignee")
		}
		return l.org.staffByID[*c.AssigneeID], nil
	}
	return l.org.intake[p.intakeBy], nil
}

// assignee picks who a case is assigned to in its current department.
func (l *loader) assignee(s *caseState, st step) (int, error) {
	c := s.c
	if c.DepartmentID == nil {
		return 0, errors.New("the case has no department")
	}
	head := l.org.heads[*c.DepartmentID]
	handlers := l.org.handlers[*c.DepartmentID]
	var pool []*ent.Staff
	switch {
	case st.assignHead && head != nil:
		pool = []*ent.Staff{head}
	default:
		pool = append(pool, handlers...)
		if head != nil && len(pool) == 0 {
			pool = append(pool, head)
		}
	}
	if st.fresh && c.AssigneeID != nil {
		var others []*ent.Staff
		for _, m := range append(pool, handlers...) {
			if m.ID != *c.AssigneeID {
				others = append(others, m)
			}
		}
		if len(others) > 0 {
			pool = others
		}
	}
	if len(pool) == 0 {
		return 0, errors.New("nobody in the case's department can handle it")
	}
	return pick(s.rng, pool).ID, nil
}

func ref(c *ent.CaseFile) workflow.Ref {
	return workflow.Ref{ID: c.ID, Version: workflow.V(c.Version)}
}

// exec performs one step through the workflow service.
func (l *loader) exec(ctx context.Context, p *plan, st step, states []*caseState) error {
	if st.op == opIntake {
		return l.intake(ctx, p, states)
	}
	s := states[p.idx]
	c := s.c
	svc := l.svc
	var err error
	switch st.op {
	case opProvideInfo, opRate, opRequestReview:
		version := workflow.V(c.Version)
		switch st.op {
		case opProvideInfo:
			_, err = svc.PetitionerProvideInformation(ctx, s.cred, version, st.text)
		case opRate:
			_, err = svc.PetitionerRate(ctx, s.cred, version, st.rating, st.text)
		default:
			_, err = svc.PetitionerRequestReview(ctx, s.cred, version, st.text)
		}
		if err != nil {
			return err
		}
		s.c, err = l.client.CaseFile.Get(ctx, c.ID)
		return err
	}
	m, err := l.actor(p, c, st.by)
	if err != nil {
		return err
	}
	sctx := staffCtx(ctx, m)
	var out *ent.CaseFile
	switch st.op {
	case opAccept:
		out, err = svc.Accept(sctx, ref(c), st.priority)
	case opDecline:
		out, err = svc.Decline(sctx, ref(c), st.text)
	case opTransfer:
		out, err = svc.Transfer(sctx, ref(c), l.org.deptID[st.dept], st.text)
	case opAssign:
		var id int
		if id, err = l.assignee(s, st); err == nil {
			out, err = svc.Assign(sctx, ref(c), id)
		}
	case opStart:
		out, err = svc.StartWork(sctx, ref(c))
	case opNote:
		out, err = svc.AddNote(sctx, ref(c), st.text, st.public)
	case opRequestInfo:
		out, err = svc.RequestInformation(sctx, ref(c), st.text)
	case opRequestExtension:
		out, err = svc.RequestExtension(sctx, ref(c), st.hours, st.text)
	case opDecideExtension:
		out, err = svc.DecideExtension(sctx, ref(c), st.approve, st.text)
	case opRespond:
		out, err = svc.Respond(sctx, ref(c), st.outcome, st.text)
	case opClose:
		out, err = svc.Close(sctx, ref(c))
	case opMerge:
		target := states[st.target]
		if target == nil {
			return errors.New("the merge target does not exist yet")
		}
		if out, err = svc.Merge(sctx, ref(c), target.c.ID); err == nil {
			// Merging appends an event to the target too.
			target.c, err = l.client.CaseFile.Get(ctx, target.c.ID)
		}
	default:
		return fmt.Errorf("unknown step %d", st.op)
	}
	if err != nil {
		return err
	}
	s.c = out
	return nil
}

// intake creates the case: the web form, or an intake agent recording a
// call, email, letter, visit or consultation opinion.
func (l *loader) intake(ctx context.Context, p *plan, states []*caseState) error {
	sub := workflow.Submission{
		Channel: p.channel, Kind: p.sc.kind, Priority: p.priority,
		Subject: p.subject, Body: p.body, Locale: p.locale(), Contact: p.contact,
	}
	if id, ok := l.org.categoryID[p.sc.category]; ok {
		sub.CategoryID = &id
	}
	if id, ok := l.org.projectID[p.sc.project]; ok {
		sub.ServiceProjectID = &id
	}
	var r *workflow.Receipt
	var err error
	if p.channel == casefile.ChannelWEB {
		r, err = l.svc.Submit(ctx, sub)
	} else {
		if p.received.Before(p.recorded) {
			sub.ReceivedAt = p.received
		}
		r, err = l.svc.Record(staffCtx(ctx, l.org.intake[p.intakeBy]), sub)
	}
	if err != nil {
		return err
	}
	c, err := l.client.CaseFile.Get(ctx, r.CaseID)
	if err != nil {
		return fmt.Errorf("load new case: %w", err)
	}
	states[p.idx] = &caseState{
		c:    c,
		cred: workflow.Credentials{ClientAddr: "demo", TrackingCode: r.TrackingCode, PIN: r.PIN},
		rng:  rand.New(rand.NewPCG(l.seed, uint64(p.idx)<<1|1<<40)),
	}
	return nil
}
