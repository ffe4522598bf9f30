package graph

import (
	"context"
	"time"

	"github.com/xinfang/xinfang/graph/model"
	"github.com/xinfang/xinfang/internal/auth"
	"github.com/xinfang/xinfang/internal/workflow"
)

// Conversions from GraphQL inputs to workflow commands.

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func flag(p *bool) bool { return p != nil && *p }

func ref(id int, version int) workflow.Ref { return workflow.Ref{ID: id, Version: &version} }

func submission(in model.SubmitCaseInput) workflow.Submission {
	return workflow.Submission{
		Kind: in.Kind, Subject: in.Subject, Body: in.Body,
		CategoryID: in.CategoryID, ServiceProjectID: in.ServiceProjectID, ConcernedDepartmentID: in.ConcernedDepartmentID,
		Locale: str(in.Locale), IdempotencyKey: str(in.IdempotencyKey),
		Contact: workflow.Contact{
			Anonymous: flag(in.Anonymous), Name: str(in.Name), Phone: str(in.Phone),
			Email: str(in.Email), Address: str(in.Address),
		},
	}
}

func recording(in model.RecordCaseInput) workflow.Submission {
	s := workflow.Submission{
		Channel: in.Channel, Kind: in.Kind, Subject: in.Subject, Body: in.Body,
		CategoryID: in.CategoryID, ServiceProjectID: in.ServiceProjectID, ConcernedDepartmentID: in.ConcernedDepartmentID,
		Locale: str(in.Locale), DepartmentID: in.DepartmentID, RoutingReason: str(in.RoutingReason),
		Contact: workflow.Contact{
			Anonymous: flag(in.Anonymous), Name: str(in.Name), Phone: str(in.Phone),
			Email: str(in.Email), Address: str(in.Address),
		},
	}
	if in.Priority != nil {
		s.Priority = *in.Priority
	}
	if in.ReceivedAt != nil {
		s.ReceivedAt = *in.ReceivedAt
	}
	return s
}

func actions(in []workflow.Action) []model.CaseAction {
	out := make([]model.CaseAction, len(in))
	for i, a := range in {
		out[i] = model.CaseAction(a)
	}
	return out
}

// credentials are the petitioner's tracking code and PIN with the client
// address the request came from.
func credentials(ctx context.Context, trackingCode, pin string) workflow.Credentials {
	return workflow.Credentials{ClientAddr: auth.ClientAddr(ctx), TrackingCode: trackingCode, PIN: pin}
}

// alertQuery reads the deadlineAlerts arguments.
func alertQuery(first, before *int, since *time.Time) workflow.AlertQuery {
	q := workflow.AlertQuery{First: 20}
	if first != nil {
		q.First = *first
	}
	if before != nil {
		q.Before = *before
	}
	if since != nil {
		q.Since = *since
	}
	return q
}

// alertConnection is a page of alerts as GraphQL serves it.
func alertConnection(page workflow.AlertPage) *model.DeadlineAlertConnection {
	conn := &model.DeadlineAlertConnection{HasNextPage: page.HasMore, Nodes: make([]*workflow.DeadlineAlert, len(page.Alerts))}
	for i := range page.Alerts {
		conn.Nodes[i] = &page.Alerts[i]
	}
	if page.HasMore {
		last := page.Alerts[len(page.Alerts)-1].EventID
		conn.EndCursor = &last
	}
	return conn
}
