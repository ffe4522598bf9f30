package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xinfang/xinfang/internal/store"
)

// pgbenchThreads is pgbench's -j: its client threads.
const pgbenchThreads = 2

// Fixed stand-ins for the values xinfang computes per submission, of the
// same lengths: the PIN hash (nonce$HMAC) and the event hash (SHA-256).
var (
	fakePINHash   = strings.Repeat("3f", 16) + "$" + strings.Repeat("a7", 32)
	fakeEventHash = strings.Repeat("c4", 32)
)

// pgbenchScript is one public submission as raw SQL: the three inserts
// xinfang's intake makes (petitioner, case with every column it sets,
// first event), in one transaction, carrying the new ids with \gset.
// deptID is the intake department.
func pgbenchScript(deptID int) string {
	dept := strconv.Itoa(deptID)
	payload := `{"anonymous": false, "channel": "WEB", "departmentId": ` + dept +
		`, "kind": "COMPLAINT", "priority": "NORMAL", "routingReason": "intake_fallback"}`
	lines := []string{
		`BEGIN;`,
		`INSERT INTO petitioners (created_at, updated_at, name, phone, email, address, anonymous) VALUES (now(), now(), ` +
			quote(petitionerName) + `, ` + quote(petitionerPhone) + `, ` + quote(petitionerEmail) + `, '', false) RETURNING id AS pid \gset`,
		`INSERT INTO cases (created_at, updated_at, pin_hash, channel, kind, priority, subject, body, locale, status, version, ` +
			`last_event_hash, received_at, acknowledged_at, acknowledge_due, decide_due, respond_due, department_id, petitioner_id) ` +
			`VALUES (now(), now(), ` + quote(fakePINHash) + `, 'WEB', 'COMPLAINT', 'NORMAL', ` + quote(caseSubject) + `, ` +
			quote(caseBody) + `, 'zh-CN', 'SUBMITTED', 1, ` + quote(fakeEventHash) + `, now(), now(), ` +
			`now() + interval '24 hours', now() + interval '24 hours', now() + interval '48 hours', ` + dept + `, :pid) RETURNING id AS cid \gset`,
		`INSERT INTO case_events (seq, type, actor_kind, occurred_at, to_status, public, payload, prev_hash, hash, case_id) ` +
			`VALUES (1, 'SUBMITTED', 'PETITIONER', now(), 'SUBMITTED', true, ` + quote(payload) + `, '', ` +
			quote(fakeEventHash) + `, :cid);`,
		`COMMIT;`,
	}
	return strings.Join(lines, "\n") + "\n"
}

// pgbenchStatementScript is the same submission as ONE statement, the shape
// xinfang's PostgreSQL intake sends (a data-modifying CTE; see
// internal/workflow/intake_postgres.go). It is reported beside the main
// baseline so the ratio can be read both ways.
func pgbenchStatementScript(deptID int) string {
	dept := strconv.Itoa(deptID)
	payload := `{"anonymous": false, "channel": "WEB", "departmentId": ` + dept +
		`, "kind": "COMPLAINT", "priority": "NORMAL", "routingReason": "intake_fallback"}`
	return `WITH p AS (INSERT INTO petitioners (created_at, updated_at, name, phone, email, address, anonymous) VALUES (now(), now(), ` +
		quote(petitionerName) + `, ` + quote(petitionerPhone) + `, ` + quote(petitionerEmail) + `, '', false) RETURNING id), ` +
		`c AS (INSERT INTO cases (created_at, updated_at, pin_hash, channel, kind, priority, subject, body, locale, status, version, ` +
		`last_event_hash, received_at, acknowledged_at, acknowledge_due, decide_due, respond_due, department_id, petitioner_id) ` +
		`VALUES (now(), now(), ` + quote(fakePINHash) + `, 'WEB', 'COMPLAINT', 'NORMAL', ` + quote(caseSubject) + `, ` +
		quote(caseBody) + `, 'zh-CN', 'SUBMITTED', 1, ` + quote(fakeEventHash) + `, now(), now(), ` +
		`now() + interval '24 hours', now() + interval '24 hours', now() + interval '48 hours', ` + dept + `, (SELECT id FROM p)) RETURNING id) ` +
		`INSERT INTO case_events (seq, type, actor_kind, occurred_at, to_status, public, payload, prev_hash, hash, case_id) ` +
		`SELECT 1, 'SUBMITTED', 'PETITIONER', now(), 'SUBMITTED', true, ` + quote(payload) + `, '', ` +
		quote(fakeEventHash) + `, c.id FROM c;` + "\n"
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// measurePgbench prepares a pgbench baseline and measures it once.
func measurePgbench(ctx context.Context, o options, schemas *schemaSet, makeScript func(deptID int) string) (tps float64, script string, err error) {
	pb, script, cleanup, err := preparePgbench(ctx, o, schemas, makeScript)
	if err != nil {
		return 0, "", err
	}
	defer cleanup()
	tps, err = pb.measure(ctx, o)
	return tps, script, err
}

// preparePgbench prepares a schema with xinfang's tables and an intake
// department and writes the script; the caller runs the returned
// pgbenchRun, then calls cleanup.
func preparePgbench(ctx context.Context, o options, schemas *schemaSet, makeScript func(deptID int) string) (pb pgbenchRun, script string, cleanup func(), err error) {
	schema, dbURL, err := schemas.create(ctx)
	if err != nil {
		return pb, "", nil, err
	}
	deptID, err := prepareBaseline(ctx, dbURL, o.progressLogs)
	if err != nil {
		return pb, "", nil, err
	}
	dir, err := os.MkdirTemp("", "xinfang-pgbench-")
	if err != nil {
		return pb, "", nil, err
	}
	script = makeScript(deptID)
	file := filepath.Join(dir, "submit.sql")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		os.RemoveAll(dir)
		return pb, "", nil, err
	}
	pb = pgbenchRun{exe: o.pgbench, url: o.postgresURL, schema: schema, script: file,
		clients: o.clients, protocol: o.pgbenchMode}
	return pb, script, func() { os.RemoveAll(dir) }, nil
}

