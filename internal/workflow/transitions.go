package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/policy"
)

// Ref names a case and the version the caller read. A nil Version (only
// allowed where documented) means "whatever is current".
type Ref struct {
	ID      int
	Version *int
}

// V returns a pointer to v, for Ref literals.
func V(v int) *int { return &v }

func (r Ref) required() error {
	if r.Version == nil {
		return apperr.Field("version", "input.required")
	}
	return nil
}

// Accept accepts a submitted case, optionally changing its priority (which
// may change its time limits).
func (s *Service) Accept(ctx context.Context, ref Ref, priority *casefile.Priority) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionAccept],
		build: func(ctx context.Context, _ *ent.Tx, c *ent.CaseFile, ch *change) error {
			ch.update.SetDecidedAt(ch.now)
			if priority != nil && *priority != c.Priority {
				if err := casefile.PriorityValidator(*priority); err != nil {
					return apperr.Field("priority", "input.invalid")
				}
				respondDue, resolveDue, err := s.duesFrom(ctx, c, *priority, c.ReceivedAt)
				if err != nil {
					return err
				}
				ch.update.SetPriority(*priority).SetNillableRespondDue(respondDue).SetNillableResolveDue(resolveDue)
				ch.set("priority", string(*priority))
			}
			return nil
		}})
}

// Decline refuses a submitted case, with a reason the petitioner sees.
func (s *Service) Decline(ctx context.Context, ref Ref, reason string) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := requireText("reason", reason, maxReason); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionDecline],
		build: func(_ context.Context, _ *ent.Tx, _ *ent.CaseFile, ch *change) error {
			ch.update.SetDecidedAt(ch.now).SetDeclineReason(reason)
			ch.set("reason", reason)
			return nil
		}})
}

// Assign gives the case to an active handler or head of its department.
func (s *Service) Assign(ctx context.Context, ref Ref, assigneeID int) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionAssign],
		build: func(ctx context.Context, tx *ent.Tx, c *ent.CaseFile, ch *change) error {
			member, err := tx.Staff.Get(ctx, assigneeID)
			if ent.IsNotFound(err) {
				return apperr.Field("assigneeId", "assign.unknown_staff")
			}
			if err != nil {
				return fmt.Errorf("load assignee: %w", err)
			}
			if !member.Active || (member.Role != staff.RoleHANDLER && member.Role != staff.RoleDEPT_HEAD) {
				return apperr.Field("assigneeId", "assign.not_handler")
			}
			if c.DepartmentID == nil || member.DepartmentID == nil || *member.DepartmentID != *c.DepartmentID {
				return apperr.Field("assigneeId", "assign.other_department")
			}
			ch.update.SetAssigneeID(assigneeID).SetAssignedAt(ch.now).ClearStartedAt()
			ch.set("assigneeId", assigneeID)
			if c.AssigneeID != nil {
				ch.set("previousAssigneeId", *c.AssigneeID)
			}
			return nil
		}})
}

// StartWork marks an assigned case as being worked on.
func (s *Service) StartWork(ctx context.Context, ref Ref) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionStartWork],
		build: func(_ context.Context, _ *ent.Tx, _ *ent.CaseFile, ch *change) error {
			ch.update.SetStartedAt(ch.now)
			return nil
		}})
}

// AddNote adds an internal note, or a public one the petitioner sees. It
// does not change the status; a nil version adds to the current version.
func (s *Service) AddNote(ctx context.Context, ref Ref, text string, public bool) (*ent.CaseFile, error) {
	text = strings.TrimSpace(text)
	if err := requireText("text", text, maxNote); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionAddNote],
		build: func(_ context.Context, _ *ent.Tx, _ *ent.CaseFile, ch *change) error {
			ch.public = public
			ch.set("text", text)
			return nil
		}})
}

// RequestInformation asks the petitioner a question and pauses the clock.
func (s *Service) RequestInformation(ctx context.Context, ref Ref, question string) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	question = strings.TrimSpace(question)
	if err := requireText("question", question, maxNote); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionRequestInformation],
		build: func(_ context.Context, _ *ent.Tx, _ *ent.CaseFile, ch *change) error {
			ch.update.SetPausedAt(ch.now)
			ch.set("question", question)
			return nil
		}})
}

