package graph

import (
	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/graph/model"
	"github.com/xinfang/xinfang/internal/evaluation"
)

// Conversions from the evaluation GraphQL inputs to internal/evaluation.

func evaluationFilter(in *model.EvaluationFilter) evaluation.Filter {
	if in == nil {
		return evaluation.Filter{}
	}
	f := evaluation.Filter{DepartmentID: deref(in.DepartmentID, 0), CategoryID: deref(in.CategoryID, 0), TopN: deref(in.Top, 0)}
	if in.Channel != nil {
		f.Channel = string(*in.Channel)
	}
	if in.Kind != nil {
		f.Kind = string(*in.Kind)
	}
	if in.Trend != nil {
		// The enum values are the warehouse's granularities.
		f.Trend = analytics.Granularity(*in.Trend)
	}
	return f
}

// deref returns *p, or fallback when p is nil.
func deref[T any](p *T, fallback T) T {
	if p == nil {
		return fallback
	}
	return *p
}
