package policy

import (
	"context"
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
