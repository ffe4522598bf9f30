// Command bench measures xinfang's two performance targets in one run on
// one machine and writes the figures to docs/benchmarks.md:
//
//  1. Intake throughput: how many public submitCase mutations per second
//     xinfang sustains over real HTTP on loopback, backed by PostgreSQL,
//     compared with pgbench running the same three inserts (petitioner,
//     case, first event) in one transaction against the same PostgreSQL
//     server. pgbench is the baseline because it is the cheapest way to put
//     that work into PostgreSQL: no HTTP, no GraphQL, no ORM, no
//     validation. The ratio xinfang/pgbench therefore says how much of the
//     database's capacity for the intake write xinfang delivers on the
//     same hardware; the target is at least 0.5. Absolute figures depend
//     on the machine, the ratio much less.
//  2. Case read latency: p50/p90/p99 of one staff client fetching a case
//     with its department, assignee and a 20-event timeline over HTTP,
//     sequentially, on PostgreSQL (target p99 ≤ 5 ms) and, as an extra
//     line, on the embedded SQLite database.
//
// It also times a scrape of /metrics with the case gauges of
// -metrics-cases unclosed cases (target p99 < 50 ms; -skip-metrics skips
// it), policy decisions, and, with ClickHouse, the analytics relay and
// evaluation.
//
// Usage:
//
//	go run ./bench [-clients 16] [-duration 10s] [-fetches 2000] [-out docs/benchmarks.md]
//
// XINFANG_BENCH_POSTGRES_URL names the PostgreSQL server (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); every part of
// the benchmark runs in a private schema that is dropped at the end. The
// program exits non-zero only when something fails, not when a target is
// missed.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/policy"
)

// postgresURLEnv names the PostgreSQL server to benchmark against.
const postgresURLEnv = "XINFANG_BENCH_POSTGRES_URL"

const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// options are the command-line settings.
type options struct {
	clients        int
	rounds         int
	duration       time.Duration
	warmup         time.Duration
	fetches        int
	fetchWarmup    int
	decisions      int
	clickhouseAddr string
	relayEvents    int
	lagDuration    time.Duration
	evalEvents     int
	skipAnalytics  bool
	metricsCases   int
	skipMetrics    bool
	watcherCases   int
	watcherDue     int
	skipWatcher    bool
	out            string
	cpuProfile     string
	pgbench        string
	pgbenchMode    string
	postgresURL    string
	skipSQLite     bool
	commandLine    string
	progressLogs   *slog.Logger
}

func main() {
	opts := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags() options {
	var o options
	flag.IntVar(&o.clients, "clients", 16, "concurrent submitCase clients (and pgbench -c)")
	flag.IntVar(&o.rounds, "rounds", 3, "alternating pgbench and submitCase runs; the medians are reported")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured length of each throughput run")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up before each throughput run")
	flag.IntVar(&o.fetches, "fetches", 2000, "measured case fetches per backend")
	flag.IntVar(&o.fetchWarmup, "fetch-warmup", 200, "unmeasured case fetches before measuring")
	flag.IntVar(&o.decisions, "decisions", 20000, "policy decisions of each kind to time")
	flag.StringVar(&o.clickhouseAddr, "clickhouse", envOr("XINFANG_BENCH_CLICKHOUSE_ADDR", os.Getenv("XINFANG_TEST_CLICKHOUSE_ADDR")), "ClickHouse host:port (native protocol) for the analytics benchmarks (XINFANG_BENCH_CLICKHOUSE_ADDR)")
	flag.IntVar(&o.relayEvents, "relay-events", 1_000_000, "outbox backlog the relay drains")
	flag.DurationVar(&o.lagDuration, "lag-duration", 20*time.Second, "how long the lag probe commits events at 1,000/s")
	flag.IntVar(&o.evalEvents, "eval-events", 10_000_000, "generated events the half-yearly evaluation runs over")
	flag.BoolVar(&o.skipAnalytics, "skip-analytics", false, "skip the relay and evaluation benchmarks")
	flag.IntVar(&o.metricsCases, "metrics-cases", 100_000, "unclosed cases behind the /metrics scrape benchmark")
	flag.BoolVar(&o.skipMetrics, "skip-metrics", false, "skip the /metrics scrape and reconcile benchmark")
	flag.IntVar(&o.watcherCases, "watcher-cases", 1_000_000, "unclosed cases behind the deadline watcher benchmark")
	flag.IntVar(&o.watcherDue, "watcher-due", 2_000, "of those, cases due for a deadline check")
	flag.BoolVar(&o.skipWatcher, "skip-watcher", false, "skip the deadline watcher benchmark")
	flag.StringVar(&o.out, "out", "", "rewrite this Markdown file with the results")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the xinfang submitCase run to this file")
	flag.StringVar(&o.pgbench, "pgbench", "pgbench", "pgbench executable")
	flag.StringVar(&o.pgbenchMode, "pgbench-protocol", "prepared", "pgbench query protocol: simple, extended or prepared (xinfang's driver prepares statements too)")
	flag.BoolVar(&o.skipSQLite, "skip-sqlite", false, "skip the SQLite timeline measurement")
	flag.Parse()
	if o.clients < 1 || o.rounds < 1 || o.fetches < 1 || o.duration <= 0 || o.metricsCases < 1 || o.watcherDue < 1 || o.watcherDue > o.watcherCases {
		fmt.Fprintln(os.Stderr, "bench: -clients, -fetches, -duration and -metrics-cases must be positive")
		os.Exit(2)
	}
	o.postgresURL = os.Getenv(postgresURLEnv)
	if o.postgresURL == "" {
		o.postgresURL = defaultPostgresURL
	}
	o.commandLine = commandLine(os.Args[1:])
	o.progressLogs = slog.New(slog.NewTextHandler(os.Stderr, nil))
	return o
}

