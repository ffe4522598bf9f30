// Package app assembles xinfang from its configuration: it opens the
// database, applies migrations, builds the domain services and the HTTP
// handler. The serve command, the tests and the benchmarks all start the
// server through it, so they run the same code.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/ent/department"
	"github.com/xinfang/xinfang/graph"
	"github.com/xinfang/xinfang/internal/auth"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/directory"
	"github.com/xinfang/xinfang/internal/evaluation"
	"github.com/xinfang/xinfang/internal/metrics"
	"github.com/xinfang/xinfang/internal/server"
	"github.com/xinfang/xinfang/internal/sla"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// App is an assembled xinfang server.
type App struct {
	DB        *store.DB
	Workflow  *workflow.Service
	Auth      *auth.Service
	Directory *directory.Service
	// Evaluation answers evaluation queries and keeps improvement actions.
	Evaluation *evaluation.Service
	// Policy makes every authorization, routing and time-limit decision.
	Policy *policy.Engine
	// Warehouse holds the analytics events and answers evaluations.
	Warehouse    analytics.Warehouse
	ownWarehouse bool
	// Metrics is the registry /metrics serves; every component registers
	// on it (no global registration).
	Metrics *prometheus.Registry
	// Watcher records deadline warnings, breaches and escalations; Run
	// runs it when the configuration asks for it.
	Watcher *sla.Watcher
	// CaseMetrics are the case and SLA metrics, kept by the workflow's
	// changes and reconciled by Run.
	CaseMetrics *metrics.Cases
	// Handler serves every HTTP route.
	Handler http.Handler
	Log     *slog.Logger
	cfg     config.Config
}

// Options adjust an App beyond its Config, for tests and tools.
type Options struct {
	// Now replaces the clock.
	Now func() time.Time
	// DB is an already open database to use instead of Config.DatabaseURL.
	DB *store.DB
	// Warehouse replaces the warehouse Config names (ClickHouse or the
	// embedded one); the App then does not close it.
	Warehouse analytics.Warehouse
	// WithoutWarehouse starts the App with no warehouse at all: figure
	// queries answer UNAVAILABLE and Run relays nothing. Tests of that
	// path use it; configuration cannot ask for it.
	WithoutWarehouse bool
}

// New assembles an App. The caller closes it.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db := opts.DB
	if db == nil {
		var err error
		if db, err = store.Open(cfg.DatabaseURL, cfg.DataDir); err != nil {
			return nil, err
		}
	}
	a, err := assemble(ctx, cfg, log, opts, db)
	if err != nil {
		if opts.DB == nil {
			db.Close()
		}
		return nil, err
	}
	return a, nil
}

