package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/schema/schematype"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/ratelimit"
	"github.com/xinfang/xinfang/policy"
)

// Config holds the dependencies of a Service.
type Config struct {
	Client *ent.Client
	// Postgres selects the PostgreSQL fast paths (see intake_postgres.go).
	Postgres bool
	// Policy makes every authorization, routing and time-limit decision.
	Policy Policy
	// PINSecret keys the HMAC under which PINs are stored. It must stay the
	// same across restarts, or existing PINs stop working.
	PINSecret []byte
	// Location is the organisation's time zone; the year in a tracking
	// code is the year of receipt there. Defaults to Asia/Shanghai.
	Location *time.Location
	// Now returns the current time; tests and the demo loader move it.
	Now    func() time.Time
	Logger *slog.Logger
	// Observer, when set, learns of every committed change (metrics, the
	// deadline alert feed).
	Observer Observer
}

// Policy is what the workflow asks the policy engine (*policy.Engine):
// whether a caller may act and what they may see, where a new case goes,
// and its time limits.
type Policy interface {
	policy.Authorizer
	AuthorizeDecision(ctx context.Context, s policy.Subject, a policy.Action, r policy.Resource) (policy.Decision, error)
	Visibility(ctx context.Context, s policy.Subject, r policy.Resource) (policy.Visibility, error)
	CaseScope(ctx context.Context, s policy.Subject) (policy.Scope, error)
	Route(ctx context.Context, in policy.RoutingInput) (policy.Route, error)
	Limits(ctx context.Context, in policy.DeadlineInput) (policy.Limits, error)
	Revision() string
}

// Service runs the case workflow.
type Service struct {
	client    *ent.Client
	postgres  bool
	policy    Policy
	pinSecret []byte
	location  *time.Location
	now       func() time.Time
	log       *slog.Logger
	observer  Observer
	pinsPerIP *ratelimit.Failures

	deptCache departmentCache
}

// PIN guessing limits: a tracking code locks for pinLockout after
// pinMaxFailures wrong PINs; one client address may fail ipMaxFailures
// times per ipWindow across all codes.
const (
	pinMaxFailures = 5
	pinLockout     = 15 * time.Minute
	ipMaxFailures  = 20
	ipWindow       = 15 * time.Minute
)

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Client == nil {
		return nil, errors.New("workflow: a database client is required")
	}
	if len(cfg.PINSecret) < 16 {
		return nil, errors.New("workflow: the PIN secret must be at least 16 bytes")
	}
	s := &Service{
		client:    cfg.Client,
		postgres:  cfg.Postgres,
		policy:    cfg.Policy,
		pinSecret: cfg.PINSecret,
		location:  cfg.Location,
		now:       cfg.Now,
		log:       cfg.Logger,
		observer:  cfg.Observer,
	}
	if s.policy == nil {
		return nil, errors.New("workflow: a policy engine is required")
	}
	if s.location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return nil, fmt.Errorf("workflow: load default time zone: %w", err)
		}
		s.location = loc
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.pinsPerIP = ratelimit.NewFailures(ipMaxFailures, ipWindow, s.now)
	return s, nil
}

// clock returns the current time at the precision the databases keep, so
// that an event's hash computed now verifies after a round trip.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// inTx runs fn in a transaction and commits it when fn succeeds.
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			s.log.WarnContext(ctx, "rollback failed", "err", rerr)
		}
		return translateStoreError(err)
	}
	if err := tx.Commit(); err != nil {
		return translateStoreError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// translateStoreError turns database refusals into API errors: a lost race
// (two writers appending the same event position, a deadlock between two
// merges, a busy SQLite database) is a CONFLICT the caller may retry; an
// ent validation error is a VALIDATION.
func translateStoreError(err error) error {
	var ae *apperr.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "23505", "40001", "40P01": // unique violation, serialization failure, deadlock
			return apperr.New(apperr.Conflict, "case.stale").Wrap(err)
		case "23503": // foreign key: a referenced row went away meanwhile
			return apperr.New(apperr.Validation, "input.invalid").With("field", pgErr.ConstraintName).Wrap(err)
		}
		return err
	case ent.IsConstraintError(err), isBusy(err):
		return apperr.New(apperr.Conflict, "case.stale").Wrap(err)
	case ent.IsValidationError(err):
		var ve *ent.ValidationError
		errors.As(err, &ve)
		return apperr.Field(ve.Name, "input.invalid").Wrap(err)
	case ent.IsNotFound(err):
		return apperr.New(apperr.NotFound, "case.not_found").Wrap(err)
	}
	return err
}

// change is what a transition writes: the case update and the event.
type change struct {
	// now is the time of the transition: the event's time and every
	// timestamp the transition sets.
	now     time.Time
	update  *ent.CaseFileUpdate
	to      status
	event   caseevent.Type
	payload map[string]any
	public  bool
}

func (c *change) set(key string, value any) {
	if c.payload == nil {
		c.payload = map[string]any{}
	}
	c.payload[key] = value
}

// actor is who performs a transition, for the event.
type actor struct {
	kind caseevent.ActorKind
	id   *int
}

func actorOf(subject policy.Subject) actor {
	switch subject.Kind {
	case policy.StaffMember:
		id := subject.StaffID
		return actor{kind: caseevent.ActorKindSTAFF, id: &id}
	case policy.Petitioner:
		return actor{kind: caseevent.ActorKindPETITIONER}
	}
	return actor{kind: caseevent.ActorKindSYSTEM}
}

