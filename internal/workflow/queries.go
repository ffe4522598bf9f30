package workflow

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/predicate"
	"github.com/xinfang/xinfang/internal/anonymize"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/paging"
	"github.com/xinfang/xinfang/policy"
)

// CaseFilter holds the list filters the generated WhereInput cannot
// express.
type CaseFilter struct {
	// Search matches subject or body containing the text (any script), or
	// the tracking code.
	Search string
	// Overdue, when set, keeps only overdue (true) or not overdue (false)
	// cases.
	Overdue *bool
}

// CasePage is one page of a case list, with Relay arguments.
type CasePage struct {
	After  *entgql.Cursor[int]
	First  *int
	Before *entgql.Cursor[int]
	Last   *int
	// OrderBy defaults to newest received first.
	OrderBy []*ent.CaseOrder
	Where   *ent.CaseWhereInput
	Filter  CaseFilter
}

// ListCases returns the cases the caller may see, filtered and paginated
// in SQL.
func (s *Service) ListCases(ctx context.Context, p CasePage) (*ent.CaseConnection, error) {
	if err := s.policy.Authorize(ctx, policy.SubjectFrom(ctx), policy.ActionCaseList, policy.Resource{}); err != nil {
		return nil, err
	}
	if err := paging.Check(p.First, p.Last); err != nil {
		return nil, err
	}
	scope, err := s.policy.CaseScope(ctx, policy.SubjectFrom(ctx))
	if err != nil {
		return nil, fmt.Errorf("case scope decision: %w", err)
	}
	query := s.client.CaseFile.Query().Where(scopePredicate(scope))
	if preds := s.filterPredicates(p.Filter); len(preds) > 0 {
		query.Where(preds...)
	}
	orderBy := p.OrderBy
	if len(orderBy) == 0 {
		orderBy = []*ent.CaseOrder{{Field: ent.CaseFileOrderFieldReceivedAt, Direction: entgql.OrderDirectionDesc}}
	}
	conn, err := query.Paginate(ctx, p.After, p.First, p.Before, p.Last,
		ent.WithCaseOrder(orderBy), ent.WithCaseFilter(p.Where.Filter))
	if err != nil {
		return nil, translateStoreError(err)
	}
	return conn, nil
}

func (s *Service) filterPredicates(f CaseFilter) []predicate.CaseFile {
	var preds []predicate.CaseFile
	if text := strings.TrimSpace(f.Search); text != "" {
		or := []predicate.CaseFile{casefile.SubjectContainsFold(text), casefile.BodyContainsFold(text)}
		if id, _, ok := ParseTrackingCode(strings.ToUpper(text)); ok {
			or = append(or, casefile.ID(id))
		}
		preds = append(preds, casefile.Or(or...))
	}
	if f.Overdue != nil {
		now := s.clock()
		overdue := casefile.And(casefile.StatusIn(overdueStatuses...), casefile.RespondDueLT(now))
		if *f.Overdue {
			preds = append(preds, overdue)
		} else {
			preds = append(preds, casefile.Not(overdue))
		}
	}
	return preds
}

// CanSeePersonalData reports whether the caller may see the petitioner's
// identity and contact data of c.
func (s *Service) CanSeePersonalData(ctx context.Context, c *ent.CaseFile) bool {
	return s.policy.Authorize(ctx, policy.SubjectFrom(ctx), policy.ActionCaseReadPersonalData, resourceOf(c)) == nil
}

// AuthorizeRead checks that the caller may read c.
func (s *Service) AuthorizeRead(ctx context.Context, c *ent.CaseFile) error {
	return s.policy.Authorize(ctx, policy.SubjectFrom(ctx), policy.ActionCaseRead, resourceOf(c))
}

// AvailableActions lists the staff actions the caller may take on c now.
func (s *Service) AvailableActions(ctx context.Context, c *ent.CaseFile) []Action {
	subject := policy.SubjectFrom(ctx)
	var out []Action
	for _, a := range actionOrder {
		r := rules[a]
		if !r.allows(c.Status) {
			continue
		}
		switch a {
		case ActionRequestExtension:
			if c.ExtensionRequestedHours != nil {
				continue
			}
		case ActionDecideExtension:
			if c.ExtensionRequestedHours == nil {
				continue
			}
		}
		if s.policy.Authorize(ctx, subject, r.permission, resourceOf(c)) == nil {
			out = append(out, a)
		}
	}
	return out
}

// Overdue reports whether c is past its response deadline now.
func (s *Service) Overdue(c *ent.CaseFile) bool {
	return IsOverdue(c, s.clock())
}

