package policy

import (
	"context"

	"github.com/xinfang/xinfang/internal/apperr"
)

// RoleAuthorizer is the role table the policy started from, kept as a test
// oracle only: the Engine's Rego policy (rego/authz.rego with
// config/authz.json) must make the same decisions, plus department scoping
// and the protection of reporters, which the table does not know.
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