// commandLine renders how the program was started, for the report.
func commandLine(args []string) string {
	parts := []string{"go", "run", "./bench"}
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// run performs every measurement and reports them.
func run(ctx context.Context, o options) error {
	log := o.progressLogs
	admin, err := sql.Open("pgx", o.postgresURL)
	if err != nil {
		return fmt.Errorf("open %s: %w", store.Redact(o.postgresURL), err)
	}
	defer admin.Close()
	rep := &report{Started: time.Now(), Command: o.commandLine, Options: o}
	if rep.Machine, err = machineFacts(ctx, admin, o.pgbench); err != nil {
		return err
	}
	log.Info("machine", "cpus", rep.Machine.CPUs, "cpu", rep.Machine.CPUModel, "go", rep.Machine.GoVersion, "postgres", rep.Machine.Postgres)

	schemas := &schemaSet{admin: admin, base: o.postgresURL, log: log}
	defer schemas.dropAll()

	if rep.PgbenchStatementTPS, rep.PgbenchStatementScript, err = measurePgbench(ctx, o, schemas, pgbenchStatementScript); err != nil {
		return fmt.Errorf("pgbench (one statement): %w", err)
	}
	if err := measurePostgresApp(ctx, o, schemas, rep); err != nil {
		return err
	}
	if rep.Policy, err = measurePolicy(ctx, o); err != nil {
		return fmt.Errorf("policy decisions: %w", err)
	}
	if !o.skipMetrics {
		m, err := measureMetrics(ctx, o, schemas)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		rep.Metrics = &m
	}
	if !o.skipWatcher {
		w, err := measureWatcher(ctx, o, schemas)
		if err != nil {
			return fmt.Errorf("deadline watcher: %w", err)
		}
		rep.Watcher = &w
	}
	if !o.skipAnalytics {
		if o.clickhouseAddr == "" {
			return errors.New("no ClickHouse for the analytics benchmarks: set XINFANG_BENCH_CLICKHOUSE_ADDR (make bench starts one) or pass -skip-analytics")
		}
		a, err := measureAnalytics(ctx, o, schemas)
		if err != nil {
			return fmt.Errorf("analytics: %w", err)
		}
		rep.Analytics = &a
	}
	if !o.skipSQLite {
		if rep.SQLiteFetch, err = measureSQLiteFetch(ctx, o); err != nil {
			return fmt.Errorf("sqlite timeline: %w", err)
		}
	}
	rep.Finished = time.Now()
	rep.print(os.Stdout)
	if o.out != "" {
		if err := rep.writeMarkdown(o.out); err != nil {
			return err
		}
		log.Info("report written", "file", o.out)
	}
	return nil
}

// measurePostgresApp runs the submitCase throughput, in rounds alternating
// with the pgbench baseline, and the timeline fetch against one xinfang
// server on PostgreSQL.
func measurePostgresApp(ctx context.Context, o options, schemas *schemaSet, rep *report) error {
	pb, script, cleanup, err := preparePgbench(ctx, o, schemas, pgbenchScript)
	if err != nil {
		return fmt.Errorf("pgbench: %w", err)
	}
	defer cleanup()
	rep.PgbenchScript = script
	_, dbURL, err := schemas.create(ctx)
	if err != nil {
		return err
	}
	db, err := store.Open(dbURL, "")
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := startServer(ctx, db)
	if err != nil {
		return fmt.Errorf("start xinfang on postgres: %w", err)
	}
	defer srv.close()
	// The submitCase run is always profiled: the policy's share of the
	// CPU time is read from the profile.
	profile := o.cpuProfile
	if profile == "" {
		f, err := os.CreateTemp("", "xinfang-submit-*.pprof")
		if err != nil {
			return err
		}
		f.Close()
		defer os.Remove(f.Name())
		profile = f.Name()
	}
	// The machine's speed drifts over minutes (other tenants): the two are
	// measured in alternating rounds, each ratio from neighbouring runs,
	// and the medians reported. The first round is profiled.
	for round := range o.rounds {
		pgTPS, err := pb.measure(ctx, o)
		if err != nil {
			return fmt.Errorf("pgbench: %w", err)
		}
		po := o
		po.cpuProfile = ""
		if round == 0 {
			po.cpuProfile = profile
		}
		appTPS, err := measureSubmit(ctx, po, srv)
		if err != nil {
			return fmt.Errorf("submitCase throughput: %w", err)
		}
		rep.IntakeRounds = append(rep.IntakeRounds, intakeRound{Pgbench: pgTPS, Xinfang: appTPS})
	}
	if rep.PolicyShare, err = policyCPUShare(profile); err != nil {
		return err
	}
	if rep.PostgresFetch, err = measureFetch(ctx, o, srv, "postgres"); err != nil {
		return fmt.Errorf("postgres timeline: %w", err)
	}
	return nil
}

// measureSQLiteFetch runs the timeline fetch against a server on the
// embedded database.
func measureSQLiteFetch(ctx context.Context, o options) (latency, error) {
	dir, err := os.MkdirTemp("", "xinfang-bench-")
	if err != nil {
		return latency{}, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open("", dir)
	if err != nil {
		return latency{}, err
	}
	defer db.Close()
	srv, err := startServer(ctx, db)
	if err != nil {
		return latency{}, err
	}
	defer srv.close()
	return measureFetch(ctx, o, srv, "sqlite")
}

// server is a running xinfang with the fixtures the benchmarks need.
type server struct {
	app      *app.App
	http     *http.Server
	url      string
	dataDir  string
	intakeID int
}

// startServer assembles xinfang on db the way the serve command does,
// creates the intake department and serves on a loopback port.
func startServer(ctx context.Context, db *store.DB) (*server, error) {
	a, dir, err := newApp(ctx, db, app.Options{})
	if err != nil {
		return nil, err
	}
	dept, err := db.Client.Department.Create().SetCode("CS").SetName("客户服务部").
		SetNameEn("Customer Service").SetIntake(true).Save(ctx)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create intake department: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	hs := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "bench: serve:", err)
		}
	}()
	return &server{app: a, http: hs, url: "http://" + ln.Addr().String() + "/graphql", dataDir: dir, intakeID: dept.ID}, nil
}

