package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/store"
)

// Analytics targets.
const (
	targetDrainPerSecond = 50000
	targetLagP99         = 2 * time.Second
	targetEvaluate       = 1500 * time.Millisecond
	targetEvaluateRatio  = 10
	lagRate              = 1000
)

// analyticsReport is what the analytics part of a run measured.
type analyticsReport struct {
	ClickHouseVersion string
	// Relay: a backlog of DrainEvents left in the PostgreSQL outbox,
	// drained into ClickHouse by one relay; the baseline is
	// clickhouse-client inserting the same event rows (Native format) into
	// a copy of the events table.
	DrainEvents     int
	DrainElapsed    time.Duration
	NativeRows      int
	NativeElapsed   time.Duration
	Lag             analytics.LagResult
	EvalEvents      int
	EvalCases       int
	ClickHouseCold  analytics.BenchTiming // right after loading
	ClickHouseMerge analytics.BenchTiming // after OPTIMIZE FINAL (extra)
	Postgres        analytics.BenchTiming
	SameFigures     bool
}

func (a analyticsReport) drainPerSecond() float64 { return perSecond(a.DrainEvents, a.DrainElapsed) }
func (a analyticsReport) nativePerSecond() float64 {
	return perSecond(a.NativeRows, a.NativeElapsed)
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// measureAnalytics runs the relay drain, the lag probe and the evaluation
// over generated events, each in its own PostgreSQL schema and ClickHouse
// database, dropped at the end.
func measureAnalytics(ctx context.Context, o options, schemas *schemaSet) (analyticsReport, error) {
	log := o.progressLogs
	var rep analyticsReport
	chs := &clickhouseSet{addr: o.clickhouseAddr, log: log}
	defer chs.dropAll()
	var err error
	if rep.ClickHouseVersion, err = chs.client("SELECT version()"); err != nil {
		return rep, fmt.Errorf("ClickHouse at %s (install it with scripts/clickhouse-test-server.sh): %w", o.clickhouseAddr, err)
	}
	rep.ClickHouseVersion = strings.TrimSpace(rep.ClickHouseVersion)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)

	// The relay drain and the lag probe, on one database.
	_, dbURL, err := schemas.create(ctx)
	if err != nil {
		return rep, err
	}
	db, err := store.Open(dbURL, "")
	if err != nil {
		return rep, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		return rep, err
	}
	chDB, ch, err := chs.open(ctx)
	if err != nil {
		return rep, err
	}
	defer ch.Close()
	rc := analytics.RelayConfig{DB: db.SQL, Dialect: db.Dialect, Warehouse: ch, PetitionerSecret: secret, Logger: slog.New(slog.DiscardHandler)}
	log.Info("relay: filling the outbox", "events", o.relayEvents)
	if err := analytics.FillOutbox(ctx, db.SQL, db.Dialect, o.relayEvents); err != nil {
		return rep, fmt.Errorf("fill the outbox: %w", err)
	}
	log.Info("relay: draining the backlog into ClickHouse")
	drain, err := analytics.MeasureDrain(ctx, rc)
	if err != nil {
		return rep, fmt.Errorf("drain: %w", err)
	}
	rep.DrainEvents, rep.DrainElapsed = drain.Events, drain.Elapsed
	log.Info("relay: done", "events", drain.Events, "events/s", fmt.Sprintf("%.0f", drain.PerSecond()))
	if rep.NativeRows, rep.NativeElapsed, err = chs.nativeInsert(chDB); err != nil {
		return rep, fmt.Errorf("clickhouse-client baseline: %w", err)
	}
	log.Info("clickhouse-client: done", "rows", rep.NativeRows, "rows/s", fmt.Sprintf("%.0f", rep.nativePerSecond()))
	log.Info("lag: committing events", "rate", lagRate, "duration", o.lagDuration)
	if rep.Lag, err = analytics.ProbeLag(ctx, rc, lagRate, o.lagDuration); err != nil {
		return rep, fmt.Errorf("lag probe: %w", err)
	}

	// The half-yearly evaluation over generated events.
	cfg := analytics.BenchConfig{Events: o.evalEvents, Seed: 1, PetitionerSecret: secret}
	_, evalCH, err := chs.open(ctx)
	if err != nil {
		return rep, err
	}
	defer evalCH.Close()
	log.Info("evaluation: loading ClickHouse", "events", o.evalEvents)
	if rep.EvalEvents, rep.EvalCases, err = analytics.LoadClickHouseBench(ctx, evalCH, cfg); err != nil {
		return rep, fmt.Errorf("load ClickHouse: %w", err)
	}
	_, evalURL, err := schemas.create(ctx)
	if err != nil {
		return rep, err
	}
	evalDB, err := store.Open(evalURL, "")
	if err != nil {
		return rep, err
	}
	defer evalDB.Close()
	if _, err := evalDB.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		return rep, err
	}
	conn, err := pgx.Connect(ctx, evalURL)
	if err != nil {
		return rep, err
	}
	defer conn.Close(ctx)
	log.Info("evaluation: loading PostgreSQL (COPY)", "events", o.evalEvents)
	if _, _, err := analytics.LoadPostgresBench(ctx, conn, cfg); err != nil {
		return rep, fmt.Errorf("load PostgreSQL: %w", err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return rep, err
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return rep, err
	}
	q := analytics.Query{From: time.Date(2025, 7, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 1, 1, 0, 0, 0, 0, loc),
		Trend: analytics.Month, Location: loc}
	log.Info("evaluation: ClickHouse")
	if rep.ClickHouseCold, err = analytics.TimeEvaluate(ctx, evalCH.Evaluate, q, 5, true); err != nil {
		return rep, err
	}
	if err := evalCH.Optimize(ctx); err != nil {
		return rep, err
	}
	if rep.ClickHouseMerge, err = analytics.TimeEvaluate(ctx, evalCH.Evaluate, q, 5, true); err != nil {
		return rep, err
	}
	log.Info("evaluation: PostgreSQL")
	if rep.Postgres, err = analytics.TimeEvaluate(ctx, func(ctx context.Context, q analytics.Query) (*analytics.Evaluation, error) {
		return analytics.EvaluatePostgres(ctx, evalDB.SQL, q)
	}, q, 2, false); err != nil {
		return rep, err
	}
	rep.SameFigures = sameFigures(rep.Postgres.Evaluation, rep.ClickHouseCold.Evaluation)
	return rep, nil
}

