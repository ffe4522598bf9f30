package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/department"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/auth"
	"github.com/xinfang/xinfang/policy"
)

// Administrators keep the organisation current: departments and their
// calendars, categories, service projects and staff accounts. Nothing is
// deleted — cases refer to all of them — so records are deactivated
// (active: false) instead.

// manage authorizes an administrative change, runs it and turns store
// refusals into API errors.
func manage[T any](ctx context.Context, s *Service, change func() (T, error)) (T, error) {
	var zero T
	if err := s.authorize(ctx, policy.ActionDirectoryManage); err != nil {
		return zero, err
	}
	v, err := change()
	if err != nil {
		return zero, storeError(err)
	}
	return v, nil
}

// storeError maps ent's refusals: a taken unique code, a reference to a
// missing row, a field validator, a missing record.
func storeError(err error) error {
	var ae *apperr.Error
	var ve *ent.ValidationError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.As(err, &ve):
		return apperr.Field(ve.Name, "input.invalid").Wrap(err)
	case ent.IsNotFound(err):
		return apperr.New(apperr.NotFound, "node.not_found").Wrap(err)
	case ent.IsConstraintError(err):
		return apperr.New(apperr.Validation, "directory.conflict").Wrap(err)
	}
	return err
}

// CreateDepartment creates a department.
func (s *Service) CreateDepartment(ctx context.Context, in ent.CreateDepartmentInput) (*ent.Department, error) {
	return manage(ctx, s, func() (*ent.Department, error) {
		return s.client.Department.Create().SetInput(in).Save(ctx)
	})
}

// UpdateDepartment changes a department.
func (s *Service) UpdateDepartment(ctx context.Context, id int, in ent.UpdateDepartmentInput) (*ent.Department, error) {
	return manage(ctx, s, func() (*ent.Department, error) {
		return s.client.Department.UpdateOneID(id).SetInput(in).Save(ctx)
	})
}

// CreateCategory creates a category.
func (s *Service) CreateCategory(ctx context.Context, in ent.CreateCategoryInput) (*ent.Category, error) {
	return manage(ctx, s, func() (*ent.Category, error) {
		if err := s.departmentExists(ctx, in.DefaultDepartmentID, "defaultDepartmentID"); err != nil {
			return nil, err
		}
		return s.client.Category.Create().SetInput(in).Save(ctx)
	})
}

// UpdateCategory changes a category.
func (s *Service) UpdateCategory(ctx context.Context, id int, in ent.UpdateCategoryInput) (*ent.Category, error) {
	return manage(ctx, s, func() (*ent.Category, error) {
		if err := s.departmentExists(ctx, in.DefaultDepartmentID, "defaultDepartmentID"); err != nil {
			return nil, err
		}
		return s.client.Category.UpdateOneID(id).SetInput(in).Save(ctx)
	})
}

// CreateServiceProject creates a service project.
func (s *Service) CreateServiceProject(ctx context.Context, in ent.CreateServiceProjectInput) (*ent.ServiceProject, error) {
	return manage(ctx, s, func() (*ent.ServiceProject, error) {
		if err := s.departmentExists(ctx, in.DepartmentID, "departmentID"); err != nil {
			return nil, err
		}
		return s.client.ServiceProject.Create().SetInput(in).Save(ctx)
	})
}

// UpdateServiceProject changes a service project.
func (s *Service) UpdateServiceProject(ctx context.Context, id int, in ent.UpdateServiceProjectInput) (*ent.ServiceProject, error) {
	return manage(ctx, s, func() (*ent.ServiceProject, error) {
		if err := s.departmentExists(ctx, in.DepartmentID, "departmentID"); err != nil {
			return nil, err
		}
		return s.client.ServiceProject.UpdateOneID(id).SetInput(in).Save(ctx)
	})
}

// CreateStaff creates a staff account with an initial password.
func (s *Service) CreateStaff(ctx context.Context, in ent.CreateStaffInput, password string) (*ent.Staff, error) {
	return manage(ctx, s, func() (*ent.Staff, error) {
		if auth.RoleNeedsDepartment(in.Role) && in.DepartmentID == nil {
			return nil, apperr.Field("departmentID", "auth.department_required")
		}
		if err := s.departmentExists(ctx, in.DepartmentID, "departmentID"); err != nil {
			return nil, err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return nil, err
		}
		member, err := s.client.Staff.Create().SetInput(in).SetPasswordHash(hash).Save(ctx)
		if ent.IsConstraintError(err) {
			return nil, apperr.Field("username", "auth.username_taken").With("username", in.Username)
		}
		return member, err
	})
}

// UpdateStaff changes a staff account; a role that handles cases keeps a
// department.
func (s *Service) UpdateStaff(ctx context.Context, id int, in ent.UpdateStaffInput) (*ent.Staff, error) {
	return manage(ctx, s, func() (*ent.Staff, error) {
		member, err := s.client.Staff.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		role, dept := member.Role, member.DepartmentID
		if in.Role != nil {
			role = *in.Role
		}
		if in.ClearDepartment {
			dept = nil
		}
		if in.DepartmentID != nil {
			dept = in.DepartmentID
		}
		if auth.RoleNeedsDepartment(role) && dept == nil {
			return nil, apperr.Field("departmentID", "auth.department_required")
		}
		if err := s.departmentExists(ctx, in.DepartmentID, "departmentID"); err != nil {
			return nil, err
		}
		return member.Update().SetInput(in).Save(ctx)
	})
}

// SetStaffPassword sets a member's password.
func (s *Service) SetStaffPassword(ctx context.Context, id int, password string) (*ent.Staff, error) {
	return manage(ctx, s, func() (*ent.Staff, error) {
		hash, err := auth.HashPassword(password)
		if err != nil {
			return nil, err
		}
		return s.client.Staff.UpdateOneID(id).SetPasswordHash(hash).Save(ctx)
	})
}

// ChangeMyPassword changes the signed-in member's password after checking
// the current one.
func (s *Service) ChangeMyPassword(ctx context.Context, current, next string) (*ent.Staff, error) {
	member, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	if member == nil {
		return nil, apperr.New(apperr.Unauthenticated, "authz.sign_in")
	}
	if !auth.CheckPassword(member.PasswordHash, current) {
		return nil, apperr.Field("current", "auth.bad_credentials")
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return nil, err
	}
	return member.Update().SetPasswordHash(hash).Save(ctx)
}

func (s *Service) departmentExists(ctx context.Context, id *int, field string) error {
	if id == nil {
		return nil
	}
	ok, err := s.client.Department.Query().Where(department.ID(*id)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check department %d: %w", *id, err)
	}
	if !ok {
		return apperr.Field(field, "department.unknown")
	}
	return nil
}
