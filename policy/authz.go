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
	start := time.Now()
	c := e.active.Load()
	d := e.nextDecision(c)
	allow, reason, err := c.authorize(ctx, s, a, r)
	if err != nil {
		e.done(ctx, policyAuthz, start, d, resultError, err)
		return d, fmt.Errorf("authorize %s: %w", a, err)
	}
	result := resultAllow
	if !allow {
		result = resultDeny
	}
	if e.done(ctx, policyAuthz, start, d, result, nil) {
		e.logDecision(ctx, policyAuthz, d, result, slog.String("action", string(a)), slog.String("reason", reason),
			slog.Any("subject", s), slog.Any("resource", r))
	}
	if allow {
		return d, nil
	}
	return d, refusal(reason, a)
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

// authorize evaluates the authorization decision. No result is a refusal.
func (c *compiled) authorize(ctx context.Context, s Subject, a Action, r Resource) (bool, string, error) {
	t, err := c.eval(ctx, c.authz, authzInput(s, a, r))
	if errors.Is(err, errNoResult) {
		return false, "forbidden", nil
	}
	if err != nil {
		return false, "", err
	}
	obj, err := asObject(t, "authorization decision")
	if err != nil {
		return false, "", err
	}
	allow, err := getBool(obj, "allow")
	if err != nil {
		return false, "", err
	}
	reason, err := getString(obj, "reason")
	return allow, reason, err
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
	t, err := c.eval(ctx, c.visibility, authzInput(s, "", r))
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

func (c *compiled) caseScope(ctx context.Context, s Subject) (Scope, error) {
	t, err := c.eval(ctx, c.scope, authzInput(s, ActionCaseRead, Resource{}))
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

func authzInput(s Subject, a Action, r Resource) ast.Value {
	subject := ast.NewObject(
		item("kind", key(subjectKind(s.Kind))),
		item("staff_id", num(s.StaffID)),
		item("role", str(string(s.Role))),
		item("department_id", num(s.DepartmentID)),
		item("case_id", num(s.CaseID)),
	)
	resource := ast.NewObject(
		item("case_id", num(r.CaseID)),
		item("department_id", num(r.DepartmentID)),
		item("assignee_id", num(r.AssigneeID)),
		item("kind", str(r.Kind)),
		item("status", str(r.Status)),
		item("concerned_department_id", num(r.ConcernedDepartmentID)),
	)
	return ast.NewObject(
		item("action", str(string(a))),
		item("subject", ast.NewTerm(subject)),
		item("resource", ast.NewTerm(resource)),
	)
}

// verifyScope checks that the scope of every subject of a grid includes
// exactly the cases of a grid that the read decision allows. A policy
// whose list filter and read rule disagree is refused.
func verifyScope(ctx context.Context, c *compiled) error {
	subjects, resources := scopeGrid()
	for _, s := range subjects {
		sc, err := c.caseScope(ctx, s)
		if err != nil {
			return fmt.Errorf("scope of %+v: %w", s, err)
		}
		for _, r := range resources {
			allow, _, err := c.authorize(ctx, s, ActionCaseRead, r)
			if err != nil {
				return fmt.Errorf("read decision for %+v on %+v: %w", s, r, err)
			}
			if allow != sc.Allows(r) {
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