// ProvideInformation is the petitioner's answer; the clock runs again and
// the deadlines move by the time it was paused. The caller must have
// proved access with PetitionerAccess.
func (s *Service) ProvideInformation(ctx context.Context, ref Ref, answer string) (*ent.CaseFile, error) {
	answer = strings.TrimSpace(answer)
	if err := requireText("answer", answer, maxBody); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: provideInformationRule,
		build: func(ctx context.Context, _ *ent.Tx, c *ent.CaseFile, ch *change) error {
			now := ch.now
			var paused time.Duration
			if c.PausedAt != nil {
				paused = now.Sub(*c.PausedAt)
			}
			ch.update.ClearPausedAt().AddPausedSeconds(int64(paused / time.Second))
			if c.RespondDue != nil && c.PausedAt != nil {
				limits, err := s.limitsOf(ctx, c, c.Priority)
				if err != nil {
					return err
				}
				ch.update.SetRespondDue(resumedDue(limits, *c.PausedAt, now, *c.RespondDue))
				if c.ResolveDue != nil {
					ch.update.SetResolveDue(resumedDue(limits, *c.PausedAt, now, *c.ResolveDue))
				}
			}
			ch.set("answer", answer)
			ch.set("pausedSeconds", int64(paused/time.Second))
			return nil
		}})
}

// Transfer hands the case to another department, with a reason. The case
// goes back to ACCEPTED (or stays SUBMITTED) for the new department to
// assign; its deadlines do not restart.
func (s *Service) Transfer(ctx context.Context, ref Ref, departmentID int, reason string) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := requireText("reason", reason, maxReason); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionTransfer],
		build: func(ctx context.Context, tx *ent.Tx, c *ent.CaseFile, ch *change) error {
			if c.DepartmentID != nil && *c.DepartmentID == departmentID {
				return apperr.Field("departmentId", "transfer.same_department")
			}
			if err := activeDepartment(ctx, tx.Client(), departmentID, "departmentId"); err != nil {
				return err
			}
			if c.Status != submitted {
				ch.to = accepted
			}
			ch.update.SetDepartmentID(departmentID).ClearAssigneeID().ClearAssignedAt().ClearStartedAt().
				ClearExtensionRequestedHours()
			ch.set("reason", reason)
			ch.set("departmentId", departmentID)
			if c.DepartmentID != nil {
				ch.set("previousDepartmentId", *c.DepartmentID)
			}
			return nil
		}})
}

// RequestExtension asks for more time, within the policy's bounds.
func (s *Service) RequestExtension(ctx context.Context, ref Ref, hours int, reason string) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := requireText("reason", reason, maxReason); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionRequestExtension],
		build: func(ctx context.Context, _ *ent.Tx, c *ent.CaseFile, ch *change) error {
			if c.ExtensionRequestedHours != nil {
				return apperr.New(apperr.InvalidTransition, "extension.pending")
			}
			limits, err := s.limitsOf(ctx, c, c.Priority)
			if err != nil {
				return err
			}
			if c.ExtensionCount >= limits.ExtensionCount {
				return apperr.New(apperr.InvalidTransition, "extension.exhausted").With("max", limits.ExtensionCount)
			}
			maxHours := int(limits.ExtensionMax / time.Hour)
			if hours < 1 || hours > maxHours {
				return apperr.Field("hours", "extension.hours").With("max", maxHours)
			}
			ch.update.SetExtensionRequestedHours(hours).SetExtensionReason(reason)
			ch.set("hours", hours)
			ch.set("reason", reason)
			return nil
		}})
}

// DecideExtension approves or rejects the pending extension request.
func (s *Service) DecideExtension(ctx context.Context, ref Ref, approve bool, comment string) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > maxComment {
		return nil, apperr.Field("comment", "input.too_long").With("max", maxComment)
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionDecideExtension],
		build: func(ctx context.Context, _ *ent.Tx, c *ent.CaseFile, ch *change) error {
			if c.ExtensionRequestedHours == nil {
				return apperr.New(apperr.InvalidTransition, "extension.none_pending")
			}
			hours := *c.ExtensionRequestedHours
			ch.update.ClearExtensionRequestedHours()
			ch.set("hours", hours)
			if comment != "" {
				ch.set("comment", comment)
			}
			if !approve {
				ch.event = caseevent.TypeEXTENSION_REJECTED
				return nil
			}
			ch.event = caseevent.TypeEXTENSION_APPROVED
			ch.public = true
			if c.RespondDue != nil {
				limits, err := s.limitsOf(ctx, c, c.Priority)
				if err != nil {
					return err
				}
				// Extensions are granted in working hours of the calendar.
				extended := due(limits, *c.RespondDue, time.Duration(hours)*time.Hour)
				ch.update.SetRespondDue(*extended)
				ch.set("respondDue", extended.Format(time.RFC3339))
				if c.ResolveDue != nil {
					ch.update.SetResolveDue(*due(limits, *c.ResolveDue, time.Duration(hours)*time.Hour))
				}
			}
			ch.update.AddExtensionCount(1)
			return nil
		}})
}

