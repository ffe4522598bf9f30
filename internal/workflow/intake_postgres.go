package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/casefile"
)

// insertCasePostgres writes a new case — petitioner, case row, first event
// and its analytics outbox row — in ONE statement on PostgreSQL, where the
// portable path (ent, inside a transaction) needs six round trips: BEGIN,
// four INSERTs and COMMIT. Intake is the hottest write of the system and the round trips
// dominate its cost, so PostgreSQL gets this data-modifying CTE; a single
// statement is atomic by itself. SQLite has no data-modifying CTEs and
// takes the ent path. Both paths run under the same end-to-end tests.
const insertCasePostgres = `
WITH p AS (
	INSERT INTO petitioners (name, phone, email, address, anonymous, created_at, updated_at)
	SELECT $1, $2, $3, $4, false, $5, $5 WHERE $6::boolean
	RETURNING id
), c AS (
	INSERT INTO cases (pin_hash, idempotency_key, channel, kind, priority, subject, body, locale,
		status, version, last_event_hash, received_at, acknowledged_at, acknowledge_due, decide_due,
		respond_due, department_id, petitioner_id, category_id, service_project_id, recorded_by_id,
		created_at, updated_at, concerned_department_id, resolve_due, deadline_check_at)
	VALUES ($7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $17, $5, $18, $19, $20, $21,
		(SELECT id FROM p), $22, $23, $24, $5, $5, $28, $29, $5)
	RETURNING id
), e AS (
	INSERT INTO case_events (case_id, seq, type, actor_kind, actor_id, occurred_at, to_status, public,
		payload, prev_hash, hash)
	SELECT c.id, 1, $25, $26, $24, $5, $15, true, $27::jsonb, '', $16 FROM c
	RETURNING id, case_id
), o AS (
	INSERT INTO analytics_outbox (event_id, created_at) SELECT e.id, $5 FROM e
)
SELECT case_id FROM e`

// newCase is what the intake writes.
type newCase struct {
	in           *Submission
	hasContact   bool
	pinHash      string
	keyHash      *string
	now          time.Time
	received     time.Time
	ackDue       *time.Time
	decideDue    *time.Time
	respondDue   *time.Time
	resolveDue   *time.Time
	departmentID int
	recordedBy   *int
	event        eventContent
	hash         string
}

// caseFile is the new case as written, for observers.
func (nc newCase) caseFile(id int) *ent.CaseFile {
	in := nc.in
	departmentID := nc.departmentID
	now := nc.now
	return &ent.CaseFile{
		ID: id, Channel: in.Channel, Kind: in.Kind, Priority: in.Priority, Status: submitted,
		Version: 1, ReceivedAt: nc.received, AcknowledgedAt: &now,
		AcknowledgeDue: nc.ackDue, DecideDue: nc.decideDue, RespondDue: nc.respondDue, ResolveDue: nc.resolveDue,
		SLAState: casefile.SLAStateON_TRACK, DeadlineCheckAt: &now, DepartmentID: &departmentID,
		CategoryID: in.CategoryID, ServiceProjectID: in.ServiceProjectID, ConcernedDepartmentID: in.ConcernedDepartmentID,
		RecordedByID: nc.recordedBy, CreatedAt: now, UpdatedAt: now,
	}
}

// insertPostgres writes nc with insertCasePostgres and returns the case ID.
func (s *Service) insertPostgres(ctx context.Context, nc newCase) (int, error) {
	payload, err := json.Marshal(nc.event.Payload)
	if err != nil {
		return 0, fmt.Errorf("encode event payload: %w", err)
	}
	c := nc.in.Contact
	rows, err := s.client.QueryContext(ctx, insertCasePostgres,
		c.Name, c.Phone, c.Email, c.Address, nc.now, nc.hasContact,
		nc.pinHash, nc.keyHash, string(nc.in.Channel), string(nc.in.Kind), string(nc.in.Priority),
		nc.in.Subject, nc.in.Body, nc.in.Locale, string(submitted), nc.hash, nc.received,
		nc.ackDue, nc.decideDue, nc.respondDue, nc.departmentID,
		nc.in.CategoryID, nc.in.ServiceProjectID, nc.recordedBy,
		string(nc.event.Type), string(nc.event.ActorKind), string(payload),
		nc.in.ConcernedDepartmentID, nc.resolveDue,
	)
	if err != nil {
		return 0, translateStoreError(err)
	}
	defer rows.Close()
	var id int
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, translateStoreError(err)
		}
		return 0, errors.New("insert case: no row returned")
	}
	if err := rows.Scan(&id); err != nil {
		return 0, fmt.Errorf("insert case: %w", err)
	}
	return id, translateStoreError(rows.Close())
}
