package evaluation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/evaluation"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	return loc
}

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	for _, tc := range []struct {
		in        string
		label     string
		from, to  time.Time
		days      int
		halfYears []string
	}{
		{"2026H1", "2026H1", day(2026, 1, 1), day(2026, 7, 1), 181, []string{"2026H1"}},
		{"2026h2", "2026H2", day(2026, 7, 1), day(2027, 1, 1), 184, []string{"2026H2"}},
		{" 2026Q3 ", "2026Q3", day(2026, 7, 1), day(2026, 10, 1), 92, []string{"2026H2"}},
		{"2028Q1", "2028Q1", day(2028, 1, 1), day(2028, 4, 1), 91, []string{"2028H1"}}, // a leap year
		{"2026", "2026", day(2026, 1, 1), day(2027, 1, 1), 365, []string{"2026H1", "2026H2"}},
		{"2026-05-15..2026-08-14", "2026-05-15..2026-08-14", day(2026, 5, 15), day(2026, 8, 15), 92, []string{"2026H1", "2026H2"}},
		{"2026-03-01..2026-03-01", "2026-03-01..2026-03-01", day(2026, 3, 1), day(2026, 3, 2), 1, []string{"2026H1"}},
	} {
		p, err := evaluation.ParsePeriod(tc.in, loc)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.label, p.Label, tc.in)
		require.True(t, tc.from.Equal(p.From), "%s: from %s", tc.in, p.From)
		require.True(t, tc.to.Equal(p.To), "%s: to %s", tc.in, p.To)
		require.Equal(t, tc.days, p.Days(), tc.in)
		require.Equal(t, tc.halfYears, p.HalfYears(), tc.in)
		require.Equal(t, loc, p.From.Location(), "periods are days of the organisation's time zone")
	}

	for in, key := range map[string]string{
		"2026H3":                 "evaluation.period",
		"2026Q5":                 "evaluation.period",
		"H1":                     "evaluation.period",
		"":                       "evaluation.period",
		"2026-02-30..2026-03-01": "evaluation.period",
		"2026-01-01":             "evaluation.period",
		"2026-03-01..2026-02-01": "evaluation.period_order",
		"2020-01-01..2026-01-01": "evaluation.period_length",
	} {
		_, err := evaluation.ParsePeriod(in, loc)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae, in)
		require.Equal(t, apperr.Validation, ae.Code, in)
		require.Equal(t, key, ae.Key, in)
		require.Equal(t, "period", ae.Extensions["field"], in)
	}
}

func TestParseLabelRefusesCustomDays(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	p, ok := evaluation.ParseLabel("2026h1", loc)
	require.True(t, ok)
	require.Equal(t, "2026H1", p.Label)
	_, ok = evaluation.ParseLabel("2026-01-01..2026-06-30", loc)
	require.False(t, ok, "improvement actions are filed under named periods only")
}

func TestPeriodOver(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	p, err := evaluation.ParsePeriod("2026H1", loc)
	require.NoError(t, err)
	require.False(t, p.Over(time.Date(2026, 6, 30, 23, 59, 59, 0, loc)))
	require.True(t, p.Over(time.Date(2026, 7, 1, 0, 0, 0, 0, loc)))
	// 2026-06-30 16:00 UTC is already July 1st in Shanghai.
	require.True(t, p.Over(time.Date(2026, 6, 30, 16, 0, 0, 0, time.UTC)))
}
