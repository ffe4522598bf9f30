package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/store"
)

// Metrics targets and sizes.
const (
	targetScrapeP99    = 50 * time.Millisecond
	metricsScrapes     = 300
	metricsWarmup      = 20
	metricsReconciles  = 5
	metricsDepartments = 20
)

// scrapeAccept is the Accept header Prometheus 2 sends; the server
// answers in the text format, gzipped.
const scrapeAccept = "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"

// metricsReport is what the metrics part of a run measured.
type metricsReport struct {
	// Cases unclosed cases in Departments departments, seeded in
	// PostgreSQL; the reconcile counted OpenCounted of them.
	Cases, Departments, OpenCounted int
	// Reconcile: the first reconcile after the start, and the median of
	// metricsReconciles more.
	ReconcileFirst, ReconcileMedian time.Duration
	// Scrape: GET /metrics of the app. Baseline: a registry of the Go and
	// process collectors only.
	Scrape, Baseline scrapes
}

// measureMetrics seeds o.metricsCases unclosed cases in a private schema,
// starts the app on it, reconciles its case gauges and times scrapes of
// its /metrics, and of a registry with only the Go and process collectors.
func measureMetrics(ctx context.Context, o options, schemas *schemaSet) (metricsReport, error) {
	log := o.progressLogs
	rep := metricsReport{Cases: o.metricsCases, Departments: metricsDepartments}
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
	log.Info("metrics: seeding unclosed cases", "cases", o.metricsCases, "departments", metricsDepartments)
	if err := seedUnclosedCases(ctx, db, o.metricsCases, "now()"); err != nil {
		return rep, err
	}

	a, dir, err := newApp(ctx, db, app.Options{WithoutWarehouse: true})
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	if err := a.CaseMetrics.Reconcile(ctx, a.Workflow.CountUnclosed); err != nil {
		return rep, err
	}
	rep.ReconcileFirst = time.Since(start)
	times := make([]time.Duration, 0, metricsReconciles)
	for range metricsReconciles {
		start := time.Now()
		if err := a.CaseMetrics.Reconcile(ctx, a.Workflow.CountUnclosed); err != nil {
			return rep, err
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	rep.ReconcileMedian = times[len(times)/2]
	log.Info("metrics: reconciled", "first", rep.ReconcileFirst, "median", rep.ReconcileMedian)

	if rep.Scrape, err = timeScrapes(ctx, log, "app", a.Handler); err != nil {
		return rep, err
	}
	if rep.OpenCounted, err = openCases(rep.Scrape.Text); err != nil {
		return rep, err
	}
	if rep.OpenCounted != rep.Cases {
		return rep, fmt.Errorf("the scrape counts %d unclosed cases, the database holds %d", rep.OpenCounted, rep.Cases)
	}
	baseline := prometheus.NewRegistry()
	baseline.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(baseline, promhttp.HandlerOpts{Registry: baseline}))
	if rep.Baseline, err = timeScrapes(ctx, log, "baseline", mux); err != nil {
		return rep, err
	}
	return rep, nil
}

// seedUnclosedCases inserts n unclosed cases spread over metricsDepartments
// departments (created here), every unclosed status and SLA state, in one
// statement. checkAt is the SQL expression of a case's deadline_check_at,
// over g, the case's number from 1 to n. They have no events or
// petitioners: the reconcile reads only the cases table, and the watcher's
// events start their chains after the seeded version.
func seedUnclosedCases(ctx context.Context, db *store.DB, n int, checkAt string) error {
	for i := range metricsDepartments {
		code := fmt.Sprintf("DEPT_%02d", i+1)
		if _, err := db.Client.Department.Create().SetCode(code).SetName(code).SetIntake(i == 0).Save(ctx); err != nil {
			return fmt.Errorf("create department %s: %w", code, err)
		}
	}
	_, err := db.SQL.ExecContext(ctx, `
		INSERT INTO cases (created_at, updated_at, pin_hash, channel, kind, subject, body, status, last_event_hash,
			received_at, decide_due, respond_due, resolve_due, sla_state, deadline_check_at, department_id)
		SELECT now(), now(), 'bench', (ARRAY['WEB','HOTLINE','EMAIL','LETTER','VISIT','CONSULTATION'])[1 + g % 6],
			(ARRAY['COMPLAINT','SUGGESTION','INQUIRY','PRAISE','REPORT'])[1 + g % 5], '基准测试', '基准测试',
			(ARRAY['SUBMITTED','ACCEPTED','ASSIGNED','IN_PROGRESS','AWAITING_PETITIONER','RESPONDED'])[1 + (g / 7) % 6],
			'bench', now() - (g % 500) * interval '1 hour', now() + interval '1 day', now() + interval '5 days',
			now() + interval '7 days',
			(ARRAY['ON_TRACK','ON_TRACK','ON_TRACK','ON_TRACK','ON_TRACK','ON_TRACK','AT_RISK','AT_RISK','BREACHED','ESCALATED'])[1 + (g / 3) % 10],
			`+checkAt+`, d.ids[1 + g % array_length(d.ids, 1)]
		FROM generate_series(1, $1::int) AS g, (SELECT array_agg(id ORDER BY id) AS ids FROM departments) AS d`, n)
	if err != nil {
		return fmt.Errorf("seed %d cases: %w", n, err)
	}
	if _, err := db.SQL.ExecContext(ctx, "ANALYZE cases"); err != nil {
		return fmt.Errorf("analyze cases: %w", err)
	}
	return nil
}

// scrapes is what timeScrapes measured of one registry.
type scrapes struct {
	latency
	// Series and Bytes (gzipped) describe one answer; Text is that answer.
	Series, Bytes int
	Text          string
}

// timeScrapes serves h on a loopback port and times metricsScrapes GETs of
// /metrics after metricsWarmup unmeasured ones, one at a time, each read to
// its end, gzipped as Prometheus asks.
func timeScrapes(ctx context.Context, log *slog.Logger, what string, h http.Handler) (scrapes, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return scrapes{}, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "bench: serve metrics:", err)
		}
	}()
	defer hs.Close()
	url := "http://" + ln.Addr().String() + "/metrics"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	var last bytes.Buffer
	scrape := func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		// Set explicitly, the transport leaves the body compressed.
		req.Header.Set("Accept", scrapeAccept)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		last.Reset()
		if _, err := last.ReadFrom(resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
			return fmt.Errorf("GET %s: %s, Content-Encoding %q", url, resp.Status, resp.Header.Get("Content-Encoding"))
		}
		return nil
	}
	log.Info("metrics: scraping", "registry", what, "warmup", metricsWarmup, "scrapes", metricsScrapes)
	for range metricsWarmup {
		if err := scrape(); err != nil {
			return scrapes{}, err
		}
	}
	times := make([]time.Duration, 0, metricsScrapes)
	for range metricsScrapes {
		start := time.Now()
		if err := scrape(); err != nil {
			return scrapes{}, err
		}
		times = append(times, time.Since(start))
	}
	r := scrapes{latency: summarise(times), Bytes: last.Len()}
	zr, err := gzip.NewReader(&last)
	if err != nil {
		return scrapes{}, err
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return scrapes{}, err
	}
	r.Text = string(text)
	for line := range strings.Lines(r.Text) {
		if !strings.HasPrefix(line, "#") && strings.TrimSpace(line) != "" {
			r.Series++
		}
	}
	log.Info("metrics: scrape latency", "registry", what, "series", r.Series, "gzipped_bytes", r.Bytes,
		"p50", r.P50, "p90", r.P90, "p99", r.P99)
	return r, nil
}