// sameFigures compares the headline figures of two evaluations (the
// analytics tests compare every figure).
func sameFigures(a, b *analytics.Evaluation) bool {
	if a == nil || b == nil {
		return false
	}
	for _, p := range [][2]analytics.Figures{{a.Current, b.Current}, {a.Previous, b.Previous}} {
		x, y := p[0], p[1]
		if x.Received != y.Received || x.Accepted != y.Accepted || x.Responded != y.Responded ||
			x.WithinLimit != y.WithinLimit || x.Rated != y.Rated || x.Satisfied != y.Satisfied ||
			x.RepeatPetitioners != y.RepeatPetitioners || x.TimeToFirstResponse != y.TimeToFirstResponse {
			return false
		}
	}
	return true
}

// clickhouseSet creates throwaway ClickHouse databases and drops them.
type clickhouseSet struct {
	addr    string
	log     *slog.Logger
	created []string
}

func (c *clickhouseSet) open(ctx context.Context) (string, *analytics.ClickHouse, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xfbench_" + hex.EncodeToString(b[:])
	ch, err := analytics.OpenClickHouse(ctx, analytics.ClickHouseConfig{Addr: c.addr, Database: name})
	if err != nil {
		return "", nil, err
	}
	c.created = append(c.created, name)
	return name, ch, nil
}

// client runs clickhouse-client with a query and returns its output.
func (c *clickhouseSet) client(query string, extra ...string) (string, error) {
	host, port, _ := strings.Cut(c.addr, ":")
	args := append([]string{"--host", host, "--port", port, "--query", query}, extra...)
	out, err := exec.Command("clickhouse-client", args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("clickhouse-client %q: %w: %s", query, err, ee.Stderr)
		}
		return "", fmt.Errorf("clickhouse-client %q: %w", query, err)
	}
	return string(out), nil
}

// nativeInsert exports the events the relay delivered in ClickHouse's
// Native format and times clickhouse-client inserting them into an empty
// copy of the table: the raw insert the relay is compared with.
func (c *clickhouseSet) nativeInsert(database string) (int, time.Duration, error) {
	f, err := os.CreateTemp("", "xinfang-events-*.native")
	if err != nil {
		return 0, 0, err
	}
	defer os.Remove(f.Name())
	host, port, _ := strings.Cut(c.addr, ":")
	export := exec.Command("clickhouse-client", "--host", host, "--port", port,
		"--query", "SELECT * FROM "+database+".events FORMAT Native")
	export.Stdout = f
	if err := export.Run(); err != nil {
		f.Close()
		return 0, 0, fmt.Errorf("export events: %w", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return 0, 0, err
	}
	if _, err := c.client("CREATE TABLE " + database + ".events_native AS " + database + ".events"); err != nil {
		return 0, 0, err
	}
	insert := exec.Command("clickhouse-client", "--host", host, "--port", port,
		"--query", "INSERT INTO "+database+".events_native FORMAT Native")
	insert.Stdin = f
	started := time.Now()
	out, err := insert.CombinedOutput()
	elapsed := time.Since(started)
	f.Close()
	if err != nil {
		return 0, 0, fmt.Errorf("insert: %w: %s", err, out)
	}
	count, err := c.client("SELECT count() FROM " + database + ".events_native")
	if err != nil {
		return 0, 0, err
	}
	var n int
	if _, err := fmt.Sscan(strings.TrimSpace(count), &n); err != nil {
		return 0, 0, fmt.Errorf("count copied rows: %w", err)
	}
	return n, elapsed, nil
}

func (c *clickhouseSet) dropAll() {
	for _, name := range c.created {
		if _, err := c.client("DROP DATABASE IF EXISTS " + name); err != nil {
			c.log.Warn("drop ClickHouse database", "database", name, "err", err)
		}
	}
}
