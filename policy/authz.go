package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/xinfang/xinfang/internal/apperr"
)

// Visibility says what of a case a caller may see. Callers who may not
// read the case get the zero value: nothing.
type Visibility struct {
	PetitionerIdentity bool // name and contact data may be shown
	FullText           bool // false: subject, body, notes and replies must be anonymised
}

// Scope says which cases a subject may read, for list queries. It is the
// read rule of the authorization policy translated into a filter:
//
//   - None: no case;
//   - All: every case;
//   - otherwise a case matches when its department is in DepartmentIDs, or
//     its assignee is AssigneeID (when not 0), or it is case CaseID (when
//     not 0).
//
// In SQL: department_id IN (DepartmentIDs) OR assignee_id = AssigneeID OR
// id = CaseID. Every load checks that the scope and Authorize(ActionCaseRead)
// agree on a grid of subjects and cases, so a policy change cannot make a
// list show what a read refuses.
type Scope struct {
	None, All     bool
	DepartmentIDs []int
	AssigneeID    int
	CaseID        int
}

// Allows reports whether the scope includes a case, as the SQL filter
// would.
func (s Scope) Allows(r Resource) bool {
	switch {
	case s.None:
		return false
	case s.All:
		return true
	}
	return (r.DepartmentID != 0 && slices.Contains(s.DepartmentIDs, r.DepartmentID)) ||
		(s.AssigneeID != 0 && r.AssigneeID == s.AssigneeID) ||
		(s.CaseID != 0 && r.CaseID == s.CaseID)
}

var _ Authorizer = (*Engine)(nil)

// Authorize implements Authorizer: nil when s may perform a on r, else an
// *apperr.Error: UNAUTHENTICATED for an anonymous caller, FORBIDDEN with a
// key saying why otherwise.
func (e *Engine) Authorize(ctx context.Context, s Subject, a Action, r Resource) error {
	_, err := e.AuthorizeDecision(ctx, s, a, r)
	return err
}

// AuthorizeDecision is Authorize that also returns the decision, for
// callers that record it.
func (e *Engine) AuthorizeDecision(ctx context.Context, s Subject, a Action, r Resource) (Decision, error) {
	return e.authorizeDecision(ctx, s, a, r, true)
}

// authorizeDecision is AuthorizeDecision; remembered false bypasses the
// memo (one Rego evaluation), for MeasureDecisions.
func (e *Engine) authorizeDecision(ctx context.Context, s Subject, a Action, r Resource, remembered bool) (Decision, error) {
	start := time.Now()
	c := e.active.Load()
	d := e.nextDecision(c)
	f := factsOf(c.reads, s, a, r)
	var v authzVerdict
	var err error
	if remembered {
		v, err = c.authorize(ctx, f)
	} else {
		v, err = c.evalAuthorize(ctx, f)
	}
	if err != nil {
		e.done(ctx, policyAuthz, start, d, resultError, err)
		return d, fmt.Errorf("authorize %s: %w", a, err)
	}
	result := resultAllow
	if !v.allow {
		result = resultDeny
	}
	if e.done(ctx, policyAuthz, start, d, result, nil) {
		e.logDecision(ctx, policyAuthz, d, result, slog.String("action", string(a)), slog.String("reason", v.reason),
			slog.Any("subject", s), slog.Any("resource", r))
	}
	if v.allow {
		return d, nil
	}
	return d, refusal(v.reason, a)
}

// refusal turns the reason of a refusal into the error the caller sees.
func refusal(reason string, a Action) error {
	switch reason {
	case "sign_in":
		return apperr.New(apperr.Unauthenticated, "authz.sign_in")
	case "not_assignee":
		return apperr.New(apperr.Forbidden, "authz.not_assignee")
	case "other_department":
		return apperr.New(apperr.Forbidden, "authz.other_department")
	case "reporter_protected":
		return apperr.New(apperr.Forbidden, "authz.reporter_protected")
	case "not_own_case":
		return apperr.New(apperr.Forbidden, "authz.not_own_case")
	default:
		return apperr.New(apperr.Forbidden, "authz.forbidden").With("action", string(a))
	}
}

