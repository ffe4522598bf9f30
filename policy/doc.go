// Package policy makes the decisions an organisation wants to change
// without a redeploy: who may do what to which case and what of it they
// see (authorization), which department handles a new case (routing), by
// when each step is due and on which working-time calendar (time limits),
// and when a running deadline warrants a warning, counts as breached and is
// escalated (escalation). The workflow and the GraphQL resolvers ask; they
// never decide themselves.
//
// # The engine
//
// An [Engine] evaluates Rego policies in process with OPA's Go API. The
// policy is embedded in the binary and may be overridden by a directory
// ([Options].Dir, XINFANG_POLICY_DIR), laid out like the embedded one:
//
//	rego/authz.rego        package xinfang.v1.authz       Authorize, Visibility, CaseScope
//	rego/routing.rego      package xinfang.v1.routing     Route
//	rego/deadlines.rego    package xinfang.v1.deadlines   Limits (and the calendar of a department)
//	rego/escalation.rego   package xinfang.v1.escalation  Escalate
//	rego/*_test.rego       the Rego tests of each policy
//	config/authz.json      role permissions, department scoping, assignment, reporter protection
//	config/routing.json    kind rules, keyword tables (zh and en), last resort
//	config/deadlines.json  time limits by default, kind, priority, channel, department, review round
//	config/calendars.json  calendars (time zone, hours, holidays, make-up days) and who uses which
//	config/escalation.json warning threshold, escalation delay, whom to notify
//
// Policy code (Rego) and policy data (JSON) are separate: most changes are
// data. A JSON file is placed under data at its directory path, the way
// `opa test` and `opa eval -d` load a directory, so config/routing.json,
// which holds {"routing": ...}, is data.config.routing. A file of the
// override directory replaces the embedded file of the same relative path;
// a new path adds to the policy. An installation can thus override one data
// file (config/deadlines.json), one policy (rego/routing.rego), or add its
// own modules and data. Hidden files are skipped, symbolic links followed
// (Kubernetes ConfigMap volumes), and files that are neither .rego nor
// .json ignored. examples/business-hours and examples/statutory are two
// such directories.
//
// # Loading, checking and reloading
//
// [New], [Engine.Reload] and [Check] load a policy the same way, and a
// policy serves only if every step passes:
//
//  1. every .rego file parses (Rego v1) and every .json file is a JSON
//     object; two files may not set the same data;
//  2. data.config matches the schema (schema.go): known keys, durations,
//     kinds, priorities, channels, roles, actions, recipients, calendars
//     that exist and build; each problem names the file and the key;
//  3. the modules compile and define every rule the engine asks;
//  4. every Rego test (test_ rules of *_test.rego) passes;
//  5. the list scope agrees with the read rule on a grid of subjects and
//     cases (see Scope).
//
// The revision ([Engine.Revision]) is a short hash of the content of every
// file. [Engine.Watch] polls the override directory every PollInterval (2 s
// by default) and reloads when its content changes. A new revision is
// swapped in atomically: decisions in flight finish on the revision they
// started with and never wait for a reload. A refused policy is logged at
// Error with the reason, counted in xinfang_policy_reloads_total{result=
// "error"}, and the previous revision keeps serving; Watch tries again only
// when the directory changes again. A broken directory at start is an error
// of New.
//
// # Decisions
//
// Every decision has a [Decision]: a unique ID (a random per-engine prefix
// and a counter) and the revision that made it. Route, Limits and Escalate
// return it with their result, [Engine.AuthorizeDecision] with an
// authorization, so the workflow stores both on the case event. Each
// decision is logged at Debug ("policy decision", with policy, decision_id,
// revision, result and the facts), failures at Error. Metrics, registered on
// [Options].Registerer:
//
//	xinfang_policy_decision_duration_seconds{policy}   histogram, buckets around 50 µs
//	xinfang_policy_decisions_total{policy,result}      result allow, deny (authz), ok, error
//	xinfang_policy_reloads_total{result}               ok, error
//	xinfang_policy_revision_info{revision}             1 for the active revision
//
// with policy one of authz, visibility, scope, routing, limits, escalation.
// A query without a result is a refusal for authorization and an error for
// everything else: nothing falls back to a silent default.
//
// # Authorization
//
// [Engine.Authorize] implements [Authorizer]. The role table
// (config/authz.json "permissions") keeps the decisions of the former
// original role table (kept as a test oracle), and the policy adds:
//
//   - department scoping: handlers and department heads take case actions
//     ("department_scoped") only on cases of their own department — the
//     case's current department, so a transfer hands the case over, and a
//     head may transfer their department's case away but not touch it after;
//   - assignment: a handler starts work, requests information or an
//     extension, and responds only on cases assigned to them;
//   - reporter protection: the staff of the department a REPORT is about
//     (Resource.ConcernedDepartmentID) may not read the reporter's personal
//     data, whatever their role;
//   - petitioners (tracking code and PIN) read their own case, its personal
//     data (their own), provide information, rate and request a review;
//   - the public may submit; anything else needs a sign-in.
//
// A refusal is an *apperr.Error: UNAUTHENTICATED "authz.sign_in" for an
// anonymous caller, otherwise FORBIDDEN with "authz.forbidden" (the role
// may not), "authz.other_department", "authz.not_assignee",
// "authz.reporter_protected" or "authz.not_own_case".
//
// The authorization policy decides on facts, not IDs: the engine works out
// in Go how the caller relates to the case and passes (rego/authz.rego
// documents the shape)
//
//	action    the action ("" for visibility)
//	subject   kind (anonymous, staff, petitioner) and role (staff only)
//	resource  given (false when no particular case is meant), the case's
//	          kind and status
//	relation  own_case (the petitioner's own case), in_department (the
//	          case is in the staff member's department), assignee (the
//	          staff member is its assignee), concerned_department (the
//	          staff member's department is the one the REPORT is about)
//
// so that a decision depends on few distinct inputs and can be remembered
// (see Speed). The list scope alone is asked about the subject with its
// IDs (kind, role, staff_id, department_id, case_id), which it returns as
// a filter.
//
// [Engine.Visibility] says what of a readable case may be shown: the
// petitioner's identity and contact data exactly when
// Authorize(ActionCaseReadPersonalData) allows it (not to evaluators,
// oversight members or a reported department), and the full text unless
// the role reads anonymised text only (oversight members).
//
// [Engine.CaseScope] translates the read rule into a [Scope] that list
// queries turn into SQL (department_id IN … OR assignee_id = … OR id = …):
// intake agents, administrators, evaluators and oversight members read all
// cases, handlers and department heads their department's, petitioners their
// own case, HR, PR and information officers none. The scope rule is written
// beside the read rule in rego/authz.rego; every load checks that the two
// agree on a grid of subjects × cases, so a policy edit that changes one
// without the other is refused.
//
// # Routing
//
// [Engine.Route] decides in stages; the first that names a department other
// than the one a report concerns wins, and the Route says which stage
// (Rule) and why (Reasons):
//
//  1. kind rules marked override (a REPORT goes to administration, or to
//     evaluation when administration is reported on; an URGENT privacy case
//     to information);
//  2. the service project's owner;
//  3. keywords in the subject, then the body ("keyword "食堂" in subject →
//     COMMUNITY_SERVICES");
//  4. the category's default department;
//  5. the other kind rules (consultation opinions go to public relations);
//  6. the intake department;
//  7. the last resort list, when the intake department is reported on.
//
// Kind rules match on kind, priority, channel and category. Finding the
// keywords of the table in the text is done in Go, once per decision (one
// pass over the text, ASCII case ignored, English keywords matched as whole
// words, Chinese ones anywhere); the Rego policy receives the matches and
// decides what they mean. A Rego loop over every keyword would cost more
// than a whole decision may.
//
// # Time limits and calendars
//
// [Engine.Limits] returns the limits of a case — acknowledge, decide
// (accept or decline), respond (the written reply), resolve (closing),
// review window, review decision time, extension maximum and count — and
// the [Calendar] they are counted on. Durations in the data are Go
// durations ("48h", "90m") or whole days ("30d"); "0" means no limit.
// Layers apply in order, each overriding the keys it sets: default, kind,
// priority, channel, then the department's default, kind and priority; in
// a review round respond and resolve become the review decision time, then
// the round's own settings apply (the re-review, round 2, has no further
// review window).
//
// The embedded defaults follow the seed strategy: acknowledge and decide
// within 24 hours, respond within 48 hours, resolve within 7 days, a review
// may be asked for within 30 days and is decided within 48 hours, at most
// 2 extensions of up to 48 hours. Urgent cases: 4, 8, 24 and 72 hours; high
// priority: acknowledge and decide within 12 hours; reports: 30 days to
// resolve, extensions of up to 7 days; praise: 14 days to resolve; the
// customer service department acknowledges within 4 hours; community
// services respond to urgent cases within 12 hours. examples/statutory sets
// the limits of the 信访条例 instead (decide within 15 days, conclude within
// 60, one extension of up to 30 days, review requested and decided within 30
// days each).
//
// A Calendar has a time zone, working hours per weekday (several intervals
// a day if needed), holidays and make-up working days (调休); or it is
// always open. The embedded default counts calendar hours in Asia/Shanghai;
// examples/business-hours counts Monday to Friday 09:00–12:00 and
// 13:30–17:30 with the 2026 holidays and make-up days. [Calendar.Add] and
// [Calendar.Working] walk whole days, not minutes; intervals are wall-clock
// times, so a working day keeps its hours across a daylight-saving change
// and a day that is always open lasts 23 or 25 hours then. A deadline is
// Calendar.Add(start, limit); a pause resumes with
// Add(resumeAt, Working(pausedAt, oldDue)). Calendars are built once per
// revision.
//
// # Escalation
//
// [Engine.Escalate] measures a running deadline on the department's
// calendar and decides its level: warn once warn_at of the working time has
// elapsed (75%, 50% for urgent cases), breached at the due time, escalated
// beyond the department escalate_after of working time after the breach
// (24 hours, 4 for urgent cases). It lists whom to alert for the levels
// reached since the recorded one — assignee and department head at the
// warning, the department head at the breach, an administrator at the
// escalation — and when the level would next change, so that a watcher can
// sleep until then.
//
// # Speed
//
// Decisions are on the request path, so the engine prepares one query per
// decision and revision (rego.PrepareForEval), builds the input as an AST
// value and reads results as AST terms (no JSON round trip), evaluates with
// one read transaction per revision and without per-query metrics or
// cancellation goroutines, and keeps its Rego free of per-item function
// calls. Routing, limit and authorization decisions are pure functions of
// their input and the revision with few distinct inputs in practice, so
// the engine remembers them per revision (memo.go; up to 4096 limits,
// 16384 routes, 65536 authorizations, 16384 visibilities and 16384 list
// scopes, never for a policy that calls a non-deterministic built-in); each
// call still gets its own decision ID, log line and metrics. An
// authorization is remembered on its facts (above), and only on those the
// policy reads: the embedded policy ignores the case's status, so one
// decision serves every status, while a policy with a rule on the status
// is remembered per status. The list scope is remembered per subject.
// [MeasureDecisions] reports the latency percentiles for `make bench`;
// BenchmarkAuthorize(Uncached), BenchmarkRouteAndLimits(Uncached) and
// BenchmarkCaseScope measure the same with go test.
//
// # Testing a policy
//
// `go test ./policy/...` runs the Rego tests through OPA's tester along with
// the Go tests. `opa test policy/` runs them with the OPA command line: the
// directory is laid out for it. `xinfang policy check DIR` runs every load
// step on a candidate override directory without using it. The Rego tests
// bring their own tables (with data.config... as ...), so they test the
// rules and keep passing when an installation overrides the data.
package policy
