package graph

import (
	"github.com/xinfang/xinfang/internal/auth"
	"github.com/xinfang/xinfang/internal/directory"
	"github.com/xinfang/xinfang/internal/evaluation"
	"github.com/xinfang/xinfang/internal/sla"
	"github.com/xinfang/xinfang/internal/workflow"
)

// Resolver holds the domain services the resolvers call. Resolvers stay
// thin: each makes one call into a domain package and converts types.
type Resolver struct {
	Workflow  *workflow.Service
	Directory *directory.Service
	Auth      *auth.Service
	// Evaluation answers evaluation queries and keeps improvement actions.
	Evaluation *evaluation.Service
	// Alerts streams deadline alerts to subscribed staff.
	Alerts *sla.Feed
}