func assemble(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options, db *store.DB) (*App, error) {
	if cfg.AutoMigrate {
		if _, err := db.Migrate(ctx, log); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	jwtKey, err := cfg.Secret(cfg.JWTSecret, "jwt.key")
	if err != nil {
		return nil, err
	}
	pinKey, err := cfg.Secret(cfg.PINSecret, "pin.key")
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, err
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	engine, err := policy.New(ctx, policy.Options{
		Dir: cfg.PolicyDir, Registerer: registry, Logger: log, PollInterval: cfg.PolicyPollInterval,
	})
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	authz := engine
	// The departments known now start their case series at zero; others
	// get them with their first case. Metrics are no reason not to start.
	departments, err := db.Client.Department.Query().Select(department.FieldCode).Strings(ctx)
	if err != nil {
		log.WarnContext(ctx, "metrics: load department codes", "err", err)
	}
	cases := metrics.NewCases(registry, departments)
	// The alert feed hears of the alerts this process records; it needs
	// the workflow, which needs it as an observer.
	var feed *sla.Feed
	wf, err := workflow.New(workflow.Config{
		Client: db.Client, Postgres: db.Dialect == dialect.Postgres, Policy: engine,
		PINSecret: pinKey, Location: loc, Now: opts.Now, Logger: log,
		Observer: workflow.Observers{cases, observerFunc(func(ctx context.Context, ch workflow.Change) { feed.CaseChanged(ctx, ch) })},
	})
	if err != nil {
		return nil, err
	}
	feed = sla.NewFeed(wf, cfg.AlertPollInterval, log, registry)
	var lease sla.Lease = sla.LocalLease{}
	if db.Dialect == dialect.Postgres {
		lease = sla.NewAdvisoryLock(db.SQL)
	}
	watcher, err := sla.New(sla.Config{
		Cases: wf, Policy: engine, Lease: lease, Interval: cfg.WatchInterval,
		Now: opts.Now, Logger: log, Registerer: registry,
	})
	if err != nil {
		return nil, err
	}
	authn, err := auth.New(db.Client, jwtKey, cfg.TokenTTL, opts.Now)
	if err != nil {
		return nil, err
	}
	dir := directory.New(db.Client, authz, wf)
	wh, ownWarehouse := opts.Warehouse, false
	if wh == nil && !opts.WithoutWarehouse {
		if wh, err = OpenWarehouse(ctx, cfg); err != nil {
			return nil, err
		}
		ownWarehouse = true
	}
	eval := evaluation.New(db.Client, wh, authz, opts.Now, loc)
	gql := graph.NewHandler(&graph.Resolver{Workflow: wf, Directory: dir, Auth: authn, Evaluation: eval, Alerts: feed}, graph.Options{
		Introspection:    cfg.Introspection,
		ComplexityLimit:  cfg.ComplexityLimit,
		DepthLimit:       cfg.DepthLimit,
		WebsocketInit:    authn.WebsocketInit,
		WebsocketOrigins: cfg.WebsocketOrigins,
		Extensions:       []graphql.HandlerExtension{metrics.NewGraphQL(registry)},
		Logger:           log,
	})
	handler := server.Routes(server.RoutesConfig{
		GraphQL:      authn.Middleware(cfg.TrustProxy, gql),
		Ready:        db.Ping,
		MaxBodyBytes: cfg.MaxBodyBytes,
		CORSOrigins:  cfg.CORSOrigins,
		Metrics:      promhttp.HandlerFor(registry, promhttp.HandlerOpts{Registry: registry}),
		Logger:       log,
	})
	return &App{DB: db, Workflow: wf, Auth: authn, Directory: dir, Evaluation: eval, Policy: engine,
		Warehouse: wh, ownWarehouse: ownWarehouse, Metrics: registry, CaseMetrics: cases, Watcher: watcher, Handler: handler, Log: log, cfg: cfg}, nil
}

// observerFunc adapts a function to workflow.Observer.
type observerFunc func(ctx context.Context, ch workflow.Change)

func (f observerFunc) CaseChanged(ctx context.Context, ch workflow.Change) { f(ctx, ch) }

// Run does the server's background work until ctx ends: it watches the
// policy directory (when one is configured) and reloads changed policies;
// reconciles the case gauges with the database every
// Config.MetricsReconcileInterval; unless Config.Watcher is off, watches
// the deadlines of open cases (when this replica is the leader); and,
// unless Config.Relay is off, relays case events from the outbox to the
// warehouse. It returns when all have stopped.
func (a *App) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if a.cfg.PolicyDir != "" {
		wg.Go(func() { a.Policy.Watch(ctx) })
	}
	interval := a.cfg.MetricsReconcileInterval
	if interval == 0 {
		interval = config.DefaultMetricsReconcileInterval
	}
	wg.Go(func() { a.CaseMetrics.RunReconciler(ctx, interval, a.Workflow.CountUnclosed, a.Log) })
	if a.cfg.Watcher {
		wg.Go(func() { a.Watcher.Run(ctx) })
	}
	var relayErr error
	if a.cfg.Relay && a.Warehouse != nil {
		rc, err := RelayConfig(a.cfg, a.DB, a.Warehouse, a.Log, a.Metrics)
		if err != nil {
			return err
		}
		relay, err := analytics.NewRelay(rc)
		if err != nil {
			return err
		}
		wg.Go(func() { relayErr = relay.Run(ctx) })
	}
	wg.Wait()
	if relayErr != nil && ctx.Err() == nil {
		return fmt.Errorf("analytics relay: %w", relayErr)
	}
	return nil
}

// Close releases the warehouse (when the App opened it) and the database.
func (a *App) Close() error {
	if a.ownWarehouse {
		a.Warehouse.Close()
	}
	return a.DB.Close()
}
