// Package metrics keeps xinfang's live case, SLA and GraphQL metrics for
// Prometheus. The names are fixed by the metric contract of issue 4; every
// collector registers on the Registerer it is given (the App's registry,
// served at GET /metrics), never on the global one.
//
// # Cases and SLA
//
// Cases is the workflow's Observer: after each committed change of a case
// it updates
//
//   - xinfang_cases_open{department,status}: unclosed cases (SUBMITTED,
//     ACCEPTED, ASSIGNED, IN_PROGRESS, AWAITING_PETITIONER, RESPONDED);
//   - xinfang_sla_cases_at_risk{department}: unclosed cases whose running
//     deadline was warned (SLA state AT_RISK);
//   - xinfang_sla_cases_breached{department}: unclosed cases past their
//     deadline (BREACHED or ESCALATED);
//   - xinfang_sla_cases_escalated{department}: of those, the ones escalated
//     beyond the department (ESCALATED);
//   - xinfang_sla_events_total{department,level}: the deadline watcher's
//     DEADLINE_WARNING, _BREACHED and _ESCALATED events (level warning,
//     breached, escalated);
//   - xinfang_sla_deadline_headroom_seconds{deadline}: due time minus the
//     time a deadline was met or missed, negative when late: decide at
//     ACCEPTED or DECLINED, respond at RESPONDED, resolve at CLOSED, each
//     against the due time in force before the transition; nothing when no
//     such deadline ran;
//   - xinfang_case_first_response_seconds{department}: receipt to the first
//     written reply (a review round's reply is not a first one);
//   - xinfang_case_resolution_seconds{department}: receipt, or in a review
//     round the review request, to closing;
//   - xinfang_case_transitions_total{event}: committed transitions by the
//     event they appended (DUPLICATE_MERGED counted with the MERGED that
//     appends it, since the workflow reports only the merged case);
//   - xinfang_case_ratings_total{rating}: ratings 1 to 5;
//   - xinfang_case_intake_total{channel,kind}: new cases;
//   - xinfang_cases_reconciled_timestamp_seconds: when the gauges were last
//     reset to the database's counts.
//
// The department label is the department's code, NONE for a case without
// one. A department's series start at zero for the departments known at
// start and appear with a department's first case otherwise, so the label
// values stay as few as the departments.
//
// # Why the gauges are kept, and reconciled
//
// The gauges could be read from the database at scrape time, but every
// scrape of every replica would then run a GROUP BY over all unclosed
// cases, whose cost grows with their number, and a scrape would fail with
// the database. Instead they are running totals moved by each committed
// change, which costs a few atomic adds on the request's goroutine
// (CaseChanged asks no database and takes a lock only the first time it
// meets a department), and a scrape only reads them: its cost follows the
// number of departments, not of cases.
//
// Running totals start at zero and see only this process's changes: a
// process starts with cases already open, other processes (the CLI, other
// replicas) commit changes too. So RunReconciler resets them to the
// database's counts ((*workflow.Service).CountUnclosed) at start and then
// every XINFANG_METRICS_RECONCILE_INTERVAL (5 minutes by default), and
// xinfang_cases_reconciled_timestamp_seconds says when it last succeeded.
// Changes reported while the count runs are kept on top of it. Between
// reconciles a decrement never takes a gauge below zero.
//
// # Several replicas
//
// Counters and histograms count what each instance handled: sum them over
// instances. The case gauges are each instance's view of all cases, exact
// after a reconcile and moved in between only by the changes that instance
// committed; aggregate them with max by (department), not sum, and expect
// them to lag other instances' changes by up to the reconcile interval.
//
// # GraphQL
//
// GraphQL is a gqlgen handler extension:
//
//   - xinfang_graphql_request_duration_seconds{operation}: time from the
//     request to the operation's first response, by operation type (query,
//     mutation, subscription; unknown when the request was refused before
//     its operation was known). A subscription is timed to its first event
//     only.
//   - xinfang_graphql_errors_total{operation,code}: errors returned, by
//     extensions.code (UNKNOWN when absent), including parse, validation
//     and complexity refusals.
package metrics
