package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// outbox claims, acknowledges and releases batches of analytics_outbox
// rows. The workflow writes one row per case event in the event's
// transaction; a batch is acknowledged (its rows deleted) only after the
// warehouse stored its events.
//
// PostgreSQL: a batch is claimed inside a transaction with
// `FOR UPDATE SKIP LOCKED`, which is held while the batch ships, so
// concurrent relays never claim the same row, and a relay that dies
// mid-batch releases its rows by its connection closing. The claim and the
// join with the events are one statement, the acknowledgement one DELETE.
//
// SQLite: one writer at a time, and a write transaction held while
// shipping would stall every case transition (and the embedded warehouse,
// should it write to the same file). So batches are read without a lock,
// in ID order after a cursor, and acknowledged by deleting their ID range
// in a short statement. Outbox IDs are AUTOINCREMENT and rows are written
// by one writer at a time, so IDs become visible in order and a range holds
// exactly the rows read. Two relays on one SQLite file may deliver an event
// twice, which idempotent ingestion absorbs.
type outbox struct {
	db      *sql.DB
	dialect string
	secret  []byte
	claimQ  string
	ackQ    string

	// cursor is the last outbox ID read on SQLite; batches after it may be
	// claimed while earlier ones ship.
	mu     sync.Mutex
	cursor int64
}

// batch is a claimed set of outbox rows and their events.
type batch struct {
	tx     *sql.Tx // PostgreSQL: holds the row locks until ack or release
	ids    []int64 // outbox IDs (ascending on SQLite)
	events []Event
	// claimed is how many outbox rows the claim returned; a full batch
	// means more may be waiting.
	claimed int
	// started is when the claim began, for the batch duration.
	started time.Time
}

func newOutbox(db *sql.DB, dialect string, secret []byte) *outbox {
	o := &outbox{db: db, dialect: dialect, secret: secret}
	cols := sourceColumns(dialect)
	if dialect == DialectPostgres {
		o.claimQ = `WITH claimed AS (
				SELECT id, event_id FROM analytics_outbox
				ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
			SELECT o.id, ` + cols + `
			FROM claimed o JOIN case_events e ON e.id = o.event_id JOIN cases c ON c.id = e.case_id`
		o.ackQ = `DELETE FROM analytics_outbox WHERE id = ANY($1)`
	} else {
		o.claimQ = `SELECT o.id, ` + cols + `
			FROM analytics_outbox o JOIN case_events e ON e.id = o.event_id JOIN cases c ON c.id = e.case_id
			WHERE o.id > ? ORDER BY o.id LIMIT ?`
		o.ackQ = `DELETE FROM analytics_outbox WHERE id >= ? AND id <= ?`
	}
	return o
}

// claim returns up to n outbox rows with their events, or a batch with no
// rows when none is waiting (or, on PostgreSQL, all waiting rows are
// claimed by other relays). An outbox row whose event is missing — only
// possible when case events were deleted by hand — is never returned: it
// shows up as relay lag (on SQLite it goes when a batch's ID range around
// it is acknowledged).
func (o *outbox) claim(ctx context.Context, n int) (*batch, error) {
	b := &batch{}
	var outboxID int64
	scanner := newEventScanner(o.secret, &outboxID)
	var rows *sql.Rows
	var err error
	if o.dialect == DialectPostgres {
		// The transaction outlives a cancelled ctx: a batch whose events
		// were stored is still acknowledged (see Relay.ship).
		if b.tx, err = o.db.BeginTx(context.WithoutCancel(ctx), nil); err != nil {
			return nil, fmt.Errorf("claim outbox rows: begin: %w", err)
		}
		// A batch's plan is costly enough on paper for PostgreSQL to
		// compile it (JIT), which takes longer than running it.
		if _, err = b.tx.ExecContext(ctx, `SET LOCAL jit = off`); err == nil {
			rows, err = b.tx.QueryContext(ctx, o.claimQ, n)
		}
	} else {
		o.mu.Lock()
		after := o.cursor
		o.mu.Unlock()
		rows, err = o.db.QueryContext(ctx, o.claimQ, after, n)
	}
	if err != nil {
		o.release(b)
		return nil, fmt.Errorf("claim outbox rows: %w", err)
	}
	defer rows.Close()
	b.events = make([]Event, 0, n)
	b.ids = make([]int64, 0, n)
	for rows.Next() {
		ev, err := scanner.scan(rows)
		if err != nil {
			o.release(b)
			return nil, fmt.Errorf("claim outbox rows: %w", err)
		}
		b.ids = append(b.ids, outboxID)
		b.events = append(b.events, ev)
	}
	if err := rows.Err(); err != nil {
		o.release(b)
		return nil, fmt.Errorf("claim outbox rows: %w", err)
	}
	b.claimed = len(b.ids)
	if o.dialect == DialectSQLite && b.claimed > 0 {
		o.mu.Lock()
		o.cursor = max(o.cursor, b.ids[len(b.ids)-1])
		o.mu.Unlock()
	}
	return b, nil
}

