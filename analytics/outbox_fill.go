package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// FillOutbox writes n synthetic case events, with their cases (nine events
// each: a whole handled, answered, closed and rated case), petitioners and
// outbox rows, for benchmarks of the relay. The work happens in the
// database, in chunks of one statement (PostgreSQL) or one transaction
// (SQLite) each, so a million events take seconds to minutes rather than
// hours. Use it on a database nobody else writes to: on SQLite it finds the
// rows it wrote by their IDs.
func FillOutbox(ctx context.Context, db *sql.DB, dialect string, n int) error {
	if err := checkDialect(dialect); err != nil {
		return err
	}
	dept, err := benchDepartment(ctx, db, dialect)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	chunk := 10_000 * len(fillTimeline)
	for done := 0; done < n; done += chunk {
		events := min(chunk, n-done)
		cases := (events + len(fillTimeline) - 1) / len(fillTimeline)
		if err := fillCases(ctx, db, dialect, dept, cases, events, len(fillTimeline), now, spreadOverYear); err != nil {
			return fmt.Errorf("fill outbox (%d of %d events written): %w", done, n, err)
		}
	}
	return nil
}

// fillTimeline is the life of a synthetic case: its events in order, each
// an hour after the one before, with the payload facts analytics reads.
var fillTimeline = []struct {
	typ, from, to string
	payload       string // SQL expression over c.received_at, or ""
}{
	{"SUBMITTED", "", "SUBMITTED", ""},
	{"ACCEPTED", "SUBMITTED", "ACCEPTED", ""},
	{"ASSIGNED", "ACCEPTED", "ASSIGNED", ""},
	{"WORK_STARTED", "ASSIGNED", "IN_PROGRESS", ""},
	{"NOTE_ADDED", "IN_PROGRESS", "IN_PROGRESS", "note"},
	{"EXTENSION_APPROVED", "IN_PROGRESS", "IN_PROGRESS", "extension"},
	{"RESPONDED", "IN_PROGRESS", "RESPONDED", "response"},
	{"CLOSED", "RESPONDED", "CLOSED", ""},
	{"RATED", "CLOSED", "CLOSED", "rating"},
}

// fillReply is the text of synthetic replies and notes: analytics must
// not read it, so it is long enough to notice if it did.
var fillReply = strings.Repeat("经调查核实，已按规定处理。", 20)

// fillChannels and fillKinds spread synthetic cases over the enums.
var (
	fillChannels = []string{"WEB", "HOTLINE", "EMAIL", "LETTER", "VISIT", "CONSULTATION"}
	fillKinds    = []string{"COMPLAINT", "SUGGESTION", "INQUIRY", "PRAISE", "REPORT"}
)

// sqlChoice is an SQL expression choosing values[expr % len(values)].
func sqlChoice(expr string, values []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CASE (%s) %% %d", expr, len(values))
	for i, v := range values {
		fmt.Fprintf(&b, " WHEN %d THEN '%s'", i, v)
	}
	b.WriteString(" END")
	return b.String()
}

// fillSQL holds the dialect-specific pieces of the fill statements.
type fillSQL struct {
	dialect string
}

// plusHours is a timestamp expression: ts plus hours (an SQL number).
func (f fillSQL) plusHours(ts, hours string) string {
	if f.dialect == DialectPostgres {
		return fmt.Sprintf("(%s + (%s) * interval '1 hour')", ts, hours)
	}
	return fmt.Sprintf("strftime('%%Y-%%m-%%d %%H:%%M:%%f+00:00', %s, (%s) || ' hours')", ts, hours)
}

// rfc3339 renders a timestamp expression as RFC 3339 UTC text.
func (f fillSQL) rfc3339(ts string) string {
	if f.dialect == DialectPostgres {
		return fmt.Sprintf(`to_char((%s) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`, ts)
	}
	return fmt.Sprintf("strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', %s)", ts)
}

// object is a JSON object expression from alternating keys and SQL values.
func (f fillSQL) object(kv ...string) string {
	fn := "json_object"
	if f.dialect == DialectPostgres {
		fn = "jsonb_build_object"
	}
	return fn + "(" + strings.Join(kv, ", ") + ")"
}

