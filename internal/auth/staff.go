package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/department"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/apperr"
)

// NewStaff describes a staff member to create.
type NewStaff struct {
	Username    string
	DisplayName string
	Email       string
	Password    string
	Role        staff.Role
	// DepartmentCode names the member's department; required for intake
	// agents, handlers and department heads.
	DepartmentCode string
	Locale         string
}

// Validate checks a NewStaff.
func (n *NewStaff) Validate() error {
	n.Username = strings.TrimSpace(n.Username)
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if n.Username == "" {
		return apperr.Field("username", "input.required")
	}
	if n.DisplayName == "" {
		n.DisplayName = n.Username
	}
	if err := staff.RoleValidator(n.Role); err != nil {
		return apperr.Field("role", "input.invalid")
	}
	if RoleNeedsDepartment(n.Role) && n.DepartmentCode == "" {
		return apperr.Field("department", "auth.department_required")
	}
	if n.Locale == "" {
		n.Locale = "zh-CN"
	}
	return nil
}

// RoleNeedsDepartment reports whether members of a role must belong to a
// department: those who take and handle cases do.
func RoleNeedsDepartment(role staff.Role) bool {
	switch role {
	case staff.RoleINTAKE_AGENT, staff.RoleHANDLER, staff.RoleDEPT_HEAD:
		return true
	}
	return false
}

// CreateStaff creates a staff member with a hashed password.
func CreateStaff(ctx context.Context, client *ent.Client, n NewStaff) (*ent.Staff, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	create := client.Staff.Create().
		SetUsername(n.Username).
		SetDisplayName(n.DisplayName).
		SetEmail(n.Email).
		SetPasswordHash(hash).
		SetRole(n.Role).
		SetLocale(n.Locale)
	if n.DepartmentCode != "" {
		dept, err := client.Department.Query().Where(department.Code(n.DepartmentCode)).Only(ctx)
		if ent.IsNotFound(err) {
			return nil, apperr.Field("department", "department.unknown_code").With("code", n.DepartmentCode)
		}
		if err != nil {
			return nil, fmt.Errorf("load department %s: %w", n.DepartmentCode, err)
		}
		create.SetDepartmentID(dept.ID)
	}
	member, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, apperr.Field("username", "auth.username_taken").With("username", n.Username)
	}
	if err != nil {
		return nil, fmt.Errorf("create staff %q: %w", n.Username, err)
	}
	return member, nil
}