// authzFacts are everything the authorization policy sees of a question
// (the input of decision and visibility, see rego/authz.rego): the caller's
// kind and role, the action, the case's kind and status, and how caller and
// case relate, worked out here rather than in Rego. They take few distinct
// values, so they key the per-revision memo of decisions.
type authzFacts struct {
	subject SubjectKind // Anonymous, StaffMember or Petitioner
	role    Role        // "" unless staff
	action  Action
	// resource is false for a question about no particular case.
	resource bool
	kind     string
	status   string
	// ownCase: a petitioner's own case (CaseID ≠ 0 and equal).
	ownCase bool
	// inDepartment: the case is in the staff member's department, who has
	// one.
	inDepartment bool
	// assignee: the staff member is the case's assignee.
	assignee bool
	// concernedDepartment: the staff member's department is the one the
	// case reports on.
	concernedDepartment bool
}

// factsOf works out the facts of a question that the policy reads (rd).
// Relations hold only for the kind of subject they are about: a petitioner
// has no department and is never an assignee, a staff member has no own
// case.
func factsOf(rd authzReads, s Subject, a Action, r Resource) authzFacts {
	f := authzFacts{
		action:   a,
		resource: r != Resource{},
		kind:     r.Kind,
		status:   r.Status,
	}
	switch s.Kind {
	case StaffMember:
		f.subject, f.role = StaffMember, s.Role
		f.inDepartment = s.DepartmentID != 0 && r.DepartmentID == s.DepartmentID
		f.assignee = r.AssigneeID == s.StaffID
		f.concernedDepartment = r.ConcernedDepartmentID != 0 && r.ConcernedDepartmentID == s.DepartmentID
	case Petitioner:
		f.subject = Petitioner
		f.ownCase = s.CaseID != 0 && r.CaseID == s.CaseID
	default:
		f.subject = Anonymous
	}
	return rd.prune(f)
}

// authzReads says which facts the authorization policy reads. The others
// are left zero, in the input and in the memo key, so that a policy that
// ignores (say) the case's status is not asked, and does not remember a
// decision, once per status.
type authzReads struct {
	role, resource, kind, status                         bool
	ownCase, inDepartment, assignee, concernedDepartment bool
}

// readsEverything is the conservative answer.
var readsEverything = authzReads{true, true, true, true, true, true, true, true}

func (rd authzReads) prune(f authzFacts) authzFacts {
	if !rd.role {
		f.role = ""
	}
	if !rd.resource {
		f.resource = false
	}
	if !rd.kind {
		f.kind = ""
	}
	if !rd.status {
		f.status = ""
	}
	f.ownCase = f.ownCase && rd.ownCase
	f.inDepartment = f.inDepartment && rd.inDepartment
	f.assignee = f.assignee && rd.assignee
	f.concernedDepartment = f.concernedDepartment && rd.concernedDepartment
	return f
}

