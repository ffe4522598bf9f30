package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Embedded is the warehouse of the default SQLite mode: a SQLite file of
// its own beside the main database (e.g. data/warehouse.db), with the
// same two tables as ClickHouse — events keyed by event ID, and one fact
// row per case recomputed from its events on every ingest.
type Embedded struct {
	db  *sql.DB
	loc *time.Location
}

var _ Warehouse = (*Embedded)(nil)

// embeddedSchema is applied in order; PRAGMA user_version records how far
// a file has got.
var embeddedSchema = []string{
	// 1: the events and the case facts.
	`CREATE TABLE IF NOT EXISTS events (
		event_id INTEGER PRIMARY KEY,
		case_id INTEGER NOT NULL,
		seq INTEGER NOT NULL,
		type TEXT NOT NULL,
		occurred_at INTEGER NOT NULL,
		actor_kind TEXT NOT NULL,
		from_status TEXT NOT NULL,
		to_status TEXT NOT NULL,
		channel TEXT NOT NULL,
		kind TEXT NOT NULL,
		priority TEXT NOT NULL,
		department_id INTEGER NOT NULL,
		category_id INTEGER NOT NULL,
		service_project_id INTEGER NOT NULL,
		petitioner_key TEXT NOT NULL,
		received_at INTEGER NOT NULL,
		review_round INTEGER NOT NULL,
		rating INTEGER NOT NULL,
		outcome TEXT NOT NULL,
		respond_due INTEGER NOT NULL,
		deadline TEXT NOT NULL,
		extension_hours INTEGER NOT NULL
	);
	CREATE INDEX IF NOT EXISTS events_case_seq ON events (case_id, seq);
	CREATE TABLE IF NOT EXISTS case_facts (
		case_id INTEGER PRIMARY KEY,
		received_at INTEGER NOT NULL,
		channel TEXT NOT NULL,
		kind TEXT NOT NULL,
		priority TEXT NOT NULL,
		department_id INTEGER NOT NULL,
		category_id INTEGER NOT NULL,
		service_project_id INTEGER NOT NULL,
		petitioner_key TEXT NOT NULL,
		acknowledged_at INTEGER NOT NULL,
		accepted_at INTEGER NOT NULL,
		declined_at INTEGER NOT NULL,
		responded_at INTEGER NOT NULL,
		respond_due INTEGER NOT NULL,
		closed_at INTEGER NOT NULL,
		rating INTEGER NOT NULL,
		review_round INTEGER NOT NULL,
		extensions INTEGER NOT NULL,
		breaches INTEGER NOT NULL
	);
	CREATE INDEX IF NOT EXISTS case_facts_received_at ON case_facts (received_at);`,
}

// OpenEmbedded opens (creating when missing) the warehouse file at path.
// loc buckets trends when a Query has no Location.
func OpenEmbedded(ctx context.Context, path string, loc *time.Location) (*Embedded, error) {
	if loc == nil {
		return nil, fmt.Errorf("embedded warehouse: no time zone")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("embedded warehouse: create directory: %w", err)
	}
	dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("embedded warehouse %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	w := &Embedded{db: db, loc: loc}
	if err := w.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded warehouse %s: %w", path, err)
	}
	return w, nil
}

