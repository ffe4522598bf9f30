package policy

import (
	"context"
	"time"
)

// DeadlineInput is what a time-limit decision looks at.
type DeadlineInput struct {
	DepartmentID int
	Kind         string
	Priority     string
	Channel      string
	// ReviewRound is 0 for the original handling, 1 for review, 2 for re-review.
	ReviewRound int
}

// Limits are the time limits that apply to a case. A zero duration means
// "no limit".
type Limits struct {
	// Acknowledge, Decide and Respond run from receipt (or from the review
	// request in a review round).
	Acknowledge time.Duration
	Decide      time.Duration
	Respond     time.Duration
	// ReviewWindow is how long after closing the petitioner may ask for a review.
	ReviewWindow time.Duration
	// ExtensionMax is the most one extension may add; ExtensionCount how
	// many extensions a case may have.
	ExtensionMax   time.Duration
	ExtensionCount int
}

// Deadlines decides the time limits of a case and turns a start time and a
// limit into a due time on the department's calendar.
type Deadlines interface {
	Limits(ctx context.Context, in DeadlineInput) (Limits, error)
	// Due returns when a limit that starts at start ends.
	Due(ctx context.Context, departmentID int, start time.Time, limit time.Duration) (time.Time, error)
}

// FixedDeadlines is the built-in Deadlines: the seed's 48-hour response
// limit for every department, counted in calendar hours.
type FixedDeadlines struct{}

// Seed defaults: acknowledge and decide within a day, answer within 48
// hours, a review may be asked for within 30 days, and handling may be
// extended at most twice by up to 48 hours each.
const (
	DefaultAcknowledge    = 24 * time.Hour
	DefaultDecide         = 24 * time.Hour
	DefaultRespond        = 48 * time.Hour
	DefaultReviewWindow   = 30 * 24 * time.Hour
	DefaultExtensionMax   = 48 * time.Hour
	DefaultExtensionCount = 2
)

// Limits implements Deadlines.
func (FixedDeadlines) Limits(context.Context, DeadlineInput) (Limits, error) {
	return Limits{
		Acknowledge:    DefaultAcknowledge,
		Decide:         DefaultDecide,
		Respond:        DefaultRespond,
		ReviewWindow:   DefaultReviewWindow,
		ExtensionMax:   DefaultExtensionMax,
		ExtensionCount: DefaultExtensionCount,
	}, nil
}

// Due implements Deadlines on a calendar that runs around the clock.
func (FixedDeadlines) Due(_ context.Context, _ int, start time.Time, limit time.Duration) (time.Time, error) {
	return start.Add(limit), nil
}
