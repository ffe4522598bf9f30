// Package workflow is the case state machine and the only code that
// changes a case.
//
// Every change is a transition (Accept, Assign, Respond, ...). A transition
// runs in one database transaction that
//
//  1. loads the case,
//  2. asks the policy.Authorizer whether the caller may act,
//  3. checks the caller's expected version (optimistic concurrency) and the
//     state machine (statemachine.go),
//  4. updates the case with `WHERE version = expected`, so a concurrent
//     writer makes the update miss and the caller gets CONFLICT,
//  5. appends an immutable CaseEvent whose hash covers the previous event's
//     hash, so a case's timeline is a verifiable chain (VerifyChain),
//  6. writes the event's row of the analytics outbox, which the relay in
//     package analytics ships to the warehouse: an event reaches analytics
//     exactly when it is committed.
//
// Two kinds of bookkeeping ride along with every transition:
//
//   - deadlines (deadlines.go): the transition keeps deadline_check_at, the
//     deadline watcher's next look at the case, and the case's SLA state in
//     step with the deadline that runs in the new status (decide while
//     SUBMITTED, respond while being handled, resolve once answered; none
//     while paused or closed). The watcher (package sla) records warnings,
//     breaches and escalations through RecordDeadlineCheck, under the same
//     optimistic version as any transition.
//   - observers (observer.go): once committed, a change is reported to the
//     configured Observer — the live metrics and the alert feed — so that
//     nobody needs to read the case table to stay current.
//
// The workflow owns its transactions rather than joining one opened by the
// GraphQL layer: SQLite has a single writer, so transactions start as
// writers (BEGIN IMMEDIATE) and stay short, and a wrong PIN must be counted
// even though the request that carried it fails.
//
// Refusals are *apperr.Error values with codes such as INVALID_TRANSITION,
// CONFLICT, NOT_FOUND, FORBIDDEN and VALIDATION.
package workflow