// Respond gives the written reply and the outcome.
func (s *Service) Respond(ctx context.Context, ref Ref, outcome casefile.Outcome, reply string) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	reply = strings.TrimSpace(reply)
	if err := requireText("reply", reply, maxBody); err != nil {
		return nil, err
	}
	if err := casefile.OutcomeValidator(outcome); err != nil {
		return nil, apperr.Field("outcome", "input.invalid")
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionRespond],
		build: func(_ context.Context, _ *ent.Tx, c *ent.CaseFile, ch *change) error {
			now := ch.now
			ch.update.SetOutcome(outcome).SetReply(reply).SetRespondedAt(now).ClearExtensionRequestedHours()
			if c.FirstRespondedAt == nil {
				ch.update.SetFirstRespondedAt(now)
			}
			ch.set("outcome", string(outcome))
			ch.set("reply", reply)
			if c.RespondDue != nil {
				// The deadline in force at this response: evaluations count
				// responses within their limit from the event alone.
				ch.set("respondDue", c.RespondDue.UTC().Format(time.RFC3339Nano))
			}
			return nil
		}})
}

// Close closes an answered case; the petitioner may then rate it and, within
// the review window, ask for a review.
func (s *Service) Close(ctx context.Context, ref Ref) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionClose],
		build: func(_ context.Context, _ *ent.Tx, _ *ent.CaseFile, ch *change) error {
			ch.update.SetClosedAt(ch.now)
			return nil
		}})
}

// Rate records the petitioner's satisfaction with a closed case, once per
// handling round.
func (s *Service) Rate(ctx context.Context, ref Ref, rating int, comment string) (*ent.CaseFile, error) {
	comment = strings.TrimSpace(comment)
	if rating < 1 || rating > 5 {
		return nil, apperr.Field("rating", "rate.range")
	}
	if len([]rune(comment)) > maxComment {
		return nil, apperr.Field("comment", "input.too_long").With("max", maxComment)
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rateRule,
		build: func(_ context.Context, _ *ent.Tx, c *ent.CaseFile, ch *change) error {
			if c.Rating != nil {
				return apperr.New(apperr.InvalidTransition, "rate.already_rated")
			}
			ch.update.SetRating(rating).SetRatingComment(comment).SetRatedAt(ch.now)
			ch.set("rating", rating)
			ch.set("reviewRound", c.ReviewRound)
			if comment != "" {
				ch.set("comment", comment)
			}
			return nil
		}})
}

// MaxReviewRound is the last review round: 1 is review (复查), 2 is
// re-review (复核).
const MaxReviewRound = 2

// RequestReview reopens a closed case for review, within the policy's
// review window after closing. The case returns to ACCEPTED for its
// department to assign a reviewer, with new deadlines.
func (s *Service) RequestReview(ctx context.Context, ref Ref, reason string) (*ent.CaseFile, error) {
	reason = strings.TrimSpace(reason)
	if err := requireText("reason", reason, maxReason); err != nil {
		return nil, err
	}
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: requestReviewRule,
		build: func(ctx context.Context, _ *ent.Tx, c *ent.CaseFile, ch *change) error {
			deadline, err := s.ReviewDeadline(ctx, c)
			if err != nil {
				return err
			}
			if deadline == nil {
				return apperr.New(apperr.InvalidTransition, "review.exhausted")
			}
			now := ch.now
			if now.After(*deadline) {
				return apperr.New(apperr.InvalidTransition, "review.window_passed")
			}
			round := c.ReviewRound + 1
			limits, err := s.limitsIn(ctx, c, c.Priority, round)
			if err != nil {
				return err
			}
			respondDue, resolveDue := due(limits, now, limits.Respond), due(limits, now, limits.Resolve)
			if respondDue == nil {
				ch.update.ClearRespondDue()
			}
			if resolveDue == nil {
				ch.update.ClearResolveDue()
			}
			ch.update.SetReviewRound(round).SetReviewRequestedAt(now).
				SetNillableRespondDue(respondDue).SetNillableResolveDue(resolveDue).
				ClearAssigneeID().ClearAssignedAt().ClearStartedAt().
				ClearOutcome().SetReply("").ClearRespondedAt().ClearClosedAt().
				ClearRating().SetRatingComment("").ClearRatedAt().
				SetExtensionCount(0).ClearExtensionRequestedHours()
			ch.set("round", round)
			ch.set("reason", reason)
			return nil
		}})
}

// ReviewDeadline is the last moment the petitioner may ask for a review of
// a closed case, or nil when no further review is possible.
func (s *Service) ReviewDeadline(ctx context.Context, c *ent.CaseFile) (*time.Time, error) {
	if c.Status != closed || c.ClosedAt == nil || c.ReviewRound >= MaxReviewRound {
		return nil, nil
	}
	limits, err := s.limitsOf(ctx, c, c.Priority)
	if err != nil {
		return nil, err
	}
	d := c.ClosedAt.Add(limits.ReviewWindow)
	return &d, nil
}