// authzReadsOf finds the facts that the compiled modules read. Any reference
// to input that does not name a fact outright (input, input.resource,
// input.relation[x], ...) counts as reading every fact below it. Every
// module is looked at, not only the authorization package: reading too
// much only costs memo entries.
func authzReadsOf(modules map[string]*ast.Module) authzReads {
	var rd authzReads
	facts := map[string]map[string]*bool{
		"subject":  {"role": &rd.role},
		"resource": {"given": &rd.resource, "kind": &rd.kind, "status": &rd.status},
		"relation": {"own_case": &rd.ownCase, "in_department": &rd.inDepartment, "assignee": &rd.assignee,
			"concerned_department": &rd.concernedDepartment},
	}
	all := func(group map[string]*bool) {
		for _, read := range group {
			*read = true
		}
	}
	for _, m := range modules {
		ast.WalkTerms(m, func(t *ast.Term) bool {
			switch v := t.Value.(type) {
			case ast.Var:
				if v.Equal(ast.InputRootDocument.Value) {
					rd = readsEverything
				}
			case ast.Ref:
				if !v.HasPrefix(ast.InputRootRef) {
					return false
				}
				// Look at the elements after the head, which may be
				// references to input themselves.
				for _, elem := range v[1:] {
					ast.WalkTerms(elem, func(t *ast.Term) bool {
						if r, ok := t.Value.(ast.Ref); ok && r.HasPrefix(ast.InputRootRef) {
							rd = readsEverything
						}
						if v, ok := t.Value.(ast.Var); ok && v.Equal(ast.InputRootDocument.Value) {
							rd = readsEverything
						}
						return false
					})
				}
				if len(v) < 2 {
					rd = readsEverything
					return true
				}
				top, ok := v[1].Value.(ast.String)
				if !ok {
					rd = readsEverything
					return true
				}
				group, isFacts := facts[string(top)]
				if !isFacts {
					return true // action, or another policy's input
				}
				if len(v) < 3 {
					all(group)
					return true
				}
				name, ok := v[2].Value.(ast.String)
				if !ok {
					all(group)
					return true
				}
				if read, known := group[string(name)]; known {
					*read = true
				}
				return true
			}
			return false
		})
	}
	return rd
}

// input is the Rego input of the facts.
func (f authzFacts) input() ast.Value {
	return ast.NewObject(
		item("action", str(string(f.action))),
		item("subject", ast.NewTerm(ast.NewObject(
			item("kind", key(subjectKind(f.subject))),
			item("role", str(string(f.role))),
		))),
		item("resource", ast.NewTerm(ast.NewObject(
			item("given", boolean(f.resource)),
			item("kind", str(f.kind)),
			item("status", str(f.status)),
		))),
		item("relation", ast.NewTerm(ast.NewObject(
			item("own_case", boolean(f.ownCase)),
			item("in_department", boolean(f.inDepartment)),
			item("assignee", boolean(f.assignee)),
			item("concerned_department", boolean(f.concernedDepartment)),
		))),
	)
}

// authzVerdict is an authorization decision: allowed or not, and why.
type authzVerdict struct {
	allow  bool
	reason string
}

// authorize decides on the facts f, from the memo when it can.
func (c *compiled) authorize(ctx context.Context, f authzFacts) (authzVerdict, error) {
	if !c.memoize {
		return c.evalAuthorize(ctx, f)
	}
	if v, ok := c.authzMemo.get(f); ok {
		return v, nil
	}
	v, err := c.evalAuthorize(ctx, f)
	if err == nil {
		c.authzMemo.put(f, v)
	}
	return v, err
}

// evalAuthorize evaluates the authorization decision. No result is a
// refusal.
func (c *compiled) evalAuthorize(ctx context.Context, f authzFacts) (authzVerdict, error) {
	t, err := c.eval(ctx, c.authz, f.input())
	if errors.Is(err, errNoResult) {
		return authzVerdict{reason: "forbidden"}, nil
	}
	if err != nil {
		return authzVerdict{}, err
	}
	obj, err := asObject(t, "authorization decision")
	if err != nil {
		return authzVerdict{}, err
	}
	allow, err := getBool(obj, "allow")
	if err != nil {
		return authzVerdict{}, err
	}
	reason, err := getString(obj, "reason")
	if err != nil {
		return authzVerdict{}, err
	}
	return authzVerdict{allow: allow, reason: reason}, nil
}

// Visibility decides what of the case r the subject s may see. It does not
// decide whether s may read r at all (Authorize does); for a subject who
// may not, both fields are false.
func (e *Engine) Visibility(ctx context.Context, s Subject, r Resource) (Visibility, error) {
	start := time.Now()
	c := e.active.Load()
	d := e.nextDecision(c)
	v, err := c.visibilityOf(ctx, s, r)
	if err != nil {
		e.done(ctx, policyVisibility, start, d, resultError, err)
		return Visibility{}, fmt.Errorf("visibility: %w", err)
	}
	if e.done(ctx, policyVisibility, start, d, resultOK, nil) {
		e.logDecision(ctx, policyVisibility, d, resultOK, slog.Bool("identity", v.PetitionerIdentity),
			slog.Bool("full_text", v.FullText), slog.Any("subject", s), slog.Any("resource", r))
	}
	return v, nil
}

