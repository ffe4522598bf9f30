package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/department"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/i18n"
	"github.com/xinfang/xinfang/policy"
)

// Contact is what a petitioner tells about themselves.
type Contact struct {
	Anonymous bool
	Name      string
	Phone     string
	Email     string
	Address   string
}

// Submission is a new case, from the public form (Submit) or recorded by
// staff (Record).
type Submission struct {
	Channel          casefile.Channel
	Kind             casefile.Kind
	Priority         casefile.Priority
	Subject          string
	Body             string
	CategoryID       *int
	ServiceProjectID *int
	// ConcernedDepartmentID is, for a REPORT case only, the department the
	// report is about.
	ConcernedDepartmentID *int
	Locale                string
	Contact               Contact
	// ReceivedAt is when a recorded case arrived; zero means now.
	ReceivedAt time.Time
	// DepartmentID overrides routing (staff only), with RoutingReason.
	DepartmentID  *int
	RoutingReason string
	// IdempotencyKey makes a public submission safe to retry.
	IdempotencyKey string
}

// Receipt is what the petitioner gets back: the PIN is never stored in
// clear and is shown only here.
type Receipt struct {
	CaseID       int
	ReceivedAt   time.Time
	TrackingCode string
	PIN          string
}

// Limits on free text, in characters.
const (
	maxSubject  = 300
	maxBody     = 20000
	maxNote     = 10000
	maxReason   = 2000
	maxComment  = 2000
	minIdemKey  = 16
	maxIdemKey  = 128
	maxBackdate = 366 * 24 * time.Hour
)

// Submit takes a case from the public web form. No sign-in is needed.
func (s *Service) Submit(ctx context.Context, in Submission) (*Receipt, error) {
	in.Channel = casefile.ChannelWEB
	in.Priority = casefile.PriorityNORMAL
	in.ReceivedAt = time.Time{}
	in.DepartmentID, in.RoutingReason = nil, ""
	if err := s.policy.Authorize(ctx, policy.SubjectFrom(ctx), policy.ActionCaseSubmit, policy.Resource{}); err != nil {
		return nil, err
	}
	return s.intake(ctx, in, caseevent.TypeSUBMITTED)
}

// Record takes a case that staff received by hotline, email, letter, visit
// or consultation.
func (s *Service) Record(ctx context.Context, in Submission) (*Receipt, error) {
	if err := s.policy.Authorize(ctx, policy.SubjectFrom(ctx), policy.ActionCaseRecord, policy.Resource{}); err != nil {
		return nil, err
	}
	if in.Channel == casefile.ChannelWEB {
		return nil, apperr.Field("channel", "intake.web_channel")
	}
	in.IdempotencyKey = ""
	return s.intake(ctx, in, caseevent.TypeRECORDED)
}

