package analytics

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"
)

// The dialects the source and the relay read, as store.DB.Dialect names
// them.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite3"
)

func checkDialect(dialect string) error {
	if dialect != DialectPostgres && dialect != DialectSQLite {
		return fmt.Errorf("analytics: dialect %q: use %q or %q", dialect, DialectPostgres, DialectSQLite)
	}
	return nil
}

// PetitionerKey is the pseudonym of a petitioner in the warehouse: the
// first 16 bytes of HMAC-SHA256(secret, decimal petitioner ID), in hex.
// Without the secret the key cannot be traced back to the record, yet the
// same petitioner always gets the same key, so repeat petitioners can be
// counted.
func PetitionerKey(secret []byte, petitionerID int) string {
	return newPseudonymizer(secret).key(int64(petitionerID))
}

// pseudonymizer computes petitioner keys with one reusable MAC. It is not
// safe for concurrent use.
type pseudonymizer struct {
	mac hash.Hash
	buf []byte
	sum []byte
}

func newPseudonymizer(secret []byte) *pseudonymizer {
	return &pseudonymizer{mac: hmac.New(sha256.New, secret)}
}

func (p *pseudonymizer) key(petitionerID int64) string {
	p.mac.Reset()
	p.buf = strconv.AppendInt(p.buf[:0], petitionerID, 10)
	p.mac.Write(p.buf)
	p.sum = p.mac.Sum(p.sum[:0])
	return hex.EncodeToString(p.sum[:16])
}

// sourceColumns are the columns every event query selects after its own
// leading columns: the event, its case, and the payload facts the warehouse
// keeps, extracted by the database so that long texts (replies, notes)
// never leave it. The query names case_events e and cases c.
//
// The review round is the one in force at the event: the number of
// REVIEW_REQUESTED events of the case up to and including it. Most cases
// are never reviewed, and for them the count is skipped.
func sourceColumns(dialect string) string {
	// A fact is read only from the events that carry it, which also
	// spares the database parsing most payloads.
	field := func(key string, types ...string) string {
		value := "json_extract(e.payload, '$." + key + "')"
		if dialect == DialectPostgres {
			value = "e.payload->>'" + key + "'"
		}
		return "CASE WHEN e.type IN ('" + strings.Join(types, "', '") + "') THEN " + value + " END"
	}
	return strings.Join([]string{
		"e.id", "e.case_id", "e.seq", "e.type", "e.occurred_at", "e.actor_kind", "e.from_status", "e.to_status",
		"c.channel", "c.kind", "c.priority", "c.department_id", "c.category_id", "c.service_project_id",
		"c.petitioner_id", "c.received_at",
		`CASE WHEN c.review_round = 0 THEN 0 ELSE (SELECT count(*) FROM case_events r
			WHERE r.case_id = e.case_id AND r.seq <= e.seq AND r.type = 'REVIEW_REQUESTED') END`,
		field("rating", "RATED"), field("outcome", "RESPONDED"), field("respondDue", "RESPONDED"),
		field("deadline", "DEADLINE_WARNING", "DEADLINE_BREACHED", "DEADLINE_ESCALATED"), field("hours", "EXTENSION_APPROVED"),
	}, ", ")
}

// eventScanner turns rows of an event query into Events. It reuses its
// scan destinations and its MAC across rows; one scanner serves one query
// at a time.
type eventScanner struct {
	pseudonyms *pseudonymizer
	// keys caches petitioner keys: a batch often holds several events of
	// one case.
	keys map[int64]string

	eventID, caseID, seq, reviewRound                    int64
	typ, actorKind, toStatus, channel, kind, priority    string
	occurredAt, receivedAt                               dbTime
	fromStatus                                           sql.NullString
	departmentID, categoryID, serviceProject, petitioner sql.NullInt64
	rating, outcome, respondDue, deadline, hours         sql.NullString

	dest []any
}

