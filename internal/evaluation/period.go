package evaluation

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xinfang/xinfang/internal/apperr"
)

// Period is a span of calendar days in the organisation's time zone:
// cases received in [From, To) belong to it.
type Period struct {
	// Label names the period: "2026H1", "2026H2", "2026Q3", "2026", or
	// "2026-01-01..2026-03-31" for custom dates (both days included).
	Label    string
	From, To time.Time
}

// maxCustomDays bounds a custom period, so that one query cannot ask the
// warehouse for a decade.
const maxCustomDays = 3*366 + 1

var (
	halfYearLabel = regexp.MustCompile(`^(\d{4})H([12])$`)
	quarterLabel  = regexp.MustCompile(`^(\d{4})Q([1-4])$`)
	yearLabel     = regexp.MustCompile(`^(\d{4})$`)
)

// ParsePeriod reads a period in loc: a half-year ("2026H1", "2026H2"), a
// quarter ("2026Q3"), a calendar year ("2026"), or custom days
// "2026-01-01..2026-03-31" (the last day included). Errors are VALIDATION
// errors about the field "period".
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if p, ok := parseLabel(s, loc); ok {
		return p, nil
	}
	first, last, ok := strings.Cut(s, "..")
	if !ok {
		return Period{}, periodError(s)
	}
	from, err1 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(first), loc)
	until, err2 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(last), loc)
	if err1 != nil || err2 != nil {
		return Period{}, periodError(s)
	}
	return CustomPeriod(from, until.AddDate(0, 0, 1))
}

// ParseLabel reads a named period (half-year, quarter or year), the kind
// improvement actions are filed under; custom dates are refused.
func ParseLabel(s string, loc *time.Location) (Period, bool) {
	return parseLabel(strings.ToUpper(strings.TrimSpace(s)), loc)
}

func parseLabel(s string, loc *time.Location) (Period, bool) {
	year := func(digits string) int { y, _ := strconv.Atoi(digits); return y }
	start := func(y, month int) time.Time { return time.Date(y, time.Month(month), 1, 0, 0, 0, 0, loc) }
	if m := halfYearLabel.FindStringSubmatch(s); m != nil {
		from := start(year(m[1]), 1+6*(int(m[2][0]-'1')))
		return Period{Label: s, From: from, To: from.AddDate(0, 6, 0)}, true
	}
	if m := quarterLabel.FindStringSubmatch(s); m != nil {
		from := start(year(m[1]), 1+3*(int(m[2][0]-'1')))
		return Period{Label: s, From: from, To: from.AddDate(0, 3, 0)}, true
	}
	if m := yearLabel.FindStringSubmatch(s); m != nil {
		from := start(year(m[1]), 1)
		return Period{Label: s, From: from, To: from.AddDate(1, 0, 0)}, true
	}
	return Period{}, false
}

// CustomPeriod is [from, to) with a label of its days. Both should be
// midnights in the organisation's time zone.
func CustomPeriod(from, to time.Time) (Period, error) {
	label := from.Format(time.DateOnly) + ".." + to.AddDate(0, 0, -1).Format(time.DateOnly)
	if !to.After(from) {
		return Period{}, apperr.Field("period", "evaluation.period_order").With("value", label)
	}
	if to.Sub(from) > maxCustomDays*24*time.Hour {
		return Period{}, apperr.Field("period", "evaluation.period_length").With("max", maxCustomDays)
	}
	return Period{Label: label, From: from, To: to}, nil
}

func periodError(s string) error {
	return apperr.Field("period", "evaluation.period").With("value", s)
}

// Days is the period's length in calendar days.
func (p Period) Days() int {
	return int(p.To.Sub(p.From).Round(24*time.Hour) / (24 * time.Hour))
}

// LastDay is the last day of the period, YYYY-MM-DD.
func (p Period) LastDay() string { return p.To.AddDate(0, 0, -1).Format(time.DateOnly) }

// FirstDay is the first day of the period, YYYY-MM-DD.
func (p Period) FirstDay() string { return p.From.Format(time.DateOnly) }

// Over reports whether the period has ended at now.
func (p Period) Over(now time.Time) bool { return !now.Before(p.To) }

// HalfYears lists the labels of the half-years the period overlaps, in
// order: the seed strategy asks for an evaluation with improvement actions
// in each.
func (p Period) HalfYears() []string {
	var out []string
	loc := p.From.Location()
	y, m, _ := p.From.Date()
	h := time.Date(y, time.January, 1, 0, 0, 0, 0, loc)
	if m > time.June {
		h = h.AddDate(0, 6, 0)
	}
	for ; h.Before(p.To); h = h.AddDate(0, 6, 0) {
		half := 1
		if h.Month() > time.June {
			half = 2
		}
		out = append(out, fmt.Sprintf("%dH%d", h.Year(), half))
	}
	return out
}

// previousPeriod is the span of the same length just before p, as the
// warehouse compares it.
func previousPeriod(p Period, from, to time.Time) Period {
	if from.IsZero() || to.IsZero() {
		from, to = p.From.Add(-p.To.Sub(p.From)), p.From
	}
	from, to = from.In(p.From.Location()), to.In(p.From.Location())
	return Period{
		Label: from.Format(time.DateOnly) + ".." + to.AddDate(0, 0, -1).Format(time.DateOnly),
		From:  from, To: to,
	}
}