func (s *Service) intake(ctx context.Context, in Submission, eventType caseevent.Type) (*Receipt, error) {
	if err := validateSubmission(&in, s.clock()); err != nil {
		return nil, err
	}
	var keyHash string
	if in.IdempotencyKey != "" {
		sum := sha256.Sum256([]byte(in.IdempotencyKey))
		keyHash = hex.EncodeToString(sum[:])
		if r, err := s.replay(ctx, keyHash, in); r != nil || err != nil {
			return r, err
		}
	}
	var pin string
	if keyHash != "" {
		pin = s.idempotentPIN(keyHash)
	} else {
		var err error
		if pin, err = newPIN(); err != nil {
			return nil, err
		}
	}
	pinHash, err := s.hashPIN(pin)
	if err != nil {
		return nil, err
	}
	nc := newCase{in: &in, pinHash: pinHash}
	if keyHash != "" {
		nc.keyHash = &keyHash
	}
	if err := s.prepareCase(ctx, &nc, policy.SubjectFrom(ctx), eventType); err != nil {
		return nil, err
	}
	var id int
	if s.postgres {
		id, err = s.insertPostgres(ctx, nc)
	} else {
		err = s.inTx(ctx, func(tx *ent.Tx) error {
			var err error
			id, err = insertEnt(ctx, tx, nc)
			return err
		})
	}
	if err != nil && keyHash != "" && apperr.CodeOf(err) == apperr.Conflict {
		// The same submission arrived twice at once and the other copy
		// won the idempotency key: answer with its receipt.
		if r, rerr := s.replay(ctx, keyHash, in); r != nil || rerr != nil {
			return r, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	s.notify(ctx, eventType, nc.now, nil, nc.caseFile(id))
	return &Receipt{CaseID: id, ReceivedAt: nc.received, TrackingCode: s.TrackingCode(id, nc.received), PIN: pin}, nil
}

// prepareCase routes the case, computes its deadlines and its first event.
// It only reads.
func (s *Service) prepareCase(ctx context.Context, nc *newCase, subject policy.Subject, eventType caseevent.Type) error {
	in := nc.in
	route, err := s.route(ctx, s.client, in)
	if err != nil {
		return err
	}
	nc.departmentID = route.departmentID
	nc.now = s.clock()
	nc.received = nc.now
	if !in.ReceivedAt.IsZero() {
		nc.received = in.ReceivedAt.UTC().Truncate(time.Microsecond)
	}
	limits, err := s.policy.Limits(ctx, policy.DeadlineInput{
		Department: route.code, Kind: string(in.Kind),
		Priority: string(in.Priority), Channel: string(in.Channel),
	})
	if err != nil {
		return fmt.Errorf("time limits: %w", err)
	}
	nc.ackDue = due(limits, nc.received, limits.Acknowledge)
	nc.decideDue = due(limits, nc.received, limits.Decide)
	nc.respondDue = due(limits, nc.received, limits.Respond)
	nc.resolveDue = due(limits, nc.received, limits.Resolve)
	c := in.Contact
	nc.hasContact = !c.Anonymous && (c.Name != "" || c.Phone != "" || c.Email != "" || c.Address != "")
	who := actorOf(subject)
	if who.kind == caseevent.ActorKindSTAFF {
		nc.recordedBy = who.id
	}
	payload := map[string]any{
		"channel": string(in.Channel), "kind": string(in.Kind), "priority": string(in.Priority),
		"departmentId": route.departmentID, "routingRule": route.rule, "routingReasons": route.reasons,
		"anonymous":      !nc.hasContact,
		"policyRevision": limits.Decision.Revision,
		"decisions":      map[string]any{"limits": limits.Decision.ID},
	}
	if route.decision.ID != "" {
		payload["decisions"].(map[string]any)["routing"] = route.decision.ID
	}
	nc.event = eventContent{
		Seq: 1, Type: eventType, ActorKind: who.kind, ActorID: who.id,
		OccurredAt: nc.now, To: submitted, Public: true,
		Payload: payload,
	}
	nc.hash = nc.event.hash()
	return nil
}

// insertEnt writes a new case through ent, in the caller's transaction.
func insertEnt(ctx context.Context, tx *ent.Tx, nc newCase) (int, error) {
	in := nc.in
	var petitionerID *int
	if nc.hasContact {
		c := in.Contact
		p, err := tx.Petitioner.Create().
			SetName(c.Name).SetPhone(c.Phone).SetEmail(c.Email).SetAddress(c.Address).
			SetCreatedAt(nc.now).SetUpdatedAt(nc.now).
			Save(ctx)
		if err != nil {
			return 0, fmt.Errorf("create petitioner: %w", err)
		}
		petitionerID = &p.ID
	}
	created, err := tx.CaseFile.Create().
		SetPinHash(nc.pinHash).
		SetNillableIdempotencyKey(nc.keyHash).
		SetChannel(in.Channel).
		SetKind(in.Kind).
		SetPriority(in.Priority).
		SetSubject(in.Subject).
		SetBody(in.Body).
		SetLocale(in.Locale).
		SetStatus(submitted).
		SetVersion(1).
		SetLastEventHash(nc.hash).
		SetReceivedAt(nc.received).
		SetAcknowledgedAt(nc.now).
		SetNillableAcknowledgeDue(nc.ackDue).
		SetNillableDecideDue(nc.decideDue).
		SetNillableRespondDue(nc.respondDue).
		SetNillableResolveDue(nc.resolveDue).
		SetDeadlineCheckAt(nc.now).
		SetDepartmentID(nc.departmentID).
		SetNillablePetitionerID(petitionerID).
		SetNillableCategoryID(in.CategoryID).
		SetNillableServiceProjectID(in.ServiceProjectID).
		SetNillableRecordedByID(nc.recordedBy).
		SetNillableConcernedDepartmentID(in.ConcernedDepartmentID).
		SetCreatedAt(nc.now).
		SetUpdatedAt(nc.now).
		Save(ctx)
	if err != nil {
		return 0, fmt.Errorf("create case: %w", err)
	}
	ev, err := nc.event.create(tx.CaseEvent.Create(), created.ID, nc.hash).Save(ctx)
	if err != nil {
		return 0, fmt.Errorf("append first event: %w", err)
	}
	if err := enqueue(ctx, tx, ev); err != nil {
		return 0, err
	}
	return created.ID, nil
}

// replay returns the earlier result of a submission with the same
// idempotency key, or an error when the key was used for different content.
func (s *Service) replay(ctx context.Context, keyHash string, in Submission) (*Receipt, error) {
	c, err := s.client.CaseFile.Query().Where(casefile.IdempotencyKey(keyHash)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up idempotency key: %w", err)
	}
	if c.Subject != in.Subject || c.Body != in.Body || c.Kind != in.Kind {
		return nil, apperr.Field("idempotencyKey", "intake.idempotency_reused")
	}
	return &Receipt{CaseID: c.ID, ReceivedAt: c.ReceivedAt, TrackingCode: s.TrackingCode(c.ID, c.ReceivedAt), PIN: s.idempotentPIN(keyHash)}, nil
}

// routed is where a new case goes and why.
type routed struct {
	departmentID int
	code         string
	// rule is the policy rule that decided, or "override" when intake
	// staff chose the department; reasons explain it.
	rule     string
	reasons  []string
	decision policy.Decision
}

// route picks the department of a new case: the staff override, or the
// policy's decision from what the case says and the directory's owners.
func (s *Service) route(ctx context.Context, client *ent.Client, in *Submission) (routed, error) {
	var rin policy.RoutingInput
	rin.Kind, rin.Channel, rin.Priority = string(in.Kind), string(in.Channel), string(in.Priority)
	rin.Subject, rin.Body = in.Subject, in.Body
	if in.CategoryID != nil {
		cat, err := client.Category.Get(ctx, *in.CategoryID)
		if ent.IsNotFound(err) || (err == nil && !cat.Active) {
			return routed{}, apperr.Field("categoryId", "intake.unknown_category")
		}
		if err != nil {
			return routed{}, fmt.Errorf("load category: %w", err)
		}
		rin.Category = cat.Code
		if rin.CategoryDepartment, err = s.departmentCode(ctx, cat.DefaultDepartmentID); err != nil {
			return routed{}, err
		}
	}
	if in.ServiceProjectID != nil {
		sp, err := client.ServiceProject.Get(ctx, *in.ServiceProjectID)
		if ent.IsNotFound(err) || (err == nil && !sp.Active) {
			return routed{}, apperr.Field("serviceProjectId", "intake.unknown_service_project")
		}
		if err != nil {
			return routed{}, fmt.Errorf("load service project: %w", err)
		}
		rin.ServiceProject = sp.Code
		if rin.ServiceProjectDepartment, err = s.departmentCode(ctx, sp.DepartmentID); err != nil {
			return routed{}, err
		}
	}
	if in.ConcernedDepartmentID != nil {
		concerned, err := s.departmentByID(ctx, *in.ConcernedDepartmentID)
		if apperr.CodeOf(err) == apperr.NotFound {
			return routed{}, apperr.Field("concernedDepartmentId", "department.unknown")
		}
		if err != nil {
			return routed{}, err
		}
		rin.ConcernedDepartment = concerned.code
	}
	if in.DepartmentID != nil {
		if err := activeDepartment(ctx, client, *in.DepartmentID, "departmentId"); err != nil {
			return routed{}, err
		}
		if in.ConcernedDepartmentID != nil && *in.DepartmentID == *in.ConcernedDepartmentID {
			return routed{}, apperr.Field("departmentId", "intake.route_to_concerned")
		}
		target, err := s.departmentByID(ctx, *in.DepartmentID)
		if err != nil {
			return routed{}, err
		}
		return routed{departmentID: target.id, code: target.code, rule: "override",
			reasons: []string{strings.TrimSpace(in.RoutingReason)}}, nil
	}
	intakeID, err := s.intakeDepartment(ctx)
	if err != nil {
		return routed{}, err
	}
	intake, err := s.departmentByID(ctx, intakeID)
	if err != nil {
		return routed{}, err
	}
	rin.IntakeDepartment = intake.code
	route, err := s.policy.Route(ctx, rin)
	if err != nil {
		return routed{}, fmt.Errorf("route case: %w", err)
	}
	out := routed{code: route.Department, rule: route.Rule, reasons: route.Reasons, decision: route.Decision}
	target, ok, err := s.activeDepartmentByCode(ctx, route.Department)
	if err != nil {
		return routed{}, err
	}
	if !ok {
		// The policy names a department this installation does not have
		// or has closed: the case still needs an owner, and intake
		// triages it. The event says so, and so does the log.
		s.log.Warn("routing chose an unknown or inactive department; using the intake department",
			"department", route.Department, "rule", route.Rule, "decision", route.Decision.ID)
		out.reasons = append(out.reasons, fmt.Sprintf("department %s is unknown or inactive here: intake department %s instead", route.Department, intake.code))
		out.rule, target = "intake_fallback", intake
	}
	out.departmentID, out.code = target.id, target.code
	return out, nil
}

// intakeDepartment returns the ID of the active intake department, the
// routing fallback.
func (s *Service) intakeDepartment(ctx context.Context) (int, error) {
	idx, err := s.departments(ctx)
	if err != nil {
		return 0, err
	}
	if idx.intake.id == 0 {
		if idx, err = s.reloadDepartments(ctx); err != nil {
			return 0, err
		}
	}
	if idx.intake.id == 0 {
		return 0, apperr.New(apperr.Internal, "intake.no_intake_department")
	}
	return idx.intake.id, nil
}

func activeDepartment(ctx context.Context, client *ent.Client, id int, field string) error {
	ok, err := client.Department.Query().Where(department.ID(id), department.Active(true)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("check department: %w", err)
	}
	if !ok {
		return apperr.Field(field, "department.unknown")
	}
	return nil
}

// validateSubmission normalises and checks a submission.
func validateSubmission(in *Submission, now time.Time) error {
	in.Subject = strings.TrimSpace(in.Subject)
	in.Body = strings.TrimSpace(in.Body)
	if err := requireText("subject", in.Subject, maxSubject); err != nil {
		return err
	}
	if err := requireText("body", in.Body, maxBody); err != nil {
		return err
	}
	if err := casefile.KindValidator(in.Kind); err != nil {
		return apperr.Field("kind", "input.invalid")
	}
	if err := casefile.ChannelValidator(in.Channel); err != nil {
		return apperr.Field("channel", "input.invalid")
	}
	if in.Priority == "" {
		in.Priority = casefile.PriorityNORMAL
	}
	if err := casefile.PriorityValidator(in.Priority); err != nil {
		return apperr.Field("priority", "input.invalid")
	}
	if in.Locale == "" {
		in.Locale = string(i18n.Default)
	}
	loc, ok := i18n.Parse(in.Locale)
	if !ok {
		return apperr.Field("locale", "intake.locale")
	}
	in.Locale = string(loc)
	if k := in.IdempotencyKey; k != "" && (len(k) < minIdemKey || len(k) > maxIdemKey) {
		return apperr.Field("idempotencyKey", "intake.idempotency_key").With("min", minIdemKey).With("max", maxIdemKey)
	}
	if !in.ReceivedAt.IsZero() {
		if in.ReceivedAt.After(now.Add(time.Minute)) {
			return apperr.Field("receivedAt", "intake.received_in_future")
		}
		if now.Sub(in.ReceivedAt) > maxBackdate {
			return apperr.Field("receivedAt", "intake.received_too_old")
		}
	}
	if in.ConcernedDepartmentID != nil && in.Kind != casefile.KindREPORT {
		return apperr.Field("concernedDepartmentId", "intake.concerned_department_kind")
	}
	if in.DepartmentID != nil && strings.TrimSpace(in.RoutingReason) == "" {
		return apperr.Field("routingReason", "intake.routing_reason")
	}
	c := &in.Contact
	if c.Anonymous {
		*c = Contact{Anonymous: true}
		return nil
	}
	c.Name, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Phone)
	c.Email, c.Address = strings.TrimSpace(c.Email), strings.TrimSpace(c.Address)
	for _, f := range []struct {
		name, value string
		max         int
	}{{"name", c.Name, 200}, {"phone", c.Phone, 64}, {"email", c.Email, 320}, {"address", c.Address, 500}} {
		if utf8.RuneCountInString(f.value) > f.max {
			return apperr.Field(f.name, "input.too_long").With("max", f.max)
		}
	}
	if c.Email != "" {
		if addr, err := mail.ParseAddress(c.Email); err != nil || addr.Address != c.Email {
			return apperr.Field("email", "intake.email")
		}
	}
	if c.Phone != "" && strings.Trim(c.Phone, "0123456789+-() ") != "" {
		return apperr.Field("phone", "intake.phone")
	}
	return nil
}

// requireText checks that a text is present and at most max characters.
func requireText(field, value string, max int) error {
	if value == "" {
		return apperr.Field(field, "input.required")
	}
	if utf8.RuneCountInString(value) > max {
		return apperr.Field(field, "input.too_long").With("max", max)
	}
	return nil
}