func (c *compiled) visibilityOf(ctx context.Context, s Subject, r Resource) (Visibility, error) {
	f := factsOf(c.reads, s, "", r)
	if !c.memoize {
		return c.evalVisibility(ctx, f)
	}
	if v, ok := c.visibilityMemo.get(f); ok {
		return v, nil
	}
	v, err := c.evalVisibility(ctx, f)
	if err == nil {
		c.visibilityMemo.put(f, v)
	}
	return v, err
}

func (c *compiled) evalVisibility(ctx context.Context, f authzFacts) (Visibility, error) {
	t, err := c.eval(ctx, c.visibility, f.input())
	if errors.Is(err, errNoResult) {
		return Visibility{}, nil // nothing may be shown
	}
	if err != nil {
		return Visibility{}, err
	}
	obj, err := asObject(t, "visibility")
	if err != nil {
		return Visibility{}, err
	}
	var v Visibility
	if v.PetitionerIdentity, err = getBool(obj, "identity"); err != nil {
		return Visibility{}, err
	}
	if v.FullText, err = getBool(obj, "full_text"); err != nil {
		return Visibility{}, err
	}
	return v, nil
}

// CaseScope decides which cases s may read, as a filter for list queries.
func (e *Engine) CaseScope(ctx context.Context, s Subject) (Scope, error) {
	start := time.Now()
	c := e.active.Load()
	d := e.nextDecision(c)
	sc, err := c.caseScope(ctx, s)
	if err != nil {
		e.done(ctx, policyScope, start, d, resultError, err)
		return Scope{None: true}, fmt.Errorf("case scope: %w", err)
	}
	if e.done(ctx, policyScope, start, d, resultOK, nil) {
		e.logDecision(ctx, policyScope, d, resultOK, slog.Any("scope", sc), slog.Any("subject", s))
	}
	return sc, nil
}

// caseScope decides the scope of s, from the memo when it can. The scope
// depends on the subject's IDs, so the memo is keyed by the whole subject.
func (c *compiled) caseScope(ctx context.Context, s Subject) (Scope, error) {
	if !c.memoize {
		return c.evalCaseScope(ctx, s)
	}
	if sc, ok := c.scopeMemo.get(s); ok {
		sc.DepartmentIDs = slices.Clone(sc.DepartmentIDs)
		return sc, nil
	}
	sc, err := c.evalCaseScope(ctx, s)
	if err == nil {
		c.scopeMemo.put(s, sc)
		sc.DepartmentIDs = slices.Clone(sc.DepartmentIDs)
	}
	return sc, err
}

func (c *compiled) evalCaseScope(ctx context.Context, s Subject) (Scope, error) {
	t, err := c.eval(ctx, c.scope, scopeInput(s))
	if errors.Is(err, errNoResult) {
		return Scope{None: true}, nil
	}
	if err != nil {
		return Scope{}, err
	}
	obj, err := asObject(t, "scope")
	if err != nil {
		return Scope{}, err
	}
	var sc Scope
	if sc.All, err = getBool(obj, "all"); err != nil {
		return Scope{}, err
	}
	if sc.None, err = getBool(obj, "none"); err != nil {
		return Scope{}, err
	}
	if sc.DepartmentIDs, err = getInts(obj, "department_ids"); err != nil {
		return Scope{}, err
	}
	if sc.AssigneeID, err = getInt(obj, "assignee_id"); err != nil {
		return Scope{}, err
	}
	if sc.CaseID, err = getInt(obj, "case_id"); err != nil {
		return Scope{}, err
	}
	sc.DepartmentIDs = slices.DeleteFunc(sc.DepartmentIDs, func(id int) bool { return id == 0 })
	switch {
	case sc.None && sc.All:
		return Scope{}, fmt.Errorf("scope is both none and all: %v", t)
	case sc.None:
		return Scope{None: true}, nil
	case sc.All:
		return Scope{All: true}, nil
	case len(sc.DepartmentIDs) == 0 && sc.AssigneeID == 0 && sc.CaseID == 0:
		return Scope{None: true}, nil
	}
	return sc, nil
}

