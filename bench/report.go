package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/policy"
)

// Targets.
const (
	targetRatio          = 0.5
	targetP99            = 5 * time.Millisecond
	targetDecisionP99    = 50 * time.Microsecond
	targetPolicyCPUShare = 0.10
)

// machine describes where the benchmark ran.
type machine struct {
	CPUs      int
	CPUModel  string
	Memory    string
	Kernel    string
	GoVersion string
	Postgres  string
	Pgbench   string
}

// report is everything one run measured.
type report struct {
	Started, Finished time.Time
	Command           string
	Options           options
	Machine           machine
	// IntakeRounds are the alternating pgbench and submitCase runs.
	IntakeRounds  []intakeRound
	PgbenchScript string
	// The same inserts as one statement, as xinfang's PostgreSQL intake
	// sends them: an informational second baseline.
	PgbenchStatementTPS    float64
	PgbenchStatementScript string
	PostgresFetch          latency
	SQLiteFetch            latency
	// Policy decisions, in process, and the share of the server's CPU time
	// during the submitCase run spent evaluating policy.
	Policy      policy.DecisionLatencies
	PolicyShare cpuShare
	// Analytics is nil when skipped.
	Analytics *analyticsReport
	// Metrics is nil when skipped.
	Metrics *metricsReport
	// Watcher is nil when skipped.
	Watcher *watcherReport
}

// machineFacts collects the machine, Go, PostgreSQL and pgbench versions.
func machineFacts(ctx context.Context, admin *sql.DB, pgbench string) (machine, error) {
	m := machine{
		CPUs:      runtime.NumCPU(),
		CPUModel:  procField("/proc/cpuinfo", "model name"),
		Memory:    memory(procField("/proc/meminfo", "MemTotal")),
		GoVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if err := admin.QueryRowContext(ctx, "SHOW server_version").Scan(&m.Postgres); err != nil {
		return m, fmt.Errorf("query PostgreSQL version: %w", err)
	}
	out, err := exec.CommandContext(ctx, pgbench, "--version").Output()
	if err != nil {
		return m, fmt.Errorf("%s --version (is pgbench installed?): %w", pgbench, err)
	}
	m.Pgbench = strings.TrimSpace(string(out))
	return m, nil
}

// procField returns the value of the first "name : value" line of a /proc
// file, or "unknown".
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "unknown"
}

// memory renders /proc/meminfo's "N kB" in GiB.
func memory(kb string) string {
	var n float64
	if _, err := fmt.Sscanf(kb, "%f kB", &n); err != nil {
		return kb
	}
	return fmt.Sprintf("%.1f GiB", n/(1<<20))
}

// row is one line of the results table.
type row struct {
	what, result, target, met string
}

// intakeRound is one pgbench run and the submitCase run after it.
type intakeRound struct{ Pgbench, Xinfang float64 }

// PgbenchTPS and XinfangTPS are the medians of the rounds; ratio is the
// median of the rounds' ratios.
func (r *report) PgbenchTPS() float64 {
	return median(r.IntakeRounds, func(i intakeRound) float64 { return i.Pgbench })
}
func (r *report) XinfangTPS() float64 {
	return median(r.IntakeRounds, func(i intakeRound) float64 { return i.Xinfang })
}
func (r *report) ratio() float64 {
	return median(r.IntakeRounds, func(i intakeRound) float64 { return ratio(i.Xinfang, i.Pgbench) })
}

// roundRatios lists the rounds' ratios for the report.
func (r *report) roundRatios() string {
	parts := make([]string, len(r.IntakeRounds))
	for i, round := range r.IntakeRounds {
		parts[i] = fmt.Sprintf("%.2f", ratio(round.Xinfang, round.Pgbench))
	}
	return strings.Join(parts, ", ")
}

