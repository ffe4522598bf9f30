package metrics

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/xinfang/xinfang/internal/apperr"
)

// The values of the operation label besides the operation types: a
// request refused before its operation was known (unparsable, or naming an
// operation the document lacks).
const operationUnknown = "unknown"

// codeUnknown is the code label of an error without extensions.code.
const codeUnknown = "UNKNOWN"

var operations = []string{string(ast.Query), string(ast.Mutation), string(ast.Subscription), operationUnknown}

// knownCodes are the error codes whose series start at zero: the
// application's codes and those gqlgen and its extensions set.
var knownCodes = []string{
	string(apperr.Validation), string(apperr.Unauthenticated), string(apperr.Forbidden), string(apperr.NotFound),
	string(apperr.InvalidTransition), string(apperr.Conflict), string(apperr.RateLimited),
	string(apperr.LimitExceeded), string(apperr.Internal), string(apperr.Unavailable),
	errcode.ParseFailed, errcode.ValidationFailed, "COMPLEXITY_LIMIT_EXCEEDED", "PERSISTED_QUERY_NOT_FOUND",
	codeUnknown,
}

// requestDurationBuckets reach from a cached read (a millisecond) to a
// slow evaluation query (ten seconds).
var requestDurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// GraphQL is a gqlgen handler extension that times operations and counts
// the errors they return, by operation type and extensions.code.
//
// An operation is timed from the start of the HTTP request (or websocket
// message) to its first response: for a query or a mutation its only
// response; for a subscription the first event it sends, so its duration
// includes waiting for that event. Later events of a subscription are not
// timed, but their errors are counted.
//
// Requests refused before they run — unparsable, invalid, too complex —
// never reach the operation interceptor; they are seen as responses of
// gqlgen's DispatchError, under their operation type when it is known and
// "unknown" otherwise.
type GraphQL struct {
	duration map[string]prometheus.Observer
	errors   *prometheus.CounterVec
}

var (
	_ graphql.HandlerExtension     = (*GraphQL)(nil)
	_ graphql.OperationInterceptor = (*GraphQL)(nil)
	_ graphql.ResponseInterceptor  = (*GraphQL)(nil)
)

// NewGraphQL returns the extension with its metrics registered on reg
// (nil: nowhere). It panics when they are already registered on reg.
func NewGraphQL(reg prometheus.Registerer) *GraphQL {
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "xinfang_graphql_request_duration_seconds",
		Help:    "Time from receiving a GraphQL operation to its first response, by operation type (query, mutation, subscription; unknown when refused unparsed).",
		Buckets: requestDurationBuckets,
	}, []string{"operation"})
	g := &GraphQL{
		duration: map[string]prometheus.Observer{},
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xinfang_graphql_errors_total",
			Help: "Errors in GraphQL responses, by operation type and extensions.code (UNKNOWN when absent).",
		}, []string{"operation", "code"}),
	}
	for _, op := range operations {
		g.duration[op] = duration.WithLabelValues(op)
		for _, code := range knownCodes {
			g.errors.WithLabelValues(op, code)
		}
	}
	if reg != nil {
		reg.MustRegister(duration, g.errors)
	}
	return g
}

// extensionName is also the key of the marker an operation carries in its
// statistics once the operation interceptor has seen it.
const extensionName = "XinfangMetrics"

// ExtensionName implements graphql.HandlerExtension.
func (g *GraphQL) ExtensionName() string { return extensionName }

// Validate implements graphql.HandlerExtension.
func (g *GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor: it observes
// every response the operation returns, including those gqlgen answers
// without running the response interceptors (an operation that fails to
// start).
func (g *GraphQL) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	op := operationOf(opCtx)
	start := startOf(ctx, opCtx)
	opCtx.Stats.SetExtension(extensionName, true)
	responses := next(ctx)
	first := true
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil {
			return nil
		}
		if first {
			first = false
			g.duration[op].Observe(time.Since(start).Seconds())
		}
		g.countErrors(op, resp.Errors)
		return resp
	}
}

// InterceptResponse implements graphql.ResponseInterceptor, for the
// requests refused before their operation ran; the responses of an
// operation are left to InterceptOperation.
func (g *GraphQL) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	var opCtx *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		opCtx = graphql.GetOperationContext(ctx)
		if opCtx.Stats.GetExtension(extensionName) != nil {
			return resp
		}
	}
	op := operationOf(opCtx)
	g.duration[op].Observe(time.Since(startOf(ctx, opCtx)).Seconds())
	if resp != nil {
		g.countErrors(op, resp.Errors)
	}
	return resp
}

// operationOf is the operation label of an operation context (nil: none).
func operationOf(opCtx *graphql.OperationContext) string {
	if opCtx == nil || opCtx.Operation == nil {
		return operationUnknown
	}
	switch op := opCtx.Operation.Operation; op {
	case ast.Query, ast.Mutation, ast.Subscription:
		return string(op)
	}
	return operationUnknown
}

// startOf is when the request began: gqlgen's handler stamps it on the
// context of every HTTP request and websocket message.
func startOf(ctx context.Context, opCtx *graphql.OperationContext) time.Time {
	if opCtx != nil && !opCtx.Stats.OperationStart.IsZero() {
		return opCtx.Stats.OperationStart
	}
	if t := graphql.GetStartTime(ctx); !t.IsZero() {
		return t
	}
	return time.Now()
}

func (g *GraphQL) countErrors(op string, errs gqlerror.List) {
	for _, e := range errs {
		code := codeUnknown
		if e == nil {
			continue
		}
		if c, ok := e.Extensions["code"].(string); ok && c != "" {
			code = c
		}
		g.errors.WithLabelValues(op, code).Inc()
	}
}