// ack deletes the rows of a delivered batch and ends its transaction.
func (o *outbox) ack(ctx context.Context, b *batch) error {
	if len(b.ids) == 0 {
		o.release(b)
		return nil
	}
	if o.dialect == DialectPostgres {
		if _, err := b.tx.ExecContext(ctx, o.ackQ, b.ids); err != nil {
			o.release(b)
			return fmt.Errorf("delete %d delivered outbox rows: %w", len(b.ids), err)
		}
		if err := b.tx.Commit(); err != nil {
			return fmt.Errorf("delete %d delivered outbox rows: commit: %w", len(b.ids), err)
		}
		b.tx = nil
		return nil
	}
	if _, err := o.db.ExecContext(ctx, o.ackQ, b.ids[0], b.ids[len(b.ids)-1]); err != nil {
		o.rewind()
		return fmt.Errorf("delete %d delivered outbox rows: %w", len(b.ids), err)
	}
	return nil
}

// release gives up a batch without deleting its rows: they will be claimed
// again.
func (o *outbox) release(b *batch) {
	if b == nil {
		return
	}
	if b.tx != nil {
		// A failed rollback leaves the transaction to die with its
		// connection, which releases the locks just as well.
		_ = b.tx.Rollback()
		b.tx = nil
	}
	if o.dialect == DialectSQLite && len(b.ids) > 0 {
		o.rewind()
	}
}

// rewind makes the next SQLite claim start from the oldest undelivered row.
func (o *outbox) rewind() {
	o.mu.Lock()
	o.cursor = 0
	o.mu.Unlock()
}

// backlog reports roughly how many rows wait and when the oldest was
// created, from the ends of the ID index: max − min + 1 counts every ID in
// the range, including the few that rolled-back transactions or other
// relays' deliveries left unused, so it is an upper bound. When that bound
// is small the rows are counted exactly (cheap at that size).
func (o *outbox) backlog(ctx context.Context) (rows int64, oldest time.Time, err error) {
	var lo, hi sql.NullInt64
	var first dbTime
	err = o.db.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM analytics_outbox), (SELECT max(id) FROM analytics_outbox),
		(SELECT created_at FROM analytics_outbox ORDER BY id LIMIT 1)`).Scan(&lo, &hi, &first)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("measure outbox backlog: %w", err)
	}
	if !lo.Valid {
		return 0, time.Time{}, nil
	}
	rows = hi.Int64 - lo.Int64 + 1
	if rows <= exactBacklogBelow {
		if err := o.db.QueryRowContext(ctx, `SELECT count(*) FROM analytics_outbox`).Scan(&rows); err != nil {
			return 0, time.Time{}, fmt.Errorf("count outbox rows: %w", err)
		}
	}
	return rows, first.UTC(), nil
}

// exactBacklogBelow is the ID range below which the backlog is counted
// exactly.
const exactBacklogBelow = 10_000
