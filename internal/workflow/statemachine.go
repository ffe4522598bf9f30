package workflow

import (
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/schema/schematype"
	"github.com/xinfang/xinfang/policy"
)

// Action is a staff action on a case, as offered to the SPA in
// Case.availableActions. The values match the GraphQL enum CaseAction.
type Action string

// The staff actions.
const (
	ActionAccept             Action = "ACCEPT"
	ActionDecline            Action = "DECLINE"
	ActionAssign             Action = "ASSIGN"
	ActionStartWork          Action = "START_WORK"
	ActionAddNote            Action = "ADD_NOTE"
	ActionRequestInformation Action = "REQUEST_INFORMATION"
	ActionTransfer           Action = "TRANSFER"
	ActionRequestExtension   Action = "REQUEST_EXTENSION"
	ActionDecideExtension    Action = "DECIDE_EXTENSION"
	ActionRespond            Action = "RESPOND"
	ActionClose              Action = "CLOSE"
	ActionMerge              Action = "MERGE"
)

type status = schematype.CaseStatus

const (
	submitted   = schematype.StatusSubmitted
	accepted    = schematype.StatusAccepted
	notAccepted = schematype.StatusNotAccepted
	assigned    = schematype.StatusAssigned
	inProgress  = schematype.StatusInProgress
	awaiting    = schematype.StatusAwaitingPetitioner
	responded   = schematype.StatusResponded
	closed      = schematype.StatusClosed
	merged      = schematype.StatusMerged
)

// rule is one row of the state machine: from which statuses a transition
// may start, where it leads ("" keeps the status), the event it records,
// and the permission it needs.
type rule struct {
	from       []status
	to         status
	event      caseevent.Type
	permission policy.Action
	// public events are shown to the petitioner on the tracking page.
	public bool
}

// open statuses are those in which the case still needs handling.
var openStatuses = []status{submitted, accepted, assigned, inProgress, awaiting}

// rules is the case state machine of DESIGN.md ("The case and its life").
var rules = map[Action]rule{
	ActionAccept:             {from: []status{submitted}, to: accepted, event: caseevent.TypeACCEPTED, permission: policy.ActionCaseAccept, public: true},
	ActionDecline:            {from: []status{submitted}, to: notAccepted, event: caseevent.TypeDECLINED, permission: policy.ActionCaseDecline, public: true},
	ActionAssign:             {from: []status{accepted, assigned, inProgress}, to: assigned, event: caseevent.TypeASSIGNED, permission: policy.ActionCaseAssign},
	ActionStartWork:          {from: []status{assigned}, to: inProgress, event: caseevent.TypeWORK_STARTED, permission: policy.ActionCaseStartWork, public: true},
	ActionAddNote:            {from: []status{submitted, accepted, notAccepted, assigned, inProgress, awaiting, responded, closed}, event: caseevent.TypeNOTE_ADDED, permission: policy.ActionCaseAddNote},
	ActionRequestInformation: {from: []status{inProgress}, to: awaiting, event: caseevent.TypeINFORMATION_REQUESTED, permission: policy.ActionCaseRequestInformation, public: true},
	ActionTransfer:           {from: []status{submitted, accepted, assigned, inProgress}, event: caseevent.TypeTRANSFERRED, permission: policy.ActionCaseTransfer},
	ActionRequestExtension:   {from: []status{assigned, inProgress, awaiting}, event: caseevent.TypeEXTENSION_REQUESTED, permission: policy.ActionCaseRequestExtension},
	ActionDecideExtension:    {from: []status{assigned, inProgress, awaiting}, permission: policy.ActionCaseDecideExtension},
	ActionRespond:            {from: []status{inProgress}, to: responded, event: caseevent.TypeRESPONDED, permission: policy.ActionCaseRespond, public: true},
	ActionClose:              {from: []status{responded}, to: closed, event: caseevent.TypeCLOSED, permission: policy.ActionCaseClose, public: true},
	ActionMerge:              {from: openStatuses, to: merged, event: caseevent.TypeMERGED, permission: policy.ActionCaseMerge, public: true},
}

// Petitioner actions have rules of their own; they are not offered in
// availableActions.
var (
	provideInformationRule = rule{from: []status{awaiting}, to: inProgress, event: caseevent.TypeINFORMATION_PROVIDED, permission: policy.ActionCaseProvideInformation, public: true}
	rateRule               = rule{from: []status{closed}, event: caseevent.TypeRATED, permission: policy.ActionCaseRate, public: true}
	requestReviewRule      = rule{from: []status{closed}, to: accepted, event: caseevent.TypeREVIEW_REQUESTED, permission: policy.ActionCaseRequestReview, public: true}
)

// allows reports whether the rule may start from s.
func (r rule) allows(s status) bool {
	for _, f := range r.from {
		if f == s {
			return true
		}
	}
	return false
}

// IsOpen reports whether a case in status s still needs handling.
func IsOpen(s status) bool {
	for _, o := range openStatuses {
		if o == s {
			return true
		}
	}
	return false
}

// actionOrder is the order availableActions lists actions in.
var actionOrder = []Action{
	ActionAccept, ActionDecline, ActionAssign, ActionStartWork, ActionRequestInformation,
	ActionRespond, ActionClose, ActionRequestExtension, ActionDecideExtension,
	ActionTransfer, ActionMerge, ActionAddNote,
}
