// Package analytics is the evaluation warehouse: case events leave the
// transactional database through an outbox, a relay ships them to
// ClickHouse (or to the embedded warehouse in the default SQLite mode), and
// evaluation queries compute the half-yearly figures from them.
//
// ClickHouse is used only in this package.
//
// # Warehouses
//
// Three implementations compute the same Evaluation for the same events:
//
//   - ClickHouse (OpenClickHouse), for production. Its schema belongs to
//     the binary: migrations/clickhouse/NNNN_name.sql are embedded and
//     applied at open, recorded in xinfang_schema_migrations; every
//     statement is idempotent, so two processes may start at once. Table
//     events (ReplacingMergeTree, ORDER BY (case_id, event_id)) keeps what
//     was delivered; table case_facts (ReplacingMergeTree(version), ORDER
//     BY case_id) keeps one row per case. Ingest inserts the events with
//     one native insert, then recomputes the fact rows of their cases from
//     all of those cases' events with one INSERT ... SELECT; version is the
//     number of distinct events folded in, so the most complete row wins,
//     and every aggregate of the fold ignores repeated rows, so re-delivery
//     changes nothing even before parts merge; concurrent Ingest calls
//     are safe for the same reason (the row folded last from the most
//     events wins). Evaluate reads case_facts FINAL with three concurrent
//     queries that group by numbers only (channel and kind codes, the
//     petitioner key's 128 bits). RebuildFacts refolds everything (after
//     a bulk load or a change of the fold); Truncate empties both tables
//     for `xinfang analytics rebuild`.
//   - Embedded (OpenEmbedded), a SQLite file of its own beside the main
//     database: the same two tables (event_id as primary key, INSERT OR
//     IGNORE), the fact rows recomputed in the ingesting transaction, the
//     figures computed in Go from the fact rows of both periods.
//   - EvaluatePostgres, no warehouse: one hand-written statement over the
//     transactional tables cases and case_events. It is the reference the
//     warehouses are checked against and the benchmark's baseline.
//
// # Definitions
//
// All three implement these definitions exactly; the conformance suite
// (conformance_test.go) checks them against figures worked out by hand.
//
// Precision. ClickHouse 18.16 has no DateTime64, so every time is kept in
// whole seconds: an instant is its Unix time rounded down to the second,
// a duration is the difference of two such values, and From and To are
// rounded down too. (For whole-second bounds this selects exactly the
// cases an exact comparison would.)
//
// Case attributes. Channel, kind, priority, department, category, service
// project and petitioner key of a case are those carried by its latest
// event (highest Seq): a transferred case counts for its new department.
// EvaluatePostgres reads them from cases, whose row the latest event
// mirrors. ReceivedAt never changes (cases.received_at is immutable).
//
// Periods. The current period is [From, To); the previous one is the
// period of the same length just before it: [From − (To − From), From). A
// case belongs to a period when its ReceivedAt lies in it, and to an
// evaluation when it also passes every filter given (department, channel,
// kind, category: each equal to the case's attribute). Every figure of a
// period is about the cases received in it, whenever their later events
// happened.
//
// "First" event of a type: the earliest by OccurredAt, ties broken by the
// lower Seq. "Latest": the highest Seq.
//
//   - Received: the cases of the period. ByChannel and ByKind count them by
//     attribute (only values that occur are keys).
//   - Accepted: cases with an ACCEPTED event. Declined: cases with a
//     DECLINED event and no ACCEPTED one. AcceptanceRate:
//     Accepted / (Accepted + Declined).
//   - TimeToAcknowledge: for cases with a SUBMITTED or RECORDED event,
//     first such event − ReceivedAt. The intake event is the
//     acknowledgement: the workflow sets acknowledged_at when it records
//     it (internal/workflow/intake.go), so a web submission is
//     acknowledged in 0 s and a letter recorded later in the time it
//     waited.
//   - TimeToFirstResponse: for cases with a RESPONDED event, first
//     RESPONDED − ReceivedAt. Responded is their count.
//   - TimeToResolution: for cases with a CLOSED event, first CLOSED −
//     ReceivedAt. Closed is their count.
//   - Durations.Median and P90 are nearest-rank quantiles: of n values in
//     ascending order, the one at 1-based rank ceil(p·n), computed in
//     integers as (n+1)/2 and (9n+9)/10. ClickHouse's quantileExact
//     picks 0-based index floor(level·n), a different rank, and 18.16 has
//     no quantileExactLow; over the negated values, levels 0.5 and 0.1
//     give exactly the nearest ranks (see chQuantiles). PostgreSQL's
//     percentile_disc is this definition; Go sorts.
//   - WithinLimit: responded cases whose first response came no later
//     than the RespondDue carried by that RESPONDED event (the deadline in
//     force then, including extensions and pauses; in PostgreSQL the
//     event's payload respondDue). A response with no deadline counts as
//     within. WithinLimitShare: WithinLimit / Responded.
//   - Breaches: cases with a DEADLINE_BREACHED event (any deadline) or
//     whose first response was not within its limit — each case once.
//   - Extensions: EXTENSION_APPROVED events of the period's cases,
//     each distinct event once.
//   - Rated: cases with a RATED event; the case's rating is that of its
//     latest RATED event (a reviewed case may be rated again; the last
//     word counts). Satisfied: rated cases whose rating is 4 or 5.
//     SatisfactionRate: Satisfied / Rated; SurveyResponseRate: Rated /
//     Closed.
//   - Reviews: cases with a REVIEW_REQUESTED event of ReviewRound ≥ 1;
//     ReReviews: of ReviewRound ≥ 2 (in PostgreSQL the payload's round).
//     ReviewRate: Reviews / Closed; ReReviewRate: ReReviews / Reviews.
//   - Petitioners: distinct non-empty petitioner keys among the period's
//     cases (anonymous cases have none; a key is "" or made by
//     PetitionerKey, and Ingest refuses others); RepeatPetitioners: of those, the
//     keys with two or more of the period's cases (after filters).
//     PostgreSQL counts petitioner_id, which gives the same numbers.
//   - TopCategories, TopServiceProjects: case counts by category and by
//     service project (cases without one are not ranked), most cases
//     first, ties by lower ID, at most TopN (default 10).
//   - Trend: one point per bucket overlapping the period, in order, empty
//     buckets included. Buckets are calendar months or weeks starting on
//     Monday, at local midnight in Query.Location (which must be a named
//     IANA location such as Asia/Shanghai; default: the warehouse's). A
//     point describes the cases received in its bucket (and in the
//     period): Received, Responded, WithinLimitShare, SatisfactionRate
//     and the median time to first response, as defined above. The first
//     bucket may start before From.
//   - EfficiencyGain: previous median time to first response / current
//     one − 1; the seed strategy's "+30% efficiency" is 0.30, a previous
//     median 1.3 times the current one. Nil when either period has no
//     response or the current median is 0.
//   - Every ratio is 0 when its denominator is 0.
//
// # Events the relay delivers
//
// Event.RespondDue of a RESPONDED event is the deadline in force at that
// response (the workflow records it in the event payload as respondDue).
// Event.ReviewRound is the case's review round after the event, so a
// REVIEW_REQUESTED event carries the round it opened (payload round).
// PetitionerKey is PetitionerKey(secret, petitioner ID).
//
// # Benchmarks
//
// GenerateBench streams a deterministic event stream of any size;
// LoadClickHouseBench and LoadPostgresBench (COPY into cases and
// case_events through a PostgresLoader) load it; TimeEvaluate times an
// evaluation. TestWarehouseBench runs them together when
// XINFANG_WAREHOUSE_BENCH_EVENTS is set.
package analytics