// newEventScanner returns a scanner for rows of eventColumns preceded by
// the query's own leading columns, which are scanned into lead.
func newEventScanner(secret []byte, lead ...any) *eventScanner {
	s := &eventScanner{pseudonyms: newPseudonymizer(secret), keys: map[int64]string{}}
	s.dest = append(lead,
		&s.eventID, &s.caseID, &s.seq, &s.typ, &s.occurredAt, &s.actorKind, &s.fromStatus, &s.toStatus,
		&s.channel, &s.kind, &s.priority, &s.departmentID, &s.categoryID, &s.serviceProject,
		&s.petitioner, &s.receivedAt, &s.reviewRound,
		&s.rating, &s.outcome, &s.respondDue, &s.deadline, &s.hours,
	)
	return s
}

// scan reads the current row into the leading destinations and an Event.
func (s *eventScanner) scan(rows *sql.Rows) (Event, error) {
	if err := rows.Scan(s.dest...); err != nil {
		return Event{}, err
	}
	ev := Event{
		EventID:          s.eventID,
		CaseID:           s.caseID,
		Seq:              int32(s.seq),
		Type:             s.typ,
		OccurredAt:       s.occurredAt.UTC(),
		ActorKind:        s.actorKind,
		FromStatus:       s.fromStatus.String,
		ToStatus:         s.toStatus,
		Channel:          s.channel,
		Kind:             s.kind,
		Priority:         s.priority,
		DepartmentID:     s.departmentID.Int64,
		CategoryID:       s.categoryID.Int64,
		ServiceProjectID: s.serviceProject.Int64,
		ReceivedAt:       s.receivedAt.UTC(),
		ReviewRound:      int32(s.reviewRound),
	}
	if s.petitioner.Valid {
		key, ok := s.keys[s.petitioner.Int64]
		if !ok {
			key = s.pseudonyms.key(s.petitioner.Int64)
			s.keys[s.petitioner.Int64] = key
		}
		ev.PetitionerKey = key
	}
	if err := s.facts(&ev); err != nil {
		return Event{}, fmt.Errorf("event %d: %w", s.eventID, err)
	}
	return ev, nil
}

// facts copies the payload facts that the event's type carries.
func (s *eventScanner) facts(ev *Event) error {
	switch ev.Type {
	case "RATED":
		n, err := payloadInt(s.rating, "rating", 1, 5)
		ev.Rating = int8(n)
		return err
	case "RESPONDED":
		ev.Outcome = s.outcome.String
		if s.respondDue.Valid && s.respondDue.String != "" {
			t, err := time.Parse(time.RFC3339Nano, s.respondDue.String)
			if err != nil {
				return fmt.Errorf("payload respondDue: %w", err)
			}
			ev.RespondDue = t.UTC()
		}
	case "DEADLINE_WARNING", "DEADLINE_BREACHED", "DEADLINE_ESCALATED":
		ev.Deadline = s.deadline.String
	case "EXTENSION_APPROVED":
		n, err := payloadInt(s.hours, "hours", 0, 1<<31-1)
		ev.ExtensionHours = int32(n)
		return err
	}
	return nil
}

// payloadInt parses an integer payload fact; an absent fact is zero.
func payloadInt(v sql.NullString, key string, lo, hi int64) (int64, error) {
	if !v.Valid || v.String == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v.String, 10, 64)
	if err != nil {
		// JSON numbers may come back as 5.0 from some encoders.
		f, ferr := strconv.ParseFloat(v.String, 64)
		if ferr != nil {
			return 0, fmt.Errorf("payload %s %q: %w", key, v.String, err)
		}
		n = int64(f)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("payload %s %d out of range [%d, %d]", key, n, lo, hi)
	}
	return n, nil
}

// dbTime scans a timestamp from either database: PostgreSQL and most
// SQLite columns give a time.Time, but SQLite hands back text for
// expressions and for values stored in a format the driver does not
// recognise.
type dbTime struct{ time.Time }

// sqliteTimeFormats are the text forms SQLite rows hold: the driver's own
// (which ent writes) and the ones SQLite's date functions produce.
var sqliteTimeFormats = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
}

// Scan implements sql.Scanner.
func (t *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		t.Time = v
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	case nil:
		t.Time = time.Time{}
		return nil
	}
	return fmt.Errorf("timestamp: unsupported %T", v)
}

func (t *dbTime) parse(s string) error {
	// The driver may add a monotonic-clock suffix (" m=+0.1") when it
	// formats a time.Time.
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i]
	}
	for _, layout := range sqliteTimeFormats {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p
			return nil
		}
	}
	return fmt.Errorf("timestamp %q: unknown format", s)
}