func (w *Embedded) migrate(ctx context.Context) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for v := version; v < len(embeddedSchema); v++ {
		if _, err := tx.ExecContext(ctx, embeddedSchema[v]); err != nil {
			return fmt.Errorf("schema version %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(embeddedSchema))); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the file.
func (w *Embedded) Close() error { return w.db.Close() }

// Truncate removes every event and fact, before a rebuild.
func (w *Embedded) Truncate(ctx context.Context) error {
	if _, err := w.db.ExecContext(ctx, "DELETE FROM events; DELETE FROM case_facts"); err != nil {
		return fmt.Errorf("embedded warehouse: truncate: %w", err)
	}
	return nil
}

// unixOf is t in whole Unix seconds, 0 for the zero time ("never").
func unixOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Ingest stores the events (a repeated event ID is ignored) and
// recomputes the fact rows of their cases, in one transaction.
func (w *Embedded) Ingest(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := validateEvents(events); err != nil {
		return err
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("embedded warehouse: begin: %w", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO events (`+eventColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("embedded warehouse: prepare: %w", err)
	}
	defer ins.Close()
	seen := map[int64]bool{}
	var ids []int64
	for _, e := range events {
		_, err := ins.ExecContext(ctx, e.EventID, e.CaseID, e.Seq, e.Type, unixOf(e.OccurredAt), e.ActorKind,
			e.FromStatus, e.ToStatus, e.Channel, e.Kind, e.Priority, e.DepartmentID, e.CategoryID,
			e.ServiceProjectID, e.PetitionerKey, unixOf(e.ReceivedAt), e.ReviewRound, e.Rating, e.Outcome,
			unixOf(e.RespondDue), e.Deadline, e.ExtensionHours)
		if err != nil {
			return fmt.Errorf("embedded warehouse: insert event %d: %w", e.EventID, err)
		}
		if !seen[e.CaseID] {
			seen[e.CaseID] = true
			ids = append(ids, e.CaseID)
		}
	}
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		if _, err := tx.ExecContext(ctx, strings.Replace(embeddedFacts, "{cases}", joinInts(ids[:n]), 1)); err != nil {
			return fmt.Errorf("embedded warehouse: recompute case facts: %w", err)
		}
		ids = ids[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("embedded warehouse: commit: %w", err)
	}
	return nil
}

// embeddedFacts folds the events of the cases listed in {cases} into its fact row, as factSelect
// does in ClickHouse: attributes from the latest event (highest seq),
// first events by time then seq, counts of distinct events (event_id is
// the primary key, so there are no repeats).
const embeddedFacts = `INSERT OR REPLACE INTO case_facts (` + factColumnsEmbedded + `)
SELECT g.case_id, l.received_at, l.channel, l.kind, l.priority, l.department_id, l.category_id,
	l.service_project_id, l.petitioner_key, g.acknowledged_at, g.accepted_at, g.declined_at, g.responded_at,
	coalesce((SELECT r.respond_due FROM events r WHERE r.case_id = g.case_id AND r.type = 'RESPONDED'
		ORDER BY r.occurred_at, r.seq LIMIT 1), 0),
	g.closed_at,
	coalesce((SELECT r.rating FROM events r WHERE r.case_id = g.case_id AND r.type = 'RATED'
		ORDER BY r.seq DESC LIMIT 1), 0),
	g.review_round, g.extensions, g.breaches
FROM (
	SELECT case_id, max(seq) AS last_seq,
		coalesce(min(CASE WHEN type IN ('SUBMITTED', 'RECORDED') THEN occurred_at END), 0) AS acknowledged_at,
		coalesce(min(CASE WHEN type = 'ACCEPTED' THEN occurred_at END), 0) AS accepted_at,
		coalesce(min(CASE WHEN type = 'DECLINED' THEN occurred_at END), 0) AS declined_at,
		coalesce(min(CASE WHEN type = 'RESPONDED' THEN occurred_at END), 0) AS responded_at,
		coalesce(min(CASE WHEN type = 'CLOSED' THEN occurred_at END), 0) AS closed_at,
		coalesce(max(CASE WHEN type = 'REVIEW_REQUESTED' THEN review_round END), 0) AS review_round,
		sum(type = 'EXTENSION_APPROVED') AS extensions,
		sum(type = 'DEADLINE_BREACHED') AS breaches
	FROM events WHERE case_id IN ({cases}) GROUP BY case_id
) g
JOIN events l ON l.case_id = g.case_id AND l.seq = g.last_seq`

const factColumnsEmbedded = "case_id, received_at, channel, kind, priority, department_id, category_id, " +
	"service_project_id, petitioner_key, acknowledged_at, accepted_at, declined_at, responded_at, " +
	"respond_due, closed_at, rating, review_round, extensions, breaches"

// Evaluate reads the fact rows of both periods and computes the figures
// in Go (the embedded mode holds thousands of cases, not millions).
func (w *Embedded) Evaluate(ctx context.Context, q Query) (*Evaluation, error) {
	p, err := planOf(q, w.loc)
	if err != nil {
		return nil, err
	}
	rows, err := w.db.QueryContext(ctx, `SELECT `+factColumnsEmbedded+` FROM case_facts
		WHERE received_at >= ? AND received_at < ?`, p.prev.from, p.cur.to)
	if err != nil {
		return nil, fmt.Errorf("embedded warehouse: read case facts: %w", err)
	}
	defer rows.Close()
	var facts []caseFact
	for rows.Next() {
		var c caseFact
		if err := rows.Scan(&c.CaseID, &c.Received, &c.Channel, &c.Kind, &c.Priority, &c.DepartmentID,
			&c.CategoryID, &c.ServiceProjectID, &c.PetitionerKey, &c.Acknowledged, &c.Accepted, &c.Declined,
			&c.Responded, &c.RespondDue, &c.Closed, &c.Rating, &c.ReviewRound, &c.Extensions, &c.Breaches); err != nil {
			return nil, fmt.Errorf("embedded warehouse: read case facts: %w", err)
		}
		facts = append(facts, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("embedded warehouse: read case facts: %w", err)
	}
	cur, prev, breakdowns := p.accumulate(facts)
	return p.assemble(cur, prev, breakdowns), nil
}