// Merge closes a duplicate into another case. Both cases get an event; the
// remaining case's version changes too.
func (s *Service) Merge(ctx context.Context, ref Ref, intoID int) (*ent.CaseFile, error) {
	if err := ref.required(); err != nil {
		return nil, err
	}
	if intoID == ref.ID {
		return nil, apperr.Field("intoId", "merge.self")
	}
	subject := policy.SubjectFrom(ctx)
	return s.apply(ctx, transition{caseID: ref.ID, expectedVersion: ref.Version, rule: rules[ActionMerge],
		build: func(ctx context.Context, tx *ent.Tx, c *ent.CaseFile, ch *change) error {
			if s.postgres {
				// Lock both cases in ID order, so that merging A into B
				// while B is merged into A queues instead of deadlocking.
				// (SQLite transactions already run one at a time.)
				if _, err := tx.CaseFile.Query().Where(casefile.IDIn(c.ID, intoID)).
					Order(ent.Asc(casefile.FieldID)).ForUpdate().IDs(ctx); err != nil {
					return fmt.Errorf("lock cases %d and %d: %w", c.ID, intoID, err)
				}
			}
			target, err := tx.CaseFile.Get(ctx, intoID)
			if ent.IsNotFound(err) {
				return apperr.Field("intoId", "merge.unknown_target")
			}
			if err != nil {
				return fmt.Errorf("load merge target: %w", err)
			}
			if target.Status == merged || target.Status == notAccepted {
				return apperr.Field("intoId", "merge.target_status").With("status", string(target.Status))
			}
			ch.update.SetMergedIntoID(intoID).ClearExtensionRequestedHours()
			ch.set("intoId", intoID)
			return nil
		},
		after: func(ctx context.Context, tx *ent.Tx, c *ent.CaseFile, ev *ent.CaseEvent) error {
			target, err := tx.CaseFile.Get(ctx, intoID)
			if err != nil {
				return fmt.Errorf("reload merge target: %w", err)
			}
			tch := &change{
				now:     ev.OccurredAt, // the merge's own time: a zero time would stop the analytics relay
				update:  tx.CaseFile.Update().Where(casefile.ID(target.ID), casefile.Version(target.Version)),
				to:      target.Status,
				event:   caseevent.TypeDUPLICATE_MERGED,
				payload: map[string]any{"duplicateId": c.ID},
			}
			_, err = s.record(ctx, tx, target, tch, actorOf(subject))
			return err
		}})
}

// limitsOf returns the time limits of a case at a priority, in its
// current review round and department.
func (s *Service) limitsOf(ctx context.Context, c *ent.CaseFile, priority casefile.Priority) (policy.Limits, error) {
	return s.limitsIn(ctx, c, priority, c.ReviewRound)
}

func (s *Service) limitsIn(ctx context.Context, c *ent.CaseFile, priority casefile.Priority, round int) (policy.Limits, error) {
	code, err := s.departmentCode(ctx, c.DepartmentID)
	if err != nil {
		return policy.Limits{}, err
	}
	limits, err := s.policy.Limits(ctx, policy.DeadlineInput{
		Department: code, Kind: string(c.Kind), Priority: string(priority),
		Channel: string(c.Channel), ReviewRound: round,
	})
	if err != nil {
		return policy.Limits{}, fmt.Errorf("time limits of case %d: %w", c.ID, err)
	}
	return limits, nil
}

// duesFrom computes the response and resolution deadlines of c at a
// priority from start, moved by the time it already waited for the
// petitioner (counted as working time: the calendar's hours are what the
// pause kept from the handler).
func (s *Service) duesFrom(ctx context.Context, c *ent.CaseFile, priority casefile.Priority, start time.Time) (respond, resolve *time.Time, err error) {
	limits, err := s.limitsOf(ctx, c, priority)
	if err != nil {
		return nil, nil, err
	}
	paused := time.Duration(c.PausedSeconds) * time.Second
	return due(limits, start, limits.Respond+paused), due(limits, start, limits.Resolve+paused), nil
}

// due is when a limit that starts at start ends on the limits' calendar,
// at the precision the databases keep; nil for no limit.
func due(limits policy.Limits, start time.Time, limit time.Duration) *time.Time {
	if limit <= 0 || limits.Calendar == nil {
		return nil
	}
	t := limits.Calendar.Add(start, limit).UTC().Truncate(time.Microsecond)
	return &t
}

// resumedDue moves a deadline over a pause: the working time that was left
// when the clock stopped is counted again from the moment it restarts.
func resumedDue(limits policy.Limits, pausedAt, resumedAt, oldDue time.Time) time.Time {
	remaining := limits.Calendar.Working(pausedAt, oldDue)
	return limits.Calendar.Add(resumedAt, remaining).UTC().Truncate(time.Microsecond)
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