func median[T any](xs []T, value func(T) float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = value(x)
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func (r *report) rows() []row {
	o := r.Options
	rows := []row{
		{fmt.Sprintf("pgbench: the 3 intake inserts in one transaction, %d clients (median of %d runs)", o.clients, len(r.IntakeRounds)),
			fmt.Sprintf("%.0f tx/s", r.PgbenchTPS()), "baseline", ""},
		{fmt.Sprintf("xinfang: submitCase over HTTP on PostgreSQL, %d clients (median of %d runs, alternating with pgbench)", o.clients, len(r.IntakeRounds)),
			fmt.Sprintf("%.0f req/s", r.XinfangTPS()), "", ""},
		{"submitCase throughput, xinfang / pgbench (median of the rounds' ratios)", fmt.Sprintf("%.2f (rounds: %s)", r.ratio(), r.roundRatios()),
			fmt.Sprintf("≥ %.1f", targetRatio), mark(r.ratio() >= targetRatio)},
		{fmt.Sprintf("pgbench (extra): the same inserts as one statement, %d clients", o.clients),
			fmt.Sprintf("%.0f tx/s", r.PgbenchStatementTPS), "", ""},
		{"submitCase throughput, xinfang / one-statement pgbench (extra)", fmt.Sprintf("%.2f", ratio(r.XinfangTPS(), r.PgbenchStatementTPS)), "", ""},
		fetchRow("PostgreSQL", r.PostgresFetch),
	}
	if r.SQLiteFetch.N > 0 {
		rows = append(rows, fetchRow("SQLite (extra)", r.SQLiteFetch))
	}
	p := r.Policy
	rows = append(rows,
		decisionRow(fmt.Sprintf("policy: routing + time limits, one intake's decisions, %d inputs", p.N), p.RouteAndLimits, true),
		decisionRow("policy: routing + time limits with the decision memo bypassed (extra)", p.RouteAndLimitsUncached, false),
		decisionRow(fmt.Sprintf("policy: authorization, %d inputs", p.N), p.Authorize, true),
		decisionRow("policy: authorization with the decision memo bypassed (extra)", p.AuthorizeUncached, false),
		decisionRow("policy: case-list scope (extra)", p.CaseScope, false),
		row{"share of xinfang's CPU time in policy evaluation during the submitCase run",
			fmt.Sprintf("%.1f %% (%.2f of %.2f CPU s)", 100*r.PolicyShare.share(), r.PolicyShare.PolicySeconds, r.PolicyShare.ServerSeconds),
			fmt.Sprintf("< %.0f %%", 100*targetPolicyCPUShare), mark(r.PolicyShare.ServerSeconds > 0 && r.PolicyShare.share() < targetPolicyCPUShare)},
	)
	if m := r.Metrics; m != nil {
		rows = append(rows, m.rows()...)
	}
	if w := r.Watcher; w != nil {
		rows = append(rows, w.rows()...)
	}
	if a := r.Analytics; a != nil {
		rows = append(rows,
			row{fmt.Sprintf("relay: drain a backlog of %d events, PostgreSQL outbox → ClickHouse", a.DrainEvents),
				fmt.Sprintf("%.0f events/s (%s)", a.drainPerSecond(), a.DrainElapsed.Round(time.Millisecond)),
				fmt.Sprintf("≥ %d events/s", targetDrainPerSecond), mark(a.drainPerSecond() >= targetDrainPerSecond)},
			row{"clickhouse-client: insert the same event rows (Native format) into a copy of the table",
				fmt.Sprintf("%.0f rows/s (%s)", a.nativePerSecond(), a.NativeElapsed.Round(time.Millisecond)), "baseline", ""},
			row{"relay drain / clickhouse-client native insert", fmt.Sprintf("%.2f", ratio(a.drainPerSecond(), a.nativePerSecond())), "", ""},
			row{fmt.Sprintf("end-to-end lag, commit → in ClickHouse, at %d events/s: p50 / p99", lagRate),
				fmt.Sprintf("%s / %s ms", ms(a.Lag.P50), ms(a.Lag.P99)),
				fmt.Sprintf("p99 ≤ %g s", targetLagP99.Seconds()), mark(a.Lag.Events > 0 && a.Lag.P99 <= targetLagP99)},
			row{fmt.Sprintf("half-yearly evaluation on ClickHouse %s, %d events (%d cases), right after loading: median of %d",
				a.ClickHouseVersion, a.EvalEvents, a.EvalCases, a.ClickHouseCold.Runs),
				fmt.Sprintf("%s s (best %s s)", secs(a.ClickHouseCold.Median), secs(a.ClickHouseCold.Best)),
				fmt.Sprintf("≤ %g s", targetEvaluate.Seconds()), mark(a.ClickHouseCold.Median <= targetEvaluate)},
			row{"the same after OPTIMIZE FINAL (extra)", fmt.Sprintf("%s s (best %s s)", secs(a.ClickHouseMerge.Median), secs(a.ClickHouseMerge.Best)), "", ""},
			row{fmt.Sprintf("the same figures by SQL over PostgreSQL's cases and case_events: median of %d", a.Postgres.Runs),
				fmt.Sprintf("%s s", secs(a.Postgres.Median)), "", ""},
			row{"evaluation, PostgreSQL / ClickHouse (medians, right after loading)",
				fmt.Sprintf("%.1f× (same figures: %v)", ratio(float64(a.Postgres.Median), float64(a.ClickHouseCold.Median)), a.SameFigures),
				fmt.Sprintf("≥ %d×", targetEvaluateRatio), mark(a.SameFigures && ratio(float64(a.Postgres.Median), float64(a.ClickHouseCold.Median)) >= targetEvaluateRatio)},
		)
	}
	return rows
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }

func decisionRow(what string, p policy.Percentiles, target bool) row {
	r := row{what, fmt.Sprintf("%s / %s / %s µs", us(p.P50), us(p.P90), us(p.P99)), "", ""}
	if target {
		r.target = fmt.Sprintf("p99 ≤ %d µs", targetDecisionP99/time.Microsecond)
		r.met = mark(p.P99 <= targetDecisionP99)
	}
	return r
}

func us(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Microsecond))
}