// newApp assembles xinfang on db (migrating it) with its data in a new
// temporary directory, which the caller removes.
func newApp(ctx context.Context, db *store.DB, opts app.Options) (*app.App, string, error) {
	dir, err := os.MkdirTemp("", "xinfang-bench-data-")
	if err != nil {
		return nil, "", err
	}
	cfg := config.Config{
		DataDir:           dir,
		AutoMigrate:       true,
		JWTSecret:         strings.Repeat("j", 32),
		PINSecret:         strings.Repeat("p", 32),
		TokenTTL:          time.Hour,
		MaxBodyBytes:      1 << 20,
		ComplexityLimit:   20000,
		DepthLimit:        12,
		TimeZone:          "Asia/Shanghai",
		AnalyticsTimeZone: "Asia/Shanghai",
		LogFormat:         "text",
		LogLevel:          "error",
	}
	opts.DB = db
	// The app logs nothing: an access log line per request would measure
	// the terminal.
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	return a, dir, nil
}

func (s *server) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
	os.RemoveAll(s.dataDir)
}

// schemaSet creates private PostgreSQL schemas and drops them at the end.
type schemaSet struct {
	admin   *sql.DB
	base    string
	log     *slog.Logger
	created []string
}

// create makes an empty schema and returns its name and a URL whose
// connections use it, as internal/testenv does for tests.
func (s *schemaSet) create(ctx context.Context) (name, dbURL string, err error) {
	u, err := url.Parse(s.base)
	if err != nil {
		return "", "", fmt.Errorf("parse %s: %w", postgresURLEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name = "xfbench_" + hex.EncodeToString(b[:])
	if _, err := s.admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", "", fmt.Errorf("create schema (is PostgreSQL running at %s?): %w", store.Redact(s.base), err)
	}
	s.created = append(s.created, name)
	s.log.Info("created schema", "schema", name)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return name, u.String(), nil
}

func (s *schemaSet) dropAll() {
	for _, name := range s.created {
		if _, err := s.admin.Exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			s.log.Warn("drop schema", "schema", name, "err", err)
		} else {
			s.log.Info("dropped schema", "schema", name)
		}
	}
}

// measurePolicy times the embedded policy's decisions in process.
func measurePolicy(ctx context.Context, o options) (policy.DecisionLatencies, error) {
	o.progressLogs.Info("policy decisions: measuring", "inputs", o.decisions)
	e, err := policy.New(ctx, policy.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return policy.DecisionLatencies{}, err
	}
	return policy.MeasureDecisions(e, o.decisions)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
