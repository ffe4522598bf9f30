package graph_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/testenv"
)

// TestAdministration: an administrator sets up a department with its
// calendar, a category, a service project and a staff account who can then
// sign in and work; nobody else may, and bad input is refused.
func TestAdministration(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		var dept struct {
			CreateDepartment struct{ ID, Code string }
		}
		create := `mutation($in: CreateDepartmentInput!) { createDepartment(input: $in) { id code } }`
		in := map[string]any{"code": "EDU", "name": "助学项目部", "nameEn": "Education Aid"}
		b.fails("FORBIDDEN", "head", create, map[string]any{"in": in})
		b.fails("UNAUTHENTICATED", "", create, map[string]any{"in": in})
		b.ok("admin", create, map[string]any{"in": in}, &dept)
		require.Equal(t, "VALIDATION", b.fails("VALIDATION", "admin", create, map[string]any{"in": in}).Code(), "the code is taken")
		require.Equal(t, "code", b.fails("VALIDATION", "admin", create, map[string]any{"in": map[string]any{"code": "", "name": "x"}}).Extensions["field"])
		id := dept.CreateDepartment.ID

		var cat struct{ CreateCategory struct{ ID string } }
		b.ok("admin", `mutation($in: CreateCategoryInput!) { createCategory(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"code": "SCHOLARSHIP", "name": "助学金", "defaultDepartmentID": id}}, &cat)
		b.fails("VALIDATION", "admin", `mutation($in: CreateCategoryInput!) { createCategory(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"code": "X", "name": "x", "defaultDepartmentID": "12884999999"}})
		b.ok("admin", `mutation($in: CreateServiceProjectInput!) { createServiceProject(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"code": "SPRING", "name": "春蕾计划", "departmentID": id}}, nil)

		// A new handler for the new department signs in and sees the
		// category on the public form.
		createStaff := `mutation($in: CreateStaffInput!, $pw: String!) { createStaff(input: $in, password: $pw) { id username role } }`
		staffIn := map[string]any{"username": "edu.handler", "displayName": "李老师", "role": "HANDLER", "departmentID": id}
		require.Equal(t, "password", b.fails("VALIDATION", "admin", createStaff, map[string]any{"in": staffIn, "pw": "short"}).Extensions["field"])
		require.Equal(t, "departmentID", b.fails("VALIDATION", "admin", createStaff,
			map[string]any{"in": map[string]any{"username": "x", "displayName": "x", "role": "HANDLER"}, "pw": "long enough password"}).Extensions["field"])
		var member struct{ CreateStaff struct{ ID string } }
		b.ok("admin", createStaff, map[string]any{"in": staffIn, "pw": "long enough password"}, &member)
		require.Equal(t, "username", b.fails("VALIDATION", "admin", createStaff, map[string]any{"in": staffIn, "pw": "long enough password"}).Extensions["field"])
		login := `mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }`
		b.ok("", login, map[string]any{"u": "edu.handler", "p": "long enough password"}, nil)
		var cats struct{ ActiveCategories []struct{ Code string } }
		b.ok("", `{ activeCategories { code } }`, nil, &cats)
		require.Contains(t, cats.ActiveCategories, struct{ Code string }{"SCHOLARSHIP"})

		// Own password change, then deactivation ends sign-in.
		change := `mutation { changeMyPassword(current: "wrong", new: "another long password") { id } }`
		require.Equal(t, "current", b.fails("VALIDATION", "handler", change, nil).Extensions["field"])
		b.ok("handler", `mutation { changeMyPassword(current: "`+testPassword+`", new: "another long password") { id } }`, nil, nil)
		b.ok("", login, map[string]any{"u": "handler", "p": "another long password"}, nil)
		update := `mutation($id: ID!, $in: UpdateStaffInput!) { updateStaff(id: $id, input: $in) { active role } }`
		require.Equal(t, "departmentID", b.fails("VALIDATION", "admin", update,
			map[string]any{"id": member.CreateStaff.ID, "in": map[string]any{"clearDepartment": true}}).Extensions["field"])
		b.ok("admin", update, map[string]any{"id": member.CreateStaff.ID, "in": map[string]any{"active": false}}, nil)
		b.fails("UNAUTHENTICATED", "", login, map[string]any{"u": "edu.handler", "p": "long enough password"})
		b.fails("NOT_FOUND", "admin", update, map[string]any{"id": "25769999999", "in": map[string]any{"active": false}})
	})
}

// TestDeactivationAndRoleChangesApplyToIssuedTokens: a token names a
// member; their current record decides, within the 30-second cache.
func TestDeactivationAndRoleChangesApplyToIssuedTokens(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	me := `{ me { role } }`
	var out struct{ Me struct{ Role string } }
	b.ok("handler2", me, nil, &out)
	require.Equal(t, "HANDLER", out.Me.Role)
	update := `mutation($id: ID!, $in: UpdateStaffInput!) { updateStaff(id: $id, input: $in) { id } }`
	b.ok("admin", update, map[string]any{"id": itoa(b.staff["handler2"].ID), "in": map[string]any{"role": "DEPT_HEAD"}}, nil)
	b.clock.Advance(31 * time.Second)
	s := b.submit("角色变更", "内容")
	// The old token now carries the rights of the new role.
	b.act("handler2", "acceptCase", map[string]any{"id": s.ID, "version": 1})

	b.ok("admin", update, map[string]any{"id": itoa(b.staff["handler2"].ID), "in": map[string]any{"active": false}}, nil)
	b.clock.Advance(31 * time.Second)
	resp := b.do(request{as: "handler2", query: me})
	require.Equal(t, 401, resp.status)
	require.Equal(t, "UNAUTHENTICATED", resp.Errors[0].Code())
}
