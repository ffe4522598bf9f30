package evaluation

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/improvementaction"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/policy"
)

// Format is a report's file format.
type Format string

// The report formats; the values match the GraphQL enum ReportFormat.
const (
	Markdown Format = "MD"
	CSV      Format = "CSV"
	XLSX     Format = "XLSX"
)

// ParseFormat reads md, csv or xlsx (any case).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToUpper(strings.TrimSpace(s))); f {
	case Markdown, CSV, XLSX:
		return f, nil
	}
	return "", apperr.Field("format", "evaluation.report_format").With("value", s)
}

// MarshalGQL writes the format as a GraphQL enum value.
func (f Format) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(f))) }

// UnmarshalGQL reads a GraphQL enum value.
func (f *Format) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("format must be a string")
	}
	parsed, err := ParseFormat(s)
	if err != nil {
		return err
	}
	*f = parsed
	return nil
}

// File is one file of a report.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Base64 is the file's bytes in standard, padded base64, as the GraphQL
// API carries them.
func (f File) Base64() string { return base64.StdEncoding.EncodeToString(f.Data) }

// Report is a rendered evaluation report: the document and the chart
// images it shows. A Markdown document links to the charts by file name,
// so they belong beside it; an XLSX document embeds them as well.
type Report struct {
	Period   Period
	Format   Format
	Document File
	Charts   []File
}

// ReportRequest says which report to produce.
type ReportRequest struct {
	Period string
	Format Format
	// DepartmentID or DepartmentCode narrow the figures to one
	// department; the scorecard always covers the organisation.
	DepartmentID   int
	DepartmentCode string
}

// ReportData is everything a report shows.
type ReportData struct {
	Evaluation *Evaluation
	// Scorecard covers the whole organisation, whatever the filter.
	Scorecard *Scorecard
	Actions   []ActionLine
	// GeneratedAt is shown in the report's heading.
	GeneratedAt time.Time
}

// ActionLine is an improvement action as a report lists it.
type ActionLine struct {
	ID          int
	Title       string
	Department  string // Chinese name
	DueDate     string
	Status      string
	KPIKey      string
	PeriodLabel string
}

// Report produces the evaluation report of a period.
func (s *Service) Report(ctx context.Context, req ReportRequest) (*Report, error) {
	if err := s.authorize(ctx, policy.ActionEvaluationRead); err != nil {
		return nil, err
	}
	format, err := ParseFormat(string(req.Format))
	if err != nil {
		return nil, err
	}
	p, err := ParsePeriod(req.Period, s.loc)
	if err != nil {
		return nil, err
	}
	filter := Filter{DepartmentID: req.DepartmentID}
	if req.DepartmentCode != "" {
		if filter.DepartmentID, err = s.departmentByCode(ctx, req.DepartmentCode); err != nil {
			return nil, err
		}
	}
	ev, err := s.evaluate(ctx, p, filter)
	if err != nil {
		return nil, err
	}
	org := ev
	if filter.DepartmentID != 0 {
		if org, err = s.evaluate(ctx, p, Filter{}); err != nil {
			return nil, err
		}
	}
	sc, err := s.scorecard(ctx, p, org)
	if err != nil {
		return nil, err
	}
	actions, err := s.actionLines(ctx, p, filter.DepartmentID)
	if err != nil {
		return nil, err
	}
	return Render(format, ReportData{Evaluation: ev, Scorecard: sc, Actions: actions, GeneratedAt: s.now().In(s.loc)})
}

// actionLines lists the improvement actions of the period's half-years.
func (s *Service) actionLines(ctx context.Context, p Period, departmentID int) ([]ActionLine, error) {
	q := s.client.ImprovementAction.Query().
		Where(improvementaction.PeriodLabelIn(p.HalfYears()...)).
		WithDepartment().
		Order(ent.Asc(improvementaction.FieldDueDate), ent.Asc(improvementaction.FieldID))
	if departmentID != 0 {
		q.Where(improvementaction.DepartmentID(departmentID))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list improvement actions: %w", err)
	}
	out := make([]ActionLine, len(rows))
	for i, a := range rows {
		out[i] = ActionLine{ID: a.ID, Title: a.Title, DueDate: a.DueDate, Status: string(a.Status), PeriodLabel: a.PeriodLabel}
		if a.Edges.Department != nil {
			out[i].Department = a.Edges.Department.Name
		}
		if a.KpiKey != nil {
			out[i].KPIKey = *a.KpiKey
		}
	}
	return out, nil
}