func fetchRow(backend string, l latency) row {
	return row{
		fmt.Sprintf("case with a %d-event timeline, 1 client, %s: p50 / p90 / p99", timelineEvents, backend),
		fmt.Sprintf("%s / %s / %s ms", ms(l.P50), ms(l.P90), ms(l.P99)),
		fmt.Sprintf("p99 ≤ %g ms", float64(targetP99)/float64(time.Millisecond)), mark(l.P99 <= targetP99),
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// print writes the summary table.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nxinfang benchmarks, %s, %d CPUs (%s), %s, PostgreSQL %s\n\n",
		r.Started.Format(time.DateTime), r.Machine.CPUs, r.Machine.CPUModel, r.Machine.GoVersion, r.Machine.Postgres)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASUREMENT\tRESULT\tTARGET\tMET")
	for _, row := range r.rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", row.what, row.result, row.target, row.met)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// writeMarkdown replaces path with the report.
func (r *report) writeMarkdown(path string) error {
	var b bytes.Buffer
	o := r.Options
	m := r.Machine
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (the program in [`bench/`](../bench/main.go)); run it again rather than editing this file.\n")
	fmt.Fprintf(&b, "Absolute figures depend on the machine; the throughput target is a ratio to pgbench on the same machine in the same run.\n\n")
	fmt.Fprintf(&b, "- **Date:** %s (%s)\n", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Finished.Sub(r.Started).Round(time.Second))
	fmt.Fprintf(&b, "- **Command:** `%s=%s %s`\n", postgresURLEnv, store.Redact(o.postgresURL), r.Command)
	fmt.Fprintf(&b, "- **Machine:** %d CPUs (nproc), %s, %s memory, Linux %s\n", m.CPUs, m.CPUModel, m.Memory, m.Kernel)
	fmt.Fprintf(&b, "- **Go:** %s\n", m.GoVersion)
	fmt.Fprintf(&b, "- **PostgreSQL:** %s, on the same machine; %s\n\n", m.Postgres, m.Pgbench)
	fmt.Fprintf(&b, "## Results\n\n| Measurement | Result | Target | Met |\n|---|---:|---|:-:|\n")
	for _, row := range r.rows() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", row.what, row.result, row.target, row.met)
	}
	fmt.Fprintf(&b, "\n## What is measured\n\n")
	fmt.Fprintf(&b, "**submitCase throughput.** xinfang runs in-process with AutoMigrate on a fresh PostgreSQL schema, "+
		"served by `net/http` on a loopback TCP port. %d client goroutines (keep-alive, up to %d connections) post the public "+
		"`submitCase` mutation (a complaint with name, phone and e-mail, a Chinese subject and a body of %d characters, no "+
		"idempotency key) for %s after a %s warm-up; only responses without `errors` count. Each submission writes a petitioner, "+
		"a case and its first event atomically: on PostgreSQL xinfang sends them as ONE statement (a data-modifying CTE, "+
		"`internal/workflow/intake_postgres.go`), because round trips dominate the cost of intake. The baseline is pgbench doing "+
		"the same three inserts (every column xinfang sets, texts of the same length) the way an application writes them "+
		"without that care — three INSERTs in one transaction — in another schema migrated the same way, with the same "+
		"number of clients:\n\n    %s\n\n"+
		"For transparency the table also shows pgbench sending the same rows as one statement, xinfang's own shape, and "+
		"the ratio to that; that figure is closer to the most the database can take for these rows, and carries no target.\n\n"+
		"pgbench and xinfang run in %d alternating rounds (pgbench first, each run after its own %s warm-up), because "+
		"this machine's speed drifts over minutes; each round's ratio compares neighbouring runs, and the table gives the "+
		"medians. Both share the %d CPUs with PostgreSQL; the benchmark client runs in xinfang's process.\n\n",
		o.clients, o.clients, len([]rune(caseBody)), o.duration, o.warmup, pgbenchCommand(o), len(r.IntakeRounds), o.warmup, m.CPUs)
	fmt.Fprintf(&b, "**Case fetch.** On the same server, one case is submitted and taken through acceptCase, assignCase, "+
		"startWork and addNote by a department head and a handler until it has %d events. One client then posts this query "+
		"as the department head %d times after %d unmeasured ones, one at a time; latency is from sending the request to "+
		"having read the whole response:\n\n    %s\n\n"+
		"The SQLite line repeats this on the embedded database in a temporary directory.\n\n",
		timelineEvents, o.fetches, o.fetchWarmup, strings.Join(strings.Fields(fetchQuery), " "))
	fmt.Fprintf(&b, "**Policy decisions.** `policy.MeasureDecisions` times %d varied decisions of each kind, one at a time, "+
		"in process on the embedded policy (every role, action, department, kind, priority and channel; Chinese and English "+
		"texts). Routing + time limits is what one intake asks: a Route and a Limits call, measured after one unmeasured "+
		"pass over the same inputs. Authorization and the case-list scope are measured on inputs of another random stream "+
		"than their warm-up of ten times as many unmeasured ones, so that a question the warm-up never met counts as a first "+
		"one. The engine memoises these decisions per policy revision on the facts they read (for authorization: role, "+
		"action, case kind and how the caller relates to the case; never the decision ID); the extra lines bypass the memo, "+
		"one Rego evaluation each, as for the first question with a new combination. The CPU share "+
		"comes from a CPU profile of the submitCase run: samples with a frame of xinfang's policy package or OPA, over all "+
		"samples except the load generator's.\n\n", r.Policy.N)
	if m := r.Metrics; m != nil {
		m.describe(&b)
	}
	if w := r.Watcher; w != nil {
		w.describe(&b)
	}
	if a := r.Analytics; a != nil {
		fmt.Fprintf(&b, "**Relay.** A fresh PostgreSQL schema gets a backlog of %d case events with their cases and outbox rows "+
			"(`analytics.FillOutbox`), as an outage would leave it; one relay (`analytics.MeasureDrain`) then empties it into "+
			"ClickHouse %s (a fresh database, the warehouse's own schema: events plus the per-case facts it recomputes on every "+
			"insert). The baseline is `clickhouse-client` inserting the same event rows, exported in Native format, into an "+
			"empty copy of the events table, timed around the client process. The lag probe (`analytics.ProbeLag`) then commits "+
			"%d events a second for %s (a new case, its first event and its outbox row, committed every 10 ms) while a relay "+
			"runs, and records for each event the time from its commit to ClickHouse acknowledging the insert that holds it.\n\n",
			a.DrainEvents, a.ClickHouseVersion, lagRate, o.lagDuration)
		fmt.Fprintf(&b, "**Evaluation.** `analytics.GenerateBench` makes %d events of %d cases over 13 months (seed 1); they are "+
			"loaded into ClickHouse through the warehouse's own ingest and into PostgreSQL's `cases` and `case_events` by COPY, "+
			"then ANALYZE. One evaluation is every figure of the evaluation query — volumes, acceptance, time to acknowledge, "+
			"first response and resolution (median, p90), share within the limit, breaches, extensions, satisfaction and "+
			"survey response, reviews, repeat petitioners, top categories and projects, monthly trend — for 2025H2 and for the "+
			"previous half-year. ClickHouse is timed right after loading (the target) and again after OPTIMIZE FINAL; "+
			"PostgreSQL runs `analytics.EvaluatePostgres`, hand-written SQL over the transactional tables.\n\n",
			a.EvalEvents, a.EvalCases)
	}
	fmt.Fprintf(&b, "<details><summary>pgbench script (baseline)</summary>\n\n```sql\n%s```\n\n</details>\n\n", r.PgbenchScript)
	fmt.Fprintf(&b, "<details><summary>pgbench script (one statement, extra)</summary>\n\n```sql\n%s```\n\n</details>\n", r.PgbenchStatementScript)
	return os.WriteFile(path, b.Bytes(), 0o644)
}
