package evaluation

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/category"
	"github.com/xinfang/xinfang/ent/department"
	"github.com/xinfang/xinfang/ent/serviceproject"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/policy"
)

// Service answers evaluation queries and keeps improvement actions.
type Service struct {
	client    *ent.Client
	warehouse analytics.Warehouse
	authz     policy.Authorizer
	now       func() time.Time
	loc       *time.Location
}

// New returns a Service. warehouse may be nil when the server has none:
// figure queries then fail with UNAVAILABLE. now defaults to time.Now and
// loc, the organisation's time zone, to Asia/Shanghai.
func New(client *ent.Client, warehouse analytics.Warehouse, authz policy.Authorizer, now func() time.Time, loc *time.Location) *Service {
	if authz == nil {
		panic("evaluation: an authorizer is required")
	}
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation("Asia/Shanghai"); err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
	}
	return &Service{client: client, warehouse: warehouse, authz: authz, now: now, loc: loc}
}

func (s *Service) authorize(ctx context.Context, action policy.Action) error {
	return s.authz.Authorize(ctx, policy.SubjectFrom(ctx), action, policy.Resource{})
}

// ErrWarehouseNotConfigured is returned by figure queries on a server
// without an analytics warehouse.
func ErrWarehouseNotConfigured() *apperr.Error {
	return apperr.New(apperr.Unavailable, "evaluation.warehouse_missing")
}

// Filter narrows an evaluation to part of the cases.
type Filter struct {
	DepartmentID int    // 0: every department
	Channel      string // "": every channel
	Kind         string // "": every kind
	CategoryID   int    // 0: every category
	// Trend is the trend's bucket size; empty means weeks for periods of
	// up to a quarter and months for longer ones.
	Trend analytics.Granularity
	// TopN is how many categories and service projects to rank, 1 to
	// MaxTopN; 0 means 10.
	TopN int
}

// MaxTopN bounds Filter.TopN.
const MaxTopN = 50

// Validate checks the filter's values.
func (f Filter) Validate() error {
	if f.TopN < 0 || f.TopN > MaxTopN {
		return apperr.Field("top", "evaluation.top").With("max", MaxTopN)
	}
	if f.Trend != "" && f.Trend != analytics.Week && f.Trend != analytics.Month {
		return apperr.Field("trend", "input.invalid")
	}
	if f.Channel != "" && casefile.ChannelValidator(casefile.Channel(f.Channel)) != nil {
		return apperr.Field("channel", "input.invalid")
	}
	if f.Kind != "" && casefile.KindValidator(casefile.Kind(f.Kind)) != nil {
		return apperr.Field("kind", "input.invalid")
	}
	return nil
}

// Evaluation is a period's figures next to the previous period's of the
// same length, with directory names resolved.
type Evaluation struct {
	Period         Period
	PreviousPeriod Period
	Filter         Filter
	// Department is the filtered department, nil for the whole
	// organisation.
	Department *Name
	Current    Figures
	Previous   Figures
	// EfficiencyGain is previous ÷ current median time to first response
	// − 1 (the seed asks for +0.30); nil when either period has no
	// response.
	EfficiencyGain *float64
	// HandlingTimeChange is current ÷ previous median time to first
	// response − 1: negative when answers came faster; nil when either
	// period has no response.
	HandlingTimeChange *float64
}

// Figures are one period's figures with the directory's names.
type Figures struct {
	analytics.Figures
	// Channels and Kinds are ByChannel and ByKind in a fixed order, every
	// channel and kind included, unused ones with 0.
	Channels []ChannelCount
	Kinds    []KindCount
	// RankedCategories and RankedServiceProjects are TopCategories and
	// TopServiceProjects with names.
	RankedCategories      []RankedEntry
	RankedServiceProjects []RankedEntry
}

// ChannelCount is the cases received through one channel.
type ChannelCount struct {
	Channel casefile.Channel
	Cases   int64
}

// KindCount is the cases of one kind.
type KindCount struct {
	Kind  casefile.Kind
	Cases int64
}

// Name is how the directory names a record.
type Name struct {
	ID     int
	Code   string
	Name   string
	NameEn string
}