// Render writes a report in a format, with its charts. It is a pure
// function of its data.
func Render(format Format, d ReportData) (*Report, error) {
	ev := d.Evaluation
	base := "evaluation-" + fileLabel(ev.Period.Label)
	if ev.Department != nil {
		base += "-" + fileLabel(ev.Department.Code)
	}
	gran := ev.Filter.Trend
	trend, err := trendChart(ev.Current.Trend, gran)
	if err != nil {
		return nil, err
	}
	within, err := withinLimitChart(ev.Current.Trend, gran)
	if err != nil {
		return nil, err
	}
	r := &Report{Period: ev.Period, Format: format, Charts: []File{
		{Name: base + "-trend.png", ContentType: "image/png", Data: trend},
		{Name: base + "-within-limit.png", ContentType: "image/png", Data: within},
	}}
	var doc []byte
	switch format {
	case Markdown:
		doc = renderMarkdown(d, r.Charts)
		r.Document = File{Name: base + ".md", ContentType: "text/markdown; charset=utf-8", Data: doc}
	case CSV:
		if doc, err = renderCSV(d); err != nil {
			return nil, err
		}
		r.Document = File{Name: base + ".csv", ContentType: "text/csv; charset=utf-8", Data: doc}
	case XLSX:
		if doc, err = renderXLSX(d, r.Charts); err != nil {
			return nil, err
		}
		r.Document = File{Name: base + ".xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: doc}
	default:
		return nil, apperr.Field("format", "evaluation.report_format").With("value", string(format))
	}
	return r, nil
}

// fileLabel keeps the characters that are safe in a file name.
func fileLabel(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r == '.':
			return '_'
		}
		return -1
	}, s)
}

// figureRow is one line of the figures table of every format.
type figureRow struct {
	key, label, labelEn string
	unit                Unit
	value               func(analytics.Figures) float64
	// lowerIsBetter marks durations, breaches and reviews.
	lowerIsBetter bool
}

var figureRows = []figureRow{
	{"received", "收到信访", "Received", UnitCount, func(f analytics.Figures) float64 { return float64(f.Received) }, false},
	{"accepted", "受理", "Accepted", UnitCount, func(f analytics.Figures) float64 { return float64(f.Accepted) }, false},
	{"declined", "不予受理", "Not accepted", UnitCount, func(f analytics.Figures) float64 { return float64(f.Declined) }, false},
	{"acceptanceRate", "受理率", "Acceptance rate", UnitShare, func(f analytics.Figures) float64 { return f.AcceptanceRate }, false},
	{"ackMedianHours", "确认时长中位数", "Time to acknowledge, median", UnitHours, func(f analytics.Figures) float64 { return hours(f.TimeToAcknowledge.Median) }, true},
	{"ackP90Hours", "确认时长90分位", "Time to acknowledge, p90", UnitHours, func(f analytics.Figures) float64 { return hours(f.TimeToAcknowledge.P90) }, true},
	{"firstResponseMedianHours", "首次答复时长中位数", "Time to first response, median", UnitHours, func(f analytics.Figures) float64 { return hours(f.TimeToFirstResponse.Median) }, true},
	{"firstResponseP90Hours", "首次答复时长90分位", "Time to first response, p90", UnitHours, func(f analytics.Figures) float64 { return hours(f.TimeToFirstResponse.P90) }, true},
	{"resolutionMedianHours", "办结时长中位数", "Time to resolution, median", UnitHours, func(f analytics.Figures) float64 { return hours(f.TimeToResolution.Median) }, true},
	{"resolutionP90Hours", "办结时长90分位", "Time to resolution, p90", UnitHours, func(f analytics.Figures) float64 { return hours(f.TimeToResolution.P90) }, true},
	{"responded", "已答复", "Responded", UnitCount, func(f analytics.Figures) float64 { return float64(f.Responded) }, false},
	{"withinLimit", "按时答复", "Responded within the limit", UnitCount, func(f analytics.Figures) float64 { return float64(f.WithinLimit) }, false},
	{"withinLimitShare", "按时答复率", "Share within the limit", UnitShare, func(f analytics.Figures) float64 { return f.WithinLimitShare }, false},
	{"breaches", "超时", "Breaches", UnitCount, func(f analytics.Figures) float64 { return float64(f.Breaches) }, true},
	{"extensions", "延期", "Extensions", UnitCount, func(f analytics.Figures) float64 { return float64(f.Extensions) }, true},
	{"closed", "办结", "Closed", UnitCount, func(f analytics.Figures) float64 { return float64(f.Closed) }, false},
	{"rated", "已评价", "Rated", UnitCount, func(f analytics.Figures) float64 { return float64(f.Rated) }, false},
	{"satisfactionRate", "满意率（评分≥4）", "Satisfaction rate (ratings ≥ 4)", UnitShare, func(f analytics.Figures) float64 { return f.SatisfactionRate }, false},
	{"surveyResponseRate", "评价率", "Survey response rate", UnitShare, func(f analytics.Figures) float64 { return f.SurveyResponseRate }, false},
	{"reviews", "复查", "Reviews", UnitCount, func(f analytics.Figures) float64 { return float64(f.Reviews) }, true},
	{"reviewRate", "复查率", "Review rate", UnitShare, func(f analytics.Figures) float64 { return f.ReviewRate }, true},
	{"reReviews", "复核", "Re-reviews", UnitCount, func(f analytics.Figures) float64 { return float64(f.ReReviews) }, true},
	{"reReviewRate", "复核率", "Re-review rate", UnitShare, func(f analytics.Figures) float64 { return f.ReReviewRate }, true},
	{"petitioners", "信访人", "Petitioners", UnitCount, func(f analytics.Figures) float64 { return float64(f.Petitioners) }, false},
	{"repeatPetitioners", "重复信访人", "Repeat petitioners", UnitCount, func(f analytics.Figures) float64 { return float64(f.RepeatPetitioners) }, true},
}

