package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/store"
)

// Watcher benchmark sizes.
const (
	watcherQuietTicks = 200
	// watcherDueQuery is the watcher's read of due cases as plain SQL, for
	// pgbench: the baseline of a quiet tick.
	watcherDueQuery = `SELECT * FROM cases WHERE deadline_check_at <= now() ORDER BY deadline_check_at LIMIT 200;`
)

// watcherReport is what the deadline watcher part of a run measured.
type watcherReport struct {
	// Cases unclosed cases, Due of them due for a check.
	Cases, Due int
	// Busy is the tick that checked the due cases: its time, the cases
	// it checked and the events it recorded.
	Busy             time.Duration
	Checked, Records int
	// Quiet ticks find nothing due.
	Quiet latency
	// RawQuery is pgbench's average latency of watcherDueQuery, one
	// client, on the same table.
	RawQuery time.Duration
	// Plan is the access path PostgreSQL chose for the due-cases query.
	Plan string
}

// measureWatcher seeds o.watcherCases unclosed cases whose deadline checks
// are spread over the next two days, except o.watcherDue that are due now,
// then times the watcher's tick that checks those, and quiet ticks that
// find nothing due, against pgbench running the watcher's query alone.
func measureWatcher(ctx context.Context, o options, schemas *schemaSet) (watcherReport, error) {
	log := o.progressLogs
	rep := watcherReport{Cases: o.watcherCases, Due: o.watcherDue}
	schema, dbURL, err := schemas.create(ctx)
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
	log.Info("watcher: seeding unclosed cases", "cases", rep.Cases, "due", rep.Due)
	checkAt := fmt.Sprintf(`CASE WHEN g <= %d THEN now() - interval '1 minute'
		ELSE now() + interval '1 hour' + (g %% 172800) * interval '1 second' END`, rep.Due)
	start := time.Now()
	if err := seedUnclosedCases(ctx, db, rep.Cases, checkAt); err != nil {
		return rep, err
	}
	log.Info("watcher: seeded", "elapsed", time.Since(start).Round(time.Millisecond))
	if rep.Plan, err = duePlan(ctx, db); err != nil {
		return rep, err
	}
	if !strings.Contains(rep.Plan, "casefile_deadline_check_at") {
		return rep, fmt.Errorf("the due-cases query does not use the deadline_check_at index:\n%s", rep.Plan)
	}

	a, dir, err := newApp(ctx, db, app.Options{WithoutWarehouse: true})
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	start = time.Now()
	stats, err := a.Watcher.Tick(ctx)
	if err != nil {
		return rep, fmt.Errorf("busy tick: %w", err)
	}
	rep.Busy, rep.Checked, rep.Records = time.Since(start), stats.Checked, stats.Recorded
	if stats.Checked != rep.Due || stats.Failed != 0 {
		return rep, fmt.Errorf("the busy tick checked %d cases (%d failed), %d were due", stats.Checked, stats.Failed, rep.Due)
	}
	log.Info("watcher: busy tick", "checked", stats.Checked, "recorded", stats.Recorded, "elapsed", rep.Busy.Round(time.Millisecond))

	times := make([]time.Duration, 0, watcherQuietTicks)
	for range watcherQuietTicks {
		start := time.Now()
		stats, err := a.Watcher.Tick(ctx)
		if err != nil {
			return rep, fmt.Errorf("quiet tick: %w", err)
		}
		times = append(times, time.Since(start))
		if stats.Checked != 0 {
			return rep, fmt.Errorf("a quiet tick checked %d cases", stats.Checked)
		}
	}
	rep.Quiet = summarise(times)
	log.Info("watcher: quiet ticks", "p50", rep.Quiet.P50, "p99", rep.Quiet.P99)

	if rep.RawQuery, err = pgbenchLatency(ctx, o, schema, watcherDueQuery, watcherQuietTicks); err != nil {
		return rep, err
	}
	log.Info("watcher: pgbench due-cases query", "latency", rep.RawQuery)
	return rep, nil
}

// duePlan is PostgreSQL's plan for the watcher's query.
func duePlan(ctx context.Context, db *store.DB) (string, error) {
	rows, err := db.SQL.QueryContext(ctx, "EXPLAIN "+strings.TrimSuffix(watcherDueQuery, ";"))
	if err != nil {
		return "", fmt.Errorf("explain the due-cases query: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return strings.Join(lines, "\n"), rows.Err()
}

var latencyLine = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)

// pgbenchLatency runs query n times from one pgbench client in schema and
// returns the average latency pgbench reports.
func pgbenchLatency(ctx context.Context, o options, schema, query string, n int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "xinfang-pgbench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "query.sql")
	if err := os.WriteFile(file, []byte(query+"\n"), 0o600); err != nil {
		return 0, err
	}
	cmd := execPgbench(ctx, o.pgbench, schema, "-n", "-c", "1", "-t", strconv.Itoa(n), "-M", o.pgbenchMode, "-f", file, o.postgresURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s: %w\n%s", o.pgbench, err, out)
	}
	m := latencyLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no latency line in pgbench output:\n%s", out)
	}
	msecs, err := strconv.ParseFloat(string(m[1]), 64)
	return time.Duration(msecs * float64(time.Millisecond)), err
}

// rows are the watcher lines of the results table.
func (w *watcherReport) rows() []row {
	perCase := time.Duration(0)
	if w.Checked > 0 {
		perCase = w.Busy / time.Duration(w.Checked)
	}
	return []row{
		{fmt.Sprintf("deadline watcher: quiet tick (nothing due) with %d unclosed cases, %d ticks: p50 / p90 / p99", w.Cases, w.Quiet.N),
			fmt.Sprintf("%s / %s / %s ms", ms(w.Quiet.P50), ms(w.Quiet.P90), ms(w.Quiet.P99)), "", ""},
		{"pgbench: the watcher's due-cases query alone, 1 client (average)", fmt.Sprintf("%s ms", ms(w.RawQuery)), "baseline", ""},
		{"quiet tick p50 / pgbench due-cases query", fmt.Sprintf("%.2f", ratio(float64(w.Quiet.P50), float64(w.RawQuery))), "", ""},
		{fmt.Sprintf("deadline watcher: tick checking %d due cases among %d (%d events recorded)", w.Checked, w.Cases, w.Records),
			fmt.Sprintf("%s ms (%s ms a case)", ms(w.Busy), ms(perCase)), "", ""},
	}
}

// describe writes what the watcher lines measure.
func (w *watcherReport) describe(out io.Writer) {
	fmt.Fprintf(out, "**Deadline watcher.** A fresh PostgreSQL schema gets %d unclosed cases as for the metrics "+
		"benchmark; %d of them are due for a deadline check, the others' checks are spread over the next two days. "+
		"xinfang starts on it (`app.New`) and its watcher ticks once (`sla.Watcher.Tick`: read the due cases by the "+
		"`deadline_check_at` index, ask the policy's `Escalate` for each, record warnings, breaches and escalations as events or "+
		"store the next check time), then %d more times with nothing due. The baseline is pgbench running the tick's query "+
		"(`%s`) %d times from one client. PostgreSQL's plan for it:\n\n    %s\n\n",
		w.Cases, w.Due, watcherQuietTicks, watcherDueQuery, watcherQuietTicks, strings.ReplaceAll(w.Plan, "\n", "\n    "))
}
