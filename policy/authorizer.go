package policy

import (
	"context"

	"github.com/xinfang/xinfang/internal/apperr"
)

// Action is something a caller wants to do. Case actions are named after
// the workflow transitions.
type Action string

// The actions the API asks about.
const (
	ActionCaseSubmit             Action = "case.submit"
	ActionCaseRecord             Action = "case.record"
	ActionCaseRead               Action = "case.read"
	ActionCaseList               Action = "case.list"
	ActionCaseReadPersonalData   Action = "case.read_personal_data"
	ActionCaseAccept             Action = "case.accept"
	ActionCaseDecline            Action = "case.decline"
	ActionCaseAssign             Action = "case.assign"
	ActionCaseStartWork          Action = "case.start_work"
	ActionCaseAddNote            Action = "case.add_note"
	ActionCaseRequestInformation Action = "case.request_information"
	ActionCaseProvideInformation Action = "case.provide_information"
	ActionCaseTransfer           Action = "case.transfer"
	ActionCaseRequestExtension   Action = "case.request_extension"
	ActionCaseDecideExtension    Action = "case.decide_extension"
	ActionCaseRespond            Action = "case.respond"
	ActionCaseClose              Action = "case.close"
	ActionCaseRate               Action = "case.rate"
	ActionCaseRequestReview      Action = "case.request_review"
	ActionCaseMerge              Action = "case.merge"
	ActionDirectoryRead          Action = "directory.read"
	ActionDirectoryManage        Action = "directory.manage"
	// ActionEvaluationRead is reading anonymised evaluation figures,
	// scorecards, reports and improvement actions.
	ActionEvaluationRead Action = "evaluation.read"
	// ActionImprovementManage is creating and updating improvement actions.
	ActionImprovementManage Action = "improvement.manage"
)

// allActions lists every action, for the data schema and the tests.
var allActions = []Action{
	ActionCaseSubmit, ActionCaseRecord, ActionCaseRead, ActionCaseList, ActionCaseReadPersonalData,
	ActionCaseAccept, ActionCaseDecline, ActionCaseAssign, ActionCaseStartWork, ActionCaseAddNote,
	ActionCaseRequestInformation, ActionCaseProvideInformation, ActionCaseTransfer,
	ActionCaseRequestExtension, ActionCaseDecideExtension, ActionCaseRespond, ActionCaseClose,
	ActionCaseRate, ActionCaseRequestReview, ActionCaseMerge, ActionDirectoryRead,
	ActionDirectoryManage, ActionEvaluationRead, ActionImprovementManage,
}

// Resource describes the object of a decision. For case actions it carries
// the facts a policy may look at; the zero value means "no particular
// object" (e.g. listing).
type Resource struct {
	CaseID int
	// DepartmentID is the case's current department: handlers and
	// department heads act on their department's cases.
	DepartmentID int
	AssigneeID   int
	Kind         string
	// Status is the case's status (SUBMITTED, IN_PROGRESS, ...).
	Status string
	// ConcernedDepartmentID is, for a REPORT (whistle-blowing) case, the
	// department reported on; its staff never see who reported. 0 otherwise.
	ConcernedDepartmentID int
}

// Authorizer decides whether a subject may perform an action on a
// resource. A nil error means allowed; a refusal is an *apperr.Error with
// code UNAUTHENTICATED or FORBIDDEN.
type Authorizer interface {
	Authorize(ctx context.Context, subject Subject, action Action, resource Resource) error
}

// RoleAuthorizer is the role table the policy started from, kept as a
// dependency-free Authorizer for packages and tests that run without an
// Engine. It does not scope by department nor protect reporters: the
// Engine's Rego policy (rego/authz.rego with config/authz.json) does, and a
// test checks that the Engine makes the same decisions otherwise.
type RoleAuthorizer struct{}

var (
	caseWorkers = []Role{RoleAdmin, RoleIntakeAgent, RoleHandler, RoleDeptHead}
	readers     = []Role{RoleAdmin, RoleIntakeAgent, RoleHandler, RoleDeptHead, RoleEvaluator, RoleOversightMember}
	everyStaff  = []Role{RoleAdmin, RoleIntakeAgent, RoleHandler, RoleDeptHead, RoleEvaluator,
		RoleInfoOfficer, RoleHROfficer, RolePROfficer, RoleOversightMember}
)

// staffActions lists the roles allowed each staff action.
var staffActions = map[Action][]Role{
	ActionCaseRecord:             {RoleAdmin, RoleIntakeAgent},
	ActionCaseRead:               readers,
	ActionCaseList:               readers,
	ActionCaseReadPersonalData:   caseWorkers,
	ActionCaseAccept:             {RoleAdmin, RoleIntakeAgent, RoleDeptHead},
	ActionCaseDecline:            {RoleAdmin, RoleIntakeAgent, RoleDeptHead},
	ActionCaseAssign:             {RoleAdmin, RoleDeptHead},
	ActionCaseStartWork:          {RoleAdmin, RoleHandler, RoleDeptHead},
	ActionCaseAddNote:            caseWorkers,
	ActionCaseRequestInformation: {RoleAdmin, RoleHandler, RoleDeptHead},
	ActionCaseTransfer:           caseWorkers,
	ActionCaseRequestExtension:   {RoleAdmin, RoleHandler, RoleDeptHead},
	ActionCaseDecideExtension:    {RoleAdmin, RoleDeptHead},
	ActionCaseRespond:            {RoleAdmin, RoleHandler, RoleDeptHead},
	ActionCaseClose:              {RoleAdmin, RoleHandler, RoleDeptHead, RoleIntakeAgent},
	ActionCaseMerge:              {RoleAdmin, RoleIntakeAgent, RoleDeptHead},
	ActionDirectoryRead:          everyStaff,
	ActionDirectoryManage:        {RoleAdmin},
	ActionEvaluationRead:         {RoleAdmin, RoleEvaluator, RoleOversightMember, RoleDeptHead, RoleInfoOfficer},
	ActionImprovementManage:      {RoleAdmin, RoleEvaluator},
}

// assigneeOnly are the actions a handler may take only on cases assigned
// to them; department heads and administrators may take them on any case.
var assigneeOnly = map[Action]bool{
	ActionCaseStartWork:          true,
	ActionCaseRequestInformation: true,
	ActionCaseRequestExtension:   true,
	ActionCaseRespond:            true,
}

// petitionerActions are what the holder of a tracking code and PIN may do
// with that one case.
var petitionerActions = map[Action]bool{
	ActionCaseRead:               true,
	ActionCaseProvideInformation: true,
	ActionCaseRate:               true,
	ActionCaseRequestReview:      true,
}

// Authorize implements Authorizer.
func (RoleAuthorizer) Authorize(_ context.Context, s Subject, action Action, r Resource) error {
	if action == ActionCaseSubmit {
		return nil // the public form needs no account
	}
	switch s.Kind {
	case StaffMember:
		for _, role := range staffActions[action] {
			if role != s.Role {
				continue
			}
			if s.Role == RoleHandler && assigneeOnly[action] && r.AssigneeID != s.StaffID {
				return apperr.New(apperr.Forbidden, "authz.not_assignee")
			}
			return nil
		}
		return apperr.New(apperr.Forbidden, "authz.forbidden").With("action", string(action))
	case Petitioner:
		if petitionerActions[action] && r.CaseID != 0 && r.CaseID == s.CaseID {
			return nil
		}
		return apperr.New(apperr.Forbidden, "authz.forbidden").With("action", string(action))
	default:
		return apperr.New(apperr.Unauthenticated, "authz.sign_in")
	}
}
