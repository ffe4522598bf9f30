package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/graph/generated"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/i18n"
	"github.com/xinfang/xinfang/internal/workflow"
)

// Options configure the GraphQL handler.
type Options struct {
	// Introspection enables schema introspection (GraphiQL needs it).
	Introspection bool
	// ComplexityLimit bounds the cost of one operation; lists cost their
	// page size times their items.
	ComplexityLimit int
	// DepthLimit bounds how deeply selections nest.
	DepthLimit int
	// WebsocketInit authenticates a websocket connection from its init
	// payload and returns the context its operations run in.
	WebsocketInit transport.WebsocketInitFunc
	// WebsocketOrigins are host patterns of other origins (besides the
	// server's own) whose pages may open a websocket, e.g. "app.example.org".
	WebsocketOrigins []string
	// Extensions are added before the handler's own, so that they see
	// every operation and its whole duration (metrics).
	Extensions []graphql.HandlerExtension
	Logger     *slog.Logger
}

// Defaults for Options.
const (
	DefaultComplexityLimit = 20000
	DefaultDepthLimit      = 12
	// unboundedListCost is what a list costs per item when the query sets
	// no page size; it makes unbounded lists of large edges too complex.
	unboundedListCost = 1000
	// timelinePageCost is the assumed length of a timeline without a page
	// size: timelines are short and meant to be read whole.
	timelinePageCost = 50
)

// NewHandler returns the GraphQL HTTP handler: POST and GET and websocket
// transports, a query cache, automatic persisted queries, complexity and
// depth limits, introspection as configured, typed errors and a recover
// function that hides internals.
func NewHandler(r *Resolver, opts Options) http.Handler {
	if opts.ComplexityLimit == 0 {
		opts.ComplexityLimit = DefaultComplexityLimit
	}
	if opts.DepthLimit == 0 {
		opts.DepthLimit = DefaultDepthLimit
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg := generated.Config{Resolvers: r}
	setComplexity(&cfg.Complexity)
	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		InitFunc:              opts.WebsocketInit,
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: coderws.AcceptOptions{OriginPatterns: opts.WebsocketOrigins},
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	for _, ext := range opts.Extensions {
		srv.Use(ext)
	}
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	srv.Use(depthLimit{max: opts.DepthLimit})
	// One operation reads a case's facts once for all the visibility
	// decisions of its timeline, however many events it lists.
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(workflow.WithCaseCache(ctx))
	})
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return apperr.New(apperr.Internal, "internal.error")
	})
	return srv
}

// presentError turns errors into GraphQL errors with `extensions.code` and a
// message in the caller's language. Unexpected errors are logged and shown
// only as INTERNAL.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		loc := i18n.FromContext(ctx)
		var ae *apperr.Error
		switch {
		case errors.As(err, &ae):
		case ent.IsNotFound(err):
			ae = apperr.New(apperr.NotFound, "node.not_found")
		case ent.IsValidationError(err):
			ae = apperr.New(apperr.Validation, "input.invalid").With("field", validationField(err))
		case gqlErr.Message == "introspection disabled":
			ae = apperr.New(apperr.Forbidden, "limit.introspection")
		case isVariableError(gqlErr):
			// A variable that does not fit its type (an unknown enum value,
			// say) is bad input like any other.
			gqlErr.Extensions["code"] = string(apperr.Validation)
			gqlErr.Extensions["field"] = fmt.Sprint(gqlErr.Path[len(gqlErr.Path)-1])
			return gqlErr
		case gqlErr.Extensions["code"] != nil:
			// gqlgen's own parse and validation errors keep their codes.
			return gqlErr
		case strings.HasPrefix(gqlErr.Message, "input:"):
			// gqlgen could not decode an argument (a malformed ID, say).
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{}
			}
			gqlErr.Extensions["code"] = string(apperr.Validation)
			return gqlErr
		default:
			log.ErrorContext(ctx, "request failed", "err", err, "path", gqlErr.Path.String())
			ae = apperr.New(apperr.Internal, "internal.error")
		}
		gqlErr.Message = ae.Message(loc)
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		for k, v := range ae.Extensions {
			gqlErr.Extensions[k] = v
		}
		gqlErr.Extensions["code"] = string(ae.Code)
		return gqlErr
	}
}

func isVariableError(e *gqlerror.Error) bool {
	if len(e.Path) < 2 || e.Extensions == nil {
		return false
	}
	first, ok := e.Path[0].(ast.PathName)
	return ok && first == "variable"
}

func validationField(err error) string {
	var ve *ent.ValidationError
	if errors.As(err, &ve) {
		return ve.Name
	}
	return ""
}

// pageCost is what a connection multiplies its items' cost by.
func pageCost(first, last *int, unbounded int) int {
	switch {
	case first != nil:
		return max(*first, 1)
	case last != nil:
		return max(*last, 1)
	}
	return unbounded
}

func setComplexity(c *generated.ComplexityRoot) {
	c.Query.Cases = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ []*ent.CaseOrder, _ *ent.CaseWhereInput, _ *string, _ *bool) int {
		return 1 + child*pageCost(first, last, unboundedListCost)
	}
	c.Query.Departments = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ *ent.DepartmentOrder, _ *ent.DepartmentWhereInput) int {
		return 1 + child*pageCost(first, last, timelinePageCost)
	}
	c.Query.Staff = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ *ent.StaffOrder, _ *ent.StaffWhereInput) int {
		return 1 + child*pageCost(first, last, unboundedListCost)
	}
	c.Query.ImprovementActions = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ *ent.ImprovementActionOrder, _ *ent.ImprovementActionWhereInput) int {
		return 1 + child*pageCost(first, last, unboundedListCost)
	}
	c.Case.Events = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ *ent.CaseEventOrder, _ *ent.CaseEventWhereInput) int {
		return 1 + child*pageCost(first, last, timelinePageCost)
	}
	c.Department.Staff = func(child int, _ *entgql.Cursor[int], first *int, _ *entgql.Cursor[int], last *int, _ *ent.StaffOrder, _ *ent.StaffWhereInput) int {
		return 1 + child*pageCost(first, last, unboundedListCost)
	}
}