// PublicCase is what the petitioner sees of a case.
type PublicCase struct {
	TrackingCode     string
	Version          int
	Status           status
	Channel          casefile.Channel
	Kind             casefile.Kind
	Subject          string
	DepartmentName   *string
	ReceivedAt       time.Time
	AcknowledgedAt   *time.Time
	RespondDue       *time.Time
	RespondedAt      *time.Time
	ClosedAt         *time.Time
	Outcome          *casefile.Outcome
	Reply            string
	PendingQuestion  *string
	Rating           *int
	RatingComment    string
	ReviewRound      int
	CanRate          bool
	CanRequestReview bool
	ReviewDeadline   *time.Time
	Timeline         []PublicCaseEvent
}

// PublicCaseEvent is one step of the public timeline.
type PublicCaseEvent struct {
	Type       caseevent.Type
	OccurredAt time.Time
	Status     status
	Message    *string
}

// publicMessageKeys name the payload entry shown to the petitioner for
// each public event type.
var publicMessageKeys = map[caseevent.Type]string{
	caseevent.TypeDECLINED:              "reason",
	caseevent.TypeNOTE_ADDED:            "text",
	caseevent.TypeINFORMATION_REQUESTED: "question",
	caseevent.TypeINFORMATION_PROVIDED:  "answer",
	caseevent.TypeRESPONDED:             "reply",
	caseevent.TypeRATED:                 "comment",
	caseevent.TypeREVIEW_REQUESTED:      "reason",
}

// PublicView builds the petitioner's view of case id. The caller must be
// the petitioner of that case (PetitionerAccess).
func (s *Service) PublicView(ctx context.Context, id int) (*PublicCase, error) {
	c, err := s.readable(ctx, s.client.CaseFile.Query().
		Where(casefile.ID(id)).
		WithDepartment().
		WithEvents(func(q *ent.CaseEventQuery) {
			q.Where(caseevent.Public(true)).Order(ent.Asc(caseevent.FieldSeq))
		}), id)
	if err != nil {
		return nil, err
	}
	view := &PublicCase{
		TrackingCode: s.TrackingCode(c.ID, c.ReceivedAt), Version: c.Version, Status: c.Status,
		Channel: c.Channel, Kind: c.Kind, Subject: c.Subject, ReceivedAt: c.ReceivedAt,
		AcknowledgedAt: c.AcknowledgedAt, RespondedAt: c.RespondedAt, ClosedAt: c.ClosedAt,
		Outcome: c.Outcome, Reply: c.Reply, Rating: c.Rating, RatingComment: c.RatingComment,
		ReviewRound: c.ReviewRound,
	}
	if IsOpen(c.Status) {
		view.RespondDue = c.RespondDue
	}
	if d := c.Edges.Department; d != nil {
		name := d.Name
		if c.Locale == "en" && d.NameEn != "" {
			name = d.NameEn
		}
		view.DepartmentName = &name
	}
	view.CanRate = c.Status == closed && c.Rating == nil
	deadline, err := s.ReviewDeadline(ctx, c)
	if err != nil {
		return nil, err
	}
	if deadline != nil && s.clock().Before(*deadline) {
		view.ReviewDeadline, view.CanRequestReview = deadline, true
	}
	for _, ev := range c.Edges.Events {
		pe := PublicCaseEvent{Type: ev.Type, OccurredAt: ev.OccurredAt, Status: ev.ToStatus}
		if key, ok := publicMessageKeys[ev.Type]; ok {
			if msg, ok := ev.Payload[key].(string); ok {
				pe.Message = &msg
			}
		}
		if ev.Type == caseevent.TypeINFORMATION_REQUESTED && c.Status == awaiting {
			view.PendingQuestion = pe.Message
		}
		view.Timeline = append(view.Timeline, pe)
	}
	return view, nil
}

// Petitioner returns who submitted c, or nil when the case is anonymous or
// the caller may not see personal data.
func (s *Service) Petitioner(ctx context.Context, c *ent.CaseFile) (*ent.Petitioner, error) {
	if c.PetitionerID == nil || !s.CanSeePersonalData(ctx, c) {
		return nil, nil
	}
	if p := c.Edges.Petitioner; p != nil {
		return p, nil
	}
	p, err := s.client.Petitioner.Get(ctx, *c.PetitionerID)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return p, err
}

// Case returns a case the caller may read.
func (s *Service) Case(ctx context.Context, id int) (*ent.CaseFile, error) {
	return s.readable(ctx, s.client.CaseFile.Query().Where(casefile.ID(id)), id)
}

