package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/i18n"
)

// depthLimit refuses operations whose selections nest deeper than max.
// Introspection fields (__schema, __type) are not counted: the
// introspection switch governs them.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, 0, d.max); depth > d.max {
		e := apperr.New(apperr.LimitExceeded, "limit.depth").With("limit", d.max)
		return &gqlerror.Error{
			Message:    e.Message(i18n.FromContext(ctx)),
			Extensions: map[string]any{"code": string(apperr.LimitExceeded)},
		}
	}
	return nil
}

// selectionDepth returns the depth of a selection set, stopping early once
// it passes limit (so a malicious fragment cycle cannot run long).
func selectionDepth(set ast.SelectionSet, depth, limit int) int {
	if depth > limit {
		return depth
	}
	deepest := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = selectionDepth(s.SelectionSet, depth+1, limit)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, depth, limit)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = selectionDepth(s.Definition.SelectionSet, depth, limit)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