// transition is one call of apply.
type transition struct {
	caseID          int
	expectedVersion *int
	rule            rule
	// build validates the request against the loaded case and fills the
	// change. It runs inside the transaction.
	build func(ctx context.Context, tx *ent.Tx, c *ent.CaseFile, ch *change) error
	// after runs inside the transaction once the case row is updated and
	// the event appended, for changes to other rows (merging).
	after func(ctx context.Context, tx *ent.Tx, c *ent.CaseFile, ev *ent.CaseEvent) error
}

// apply runs a transition: load, authorize, check version and state, update
// with optimistic concurrency, append the event.
func (s *Service) apply(ctx context.Context, t transition) (*ent.CaseFile, error) {
	subject := policy.SubjectFrom(ctx)
	var before, result *ent.CaseFile
	var event *ent.CaseEvent
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c, err := tx.CaseFile.Get(ctx, t.caseID)
		if ent.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "case.not_found")
		}
		if err != nil {
			return fmt.Errorf("load case %d: %w", t.caseID, err)
		}
		decision, err := s.policy.AuthorizeDecision(ctx, subject, t.rule.permission, resourceOf(c))
		if err != nil {
			return err
		}
		if t.expectedVersion != nil && *t.expectedVersion != c.Version {
			return staleError(c)
		}
		if !t.rule.allows(c.Status) {
			return invalidTransition(c)
		}
		ch := &change{
			now:    s.clock(),
			update: tx.CaseFile.Update().Where(casefile.ID(c.ID), casefile.Version(c.Version)),
			to:     t.rule.to,
			event:  t.rule.event,
			public: t.rule.public,
		}
		if ch.to == "" {
			ch.to = c.Status
		}
		if t.build != nil {
			if err := t.build(ctx, tx, c, ch); err != nil {
				return err
			}
		}
		// The event names the policy decision that allowed it, so that any
		// step can be traced to the policy text in force.
		ch.set("policyRevision", decision.Revision)
		ch.set("decision", decision.ID)
		ev, err := s.record(ctx, tx, c, ch, actorOf(subject))
		if err != nil {
			return err
		}
		before, event = c, ev
		if t.after != nil {
			if err := t.after(ctx, tx, c, ev); err != nil {
				return err
			}
		}
		result, err = tx.CaseFile.Get(ctx, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The case was read in the committed transaction; unwrap it so its
	// edges load through the client.
	result = result.Unwrap()
	s.notify(ctx, event.Type, event.OccurredAt, before.Unwrap(), result)
	return result, nil
}

// record writes the case update of ch and appends its event, with the
// event's analytics outbox row. The update only matches the version the
// case was loaded at; zero rows means a concurrent writer won.
func (s *Service) record(ctx context.Context, tx *ent.Tx, c *ent.CaseFile, ch *change, who actor) (*ent.CaseEvent, error) {
	now := ch.now
	from := c.Status
	ev := eventContent{
		Seq:        c.Version + 1,
		Type:       ch.event,
		ActorKind:  who.kind,
		ActorID:    who.id,
		OccurredAt: now,
		From:       &from,
		To:         ch.to,
		Public:     ch.public,
		Payload:    ch.payload,
		PrevHash:   c.LastEventHash,
	}
	hash := ev.hash()
	scheduleDeadlineCheck(c, ch)
	n, err := ch.update.
		SetStatus(ch.to).
		SetVersion(c.Version + 1).
		SetLastEventHash(hash).
		SetUpdatedAt(now).
		Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("update case %d: %w", c.ID, err)
	}
	if n == 0 {
		return nil, apperr.New(apperr.Conflict, "case.stale")
	}
	created, err := ev.create(tx.CaseEvent.Create(), c.ID, hash).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("append event to case %d: %w", c.ID, err)
	}
	if err := enqueue(ctx, tx, created); err != nil {
		return nil, err
	}
	return created, nil
}

func resourceOf(c *ent.CaseFile) policy.Resource {
	r := policy.Resource{CaseID: c.ID, Kind: string(c.Kind), Status: string(c.Status)}
	if c.ConcernedDepartmentID != nil {
		r.ConcernedDepartmentID = *c.ConcernedDepartmentID
	}
	if c.DepartmentID != nil {
		r.DepartmentID = *c.DepartmentID
	}
	if c.AssigneeID != nil {
		r.AssigneeID = *c.AssigneeID
	}
	return r
}

func staleError(c *ent.CaseFile) *apperr.Error {
	return apperr.New(apperr.Conflict, "case.stale").Extend("currentVersion", c.Version)
}

func invalidTransition(c *ent.CaseFile) *apperr.Error {
	return apperr.New(apperr.InvalidTransition, "case.invalid_transition").
		With("status", string(c.Status)).
		Extend("status", string(c.Status))
}

// Status helpers used by the GraphQL layer.

// IsOverdue reports whether c is open, running (not paused) and past its
// response deadline at now.
func IsOverdue(c *ent.CaseFile, now time.Time) bool {
	if c.RespondDue == nil || c.Status == awaiting || !IsOpen(c.Status) {
		return false
	}
	return c.RespondDue.Before(now)
}

// overdueStatuses are the statuses in which the response clock runs.
var overdueStatuses = []schematype.CaseStatus{submitted, accepted, assigned, inProgress}

// visibility is what of a case's personal data the caller may see.
func (s *Service) visibility(ctx context.Context, r policy.Resource) (policy.Visibility, error) {
	v, err := s.policy.Visibility(ctx, policy.SubjectFrom(ctx), r)
	if err != nil {
		return policy.Visibility{}, fmt.Errorf("visibility decision: %w", err)
	}
	return v, nil
}
