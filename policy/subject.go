package policy

import "context"

// Role is a staff role. The values match the GraphQL enum StaffRole.
type Role string

// The staff roles.
const (
	RoleAdmin           Role = "ADMIN"
	RoleIntakeAgent     Role = "INTAKE_AGENT"
	RoleHandler         Role = "HANDLER"
	RoleDeptHead        Role = "DEPT_HEAD"
	RoleEvaluator       Role = "EVALUATOR"
	RoleInfoOfficer     Role = "INFO_OFFICER"
	RoleHROfficer       Role = "HR_OFFICER"
	RolePROfficer       Role = "PR_OFFICER"
	RoleOversightMember Role = "OVERSIGHT_MEMBER"
)

// SubjectKind says who is calling.
type SubjectKind int

// The kinds of caller.
const (
	// Anonymous is a member of the public without credentials.
	Anonymous SubjectKind = iota
	// StaffMember is a signed-in staff member or oversight member.
	StaffMember
	// Petitioner holds a case's tracking code and PIN.
	Petitioner
)

// Subject is the caller a decision is about.
type Subject struct {
	Kind SubjectKind
	// StaffID, Role and DepartmentID are set for StaffMember.
	StaffID      int
	Role         Role
	DepartmentID int
	// CaseID is the case a Petitioner proved access to.
	CaseID int
}

type subjectKey struct{}

// WithSubject returns a context carrying the caller.
func WithSubject(ctx context.Context, s Subject) context.Context {
	return context.WithValue(ctx, subjectKey{}, s)
}

// SubjectFrom returns the caller carried by ctx, or an Anonymous subject.
func SubjectFrom(ctx context.Context) Subject {
	s, _ := ctx.Value(subjectKey{}).(Subject)
	return s
}

// Roles lists every staff role.
var Roles = []Role{
	RoleAdmin, RoleIntakeAgent, RoleHandler, RoleDeptHead, RoleEvaluator,
	RoleInfoOfficer, RoleHROfficer, RolePROfficer, RoleOversightMember,
}
