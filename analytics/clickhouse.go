package analytics

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouseConfig says where the ClickHouse warehouse lives.
type ClickHouseConfig struct {
	// Addr is host:port of the native protocol (9000 by default on a
	// server; the tests use 127.0.0.1:19000).
	Addr     string
	Database string // created when missing; default "xinfang"
	Username string // default "default"
	Password string
	// TimeZone buckets trends when a Query has no Location; default
	// Asia/Shanghai.
	TimeZone    string
	DialTimeout time.Duration // default 10s
	// MaxOpenConns bounds the connection pool; default 8. Evaluate runs
	// two queries at once.
	MaxOpenConns int
}

// ClickHouse is the warehouse on a ClickHouse server (18.16 or later),
// over the native protocol.
type ClickHouse struct {
	conn driver.Conn
	loc  *time.Location
}

var _ Warehouse = (*ClickHouse)(nil)

// identifier is what OpenClickHouse accepts as a database name: it is
// spliced into DDL.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// OpenClickHouse connects to the server, creates the database when it is
// missing and applies the embedded migrations that it lacks.
func OpenClickHouse(ctx context.Context, cfg ClickHouseConfig) (*ClickHouse, error) {
	if cfg.Addr == "" {
		return nil, errors.New("clickhouse: no address")
	}
	if cfg.Database == "" {
		cfg.Database = "xinfang"
	}
	if !identifier.MatchString(cfg.Database) {
		return nil, fmt.Errorf("clickhouse: database name %q: use letters, digits and _", cfg.Database)
	}
	if cfg.Username == "" {
		cfg.Username = "default"
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = "Asia/Shanghai"
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.MaxOpenConns == 0 {
		cfg.MaxOpenConns = 8
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: time zone %q: %w", cfg.TimeZone, err)
	}

	// The database may not exist yet, so the first connection uses the
	// server's default one.
	boot, err := dialClickHouse(cfg, "default")
	if err != nil {
		return nil, err
	}
	err = boot.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+cfg.Database)
	boot.Close()
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: create database %s: %w", cfg.Addr, cfg.Database, err)
	}
	conn, err := dialClickHouse(cfg, cfg.Database)
	if err != nil {
		return nil, err
	}
	ch := &ClickHouse{conn: conn, loc: loc}
	if err := ch.migrate(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return ch, nil
}

func dialClickHouse(cfg ClickHouseConfig, database string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol:     clickhouse.Native,
		Addr:         []string{cfg.Addr},
		Auth:         clickhouse.Auth{Database: database, Username: cfg.Username, Password: cfg.Password},
		DialTimeout:  cfg.DialTimeout,
		MaxOpenConns: cfg.MaxOpenConns,
		MaxIdleConns: cfg.MaxOpenConns,
		ClientInfo:   clickhouse.ClientInfo{Products: []struct{ Name, Version string }{{Name: "xinfang"}}},
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", cfg.Addr, err)
	}
	return conn, nil
}

// Conn is the underlying connection, for benchmarks and operators' tools.
func (ch *ClickHouse) Conn() driver.Conn { return ch.conn }

// Close closes the connections.
func (ch *ClickHouse) Close() error { return ch.conn.Close() }

// Truncate removes every event and fact, before `xinfang analytics
// rebuild` delivers all events again.
func (ch *ClickHouse) Truncate(ctx context.Context) error {
	for _, table := range []string{"events", "case_facts"} {
		if err := ch.conn.Exec(ctx, "TRUNCATE TABLE "+table); err != nil {
			return fmt.Errorf("clickhouse: truncate %s: %w", table, err)
		}
	}
	return nil
}

// Optimize asks ClickHouse to merge the parts of both tables now, which
// it otherwise does in the background. Figures do not depend on it; reads
// get faster.
func (ch *ClickHouse) Optimize(ctx context.Context) error {
	for _, table := range []string{"events", "case_facts"} {
		if err := ch.conn.Exec(ctx, "OPTIMIZE TABLE "+table+" FINAL"); err != nil {
			return fmt.Errorf("clickhouse: optimize %s: %w", table, err)
		}
	}
	return nil
}

// eventColumns is the explicit column list of every insert into events.
const eventColumns = "event_id, case_id, seq, type, occurred_at, actor_kind, from_status, to_status, " +
	"channel, kind, priority, department_id, category_id, service_project_id, petitioner_key, " +
	"received_at, review_round, rating, outcome, respond_due, deadline, extension_hours"

// eventBlock holds events column by column, the shape a native insert
// sends.
type eventBlock struct {
	eventID, caseID                            []uint64
	seq                                        []uint32
	typ, actorKind, fromStatus, toStatus       []string
	channel, kind, priority                    []string
	departmentID, categoryID, serviceProjectID []uint64
	petitionerKey                              []string
	occurredAt, receivedAt, respondDue         []time.Time
	reviewRound, rating                        []uint8
	outcome, deadline                          []string
	extensionHours                             []int32
}

