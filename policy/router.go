package policy

import (
	"context"
)

// RoutingInput is what a routing decision looks at. Department IDs of the
// category and service project are their configured owners (0 when none).
type RoutingInput struct {
	Kind                     string
	Channel                  string
	Priority                 string
	Subject                  string
	Body                     string
	CategoryDepartmentID     int
	ServiceProjectDepartment int
	IntakeDepartmentID       int
}

// Route is a routing decision with the rule that produced it, which is
// stored in the case's first event.
type Route struct {
	DepartmentID int
	Reason       string
}

// Router decides which department handles a new case.
type Router interface {
	Route(ctx context.Context, in RoutingInput) (Route, error)
}

// OwnerRouter is the built-in Router: the service project's department,
// else the category's default department, else the intake department.
type OwnerRouter struct{}

// Route implements Router.
func (OwnerRouter) Route(_ context.Context, in RoutingInput) (Route, error) {
	switch {
	case in.ServiceProjectDepartment != 0:
		return Route{DepartmentID: in.ServiceProjectDepartment, Reason: "service_project_owner"}, nil
	case in.CategoryDepartmentID != 0:
		return Route{DepartmentID: in.CategoryDepartmentID, Reason: "category_default_department"}, nil
	default:
		return Route{DepartmentID: in.IntakeDepartmentID, Reason: "intake_fallback"}, nil
	}
}