// RankedEntry is a category or service project and its number of cases.
type RankedEntry struct {
	ID     int
	Code   string
	Name   string
	NameEn string
	Cases  int64
}

// channels and kinds fix the order in which figures list them.
var (
	channels = []casefile.Channel{casefile.ChannelWEB, casefile.ChannelHOTLINE, casefile.ChannelEMAIL,
		casefile.ChannelLETTER, casefile.ChannelVISIT, casefile.ChannelCONSULTATION}
	kinds = []casefile.Kind{casefile.KindCOMPLAINT, casefile.KindSUGGESTION, casefile.KindINQUIRY,
		casefile.KindPRAISE, casefile.KindREPORT}
)

// Names resolve the IDs in figures; missing entries are shown by ID.
type Names struct {
	Categories      map[int64]Name
	ServiceProjects map[int64]Name
}

// Assemble puts a warehouse's answer together with names. It is a pure
// function: reports and tests build evaluations with it.
func Assemble(p Period, f Filter, dept *Name, ev *analytics.Evaluation, names Names) *Evaluation {
	out := &Evaluation{
		Period:         p,
		PreviousPeriod: previousPeriod(p, ev.Previous.From, ev.Previous.To),
		Filter:         f,
		Department:     dept,
		Current:        figures(ev.Current, names),
		Previous:       figures(ev.Previous, names),
	}
	if ev.EfficiencyGain != nil && finite(*ev.EfficiencyGain) {
		gain := *ev.EfficiencyGain
		out.EfficiencyGain = &gain
	}
	cur, prev := ev.Current.TimeToFirstResponse, ev.Previous.TimeToFirstResponse
	if cur.Count > 0 && prev.Count > 0 && prev.Median > 0 {
		change := cur.Median/prev.Median - 1
		out.HandlingTimeChange = &change
	}
	return out
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func figures(a analytics.Figures, names Names) Figures {
	sanitize(&a)
	f := Figures{Figures: a}
	for _, ch := range channels {
		f.Channels = append(f.Channels, ChannelCount{Channel: ch, Cases: a.ByChannel[string(ch)]})
	}
	for _, k := range kinds {
		f.Kinds = append(f.Kinds, KindCount{Kind: k, Cases: a.ByKind[string(k)]})
	}
	f.RankedCategories = ranked(a.TopCategories, names.Categories)
	f.RankedServiceProjects = ranked(a.TopServiceProjects, names.ServiceProjects)
	return f
}

// sanitize replaces NaN and infinities, which JSON cannot carry, by 0: a
// rate over nothing is shown as 0 next to its zero count.
func sanitize(a *analytics.Figures) {
	for _, p := range []*float64{&a.AcceptanceRate, &a.WithinLimitShare, &a.SatisfactionRate,
		&a.SurveyResponseRate, &a.ReviewRate, &a.ReReviewRate,
		&a.TimeToAcknowledge.Median, &a.TimeToAcknowledge.P90,
		&a.TimeToFirstResponse.Median, &a.TimeToFirstResponse.P90,
		&a.TimeToResolution.Median, &a.TimeToResolution.P90} {
		if !finite(*p) {
			*p = 0
		}
	}
	trend := make([]analytics.TrendPoint, len(a.Trend))
	for i, t := range a.Trend {
		for _, p := range []*float64{&t.WithinLimitShare, &t.SatisfactionRate, &t.MedianResponseSecs} {
			if !finite(*p) {
				*p = 0
			}
		}
		trend[i] = t
	}
	a.Trend = trend
}

func ranked(in []analytics.Ranked, names map[int64]Name) []RankedEntry {
	out := make([]RankedEntry, 0, len(in))
	for _, r := range in {
		n, ok := names[r.ID]
		if !ok {
			n = Name{ID: int(r.ID), Code: fmt.Sprintf("#%d", r.ID), Name: fmt.Sprintf("#%d", r.ID), NameEn: fmt.Sprintf("#%d", r.ID)}
		}
		out = append(out, RankedEntry{ID: n.ID, Code: n.Code, Name: n.Name, NameEn: n.NameEn, Cases: r.Cases})
	}
	return out
}

// Evaluate returns the figures of a period (see ParsePeriod for its forms)
// and of the previous period of the same length.
func (s *Service) Evaluate(ctx context.Context, period string, f Filter) (*Evaluation, error) {
	if err := s.authorize(ctx, policy.ActionEvaluationRead); err != nil {
		return nil, err
	}
	p, err := ParsePeriod(period, s.loc)
	if err != nil {
		return nil, err
	}
	return s.evaluate(ctx, p, f)
}

func (s *Service) evaluate(ctx context.Context, p Period, f Filter) (*Evaluation, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var dept *Name
	if f.DepartmentID != 0 {
		d, err := s.client.Department.Get(ctx, f.DepartmentID)
		if ent.IsNotFound(err) {
			return nil, apperr.Field("departmentId", "evaluation.unknown_department")
		}
		if err != nil {
			return nil, fmt.Errorf("load department %d: %w", f.DepartmentID, err)
		}
		dept = &Name{ID: d.ID, Code: d.Code, Name: d.Name, NameEn: d.NameEn}
	}
	if s.warehouse == nil {
		return nil, ErrWarehouseNotConfigured()
	}
	if f.Trend == "" {
		f.Trend = analytics.Month
		if p.Days() <= 92 {
			f.Trend = analytics.Week
		}
	}
	topN := f.TopN
	if topN == 0 {
		topN = 10
	}
	ev, err := s.warehouse.Evaluate(ctx, analytics.Query{
		From: p.From, To: p.To,
		DepartmentID: int64(f.DepartmentID), Channel: f.Channel, Kind: f.Kind, CategoryID: int64(f.CategoryID),
		Trend: f.Trend, TopN: topN, Location: s.loc,
	})
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", p.Label, err)
	}
	names, err := s.names(ctx, ev)
	if err != nil {
		return nil, err
	}
	return Assemble(p, f, dept, ev, names), nil
}

