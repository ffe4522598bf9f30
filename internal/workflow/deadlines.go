package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/policy"
)

// The deadlines a case runs against, named as the policy names them.
const (
	DeadlineAcknowledge = "acknowledge"
	DeadlineDecide      = "decide"
	DeadlineRespond     = "respond"
	DeadlineResolve     = "resolve"
)

// RunningDeadline is the deadline a case is working against now.
type RunningDeadline struct {
	// Name is DeadlineDecide, DeadlineRespond or DeadlineResolve.
	// Acknowledgement is given at intake, so it never runs afterwards.
	Name string
	// Start is when its time began: receipt, or the review request in a
	// review round. Due is when it ends.
	Start, Due time.Time
}

// Running returns the deadline that runs for c in its status, and false
// when none runs: the clock is paused awaiting the petitioner, the case is
// closed, or the policy sets no limit.
func Running(c *ent.CaseFile) (RunningDeadline, bool) {
	return runningDeadline(c.Status, c.ReceivedAt, c.ReviewRequestedAt, c.DecideDue, c.RespondDue, c.ResolveDue)
}

func runningDeadline(st status, received time.Time, reviewRequested, decideDue, respondDue, resolveDue *time.Time) (RunningDeadline, bool) {
	var name string
	var due *time.Time
	switch st {
	case submitted:
		name, due = DeadlineDecide, decideDue
	case accepted, assigned, inProgress:
		name, due = DeadlineRespond, respondDue
	case responded:
		name, due = DeadlineResolve, resolveDue
	}
	if due == nil {
		return RunningDeadline{}, false
	}
	start := received
	if reviewRequested != nil && name != DeadlineDecide {
		start = *reviewRequested
	}
	return RunningDeadline{Name: name, Start: start, Due: *due}, true
}

// slaStates maps the policy's escalation levels to the case's SLA state.
var slaStates = [...]casefile.SLAState{
	policy.LevelFine:      casefile.SLAStateON_TRACK,
	policy.LevelWarned:    casefile.SLAStateAT_RISK,
	policy.LevelBreached:  casefile.SLAStateBREACHED,
	policy.LevelEscalated: casefile.SLAStateESCALATED,
}

// deadlineEvents are the events that record reaching each escalation
// level; none records LevelFine.
var deadlineEvents = [...]caseevent.Type{
	policy.LevelWarned:    caseevent.TypeDEADLINE_WARNING,
	policy.LevelBreached:  caseevent.TypeDEADLINE_BREACHED,
	policy.LevelEscalated: caseevent.TypeDEADLINE_ESCALATED,
}

// IsDeadlineEvent reports whether the deadline watcher records events of
// type t.
func IsDeadlineEvent(t caseevent.Type) bool {
	return t != "" && slices.Contains(deadlineEvents[:], t)
}

// LevelOf is the escalation level an SLA state records.
func LevelOf(s casefile.SLAState) int {
	for level, state := range slaStates {
		if state == s {
			return level
		}
	}
	return policy.LevelFine
}

// scheduleDeadlineCheck keeps the watcher's bookkeeping in step with a
// transition: when the running deadline changes, the watcher must look at
// the case again (at once: only the policy knows when the warning is due);
// when a new deadline starts, its SLA state starts ON_TRACK; when none
// runs, the watcher has nothing to look at.
//
// A deadline that only moved (a pause ended, an extension was approved)
// keeps its recorded level, so a warning is not repeated for it; the
// watcher lowers the level when the new due time is further away.
func scheduleDeadlineCheck(c *ent.CaseFile, ch *change) {
	if IsDeadlineEvent(ch.event) {
		return // the watcher sets its own bookkeeping
	}
	m := ch.update.Mutation()
	after := func(current *time.Time, value func() (time.Time, bool), cleared func() bool) *time.Time {
		if cleared() {
			return nil
		}
		if v, ok := value(); ok {
			return &v
		}
		return current
	}
	before, wasRunning := Running(c)
	next, running := runningDeadline(ch.to, c.ReceivedAt,
		after(c.ReviewRequestedAt, m.ReviewRequestedAt, m.ReviewRequestedAtCleared),
		after(c.DecideDue, m.DecideDue, m.DecideDueCleared),
		after(c.RespondDue, m.RespondDue, m.RespondDueCleared),
		after(c.ResolveDue, m.ResolveDue, m.ResolveDueCleared))
	switch {
	case !running:
		ch.update.ClearDeadlineCheckAt()
		if ch.to != awaiting {
			ch.update.SetSLAState(casefile.SLAStateON_TRACK)
		} // a paused deadline keeps its level for when the clock runs again
	case wasRunning && before.Name == next.Name && before.Start.Equal(next.Start):
		if !before.Due.Equal(next.Due) {
			ch.update.SetDeadlineCheckAt(ch.now) // moved: same deadline, same level
		}
	case c.Status == awaiting && next.Name == DeadlineRespond:
		ch.update.SetDeadlineCheckAt(ch.now) // the clock runs again: same deadline, same level
	default:
		ch.update.SetSLAState(casefile.SLAStateON_TRACK).SetDeadlineCheckAt(ch.now)
	}
}