func (b *eventBlock) add(e Event) {
	b.eventID = append(b.eventID, uint64(e.EventID))
	b.caseID = append(b.caseID, uint64(e.CaseID))
	b.seq = append(b.seq, uint32(e.Seq))
	b.typ = append(b.typ, e.Type)
	b.occurredAt = append(b.occurredAt, chTime(e.OccurredAt))
	b.actorKind = append(b.actorKind, e.ActorKind)
	b.fromStatus = append(b.fromStatus, e.FromStatus)
	b.toStatus = append(b.toStatus, e.ToStatus)
	b.channel = append(b.channel, e.Channel)
	b.kind = append(b.kind, e.Kind)
	b.priority = append(b.priority, e.Priority)
	b.departmentID = append(b.departmentID, uint64(e.DepartmentID))
	b.categoryID = append(b.categoryID, uint64(e.CategoryID))
	b.serviceProjectID = append(b.serviceProjectID, uint64(e.ServiceProjectID))
	b.petitionerKey = append(b.petitionerKey, e.PetitionerKey)
	b.receivedAt = append(b.receivedAt, chTime(e.ReceivedAt))
	b.reviewRound = append(b.reviewRound, uint8(e.ReviewRound))
	b.rating = append(b.rating, uint8(e.Rating))
	b.outcome = append(b.outcome, e.Outcome)
	b.respondDue = append(b.respondDue, chTime(e.RespondDue))
	b.deadline = append(b.deadline, e.Deadline)
	b.extensionHours = append(b.extensionHours, e.ExtensionHours)
}

func (b *eventBlock) columns() []any {
	return []any{
		b.eventID, b.caseID, b.seq, b.typ, b.occurredAt, b.actorKind, b.fromStatus, b.toStatus,
		b.channel, b.kind, b.priority, b.departmentID, b.categoryID, b.serviceProjectID, b.petitionerKey,
		b.receivedAt, b.reviewRound, b.rating, b.outcome, b.respondDue, b.deadline, b.extensionHours,
	}
}

// chTime is t as a DateTime value: whole seconds, the zero time as 0
// ("never").
func chTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t.Truncate(time.Second)
}

