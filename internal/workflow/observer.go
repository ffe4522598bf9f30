package workflow

import (
	"context"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/schema/schematype"
)

// Observer learns of every change to a case once it is committed: live
// metrics and the deadline alert feed keep themselves current this way
// instead of reading the case table.
//
// CaseChanged runs on the goroutine of the request that made the change,
// after the commit: it must be quick and must not fail the request.
type Observer interface {
	CaseChanged(ctx context.Context, ch Change)
}

// Change is one committed transition of a case.
type Change struct {
	// Event is the event the transition appended; empty for bookkeeping
	// without an event (the watcher lowering an SLA state after an
	// extension).
	Event caseevent.Type
	// At is when the transition happened (the event's time).
	At time.Time
	// Before is the case as the transition found it; nil for a new case.
	// After is the case as the transition left it.
	Before, After *ent.CaseFile
	// DepartmentBefore and DepartmentAfter are the codes of the
	// responsible department before and after ("" when none).
	DepartmentBefore, DepartmentAfter string
}

// Observers fans a change out to several observers, in order.
type Observers []Observer

// CaseChanged implements Observer.
func (o Observers) CaseChanged(ctx context.Context, ch Change) {
	for _, obs := range o {
		obs.CaseChanged(ctx, ch)
	}
}

// notify tells the observer about a committed change, with the
// departments' codes.
func (s *Service) notify(ctx context.Context, event caseevent.Type, at time.Time, before, after *ent.CaseFile) {
	if s.observer == nil {
		return
	}
	ch := Change{Event: event, At: at, Before: before, After: after}
	if before != nil {
		ch.DepartmentBefore = s.departmentCodeOrEmpty(ctx, before.DepartmentID)
	}
	ch.DepartmentAfter = s.departmentCodeOrEmpty(ctx, after.DepartmentID)
	s.observer.CaseChanged(ctx, ch)
}

// departmentCodeOrEmpty is the department's code from the cached index;
// an observer's labels are not worth failing a committed change for.
func (s *Service) departmentCodeOrEmpty(ctx context.Context, id *int) string {
	code, err := s.departmentCode(ctx, id)
	if err != nil {
		s.log.WarnContext(ctx, "department code for observers", "department_id", deref(id), "err", err)
		return ""
	}
	return code
}

// UnclosedStatuses are the statuses of cases that still need work from the
// organisation: the open statuses and RESPONDED (answered, not closed).
var UnclosedStatuses = []schematype.CaseStatus{submitted, accepted, assigned, inProgress, awaiting, responded}

// OpenCount is the number of unclosed cases of a department in one status
// and SLA state.
type OpenCount struct {
	Department string
	Status     schematype.CaseStatus
	SLAState   casefile.SLAState
	Cases      int
}

// CountUnclosed counts the unclosed cases by department, status and SLA
// state, for observers that reconcile their running totals now and then.
// It reads every unclosed case: call it minutes apart, never per request.
func (s *Service) CountUnclosed(ctx context.Context) ([]OpenCount, error) {
	var rows []struct {
		DepartmentID *int                  `json:"department_id"`
		Status       schematype.CaseStatus `json:"status"`
		SLAState     casefile.SLAState     `json:"sla_state"`
		Count        int                   `json:"count"`
	}
	err := s.client.CaseFile.Query().
		Where(casefile.StatusIn(UnclosedStatuses...)).
		GroupBy(casefile.FieldDepartmentID, casefile.FieldStatus, casefile.FieldSLAState).
		Aggregate(ent.Count()).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make([]OpenCount, 0, len(rows))
	for _, r := range rows {
		code, err := s.departmentCode(ctx, r.DepartmentID)
		if err != nil {
			return nil, err
		}
		out = append(out, OpenCount{Department: code, Status: r.Status, SLAState: r.SLAState, Cases: r.Count})
	}
	return out, nil
}