// readable runs a query for case id and checks that the caller may read
// the case.
func (s *Service) readable(ctx context.Context, q *ent.CaseFileQuery, id int) (*ent.CaseFile, error) {
	c, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "case.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("load case %d: %w", id, err)
	}
	if err := s.AuthorizeRead(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// CaseText returns a free-text field of c as the caller may read it: whole
// for those handling the case, anonymised for readers the policy allows
// only anonymised text (oversight members).
func (s *Service) CaseText(ctx context.Context, c *ent.CaseFile, text string) (string, error) {
	if text == "" {
		return text, nil
	}
	v, err := s.visibility(ctx, resourceOf(c))
	if err != nil || v.FullText {
		return text, err
	}
	return s.anonymise(ctx, c, text)
}

// EventPayload returns an event's payload as the caller may read it: its
// free-text values are anonymised like CaseText. The decision is made on
// the event's case, read once per operation (see WithCaseCache).
func (s *Service) EventPayload(ctx context.Context, ev *ent.CaseEvent) (map[string]any, error) {
	if len(ev.Payload) == 0 {
		return ev.Payload, nil
	}
	c, err := s.cachedCase(ctx, ev.CaseID)
	if err != nil {
		return nil, err
	}
	v, err := s.visibility(ctx, resourceOf(c))
	if err != nil || v.FullText {
		return ev.Payload, err
	}
	known, err := s.knownPersonalData(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(ev.Payload))
	for k, val := range ev.Payload {
		if text, ok := val.(string); ok {
			val = anonymize.Text(text, known, placeholderFor(c))
		}
		out[k] = val
	}
	return out, nil
}

type caseCacheKey struct{}

// WithCaseCache returns a context that remembers, for the rest of one API
// operation, the cases read for visibility decisions and the petitioner
// records read for anonymisation: a timeline of n events then costs one
// read of each, not n.
func WithCaseCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, caseCacheKey{}, &sync.Map{})
}

func (s *Service) cachedCase(ctx context.Context, id int) (*ent.CaseFile, error) {
	cache, _ := ctx.Value(caseCacheKey{}).(*sync.Map)
	if cache != nil {
		if c, ok := cache.Load(id); ok {
			return c.(*ent.CaseFile), nil
		}
	}
	c, err := s.client.CaseFile.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load case %d: %w", id, err)
	}
	if cache != nil {
		cache.Store(id, c)
	}
	return c, nil
}

func (s *Service) anonymise(ctx context.Context, c *ent.CaseFile, text string) (string, error) {
	known, err := s.knownPersonalData(ctx, c)
	if err != nil {
		return "", err
	}
	return anonymize.Text(text, known, placeholderFor(c)), nil
}

// knownPersonalData is the petitioner's record of c, for anonymisation.
func (s *Service) knownPersonalData(ctx context.Context, c *ent.CaseFile) (anonymize.Known, error) {
	if c.PetitionerID == nil {
		return anonymize.Known{}, nil
	}
	// Anonymising a timeline asks once per text field and event; the
	// operation's cache keeps the record after the first read.
	cache, _ := ctx.Value(caseCacheKey{}).(*sync.Map)
	key := petitionerCacheKey(*c.PetitionerID)
	if cache != nil {
		if k, ok := cache.Load(key); ok {
			return k.(anonymize.Known), nil
		}
	}
	known, err := s.loadKnownPersonalData(ctx, c)
	if err == nil && cache != nil {
		cache.Store(key, known)
	}
	return known, err
}

// petitionerCacheKey keys a petitioner's record in the operation cache,
// beside the cases keyed by their int ID.
type petitionerCacheKey int

func (s *Service) loadKnownPersonalData(ctx context.Context, c *ent.CaseFile) (anonymize.Known, error) {
	p, err := s.client.Petitioner.Get(ctx, *c.PetitionerID)
	if ent.IsNotFound(err) {
		return anonymize.Known{}, nil
	}
	if err != nil {
		return anonymize.Known{}, fmt.Errorf("load petitioner of case %d: %w", c.ID, err)
	}
	return anonymize.Known{Name: p.Name, Phone: p.Phone, Email: p.Email, Address: p.Address}, nil
}

func placeholderFor(c *ent.CaseFile) anonymize.Placeholder {
	if strings.HasPrefix(c.Locale, "en") {
		return anonymize.English
	}
	return anonymize.Chinese
}

// scopePredicate is the SQL translation of the policy's read rule for
// lists (see policy.Scope): the list is filtered and counted in the
// database, so pagination and totals only ever see readable cases.
func scopePredicate(scope policy.Scope) predicate.CaseFile {
	switch {
	case scope.None:
		return casefile.IDIn() // FALSE
	case scope.All:
		return func(*sql.Selector) {}
	}
	var any []predicate.CaseFile
	if len(scope.DepartmentIDs) > 0 {
		any = append(any, casefile.DepartmentIDIn(scope.DepartmentIDs...))
	}
	if scope.AssigneeID != 0 {
		any = append(any, casefile.AssigneeID(scope.AssigneeID))
	}
	if scope.CaseID != 0 {
		any = append(any, casefile.ID(scope.CaseID))
	}
	if len(any) == 0 {
		return casefile.IDIn()
	}
	return casefile.Or(any...)
}