// names loads the categories and service projects the top lists rank.
func (s *Service) names(ctx context.Context, ev *analytics.Evaluation) (Names, error) {
	ids := func(lists ...[]analytics.Ranked) []int {
		seen := map[int]bool{}
		var out []int
		for _, l := range lists {
			for _, r := range l {
				if !seen[int(r.ID)] {
					seen[int(r.ID)] = true
					out = append(out, int(r.ID))
				}
			}
		}
		sort.Ints(out)
		return out
	}
	names := Names{Categories: map[int64]Name{}, ServiceProjects: map[int64]Name{}}
	if catIDs := ids(ev.Current.TopCategories, ev.Previous.TopCategories); len(catIDs) > 0 {
		cats, err := s.client.Category.Query().Where(category.IDIn(catIDs...)).All(ctx)
		if err != nil {
			return Names{}, fmt.Errorf("load category names: %w", err)
		}
		for _, c := range cats {
			names.Categories[int64(c.ID)] = Name{ID: c.ID, Code: c.Code, Name: c.Name, NameEn: c.NameEn}
		}
	}
	if projectIDs := ids(ev.Current.TopServiceProjects, ev.Previous.TopServiceProjects); len(projectIDs) > 0 {
		projects, err := s.client.ServiceProject.Query().Where(serviceproject.IDIn(projectIDs...)).All(ctx)
		if err != nil {
			return Names{}, fmt.Errorf("load service project names: %w", err)
		}
		for _, p := range projects {
			names.ServiceProjects[int64(p.ID)] = Name{ID: p.ID, Code: p.Code, Name: p.Name, NameEn: p.NameEn}
		}
	}
	return names, nil
}

// departmentByCode finds a department for the command line's --department.
func (s *Service) departmentByCode(ctx context.Context, code string) (int, error) {
	id, err := s.client.Department.Query().Where(department.Code(code)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		return 0, apperr.New(apperr.Validation, "department.unknown_code").With("code", code).Extend("field", "department")
	}
	if err != nil {
		return 0, fmt.Errorf("find department %s: %w", code, err)
	}
	return id, nil
}
