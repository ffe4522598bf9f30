package policy

import (
	"context"
	"testing"

	"github.com/xinfang/xinfang/internal/apperr"
)

func TestRoleAuthorizer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := RoleAuthorizer{}
	staff := func(role Role, id int) Subject { return Subject{Kind: StaffMember, Role: role, StaffID: id} }
	own := Resource{CaseID: 7, AssigneeID: 42}
	cases := []struct {
		name    string
		subject Subject
		action  Action
		res     Resource
		want    apperr.Code // "" = allowed
	}{
		{"public submits", Subject{}, ActionCaseSubmit, Resource{}, ""},
		{"public cannot list", Subject{}, ActionCaseList, Resource{}, apperr.Unauthenticated},
		{"intake records", staff(RoleIntakeAgent, 1), ActionCaseRecord, Resource{}, ""},
		{"handler cannot record", staff(RoleHandler, 1), ActionCaseRecord, Resource{}, apperr.Forbidden},
		{"handler responds to own case", staff(RoleHandler, 42), ActionCaseRespond, own, ""},
		{"handler cannot respond to another's case", staff(RoleHandler, 43), ActionCaseRespond, own, apperr.Forbidden},
		{"head responds to any case", staff(RoleDeptHead, 1), ActionCaseRespond, own, ""},
		{"handler notes any case", staff(RoleHandler, 43), ActionCaseAddNote, own, ""},
		{"oversight reads", staff(RoleOversightMember, 1), ActionCaseRead, own, ""},
		{"oversight sees no personal data", staff(RoleOversightMember, 1), ActionCaseReadPersonalData, own, apperr.Forbidden},
		{"evaluator sees no personal data", staff(RoleEvaluator, 1), ActionCaseReadPersonalData, own, apperr.Forbidden},
		{"HR officer cannot read cases", staff(RoleHROfficer, 1), ActionCaseRead, own, apperr.Forbidden},
		{"only heads decide extensions", staff(RoleHandler, 42), ActionCaseDecideExtension, own, apperr.Forbidden},
		{"petitioner reads own case", Subject{Kind: Petitioner, CaseID: 7}, ActionCaseRead, own, ""},
		{"petitioner rates own case", Subject{Kind: Petitioner, CaseID: 7}, ActionCaseRate, own, ""},
		{"petitioner cannot read another case", Subject{Kind: Petitioner, CaseID: 8}, ActionCaseRead, own, apperr.Forbidden},
		{"petitioner cannot act as staff", Subject{Kind: Petitioner, CaseID: 7}, ActionCaseAccept, own, apperr.Forbidden},
		{"admin manages the directory", staff(RoleAdmin, 1), ActionDirectoryManage, Resource{}, ""},
		{"heads do not manage the directory", staff(RoleDeptHead, 1), ActionDirectoryManage, Resource{}, apperr.Forbidden},
	}
	for _, c := range cases {
		err := a.Authorize(ctx, c.subject, c.action, c.res)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && apperr.CodeOf(err) != c.want:
			t.Errorf("%s: got %v, want %s", c.name, err, c.want)
		}
	}
	// Every role and action pair is decided without panicking, and every
	// action names at least one role.
	for action, roles := range staffActions {
		if len(roles) == 0 {
			t.Errorf("%s: no role may do it", action)
		}
	}
}