// openCases sums xinfang_cases_open over a scrape's text.
func openCases(text string) (int, error) {
	total := 0.0
	for line := range strings.Lines(text) {
		if !strings.HasPrefix(line, "xinfang_cases_open{") {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err != nil {
			return 0, fmt.Errorf("parse %q: %w", line, err)
		}
		total += v
	}
	return int(total), nil
}

// rows are the metrics lines of the results table.
func (m *metricsReport) rows() []row {
	kib := func(b int) string { return fmt.Sprintf("%.1f KiB", float64(b)/1024) }
	return []row{
		{fmt.Sprintf("GET /metrics with the case gauges of %d unclosed cases in %d departments (%d series, %s gzipped), 1 client: p50 / p90 / p99",
			m.Cases, m.Departments, m.Scrape.Series, kib(m.Scrape.Bytes)),
			fmt.Sprintf("%s / %s / %s ms", ms(m.Scrape.P50), ms(m.Scrape.P90), ms(m.Scrape.P99)),
			fmt.Sprintf("p99 < %g ms", float64(targetScrapeP99)/float64(time.Millisecond)), mark(m.Scrape.P99 < targetScrapeP99)},
		{fmt.Sprintf("GET /metrics of the Go and process collectors only (%d series, %s gzipped): p50 / p90 / p99",
			m.Baseline.Series, kib(m.Baseline.Bytes)),
			fmt.Sprintf("%s / %s / %s ms", ms(m.Baseline.P50), ms(m.Baseline.P90), ms(m.Baseline.P99)), "baseline", ""},
		{fmt.Sprintf("reconcile the case gauges from PostgreSQL, %d unclosed cases: median of %d (first after start)", m.Cases, metricsReconciles),
			fmt.Sprintf("%s ms (%s ms)", ms(m.ReconcileMedian), ms(m.ReconcileFirst)), "", ""},
	}
}

// describe writes what the metrics lines measure.
func (m *metricsReport) describe(w io.Writer) {
	fmt.Fprintf(w, "**Metrics.** A fresh PostgreSQL schema gets %d departments and %d unclosed cases spread over them, every "+
		"unclosed status and SLA state (one INSERT … SELECT over generate_series, then ANALYZE). xinfang starts on it "+
		"(`app.New`, no warehouse) and reconciles its case gauges from the database (`workflow.Service.CountUnclosed`, a "+
		"GROUP BY over the unclosed cases): once after the start, then %d times for the median; the sum of "+
		"`xinfang_cases_open` in the scrape must equal the cases seeded. One client then GETs the server's /metrics on a "+
		"loopback port %d times after %d unmeasured ones, one at a time, with Prometheus' Accept header and "+
		"`Accept-Encoding: gzip`, reading each answer to its end; a scrape never reads the database, so its time depends on "+
		"the number of series, not of cases. The baseline is the same over a registry with only the Go and process "+
		"collectors.\n\n",
		m.Departments, m.Cases, metricsReconciles, metricsScrapes, metricsWarmup)
}
