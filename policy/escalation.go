package policy

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// EscalationInput describes one running deadline of a case.
type EscalationInput struct {
	Department, Kind, Priority string
	// Deadline is "acknowledge", "decide", "respond" or "resolve".
	Deadline string
	// Start is when the time began to run, Due when it ends, Now the
	// moment of the check.
	Start, Due, Now time.Time
	// Level is the highest level already recorded for this deadline: 0
	// none, 1 warned, 2 breached, 3 escalated.
	Level int
}

// The escalation levels.
const (
	LevelFine      = 0
	LevelWarned    = 1
	LevelBreached  = 2
	LevelEscalated = 3
)

// Escalation is the state of a deadline and whom to alert.
type Escalation struct {
	// Level is the current level: 0 fine, 1 warn, 2 breached, 3 escalated
	// beyond the department. It can be lower than the recorded level when
	// the due time moved (an extension).
	Level int
	// Notify lists, once each, whom to alert for the levels reached since
	// the recorded one: "assignee", "dept_head", "admin". Empty when
	// nothing new happened.
	Notify []string
	// NextCheck is when the level would next change if nothing else does
	// (zero once escalated): a watcher may sleep until then.
	NextCheck time.Time
	Reasons   []string
	Decision  Decision
}

// Escalate decides the escalation level of a running deadline. Elapsed and
// overdue times are working time on the department's calendar, so a
// deadline does not draw nearer over a weekend when the department is
// closed.
func (e *Engine) Escalate(ctx context.Context, in EscalationInput) (Escalation, error) {
	start := time.Now()
	c := e.active.Load()
	d := e.nextDecision(c)
	esc, err := c.escalate(ctx, in)
	if err != nil {
		e.done(ctx, policyEscalation, start, d, resultError, err)
		return Escalation{}, fmt.Errorf("escalation of %s: %w", in.Deadline, err)
	}
	esc.Decision = d
	if e.done(ctx, policyEscalation, start, d, resultOK, nil) {
		e.logDecision(ctx, policyEscalation, d, resultOK, slog.String("deadline", in.Deadline), slog.Int("level", esc.Level),
			slog.Any("notify", esc.Notify), slog.Time("next_check", esc.NextCheck))
	}
	return esc, nil
}

func (c *compiled) escalate(ctx context.Context, in EscalationInput) (Escalation, error) {
	if !slices.Contains(knownDeadlines, in.Deadline) {
		return Escalation{}, fmt.Errorf("unknown deadline %q: want one of %v", in.Deadline, knownDeadlines)
	}
	if in.Start.IsZero() || in.Due.IsZero() || in.Now.IsZero() {
		return Escalation{}, fmt.Errorf("start, due and now are required")
	}
	if in.Level < LevelFine || in.Level > LevelEscalated {
		return Escalation{}, fmt.Errorf("recorded level %d: want 0 to 3", in.Level)
	}
	ct, err := c.eval(ctx, c.calendar, ast.NewObject(
		item("department", str(in.Department)),
		item("kind", str(in.Kind)),
		item("priority", str(in.Priority)),
		item("channel", str("")),
		item("review_round", num(0)),
	))
	if err != nil {
		return Escalation{}, fmt.Errorf("calendar: %w", err)
	}
	name, ok := ct.Value.(ast.String)
	if !ok {
		return Escalation{}, fmt.Errorf("calendar: want a name, got %v", ct)
	}
	cal, err := c.calendarNamed(string(name))
	if err != nil {
		return Escalation{}, err
	}

	allowed := cal.Working(in.Start, in.Due)
	elapsed := cal.Working(in.Start, in.Now)
	breached := !in.Now.Before(in.Due)
	var fraction float64
	switch {
	case allowed > 0:
		fraction = float64(elapsed) / float64(allowed)
	case breached:
		fraction = 1
	}
	var overdue time.Duration
	if breached {
		overdue = cal.Working(in.Due, in.Now)
	}

	t, err := c.eval(ctx, c.escalation, ast.NewObject(
		item("department", str(in.Department)),
		item("kind", str(in.Kind)),
		item("priority", str(in.Priority)),
		item("deadline", str(in.Deadline)),
		item("level", num(in.Level)),
		item("elapsed_fraction", ast.FloatNumberTerm(fraction)),
		item("breached", boolean(breached)),
		item("overdue_ns", ast.IntNumberTerm(int(overdue))),
	))
	if err != nil {
		return Escalation{}, err
	}
	obj, err := asObject(t, "escalation decision")
	if err != nil {
		return Escalation{}, err
	}
	var esc Escalation
	if esc.Level, err = getInt(obj, "level"); err != nil {
		return Escalation{}, err
	}
	if esc.Level < LevelFine || esc.Level > LevelEscalated {
		return Escalation{}, fmt.Errorf("level %d: want 0 to 3", esc.Level)
	}
	if esc.Notify, err = getStrings(obj, "notify"); err != nil {
		return Escalation{}, err
	}
	if esc.Reasons, err = getStrings(obj, "reasons"); err != nil {
		return Escalation{}, err
	}
	warnAt, err := getFloat(obj, "warn_at")
	if err != nil {
		return Escalation{}, err
	}
	after, err := getString(obj, "escalate_after")
	if err != nil {
		return Escalation{}, err
	}
	escalateAfter, err := parseDuration(after)
	if err != nil {
		return Escalation{}, fmt.Errorf("escalate_after: %w", err)
	}

	// The next change: the warning threshold, the due time, or the
	// escalation threshold, each on the calendar.
	switch esc.Level {
	case LevelFine:
		esc.NextCheck = in.Due
		if warn := cal.Add(in.Start, time.Duration(warnAt*float64(allowed))); warnAt < 1 && warn.Before(in.Due) {
			esc.NextCheck = warn
		}
	case LevelWarned:
		esc.NextCheck = in.Due
	case LevelBreached:
		esc.NextCheck = cal.Add(in.Due, escalateAfter)
	}
	if !esc.NextCheck.IsZero() && !esc.NextCheck.After(in.Now) {
		// A policy whose levels do not follow the thresholds above; look
		// again soon rather than never.
		esc.NextCheck = in.Now.Add(time.Minute)
	}
	return esc, nil
}
