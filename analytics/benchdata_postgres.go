package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresLoader writes cases and their events into the transactional
// tables (cases, case_events) of a migrated PostgreSQL schema with COPY,
// the way the workflow would have left them: one cases row per case with
// the attributes of its latest event, one case_events row per distinct
// event with the payload fields EvaluatePostgres reads. Referenced
// departments, categories, service projects and petitioners are created
// with the IDs the events use.
type PostgresLoader struct {
	conn  *pgx.Conn
	cases [][]any
	evts  [][]any
	// known reference rows, so each is created once.
	refs map[string]map[int64]bool
	// Batch is how many cases go into one COPY; default 20000.
	Batch int
}

// NewPostgresLoader loads through conn, whose search_path names the
// schema.
func NewPostgresLoader(conn *pgx.Conn) *PostgresLoader {
	return &PostgresLoader{conn: conn, refs: map[string]map[int64]bool{}, Batch: 20000}
}

// Add queues a case; Flush (or a full batch) writes it.
func (l *PostgresLoader) Add(ctx context.Context, c BenchCase) error {
	if len(c.Events) == 0 {
		return nil
	}
	seen := map[int64]bool{}
	events := make([]Event, 0, len(c.Events))
	for _, e := range c.Events {
		if !seen[e.EventID] {
			seen[e.EventID] = true
			events = append(events, e)
		}
	}
	latest := events[0]
	for _, e := range events {
		if e.Seq > latest.Seq {
			latest = e
		}
	}
	if err := l.reference(ctx, "departments", latest.DepartmentID); err != nil {
		return err
	}
	if err := l.reference(ctx, "categories", latest.CategoryID); err != nil {
		return err
	}
	if err := l.reference(ctx, "service_projects", latest.ServiceProjectID); err != nil {
		return err
	}
	if err := l.reference(ctx, "petitioners", c.PetitionerID); err != nil {
		return err
	}
	received := latest.ReceivedAt
	l.cases = append(l.cases, []any{
		c.ID, received, received, "bench", latest.Channel, latest.Kind, orDefault(latest.Priority, "NORMAL"),
		"bench case " + strconv.FormatInt(c.ID, 10), "bench", orDefault(latest.ToStatus, "SUBMITTED"),
		int64(len(events)), "bench", received, nullID(latest.DepartmentID), nullID(latest.CategoryID),
		nullID(latest.ServiceProjectID), nullID(c.PetitionerID), int64(latest.ReviewRound),
	})
	for _, e := range events {
		var from any
		if e.FromStatus != "" {
			from = e.FromStatus
		}
		payload, err := json.Marshal(eventPayload(e))
		if err != nil {
			return err
		}
		l.evts = append(l.evts, []any{
			e.EventID, int64(e.Seq), e.Type, orDefault(e.ActorKind, "SYSTEM"), e.OccurredAt, from,
			orDefault(e.ToStatus, "SUBMITTED"), false, string(payload), "", "bench", c.ID,
		})
	}
	if len(l.cases) >= l.Batch {
		return l.Flush(ctx)
	}
	return nil
}

// eventPayload is what the workflow records in case_events.payload for
// the facts the figures use.
func eventPayload(e Event) map[string]any {
	p := map[string]any{}
	switch e.Type {
	case "RESPONDED":
		p["outcome"] = e.Outcome
		if !e.RespondDue.IsZero() {
			p["respondDue"] = e.RespondDue.UTC().Format(time.RFC3339Nano)
		}
	case "RATED":
		p["rating"] = e.Rating
		p["reviewRound"] = e.ReviewRound
	case "REVIEW_REQUESTED":
		p["round"] = e.ReviewRound
	case "EXTENSION_APPROVED":
		p["hours"] = e.ExtensionHours
	case "DEADLINE_BREACHED", "DEADLINE_WARNING":
		p["deadline"] = e.Deadline
	}
	return p
}

// Flush writes the queued cases, then their events.
func (l *PostgresLoader) Flush(ctx context.Context) error {
	if len(l.cases) == 0 {
		return nil
	}
	_, err := l.conn.CopyFrom(ctx, pgx.Identifier{"cases"}, []string{
		"id", "created_at", "updated_at", "pin_hash", "channel", "kind", "priority", "subject", "body", "status",
		"version", "last_event_hash", "received_at", "department_id", "category_id", "service_project_id",
		"petitioner_id", "review_round",
	}, pgx.CopyFromRows(l.cases))
	if err != nil {
		return fmt.Errorf("copy cases: %w", err)
	}
	_, err = l.conn.CopyFrom(ctx, pgx.Identifier{"case_events"}, []string{
		"id", "seq", "type", "actor_kind", "occurred_at", "from_status", "to_status", "public", "payload",
		"prev_hash", "hash", "case_id",
	}, pgx.CopyFromRows(l.evts))
	if err != nil {
		return fmt.Errorf("copy case events: %w", err)
	}
	l.cases, l.evts = l.cases[:0], l.evts[:0]
	return nil
}

// reference creates the row a case refers to, once.
func (l *PostgresLoader) reference(ctx context.Context, table string, id int64) error {
	if id == 0 {
		return nil
	}
	if l.refs[table] == nil {
		l.refs[table] = map[int64]bool{}
	}
	if l.refs[table][id] {
		return nil
	}
	l.refs[table][id] = true
	var q string
	var args []any
	switch table {
	case "petitioners":
		// Created before the COPY of the case that refers to them;
		// LoadPostgresBench copies its many petitioners up front instead.
		q, args = `INSERT INTO petitioners (id, created_at, updated_at) VALUES ($1, now(), now()) ON CONFLICT DO NOTHING`, []any{id}
	default:
		code := "B" + strconv.FormatInt(id, 10)
		q = `INSERT INTO ` + table + ` (id, created_at, updated_at, code, name) VALUES ($1, now(), now(), $2, $3) ON CONFLICT DO NOTHING`
		args = []any{id, code, "bench " + code}
	}
	if _, err := l.conn.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("create %s %d: %w", table, id, err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// LoadPostgresBench streams the generated cases into the transactional
// tables through a PostgresLoader, then analyses the tables. It returns
// the number of events and cases.
func LoadPostgresBench(ctx context.Context, conn *pgx.Conn, cfg BenchConfig) (events, cases int, err error) {
	cfg = cfg.withDefaults()
	// Petitioners first, in one COPY: one INSERT each would dominate.
	rows := make([][]any, 0, cfg.Petitioners)
	now := time.Now()
	for id := 1; id <= cfg.Petitioners; id++ {
		rows = append(rows, []any{int64(id), now, now})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"petitioners"}, []string{"id", "created_at", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		return 0, 0, fmt.Errorf("load postgres: copy petitioners: %w", err)
	}
	l := NewPostgresLoader(conn)
	l.refs["petitioners"] = map[int64]bool{}
	for id := 1; id <= cfg.Petitioners; id++ {
		l.refs["petitioners"][int64(id)] = true
	}
	err = GenerateBench(ctx, cfg, func(c BenchCase) error {
		cases++
		events += len(c.Events)
		return l.Add(ctx, c)
	})
	if err == nil {
		err = l.Flush(ctx)
	}
	if err != nil {
		return events, cases, fmt.Errorf("load postgres: %w", err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE cases; ANALYZE case_events"); err != nil {
		return events, cases, fmt.Errorf("load postgres: analyze: %w", err)
	}
	return events, cases, nil
}