// DueForCheck returns up to limit cases whose deadline check is due at now,
// the most overdue first. The query reads the deadline_check_at index only
// as far as now, so its cost follows the number of due cases, not of open
// ones.
func (s *Service) DueForCheck(ctx context.Context, now time.Time, limit int) ([]*ent.CaseFile, error) {
	cases, err := s.client.CaseFile.Query().
		Where(casefile.DeadlineCheckAtLTE(now)).
		Order(ent.Asc(casefile.FieldDeadlineCheckAt)).
		Limit(limit).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("cases due for a deadline check: %w", err)
	}
	return cases, nil
}

// DeadlineCheck is what the deadline watcher found for one case: the
// running deadline and the policy's escalation decision about it.
type DeadlineCheck struct {
	Deadline   RunningDeadline
	Escalation policy.Escalation
}

// RecordDeadlineCheck stores a watcher's finding on the case it read (c,
// at c.Version). A level above the recorded one appends one
// DEADLINE_WARNING, DEADLINE_BREACHED or DEADLINE_ESCALATED event naming
// the deadline and whom to notify, and moves the SLA state, in one
// transaction with optimistic concurrency: of two watchers, or a watcher
// and a handler, that act on the same version only one succeeds, so every
// level is recorded exactly once. Otherwise only the next check time (and
// a lowered level after an extension) is stored.
//
// It returns the event recorded, or nil. A CONFLICT error means the case
// changed meanwhile; the change itself scheduled a new check.
func (s *Service) RecordDeadlineCheck(ctx context.Context, c *ent.CaseFile, check DeadlineCheck) (*ent.CaseEvent, error) {
	esc := check.Escalation
	if esc.Level < policy.LevelFine || esc.Level > policy.LevelEscalated {
		return nil, fmt.Errorf("case %d: escalation level %d out of range", c.ID, esc.Level)
	}
	recorded := LevelOf(c.SLAState)
	var nextCheck *time.Time
	if !esc.NextCheck.IsZero() {
		t := esc.NextCheck.UTC().Truncate(time.Microsecond)
		nextCheck = &t
	}
	if esc.Level <= recorded {
		update := s.client.CaseFile.Update().
			Where(casefile.ID(c.ID), casefile.Version(c.Version)).
			SetSLAState(slaStates[esc.Level])
		if nextCheck != nil {
			update.SetDeadlineCheckAt(*nextCheck)
		} else {
			update.ClearDeadlineCheckAt() // escalated: nothing further happens to this deadline
		}
		n, err := update.Save(ctx)
		if err != nil {
			return nil, translateStoreError(fmt.Errorf("schedule deadline check of case %d: %w", c.ID, err))
		}
		if n == 0 {
			return nil, staleError(c)
		}
		if esc.Level < recorded {
			// An extension moved the deadline away: observers see the
			// lower level, without an event.
			lowered := *c
			lowered.SLAState = slaStates[esc.Level]
			s.notify(ctx, "", s.clock(), c, &lowered)
		}
		return nil, nil
	}

	event := deadlineEvents[esc.Level] // a level above the recorded one: at least warned
	var recordedEvent *ent.CaseEvent
	var result *ent.CaseFile
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		ch := &change{
			now:    s.clock(),
			update: tx.CaseFile.Update().Where(casefile.ID(c.ID), casefile.Version(c.Version)),
			to:     c.Status,
			event:  event,
		}
		ch.update.SetSLAState(slaStates[esc.Level])
		if nextCheck != nil {
			ch.update.SetDeadlineCheckAt(*nextCheck)
		} else {
			ch.update.ClearDeadlineCheckAt()
		}
		// Analytics reads the deadline in capitals, as the evaluation
		// figures name it.
		ch.set("deadline", strings.ToUpper(check.Deadline.Name))
		ch.set("due", check.Deadline.Due.UTC().Format(time.RFC3339Nano))
		ch.set("level", esc.Level)
		ch.set("notify", stringsToAny(esc.Notify))
		ch.set("reasons", stringsToAny(esc.Reasons))
		ch.set("policyRevision", esc.Decision.Revision)
		ch.set("decision", esc.Decision.ID)
		ev, err := s.record(ctx, tx, c, ch, actor{kind: caseevent.ActorKindSYSTEM})
		if err != nil {
			return err
		}
		recordedEvent = ev
		result, err = tx.CaseFile.Get(ctx, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.notify(ctx, event, recordedEvent.OccurredAt, c, result.Unwrap())
	return recordedEvent.Unwrap(), nil
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// RescheduleDeadlineCheck moves the watcher's next look at c (read at
// c.Version) to at, or stops it when at is nil: the watcher found no
// running deadline, or a check failed and is retried later.
func (s *Service) RescheduleDeadlineCheck(ctx context.Context, c *ent.CaseFile, at *time.Time) error {
	update := s.client.CaseFile.Update().Where(casefile.ID(c.ID), casefile.Version(c.Version))
	if at != nil {
		update.SetDeadlineCheckAt(at.UTC().Truncate(time.Microsecond))
	} else {
		update.ClearDeadlineCheckAt()
	}
	n, err := update.Save(ctx)
	if err != nil {
		return translateStoreError(fmt.Errorf("reschedule deadline check of case %d: %w", c.ID, err))
	}
	if n == 0 {
		return staleError(c)
	}
	return nil
}

// DepartmentCode is the code of the department with id, "" for none.
func (s *Service) DepartmentCode(ctx context.Context, id *int) (string, error) {
	return s.departmentCode(ctx, id)
}
