package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// DeadlineInput is what a time-limit decision looks at.
type DeadlineInput struct {
	Department              string // code
	Kind, Priority, Channel string
	// ReviewRound is 0 for the original handling, 1 for a review (复查) and
	// 2 for a re-review (复核).
	ReviewRound int
}

// Limits are the time limits that apply to a case, counted in working time
// on Calendar. A zero duration means "no limit".
type Limits struct {
	// Acknowledge, Decide (accept or decline), Respond (the written reply)
	// and Resolve (closing) run from receipt, or in a review round from the
	// review request. In a review round Respond and Resolve are, unless the
	// policy says otherwise, the review handling time.
	Acknowledge, Decide, Respond, Resolve time.Duration
	// ReviewWindow is how long after the reply the petitioner may ask for
	// the next round (0 after the re-review: there is none). ReviewDecide
	// is how long a review has to be decided, from its request.
	ReviewWindow, ReviewDecide time.Duration
	// ExtensionMax is the most one extension may add; ExtensionCount how
	// many extensions a case may have.
	ExtensionMax   time.Duration
	ExtensionCount int
	// Calendar counts the time; never nil.
	Calendar *Calendar
	Decision Decision
}

// Deadlines decides the time limits of a case. *Engine implements it.
type Deadlines interface {
	Limits(ctx context.Context, in DeadlineInput) (Limits, error)
}

var _ Deadlines = (*Engine)(nil)

// Limits decides the time limits of a case and the calendar they are
// counted on. With the limits, a due time is Calendar.Add(start, limit).
func (e *Engine) Limits(ctx context.Context, in DeadlineInput) (Limits, error) {
	start := time.Now()
	c := e.active.Load()
	d := e.nextDecision(c)
	l, err := c.limitsOf(ctx, in)
	if err != nil {
		e.done(ctx, policyLimits, start, d, resultError, err)
		return Limits{}, fmt.Errorf("time limits: %w", err)
	}
	l.Decision = d
	if e.done(ctx, policyLimits, start, d, resultOK, nil) {
		e.logDecision(ctx, policyLimits, d, resultOK, slog.String("department", in.Department),
			slog.String("kind", in.Kind), slog.String("priority", in.Priority), slog.Int("review_round", in.ReviewRound),
			slog.String("calendar", l.Calendar.Name()), slog.Duration("respond", l.Respond), slog.Duration("resolve", l.Resolve))
	}
	return l, nil
}

func (c *compiled) limitsOf(ctx context.Context, in DeadlineInput) (Limits, error) {
	if c.memoize {
		if l, ok := c.limitsMemo.get(in); ok {
			return l, nil
		}
	}
	l, err := c.evalLimits(ctx, in)
	if err == nil && c.memoize {
		c.limitsMemo.put(in, l)
	}
	return l, err
}

// evalLimits evaluates the time-limit policy.
func (c *compiled) evalLimits(ctx context.Context, in DeadlineInput) (Limits, error) {
	if in.ReviewRound < 0 || in.ReviewRound > 2 {
		return Limits{}, fmt.Errorf("review round %d: want 0, 1 or 2", in.ReviewRound)
	}
	t, err := c.eval(ctx, c.limits, ast.NewObject(
		item("department", str(in.Department)),
		item("kind", str(in.Kind)),
		item("priority", str(in.Priority)),
		item("channel", str(in.Channel)),
		item("review_round", num(in.ReviewRound)),
	))
	if err != nil {
		return Limits{}, err
	}
	obj, err := asObject(t, "deadlines decision")
	if err != nil {
		return Limits{}, err
	}
	lim, err := asObject(field(obj, "limits"), "limits")
	if err != nil {
		return Limits{}, err
	}
	var l Limits
	for _, f := range []struct {
		key string
		dst *time.Duration
	}{
		{"acknowledge", &l.Acknowledge}, {"decide", &l.Decide}, {"respond", &l.Respond}, {"resolve", &l.Resolve},
		{"review_window", &l.ReviewWindow}, {"review_decide", &l.ReviewDecide}, {"extension_max", &l.ExtensionMax},
	} {
		s, err := getString(lim, f.key)
		if err != nil {
			return Limits{}, err
		}
		if *f.dst, err = parseDuration(s); err != nil {
			return Limits{}, fmt.Errorf("%s: %w", f.key, err)
		}
	}
	if l.ExtensionCount, err = getInt(lim, "extension_count"); err != nil {
		return Limits{}, err
	}
	name, err := getString(obj, "calendar")
	if err != nil {
		return Limits{}, err
	}
	if l.Calendar, err = c.calendarNamed(name); err != nil {
		return Limits{}, err
	}
	return l, nil
}

func (c *compiled) calendarNamed(name string) (*Calendar, error) {
	cal, ok := c.calendars[name]
	if !ok {
		return nil, fmt.Errorf("the policy names calendar %q, which config/calendars.json does not define", name)
	}
	return cal, nil
}

// buildCalendars builds every calendar of the policy data (already checked
// against the schema) once per revision.
func buildCalendars(data map[string]any) (map[string]*Calendar, error) {
	config, _ := data["config"].(map[string]any)
	calendars, _ := config["calendars"].(map[string]any)
	defs, _ := calendars["definitions"].(map[string]any)
	out := make(map[string]*Calendar, len(defs))
	for name, def := range defs {
		raw, err := json.Marshal(def)
		if err != nil {
			return nil, fmt.Errorf("calendar %s: %w", name, err)
		}
		var spec CalendarSpec
		if err := json.Unmarshal(raw, &spec); err != nil {
			return nil, fmt.Errorf("calendar %s: %w", name, err)
		}
		if out[name], err = NewCalendar(name, spec); err != nil {
			return nil, err
		}
	}
	return out, nil
}