// Source reads case events from the transactional database, joined with
// their cases, as Events. Rebuild streams through it; the relay reads the
// events its outbox rows name with the same columns.
type Source struct {
	db      *sql.DB
	dialect string
	secret  []byte
	all     string
}

// NewSource returns a Source over db, which speaks dialect ("postgres" or
// "sqlite3"); secret keys the petitioner pseudonyms (see PetitionerKey).
func NewSource(db *sql.DB, dialect string, secret []byte) (*Source, error) {
	if db == nil {
		return nil, fmt.Errorf("analytics: source needs a database")
	}
	if err := checkDialect(dialect); err != nil {
		return nil, err
	}
	if len(secret) < 16 {
		return nil, fmt.Errorf("analytics: the petitioner secret must be at least 16 bytes")
	}
	return &Source{
		db: db, dialect: dialect, secret: secret,
		// The next events are picked in a derived table, whose ordered
		// LIMIT can only be an index range scan, then joined: written
		// as one flat query, PostgreSQL with stale statistics would
		// rather hash-join the whole remaining table.
		all: `SELECT ` + sourceColumns(dialect) + ` FROM (SELECT * FROM case_events WHERE id > ` + placeholder(dialect, 1) +
			` ORDER BY id LIMIT ` + placeholder(dialect, 2) + `) e JOIN cases c ON c.id = e.case_id`,
	}, nil
}

// Stream calls fn with every case event, in batches of batchSize
// consecutive event IDs (keyset pagination on the event ID, one statement
// per batch; the events of a batch come in no particular order). The next
// batch is read while fn handles the current one. The slice passed to fn
// is reused; fn must not keep it. Events committed while Stream runs may
// or may not be included.
func (s *Source) Stream(ctx context.Context, batchSize int, fn func(ctx context.Context, events []Event) error) (int, error) {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	type page struct {
		events []Event
		err    error
	}
	// Two buffers and scanners take turns: one is read into while fn
	// works on the other.
	bufs := [2][]Event{make([]Event, 0, batchSize), make([]Event, 0, batchSize)}
	scanners := [2]*eventScanner{newEventScanner(s.secret), newEventScanner(s.secret)}
	fetch := func(i int, after int64) chan page {
		ch := make(chan page, 1)
		go func() {
			events, err := s.page(ctx, scanners[i], bufs[i][:0], after, batchSize)
			ch <- page{events, err}
		}()
		return ch
	}
	var after int64
	total, cur := 0, 0
	pending := fetch(cur, after)
	for {
		p := <-pending
		if p.err != nil {
			return total, fmt.Errorf("read case events after %d: %w", after, p.err)
		}
		if len(p.events) == 0 {
			return total, nil
		}
		bufs[cur] = p.events
		for _, ev := range p.events {
			after = max(after, ev.EventID)
		}
		full := len(p.events) == batchSize
		if full {
			pending = fetch(1-cur, after)
		}
		if err := fn(ctx, p.events); err != nil {
			if full {
				<-pending
			}
			return total, err
		}
		total += len(p.events)
		if !full {
			return total, nil
		}
		cur = 1 - cur
	}
}

// page reads up to n events after the event ID after into events.
func (s *Source) page(ctx context.Context, scanner *eventScanner, events []Event, after int64, n int) ([]Event, error) {
	// The pseudonym cache lives for one page, so it stays small.
	clear(scanner.keys)
	rows, err := s.db.QueryContext(ctx, s.all, after, n)
	if err != nil {
		return events, err
	}
	return scanEvents(rows, scanner, events)
}

// placeholder is the n-th bind parameter in dialect.
func placeholder(dialect string, n int) string {
	if dialect == DialectPostgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// scanEvents appends the Events of rows to events and closes rows.
func scanEvents(rows *sql.Rows, scanner *eventScanner, events []Event) ([]Event, error) {
	defer rows.Close()
	for rows.Next() {
		ev, err := scanner.scan(rows)
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
	if err := rows.Err(); err != nil {
		return events, err
	}
	return events, rows.Close()
}
