// Package directory answers questions about the organisation: its
// departments, staff, categories and service projects, the signed-in
// member, and lookups of any object by its global ID. Every answer is
// authorized through the policy.Authorizer.
package directory

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/category"
	"github.com/xinfang/xinfang/ent/serviceproject"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/paging"
	"github.com/xinfang/xinfang/policy"
)

// CaseReader checks access to cases; the workflow implements it.
type CaseReader interface {
	// Case loads a case whole and checks that the caller may read it.
	Case(ctx context.Context, id int) (*ent.CaseFile, error)
	CanSeePersonalData(ctx context.Context, c *ent.CaseFile) bool
}

// Service answers directory questions.
type Service struct {
	client *ent.Client
	authz  policy.Authorizer
	cases  CaseReader
}

// New returns a Service.
func New(client *ent.Client, authz policy.Authorizer, cases CaseReader) *Service {
	if authz == nil {
		panic("directory: an authorizer is required")
	}
	return &Service{client: client, authz: authz, cases: cases}
}

func (s *Service) authorize(ctx context.Context, action policy.Action) error {
	return s.authz.Authorize(ctx, policy.SubjectFrom(ctx), action, policy.Resource{})
}

// Me returns the signed-in staff member, or nil for the public.
func (s *Service) Me(ctx context.Context) (*ent.Staff, error) {
	subject := policy.SubjectFrom(ctx)
	if subject.Kind != policy.StaffMember {
		return nil, nil
	}
	member, err := s.client.Staff.Get(ctx, subject.StaffID)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Unauthenticated, "auth.token_invalid")
	}
	return member, err
}

// Page holds Relay pagination arguments.
type Page struct {
	After  *entgql.Cursor[int]
	First  *int
	Before *entgql.Cursor[int]
	Last   *int
}

// Departments lists departments.
func (s *Service) Departments(ctx context.Context, p Page, orderBy *ent.DepartmentOrder, where *ent.DepartmentWhereInput) (*ent.DepartmentConnection, error) {
	if err := s.authorize(ctx, policy.ActionDirectoryRead); err != nil {
		return nil, err
	}
	if err := paging.Check(p.First, p.Last); err != nil {
		return nil, err
	}
	return s.client.Department.Query().Paginate(ctx, p.After, p.First, p.Before, p.Last,
		ent.WithDepartmentOrder(orderBy), ent.WithDepartmentFilter(where.Filter))
}

// Staff lists staff members.
func (s *Service) Staff(ctx context.Context, p Page, orderBy *ent.StaffOrder, where *ent.StaffWhereInput) (*ent.StaffConnection, error) {
	if err := s.authorize(ctx, policy.ActionDirectoryRead); err != nil {
		return nil, err
	}
	if err := paging.Check(p.First, p.Last); err != nil {
		return nil, err
	}
	return s.client.Staff.Query().Paginate(ctx, p.After, p.First, p.Before, p.Last,
		ent.WithStaffOrder(orderBy), ent.WithStaffFilter(where.Filter))
}

// Categories lists every category, including inactive ones.
func (s *Service) Categories(ctx context.Context) ([]*ent.Category, error) {
	if err := s.authorize(ctx, policy.ActionDirectoryRead); err != nil {
		return nil, err
	}
	return s.client.Category.Query().Order(ent.Asc(category.FieldCode)).All(ctx)
}

// ServiceProjects lists every service project, including inactive ones.
func (s *Service) ServiceProjects(ctx context.Context) ([]*ent.ServiceProject, error) {
	if err := s.authorize(ctx, policy.ActionDirectoryRead); err != nil {
		return nil, err
	}
	return s.client.ServiceProject.Query().Order(ent.Asc(serviceproject.FieldCode)).All(ctx)
}

// ActiveCategories lists the categories the public may choose; no sign-in
// is needed.
func (s *Service) ActiveCategories(ctx context.Context) ([]*ent.Category, error) {
	return s.client.Category.Query().Where(category.Active(true)).Order(ent.Asc(category.FieldCode)).All(ctx)
}

// ActiveServiceProjects lists the service projects the public may choose;
// no sign-in is needed.
func (s *Service) ActiveServiceProjects(ctx context.Context) ([]*ent.ServiceProject, error) {
	return s.client.ServiceProject.Query().Where(serviceproject.Active(true)).Order(ent.Asc(serviceproject.FieldCode)).All(ctx)
}

// Node returns any object by its global ID, if the caller may see it.
func (s *Service) Node(ctx context.Context, id int) (ent.Noder, error) {
	if err := s.authorize(ctx, policy.ActionDirectoryRead); err != nil {
		return nil, err
	}
	n, err := s.client.Noder(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "node.not_found").Wrap(err)
	}
	if err != nil {
		return nil, fmt.Errorf("load node %d: %w", id, err)
	}
	if err := s.authorizeNode(ctx, n); err != nil {
		return nil, err
	}
	return n, nil
}

// Nodes returns objects by their global IDs; entries the caller may not
// see, or that do not exist, are null with an error each.
func (s *Service) Nodes(ctx context.Context, ids []int) ([]ent.Noder, error) {
	if len(ids) > paging.MaxSize {
		return nil, apperr.Field("ids", "input.page_size").With("max", paging.MaxSize)
	}
	out := make([]ent.Noder, len(ids))
	for i, id := range ids {
		n, err := s.Node(ctx, id)
		if err != nil {
			if apperr.CodeOf(err) == apperr.NotFound || apperr.CodeOf(err) == apperr.Forbidden {
				continue
			}
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (s *Service) authorizeNode(ctx context.Context, n ent.Noder) error {
	// The node may hold only the fields the query selected, so decisions
	// about cases load the case whole.
	switch v := n.(type) {
	case *ent.ImprovementAction:
		// Evaluation material: readable by those who read evaluations.
		return s.authorize(ctx, policy.ActionEvaluationRead)
	case *ent.CaseFile:
		_, err := s.cases.Case(ctx, v.ID)
		return err
	case *ent.CaseEvent:
		id, err := s.client.CaseEvent.Query().Where(caseevent.ID(v.ID)).QueryCase().OnlyID(ctx)
		if err != nil {
			return fmt.Errorf("find case of event %d: %w", v.ID, err)
		}
		_, err = s.cases.Case(ctx, id)
		return err
	case *ent.Petitioner:
		id, err := v.QueryCases().FirstID(ctx)
		if err != nil {
			return apperr.New(apperr.NotFound, "node.not_found")
		}
		c, err := s.cases.Case(ctx, id)
		if err != nil || !s.cases.CanSeePersonalData(ctx, c) {
			return apperr.New(apperr.NotFound, "node.not_found")
		}
	}
	return nil
}