// Ingest stores the events with one native insert, then recomputes the
// fact rows of their cases from all of those cases' events with one
// INSERT ... SELECT. Re-delivered events change nothing: the recomputed
// rows are the same.
func (ch *ClickHouse) Ingest(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := validateEvents(events); err != nil {
		return err
	}
	if err := ch.insertEvents(ctx, events); err != nil {
		return err
	}
	seen := map[int64]bool{}
	ids := make([]int64, 0, len(events))
	for _, e := range events {
		if !seen[e.CaseID] {
			seen[e.CaseID] = true
			ids = append(ids, e.CaseID)
		}
	}
	const chunk = 5000
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		if err := ch.refreshFacts(ctx, "case_id IN ("+joinInts(ids[:n])+")"); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func (ch *ClickHouse) insertEvents(ctx context.Context, events []Event) error {
	var block eventBlock
	for _, e := range events {
		block.add(e)
	}
	return ch.sendEvents(ctx, &block)
}

func (ch *ClickHouse) sendEvents(ctx context.Context, block *eventBlock) error {
	batch, err := ch.conn.PrepareBatch(ctx, "INSERT INTO events ("+eventColumns+")")
	if err != nil {
		return fmt.Errorf("clickhouse: prepare event insert: %w", err)
	}
	for i, col := range block.columns() {
		if err := batch.Column(i).Append(col); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("clickhouse: event column %d: %w", i, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("clickhouse: insert %d events: %w", len(block.eventID), err)
	}
	return nil
}

// factColumns is the explicit column list of every insert into
// case_facts; factSelect computes them from events, per case.
const factColumns = "case_id, version, received_at, channel, kind, channel_code, kind_code, priority, " +
	"department_id, category_id, service_project_id, petitioner_key, petitioner_hi, petitioner_lo, " +
	"acknowledged_at, accepted_at, declined_at, responded_at, respond_due, closed_at, rating, review_round, " +
	"extensions, breaches, within, breached"

// Channels and kinds have numeric codes in case_facts (their position
// here, 0 for anything else) because grouping by numbers is much faster.
// Appending a value needs RebuildFacts; never reorder.
var (
	channelCodes = []string{"WEB", "HOTLINE", "EMAIL", "LETTER", "VISIT", "CONSULTATION"}
	kindCodes    = []string{"COMPLAINT", "SUGGESTION", "INQUIRY", "PRAISE", "REPORT"}
)

func chArray(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = chQuote(v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// factSelect folds a case's events into its fact row. Every aggregate
// ignores repeated rows (min, argMin, argMax, max, uniqExact), so
// duplicates not yet merged away change nothing. "First" events are the
// earliest by time; argMinIf breaks ties by seq through one UInt64 key.
// The f_ aliases must not shadow the columns of events.
var factSelect = `SELECT case_id,
    toUInt32(uniqExact(event_id)),
    argMax(received_at, seq),
    argMax(channel, seq) AS f_channel,
    argMax(kind, seq) AS f_kind,
    toUInt8(indexOf(` + chArray(channelCodes) + `, f_channel)),
    toUInt8(indexOf(` + chArray(kindCodes) + `, f_kind)),
    argMax(priority, seq),
    argMax(department_id, seq),
    argMax(category_id, seq),
    argMax(service_project_id, seq),
    argMax(petitioner_key, seq) AS f_petitioner,
    reinterpretAsUInt64(unhex(substring(f_petitioner, 1, 16))),
    reinterpretAsUInt64(unhex(substring(f_petitioner, 17, 16))),
    minIf(occurred_at, type IN ('SUBMITTED', 'RECORDED')),
    minIf(occurred_at, type = 'ACCEPTED'),
    minIf(occurred_at, type = 'DECLINED'),
    minIf(occurred_at, type = 'RESPONDED') AS f_responded,
    argMinIf(respond_due, toUInt64(occurred_at) * 4294967296 + seq, type = 'RESPONDED') AS f_due,
    minIf(occurred_at, type = 'CLOSED'),
    argMaxIf(rating, seq, type = 'RATED'),
    maxIf(review_round, type = 'REVIEW_REQUESTED'),
    toUInt32(uniqExactIf(event_id, type = 'EXTENSION_APPROVED')),
    toUInt32(uniqExactIf(event_id, type = 'DEADLINE_BREACHED')) AS f_breaches,
    toUInt8(f_responded != 0 AND (f_due = 0 OR f_responded <= f_due)) AS f_within,
    toUInt8(f_breaches > 0 OR (f_responded != 0 AND f_within = 0))
FROM events`

// refreshFacts recomputes the fact rows of the cases whose events match
// where.
func (ch *ClickHouse) refreshFacts(ctx context.Context, where string) error {
	q := "INSERT INTO case_facts (" + factColumns + ") " + factSelect + " WHERE " + where + " GROUP BY case_id"
	if err := ch.conn.Exec(ctx, q); err != nil {
		return fmt.Errorf("clickhouse: recompute case facts: %w", err)
	}
	return nil
}

// RebuildFacts recomputes every fact row from the events, one month of
// receipt at a time so that memory stays bounded. Bulk loads insert events
// only and call it once; a migration that changes a fact does too.
func (ch *ClickHouse) RebuildFacts(ctx context.Context) error {
	rows, err := ch.conn.Query(ctx, "SELECT DISTINCT toUInt32(toYYYYMM(received_at)) AS m FROM events ORDER BY m")
	if err != nil {
		return fmt.Errorf("clickhouse: list months: %w", err)
	}
	var months []uint32
	for rows.Next() {
		var m uint32
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return fmt.Errorf("clickhouse: list months: %w", err)
		}
		months = append(months, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clickhouse: list months: %w", err)
	}
	for _, m := range months {
		if err := ch.refreshFacts(ctx, "toYYYYMM(received_at) = "+strconv.FormatUint(uint64(m), 10)); err != nil {
			return fmt.Errorf("month %d: %w", m, err)
		}
	}
	return nil
}

// validateEvents refuses what the tables cannot hold.
func validateEvents(events []Event) error {
	for _, e := range events {
		if e.EventID <= 0 || e.CaseID <= 0 || e.Seq <= 0 {
			return fmt.Errorf("analytics: event %d of case %d: ids and seq must be positive", e.EventID, e.CaseID)
		}
		if e.Type == "" || e.OccurredAt.IsZero() || e.ReceivedAt.IsZero() {
			return fmt.Errorf("analytics: event %d: type, occurred and received times are required", e.EventID)
		}
		if e.OccurredAt.Unix() < 0 || e.ReceivedAt.Unix() < 0 || e.RespondDue.Unix() < 0 && !e.RespondDue.IsZero() {
			return fmt.Errorf("analytics: event %d: times before 1970 are not supported", e.EventID)
		}
		if !validPetitionerKey(e.PetitionerKey) {
			return fmt.Errorf("analytics: event %d: petitioner key must be empty or made by PetitionerKey", e.EventID)
		}
		if e.DepartmentID < 0 || e.CategoryID < 0 || e.ServiceProjectID < 0 || e.Rating < 0 || e.ReviewRound < 0 {
			return fmt.Errorf("analytics: event %d: negative ID, rating or round", e.EventID)
		}
	}
	return nil
}

// validPetitionerKey accepts "" and PetitionerKey's 32 lowercase hex
// digits, whose 128 bits the ClickHouse fact rows keep.
func validPetitionerKey(key string) bool {
	if key == "" {
		return true
	}
	if len(key) != 32 {
		return false
	}
	for _, c := range key {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func joinInts(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// chQuote is s as a ClickHouse string literal (18.16 has no server-side
// parameters).
func chQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