func subjectKind(k SubjectKind) string {
	switch k {
	case StaffMember:
		return "staff"
	case Petitioner:
		return "petitioner"
	default:
		return "anonymous"
	}
}

// scopeInput is the Rego input of a scope question: the subject alone,
// with its IDs.
func scopeInput(s Subject) ast.Value {
	return ast.NewObject(item("subject", ast.NewTerm(ast.NewObject(
		item("kind", key(subjectKind(s.Kind))),
		item("role", str(string(s.Role))),
		item("staff_id", num(s.StaffID)),
		item("department_id", num(s.DepartmentID)),
		item("case_id", num(s.CaseID)),
	))))
}

// verifyScope checks that the scope of every subject of a grid includes
// exactly the cases of a grid that the read decision allows. A policy
// whose list filter and read rule disagree is refused.
func verifyScope(ctx context.Context, c *compiled) error {
	subjects, resources := scopeGrid()
	for _, s := range subjects {
		sc, err := c.evalCaseScope(ctx, s)
		if err != nil {
			return fmt.Errorf("scope of %+v: %w", s, err)
		}
		for _, r := range resources {
			v, err := c.evalAuthorize(ctx, factsOf(c.reads, s, ActionCaseRead, r))
			if err != nil {
				return fmt.Errorf("read decision for %+v on %+v: %w", s, r, err)
			}
			if allow := v.allow; allow != sc.Allows(r) {
				return fmt.Errorf("the case scope of %+v is %+v, which %s case %+v, but the read decision %s it: make authz.scope agree with authz.decision",
					s, sc, includes(sc.Allows(r)), r, allows(allow))
			}
		}
	}
	return nil
}

func includes(b bool) string {
	if b {
		return "includes"
	}
	return "excludes"
}

func allows(b bool) string {
	if b {
		return "allows"
	}
	return "refuses"
}

// scopeGrid returns subjects of every kind and role, with and without a
// department, and cases of their own department, another one and none,
// assigned to them, to nobody, reports about their department and not, open
// and closed: enough to tell whether a scope and the read rule agree.
func scopeGrid() ([]Subject, []Resource) {
	subjects := []Subject{{Kind: Anonymous}, {Kind: Petitioner}, {Kind: Petitioner, CaseID: 1}, {Kind: Petitioner, CaseID: 2}}
	for _, role := range Roles {
		for _, dept := range []int{0, 1, 2} {
			subjects = append(subjects, Subject{Kind: StaffMember, StaffID: 10, Role: role, DepartmentID: dept})
		}
	}
	var resources []Resource
	for _, id := range []int{1, 2} {
		for _, dept := range []int{0, 1, 2} {
			for _, assignee := range []int{0, 10} {
				for _, kc := range []struct {
					kind      string
					concerned int
				}{{"COMPLAINT", 0}, {"REPORT", 0}, {"REPORT", 1}} {
					for _, status := range []string{"IN_PROGRESS", "CLOSED"} {
						resources = append(resources, Resource{CaseID: id, DepartmentID: dept, AssigneeID: assignee,
							Kind: kc.kind, Status: status, ConcernedDepartmentID: kc.concerned})
					}
				}
			}
		}
	}
	return subjects, resources
}

// isRefusal reports whether err is an authorization refusal rather than a
// failure to decide.
func isRefusal(err error) bool {
	switch apperr.CodeOf(err) {
	case apperr.Forbidden, apperr.Unauthenticated:
		return true
	}
	return false
}