// payload is the payload expression of a timeline step.
func (f fillSQL) payload(kind string) string {
	received := "c.received_at"
	switch kind {
	case "note":
		return f.object("'text'", "'"+fillReply+"'")
	case "extension":
		return f.object("'hours'", "24", "'respondDue'", f.rfc3339(f.plusHours(received, "72")))
	case "response":
		return f.object("'outcome'", sqlChoice("c.id", []string{"SUPPORTED", "EXPLAINED", "NOT_SUPPORTED"}),
			"'reply'", "'"+fillReply+"'", "'respondDue'", f.rfc3339(f.plusHours(received, "72")))
	case "rating":
		return f.object("'rating'", "1 + c.id % 5", "'reviewRound'", "0")
	}
	return "NULL"
}

// timeline is a derived table of the first steps of fillTimeline: step,
// type, from_status, to_status, payload kind.
func (f fillSQL) timeline(steps int) string {
	parts := make([]string, steps)
	for i, s := range fillTimeline[:steps] {
		from := "NULL"
		if s.from != "" {
			from = "'" + s.from + "'"
		}
		parts[i] = fmt.Sprintf("SELECT %d AS step, '%s' AS type, %s AS from_status, '%s' AS to_status", i+1, s.typ, from, s.to)
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ")"
}

// payloads is a CASE over t.step choosing each step's payload.
func (f fillSQL) payloads(steps int) string {
	var b strings.Builder
	b.WriteString("CASE t.step")
	for i, s := range fillTimeline[:steps] {
		fmt.Fprintf(&b, " WHEN %d THEN %s", i+1, f.payload(s.payload))
	}
	b.WriteString(" END")
	if f.dialect == DialectPostgres {
		return "(" + b.String() + ")::jsonb"
	}
	return b.String()
}

// How long before the fill time synthetic cases were received (an SQL
// number of hours over the case number g): spread over the past year for
// the bulk fill; for the lag probe, so that the first event (an hour after
// receipt) happens at the fill time.
const (
	spreadOverYear  = "(g % 8760) + 24"
	receivedHourAgo = "1"
)

// caseColumns and caseValues insert a synthetic case numbered g, received
// age hours before ts, in the status its steps events lead to; every fifth
// is anonymous.
const caseColumns = `created_at, updated_at, pin_hash, pin_failures, channel, kind, priority, subject, body,
	locale, status, version, last_event_hash, received_at, acknowledged_at, respond_due, decline_reason,
	paused_seconds, extension_count, extension_reason, reply, rating_comment, review_round, department_id,
	petitioner_id`

func (f fillSQL) caseValues(ts, dept, petitioner string, steps int, age string) string {
	received := f.plusHours(ts, "-("+age+")")
	return strings.Join([]string{
		ts, ts, "'bench'", "0", sqlChoice("g", fillChannels), sqlChoice("g", fillKinds), "'NORMAL'", "'bench case'", "'bench case'",
		"'zh-CN'", "'" + fillTimeline[steps-1].to + "'", fmt.Sprint(steps), "''", received, received,
		f.plusHours(received, "48"), "''", "0", "0", "''", "''", "''", "0", dept,
		"CASE WHEN g % 5 = 0 THEN NULL ELSE " + petitioner + " END",
	}, ", ")
}

const eventColumnsInsert = `case_id, seq, type, actor_kind, occurred_at, from_status, to_status, public, payload, prev_hash, hash`

func (f fillSQL) eventValues() string {
	return "c.id, t.step, t.type, 'STAFF', " + f.plusHours("c.received_at", "t.step") +
		", t.from_status, t.to_status, false, " + "%PAYLOAD%" + ", '', ''"
}

// fillCases writes cases synthetic cases with steps events each, but no
// more than events events in all, and an outbox row per event, at time
// now; age says when the cases were received (spreadOverYear or
// receivedHourAgo).
func fillCases(ctx context.Context, db *sql.DB, dialect string, dept int64, cases, events, steps int, now time.Time, age string) error {
	f := fillSQL{dialect}
	petitioners := max(1, cases/4)
	eventValues := strings.Replace(f.eventValues(), "%PAYLOAD%", f.payloads(steps), 1)
	if dialect == DialectPostgres {
		q := `WITH p AS (
				INSERT INTO petitioners (created_at, updated_at, name, phone, email, address, anonymous)
				SELECT $1, $1, 'bench', '', '', '', false FROM generate_series(1, $2) RETURNING id
			), pa AS (SELECT array_agg(id) AS ids FROM p),
			c AS (
				INSERT INTO cases (` + caseColumns + `)
				SELECT ` + f.caseValues("$1::timestamptz", "$3::bigint", "(SELECT ids[1 + g % cardinality(ids)] FROM pa)", steps, age) + `
				FROM generate_series(1, $4) g RETURNING id, received_at
			), e AS (
				INSERT INTO case_events (` + eventColumnsInsert + `)
				SELECT ` + eventValues + ` FROM c CROSS JOIN ` + f.timeline(steps) + ` t
				ORDER BY c.id, t.step LIMIT $5 RETURNING id
			)
			INSERT INTO analytics_outbox (event_id, created_at) SELECT id, $1 FROM e ORDER BY id`
		if _, err := db.ExecContext(ctx, q, now, petitioners, dept, cases, events); err != nil {
			return fmt.Errorf("insert %d synthetic cases: %w", cases, err)
		}
		return nil
	}
	// SQLite has no data-modifying CTEs: one transaction of four
	// statements, each finding the rows of the one before by ID (IDs grow
	// with every insert, and the transaction is the only writer).
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	maxID := func(table string) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM `+table).Scan(&id)
		return id, err
	}
	// ?1 is the time, in the text form the driver writes times in.
	ts := now.Format("2006-01-02 15:04:05.999999-07:00")
	series := func(n string) string {
		return "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < " + n + ") "
	}
	before, err := maxID("petitioners")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO petitioners (created_at, updated_at, name, phone, email, address, anonymous) `+
		series("?2")+`SELECT ?1, ?1, 'bench', '', '', '', false FROM s`, ts, petitioners); err != nil {
		return fmt.Errorf("insert petitioners: %w", err)
	}
	// The new petitioners are numbered from first on, one by one.
	var first int64
	if err := tx.QueryRowContext(ctx, `SELECT min(id) FROM petitioners WHERE id > ?`, before).Scan(&first); err != nil {
		return fmt.Errorf("find new petitioners: %w", err)
	}
	c0, err := maxID("cases")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`) `+series("?4")+
		`SELECT `+f.caseValues("?1", "?3", "?2 + g % ?5", steps, age)+` FROM s`,
		ts, first, dept, cases, petitioners); err != nil {
		return fmt.Errorf("insert cases: %w", err)
	}
	e0, err := maxID("case_events")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (`+eventColumnsInsert+`)
		SELECT `+eventValues+` FROM cases c CROSS JOIN `+f.timeline(steps)+` t
		WHERE c.id > ?1 ORDER BY c.id, t.step LIMIT ?2`, c0, events); err != nil {
		return fmt.Errorf("insert case events: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO analytics_outbox (event_id, created_at)
		SELECT id, ?1 FROM case_events WHERE id > ?2 ORDER BY id`, ts, e0); err != nil {
		return fmt.Errorf("insert outbox rows: %w", err)
	}
	return tx.Commit()
}

// benchDepartment returns the ID of the department synthetic cases belong
// to, creating it on first use.
func benchDepartment(ctx context.Context, db *sql.DB, dialect string) (int64, error) {
	p := func(n int) string { return placeholder(dialect, n) }
	var id int64
	err := db.QueryRowContext(ctx, `SELECT id FROM departments WHERE code = `+p(1), "BENCH").Scan(&id)
	if err == nil {
		return id, nil
	}
	if err != sql.ErrNoRows {
		return 0, fmt.Errorf("find bench department: %w", err)
	}
	now := time.Now().UTC()
	_, err = db.ExecContext(ctx, `INSERT INTO departments (created_at, updated_at, code, name, name_en, description,
		intake, active) VALUES (`+p(1)+`, `+p(2)+`, 'BENCH', '基准测试部', 'Benchmark', '', false, true)`, now, now)
	if err != nil {
		return 0, fmt.Errorf("create bench department: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT id FROM departments WHERE code = `+p(1), "BENCH").Scan(&id); err != nil {
		return 0, fmt.Errorf("find bench department: %w", err)
	}
	return id, nil
}