// measure runs pgbench's warm-up and measured runs and returns the
// measured transactions per second.
func (p pgbenchRun) measure(ctx context.Context, o options) (float64, error) {
	log := o.progressLogs
	if o.warmup > 0 {
		log.Info("pgbench: warming up", "clients", o.clients, "warmup", o.warmup)
		if _, err := p.run(ctx, o.warmup); err != nil {
			return 0, err
		}
	}
	log.Info("pgbench: measuring", "duration", o.duration)
	tps, err := p.run(ctx, o.duration)
	if err != nil {
		return 0, err
	}
	log.Info("pgbench: done", "tps", fmt.Sprintf("%.1f", tps))
	return tps, nil
}

// prepareBaseline applies xinfang's migrations to the schema and creates
// the intake department the cases point to.
func prepareBaseline(ctx context.Context, dbURL string, log *slog.Logger) (int, error) {
	db, err := store.Open(dbURL, "")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		return 0, fmt.Errorf("migrate baseline schema: %w", err)
	}
	dept, err := db.Client.Department.Create().SetCode("CS").SetName("客户服务部").
		SetNameEn("Customer Service").SetIntake(true).Save(ctx)
	if err != nil {
		return 0, fmt.Errorf("create baseline department: %w", err)
	}
	log.Info("pgbench: schema ready", "department", dept.ID)
	return dept.ID, nil
}

// pgbenchRun is one configured pgbench invocation.
type pgbenchRun struct {
	exe, url, schema, script, protocol string
	clients                            int
}

// args are pgbench's arguments for a run of d, rounded up to whole
// seconds.
func (p pgbenchRun) args(d time.Duration) []string {
	secs := max(1, int(math.Ceil(d.Seconds())))
	return []string{"-n", "-c", strconv.Itoa(p.clients), "-j", strconv.Itoa(pgbenchThreads),
		"-T", strconv.Itoa(secs), "-M", p.protocol, "-f", p.script, p.url}
}

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)

// run runs pgbench for d with the schema on its search path and returns
// the reported transactions per second.
func (p pgbenchRun) run(ctx context.Context, d time.Duration) (float64, error) {
	cmd := execPgbench(ctx, p.exe, p.schema, p.args(d)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s: %w\n%s", p.exe, err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no tps line in pgbench output:\n%s", out)
	}
	if failed := regexp.MustCompile(`number of failed transactions: ([1-9][0-9]*)`).FindSubmatch(out); failed != nil {
		return 0, fmt.Errorf("pgbench had %s failed transactions:\n%s", failed[1], out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// pgbenchCommand renders the measured pgbench invocation for the report.
func pgbenchCommand(o options) string {
	p := pgbenchRun{url: "$URL", script: "submit.sql", clients: o.clients, protocol: o.pgbenchMode}
	args := p.args(o.duration)
	return "PGOPTIONS='-c search_path=<schema>' pgbench " + strings.Join(args, " ")
}

// execPgbench is a pgbench command whose connections use schema.
func execPgbench(ctx context.Context, exe, schema string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c search_path="+schema)
	return cmd
}
