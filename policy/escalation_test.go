package policy

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEscalationLevels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := embedded(t)
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	start := time.Date(2026, 5, 4, 9, 0, 0, 0, loc)
	due := start.Add(48 * time.Hour) // calendar hours
	for _, c := range []struct {
		name      string
		now       time.Time
		level     int // recorded
		want      int
		notify    []string
		nextCheck time.Time
	}{
		{"fresh", start.Add(time.Hour), 0, 0, nil, start.Add(36 * time.Hour)},
		{"just before 75%", start.Add(36*time.Hour - time.Second), 0, 0, nil, start.Add(36 * time.Hour)},
		{"at 75%: warn", start.Add(36 * time.Hour), 0, 1, []string{"assignee", "dept_head"}, due},
		{"warned already", start.Add(40 * time.Hour), 1, 1, nil, due},
		{"due: breached", due, 1, 2, []string{"dept_head"}, due.Add(24 * time.Hour)},
		{"breached already", due.Add(time.Hour), 2, 2, nil, due.Add(24 * time.Hour)},
		{"a day late: escalated", due.Add(24 * time.Hour), 2, 3, []string{"admin"}, time.Time{}},
		{"never checked before: everyone once", due.Add(30 * time.Hour), 0, 3, []string{"assignee", "dept_head", "admin"}, time.Time{}},
		{"extended: back to fine", start.Add(time.Hour), 2, 0, nil, start.Add(36 * time.Hour)},
	} {
		esc, err := e.Escalate(ctx, EscalationInput{Department: "HR", Kind: "COMPLAINT", Priority: "NORMAL",
			Deadline: "respond", Start: start, Due: due, Now: c.now, Level: c.level})
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, esc.Level, c.name)
		require.Equal(t, c.notify, esc.Notify, c.name)
		require.True(t, c.nextCheck.Equal(esc.NextCheck), "%s: next check %v, want %v", c.name, esc.NextCheck, c.nextCheck)
		if c.want > 0 {
			require.NotEmpty(t, esc.Reasons, c.name)
		}
		require.Equal(t, e.Revision(), esc.Decision.Revision)
	}
}

func TestEscalationUrgent(t *testing.T) {
	t.Parallel()
	e := embedded(t)
	start := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	due := start.Add(24 * time.Hour)
	esc, err := e.Escalate(context.Background(), EscalationInput{Department: "HR", Kind: "COMPLAINT", Priority: "URGENT",
		Deadline: "respond", Start: start, Due: due, Now: start.Add(12 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, 1, esc.Level, "urgent cases warn at half time")
	require.Equal(t, []string{"respond: 50% of the time elapsed; warning at 50%"}, esc.Reasons)
	esc, err = e.Escalate(context.Background(), EscalationInput{Department: "HR", Kind: "COMPLAINT", Priority: "URGENT",
		Deadline: "respond", Start: start, Due: due, Now: due.Add(time.Hour), Level: 2})
	require.NoError(t, err)
	require.Equal(t, due.Add(4*time.Hour), esc.NextCheck, "and escalate 4 hours after the breach")
}

// TestEscalationOnBusinessHours counts the warning threshold and the
// escalation delay in working time.
func TestEscalationOnBusinessHours(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := New(ctx, Options{Dir: "examples/business-hours"})
	require.NoError(t, err)
	l, err := e.Limits(ctx, DeadlineInput{Department: "HR", Kind: "COMPLAINT", Priority: "NORMAL"})
	require.NoError(t, err)
	cal := l.Calendar
	loc := cal.Location()
	start := time.Date(2026, 4, 27, 9, 0, 0, 0, loc) // Monday
	due := cal.Add(start, 14*time.Hour)              // Tuesday 17:30
	require.Equal(t, time.Date(2026, 4, 28, 17, 30, 0, 0, loc), due)
	in := EscalationInput{Department: "HR", Kind: "COMPLAINT", Priority: "NORMAL", Deadline: "respond", Start: start, Due: due}

	// Monday evening: 7 of 14 working hours.
	in.Now = time.Date(2026, 4, 27, 20, 0, 0, 0, loc)
	esc, err := e.Escalate(ctx, in)
	require.NoError(t, err)
	require.Equal(t, 0, esc.Level)
	// 75% of 14 h is 10.5 h: Monday's 7 h, Tuesday morning's 3 h, then half
	// an hour after lunch.
	require.Equal(t, time.Date(2026, 4, 28, 14, 0, 0, 0, loc), esc.NextCheck)

	// Breached on Tuesday 17:30, escalated 24 working hours later.
	in.Now, in.Level = due.Add(time.Minute), 1
	esc, err = e.Escalate(ctx, in)
	require.NoError(t, err)
	require.Equal(t, 2, esc.Level)
	require.Equal(t, cal.Add(due, 24*time.Hour), esc.NextCheck)
	// Wed 29 (7 h), Thu 30 (14 h), holiday 1–5 May, Wed 6 May (21 h), then
	// 3 h on Thursday 7 May: 12:00.
	require.Equal(t, time.Date(2026, 5, 7, 12, 0, 0, 0, loc), esc.NextCheck)

	// During the holiday the case is overdue by 14 working hours only.
	in.Now, in.Level = time.Date(2026, 5, 3, 12, 0, 0, 0, loc), 2
	esc, err = e.Escalate(ctx, in)
	require.NoError(t, err)
	require.Equal(t, 2, esc.Level)
	in.Now = time.Date(2026, 5, 7, 12, 0, 0, 0, loc)
	esc, err = e.Escalate(ctx, in)
	require.NoError(t, err)
	require.Equal(t, 3, esc.Level)
	require.Equal(t, []string{"admin"}, esc.Notify)
	require.True(t, esc.NextCheck.IsZero())
}

func TestEscalationInputErrors(t *testing.T) {
	t.Parallel()
	e := embedded(t)
	now := time.Now()
	_, err := e.Escalate(context.Background(), EscalationInput{Deadline: "lunch", Start: now, Due: now, Now: now})
	require.ErrorContains(t, err, `unknown deadline "lunch"`)
	_, err = e.Escalate(context.Background(), EscalationInput{Deadline: "respond"})
	require.ErrorContains(t, err, "start, due and now are required")
	_, err = e.Escalate(context.Background(), EscalationInput{Deadline: "respond", Start: now, Due: now, Now: now, Level: 4})
	require.ErrorContains(t, err, "recorded level 4")
}
