package workflow

import (
	"entgo.io/ent/dialect/sql"

	"context"
	"fmt"
	"slices"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/predicate"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/paging"
	"github.com/xinfang/xinfang/policy"
)

// The recipients an escalation decision may name (policy.Escalation.Notify).
const (
	RecipientAssignee = "assignee"
	RecipientDeptHead = "dept_head"
	RecipientAdmin    = "admin"
)

// alertEvents are the events the deadline watcher records.
var alertEvents = deadlineEvents[policy.LevelWarned:]

// DeadlineAlert is a warning, breach or escalation the watcher recorded,
// as the staff it is addressed to read it.
type DeadlineAlert struct {
	// EventID identifies the alert; alerts are ordered by it.
	EventID int
	CaseID  int
	// Deadline is ACKNOWLEDGE, DECIDE, RESPOND or RESOLVE.
	Deadline string
	Level    casefile.SLAState
	Due      time.Time
	// OccurredAt is when the watcher recorded it.
	OccurredAt time.Time
	// Notify are the recipients the policy named: assignee, dept_head,
	// admin.
	Notify  []string
	Reasons []string
}

// AlertQuery selects the caller's alerts. Newest first, First at most,
// older than Before (an EventID) when set; or, for a feed, oldest first
// after After (an EventID).
type AlertQuery struct {
	First  int
	Before int
	After  int
	// Since, when set, skips alerts recorded earlier.
	Since time.Time
}

// AlertPage is one page of alerts.
type AlertPage struct {
	Alerts []DeadlineAlert
	// HasMore reports whether more alerts follow.
	HasMore bool
	// Cursor is, for an After query, the After of the next one: the last
	// event read, addressed to the caller or not, so that a feed does not
	// read others' alerts again.
	Cursor int
}

// DeadlineAlerts returns the alerts addressed to the caller: to a handler
// those naming the assignee on cases assigned to them, to a department
// head those naming the head on their department's cases, to an
// administrator those naming the administrator. Only cases the caller may
// list count.
func (s *Service) DeadlineAlerts(ctx context.Context, q AlertQuery) (AlertPage, error) {
	page, err := s.deadlineAlerts(ctx, q)
	if err != nil {
		return AlertPage{}, err
	}
	if page.Cursor == 0 {
		page.Cursor = q.After
	}
	return page, nil
}

func (s *Service) deadlineAlerts(ctx context.Context, q AlertQuery) (AlertPage, error) {
	subject := policy.SubjectFrom(ctx)
	if err := s.policy.Authorize(ctx, subject, policy.ActionCaseList, policy.Resource{}); err != nil {
		return AlertPage{}, err
	}
	first := q.First
	if err := paging.Check(&first, nil); err != nil {
		return AlertPage{}, err
	}
	if first == 0 {
		return AlertPage{}, nil
	}
	if q.Before != 0 && q.After != 0 {
		return AlertPage{}, apperr.Field("after", "input.invalid")
	}
	scope, err := s.policy.CaseScope(ctx, subject)
	if err != nil {
		return AlertPage{}, fmt.Errorf("case scope decision: %w", err)
	}
	addressed, ok := addressedTo(subject)
	if !ok {
		return AlertPage{}, nil
	}
	query := s.client.CaseEvent.Query().
		Where(caseevent.TypeIn(alertEvents...), caseevent.HasCaseWith(scopePredicate(scope), addressed)).
		WithCase()
	if !q.Since.IsZero() {
		query.Where(caseevent.OccurredAtGTE(q.Since))
	}
	if q.After != 0 {
		query.Where(caseevent.IDGT(q.After)).Order(ent.Asc(caseevent.FieldID))
	} else {
		if q.Before != 0 {
			query.Where(caseevent.IDLT(q.Before))
		}
		query.Order(ent.Desc(caseevent.FieldID))
	}
	// The recipients are in the event's payload, which the databases
	// filter differently; read pages and keep the caller's.
	var page AlertPage
	var alerts []DeadlineAlert
	for offset, batch := 0, 4*(first+1); len(alerts) <= first; offset += batch {
		events, err := query.Clone().Offset(offset).Limit(batch).All(ctx)
		if err != nil {
			return AlertPage{}, fmt.Errorf("deadline alerts: %w", err)
		}
		for _, ev := range events {
			if len(alerts) > first {
				break
			}
			if a, mine := alertFor(subject, ev); mine {
				alerts = append(alerts, a)
			}
			page.Cursor = ev.ID
		}
		if len(events) < batch {
			break
		}
	}
	page.HasMore = len(alerts) > first
	if page.HasMore {
		alerts = alerts[:first]
		page.Cursor = alerts[first-1].EventID
	}
	page.Alerts = alerts
	return page, nil
}

// LatestAlertID is the ID of the newest alert of any kind, so that a feed
// starts after it.
func (s *Service) LatestAlertID(ctx context.Context) (int, error) {
	ev, err := s.client.CaseEvent.Query().Where(caseevent.TypeIn(alertEvents...)).
		Order(ent.Desc(caseevent.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("latest deadline alert: %w", err)
	}
	return ev.ID, nil
}

// addressedTo narrows alerts to the cases where the subject can be a
// recipient; false when no alert can be addressed to it.
func addressedTo(subject policy.Subject) (predicate.CaseFile, bool) {
	if subject.Kind != policy.StaffMember {
		return nil, false
	}
	any := []predicate.CaseFile{casefile.AssigneeID(subject.StaffID)}
	switch subject.Role {
	case policy.RoleAdmin:
		return func(*sql.Selector) {}, true
	case policy.RoleDeptHead:
		if subject.DepartmentID != 0 {
			any = append(any, casefile.DepartmentID(subject.DepartmentID))
		}
	}
	return casefile.Or(any...), true
}

// alertFor reads ev as an alert and reports whether it is addressed to
// the subject.
func alertFor(subject policy.Subject, ev *ent.CaseEvent) (DeadlineAlert, bool) {
	a := DeadlineAlert{
		EventID: ev.ID, CaseID: ev.CaseID, OccurredAt: ev.OccurredAt,
		Deadline: payloadString(ev.Payload, "deadline"),
		Notify:   payloadStrings(ev.Payload, "notify"),
		Reasons:  payloadStrings(ev.Payload, "reasons"),
	}
	a.Level = slaStates[slices.Index(deadlineEvents[:], ev.Type)]
	if due, err := time.Parse(time.RFC3339Nano, payloadString(ev.Payload, "due")); err == nil {
		a.Due = due
	}
	c := ev.Edges.Case
	mine := false
	for _, r := range a.Notify {
		switch r {
		case RecipientAssignee:
			mine = mine || (c != nil && c.AssigneeID != nil && *c.AssigneeID == subject.StaffID)
		case RecipientDeptHead:
			mine = mine || (subject.Role == policy.RoleDeptHead && c != nil && c.DepartmentID != nil && *c.DepartmentID == subject.DepartmentID)
		case RecipientAdmin:
			mine = mine || subject.Role == policy.RoleAdmin
		}
	}
	return a, mine
}

func payloadString(p map[string]any, key string) string {
	s, _ := p[key].(string)
	return s
}

func payloadStrings(p map[string]any, key string) []string {
	var out []string
	switch v := p[key].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = slices.Clone(v)
	}
	return out
}