// comparison is a figure of both periods and how it changed.
type comparison struct {
	row               figureRow
	current, previous float64
	change            float64
	// changeShare is change ÷ previous; nil when previous is 0.
	changeShare *float64
}

func compare(ev *Evaluation) []comparison {
	out := make([]comparison, len(figureRows))
	for i, row := range figureRows {
		c := comparison{row: row, current: row.value(ev.Current.Figures), previous: row.value(ev.Previous.Figures)}
		c.change = c.current - c.previous
		if c.previous != 0 {
			share := c.change / c.previous
			c.changeShare = &share
		}
		out[i] = c
	}
	return out
}

// formatValue shows a value in its unit: counts whole, hours with one
// decimal (minutes under an hour), shares as percentages with one decimal.
func formatValue(v float64, u Unit) string {
	switch u {
	case UnitShare:
		return fmt.Sprintf("%.1f%%", v*100)
	case UnitHours:
		if math.Abs(v) < 1 {
			return fmt.Sprintf("%.0f min", v*60)
		}
		return fmt.Sprintf("%.1f h", v)
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// formatChange shows a difference in its unit with a sign; shares change
// by percentage points.
func formatChange(v float64, u Unit) string {
	sign := "+"
	if v < 0 {
		sign, v = "−", -v
	}
	switch u {
	case UnitShare:
		return fmt.Sprintf("%s%.1f pp", sign, v*100)
	}
	return sign + formatValue(v, u)
}

func formatShareChange(p *float64) string {
	if p == nil {
		return "—"
	}
	v := *p
	sign := "+"
	if v < 0 {
		sign, v = "−", -v
	}
	return fmt.Sprintf("%s%.1f%%", sign, v*100)
}

func formatTarget(k KPI) string {
	op := "≥"
	if k.Comparison == AtMost {
		op = "≤"
	}
	return op + " " + formatValue(k.Target, k.Unit)
}

func formatCurrent(k KPI) string {
	if k.Current == nil {
		return "—"
	}
	return formatValue(*k.Current, k.Unit)
}

// statusLabel names a status in both languages.
func statusLabel(s Status) string {
	return map[Status]string{
		StatusMet: "达标 MET", StatusAtRisk: "有风险 AT_RISK", StatusMissed: "未达标 MISSED", StatusNoData: "暂无数据 NO_DATA",
	}[s]
}

// actionStatusLabel names an improvement action's status in both languages.
func actionStatusLabel(s string) string {
	if l, ok := map[string]string{
		"OPEN": "未开始 OPEN", "IN_PROGRESS": "进行中 IN_PROGRESS", "DONE": "已完成 DONE", "CANCELLED": "已取消 CANCELLED",
	}[s]; ok {
		return l
	}
	return s
}

func kindName(k string) string {
	return map[string]string{"COMPLAINT": "投诉", "SUGGESTION": "建议", "INQUIRY": "咨询", "PRAISE": "表扬", "REPORT": "举报"}[k]
}

// scopeLabel says which cases the figures cover.
func scopeLabel(ev *Evaluation) (string, string) {
	zh, en := "全组织", "Whole organisation"
	if ev.Department != nil {
		zh, en = ev.Department.Name, ev.Department.NameEn
		if en == "" {
			en = ev.Department.Code
		}
	}
	var parts, partsEn []string
	if ev.Filter.Channel != "" {
		parts = append(parts, "渠道 "+channelName(ev.Filter.Channel))
		partsEn = append(partsEn, "channel "+ev.Filter.Channel)
	}
	if ev.Filter.Kind != "" {
		parts = append(parts, "类型 "+kindName(ev.Filter.Kind))
		partsEn = append(partsEn, "kind "+ev.Filter.Kind)
	}
	if ev.Filter.CategoryID != 0 {
		parts = append(parts, fmt.Sprintf("分类 #%d", ev.Filter.CategoryID))
		partsEn = append(partsEn, fmt.Sprintf("category #%d", ev.Filter.CategoryID))
	}
	if len(parts) > 0 {
		zh += "（" + strings.Join(parts, "，") + "）"
		en += " (" + strings.Join(partsEn, ", ") + ")"
	}
	return zh, en
}
