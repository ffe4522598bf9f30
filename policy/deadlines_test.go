package policy

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const day = 24 * time.Hour

func TestLimitsDefaults(t *testing.T) {
	t.Parallel()
	e := embedded(t)
	l, err := e.Limits(context.Background(), DeadlineInput{Department: "EDUCATION_AID", Kind: "COMPLAINT", Priority: "NORMAL", Channel: "WEB"})
	require.NoError(t, err)
	require.Equal(t, 24*time.Hour, l.Acknowledge)
	require.Equal(t, 24*time.Hour, l.Decide)
	require.Equal(t, 48*time.Hour, l.Respond)
	require.Equal(t, 7*day, l.Resolve)
	require.Equal(t, 30*day, l.ReviewWindow)
	require.Equal(t, 48*time.Hour, l.ReviewDecide)
	require.Equal(t, 48*time.Hour, l.ExtensionMax)
	require.Equal(t, 2, l.ExtensionCount)
	require.Equal(t, "calendar_hours", l.Calendar.Name())
	require.Equal(t, "Asia/Shanghai", l.Calendar.Location().String())
	require.Equal(t, e.Revision(), l.Decision.Revision)
	// Calendar hours: 48 hours from Friday evening are Sunday evening.
	start := time.Date(2026, 5, 8, 18, 0, 0, 0, l.Calendar.Location())
	require.Equal(t, start.Add(48*time.Hour), l.Calendar.Add(start, l.Respond))
}

func TestLimitsLayers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := embedded(t)
	limits := func(in DeadlineInput) Limits {
		t.Helper()
		l, err := e.Limits(ctx, in)
		require.NoError(t, err)
		return l
	}
	// Priority.
	urgent := limits(DeadlineInput{Department: "HR", Kind: "COMPLAINT", Priority: "URGENT"})
	require.Equal(t, []time.Duration{4 * time.Hour, 8 * time.Hour, 24 * time.Hour, 72 * time.Hour},
		[]time.Duration{urgent.Acknowledge, urgent.Decide, urgent.Respond, urgent.Resolve})
	require.Equal(t, 12*time.Hour, limits(DeadlineInput{Department: "HR", Kind: "COMPLAINT", Priority: "HIGH"}).Acknowledge)
	// Kind.
	report := limits(DeadlineInput{Department: "HR", Kind: "REPORT", Priority: "NORMAL"})
	require.Equal(t, 30*day, report.Resolve)
	require.Equal(t, 7*day, report.ExtensionMax)
	require.Equal(t, 48*time.Hour, report.Respond)
	// Priority over kind.
	require.Equal(t, 72*time.Hour, limits(DeadlineInput{Department: "HR", Kind: "REPORT", Priority: "URGENT"}).Resolve)
	// Department.
	require.Equal(t, 4*time.Hour, limits(DeadlineInput{Department: "CUSTOMER_SERVICE", Kind: "COMPLAINT", Priority: "NORMAL"}).Acknowledge)
	require.Equal(t, 12*time.Hour, limits(DeadlineInput{Department: "COMMUNITY_SERVICES", Kind: "COMPLAINT", Priority: "URGENT"}).Respond)
	require.Equal(t, 24*time.Hour, limits(DeadlineInput{Department: "EDUCATION_AID", Kind: "COMPLAINT", Priority: "URGENT"}).Respond)
	// An unknown department gets the defaults.
	require.Equal(t, 48*time.Hour, limits(DeadlineInput{Department: "NEW_DEPT", Kind: "INQUIRY"}).Respond)
}

func TestLimitsReviewRounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := embedded(t)
	for round, wantWindow := range map[int]time.Duration{0: 30 * day, 1: 30 * day, 2: 0} {
		l, err := e.Limits(ctx, DeadlineInput{Department: "HR", Kind: "COMPLAINT", Priority: "NORMAL", ReviewRound: round})
		require.NoError(t, err)
		require.Equal(t, wantWindow, l.ReviewWindow, "round %d", round)
		if round > 0 {
			require.Equal(t, l.ReviewDecide, l.Respond, "a review is answered within the review handling time")
			require.Equal(t, l.ReviewDecide, l.Resolve)
		} else {
			require.Equal(t, 48*time.Hour, l.Respond)
			require.Equal(t, 7*day, l.Resolve)
		}
	}
	_, err := e.Limits(ctx, DeadlineInput{Department: "HR", ReviewRound: 3})
	require.ErrorContains(t, err, "review round 3")
}

// TestStatutoryExample loads policy/examples/statutory, the limits of the
// 信访条例.
func TestStatutoryExample(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := New(ctx, Options{Dir: "examples/statutory"})
	require.NoError(t, err)
	l, err := e.Limits(ctx, DeadlineInput{Department: "CUSTOMER_SERVICE", Kind: "COMPLAINT", Priority: "NORMAL", Channel: "LETTER"})
	require.NoError(t, err)
	require.Equal(t, 15*day, l.Decide, "accept or decline within 15 days")
	require.Equal(t, 60*day, l.Resolve, "conclude within 60 days")
	require.Equal(t, 60*day, l.Respond)
	require.Equal(t, 30*day, l.ExtensionMax, "one extension of up to 30 days")
	require.Equal(t, 1, l.ExtensionCount)
	require.Equal(t, 30*day, l.ReviewWindow, "ask for a review within 30 days")
	require.Equal(t, 30*day, l.ReviewDecide, "a review is decided within 30 days")
	review, err := e.Limits(ctx, DeadlineInput{Department: "CUSTOMER_SERVICE", Kind: "COMPLAINT", Priority: "NORMAL", ReviewRound: 1})
	require.NoError(t, err)
	require.Equal(t, 30*day, review.Respond)
	require.Equal(t, 30*day, review.ReviewWindow, "then a re-review within 30 days")
	final, err := e.Limits(ctx, DeadlineInput{Department: "CUSTOMER_SERVICE", Kind: "COMPLAINT", Priority: "NORMAL", ReviewRound: 2})
	require.NoError(t, err)
	require.Equal(t, 30*day, final.Resolve, "the re-review is decided within 30 days")
	require.Equal(t, time.Duration(0), final.ReviewWindow, "and is final")
}

// TestBusinessHoursExample loads policy/examples/business-hours.
func TestBusinessHoursExample(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := New(ctx, Options{Dir: "examples/business-hours"})
	require.NoError(t, err)
	l, err := e.Limits(ctx, DeadlineInput{Department: "EDUCATION_AID", Kind: "COMPLAINT", Priority: "NORMAL"})
	require.NoError(t, err)
	require.Equal(t, "business_hours", l.Calendar.Name())
	loc := l.Calendar.Location()
	// Received on the eve of the National Day holiday (Wed 30 Sep 2026,
	// 17:00): half an hour that day, nothing from 1 to 7 October, then the
	// make-up Saturday 10 October counts before Monday 12.
	received := time.Date(2026, 9, 30, 17, 0, 0, 0, loc)
	due := l.Calendar.Add(received, l.Respond)
	// 48 h = 0.5 h (30 Sep) + 7 h each on 8, 9, 10, 12, 13, 14 Oct (42 h) +
	// 5.5 h on 15 Oct: 09:00–12:00 and 13:30–16:00.
	require.Equal(t, time.Date(2026, 10, 15, 16, 0, 0, 0, loc), due)
	hotline, err := e.Limits(ctx, DeadlineInput{Department: "CUSTOMER_SERVICE", Kind: "COMPLAINT", Priority: "NORMAL"})
	require.NoError(t, err)
	require.Equal(t, "hotline_hours", hotline.Calendar.Name())
}
