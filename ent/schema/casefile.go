package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/xinfang/xinfang/ent/schema/schematype"
)

// CaseFile is one complaint, suggestion, inquiry, praise or report (信访件).
// It is named CaseFile because `case` is a Go keyword; GraphQL and the
// database call it Case and cases.
//
// Only the workflow package changes a case: every change goes through a
// transition that checks the state machine, bumps Version and appends a
// CaseEvent in the same transaction.
type CaseFile struct {
	ent.Schema
}

// Fields of the CaseFile.
func (CaseFile) Fields() []ent.Field {
	return []ent.Field{
		field.String("pin_hash").
			Sensitive().
			Comment("Keyed hash (HMAC-SHA256) of the petitioner's PIN.").
			Annotations(entgql.Skip()),
		field.Int("pin_failures").
			Default(0).
			Comment("Consecutive failed PIN attempts for this tracking code.").
			Annotations(entgql.Skip()),
		field.Time("pin_locked_until").
			Optional().
			Nillable().
			Comment("PIN checks are refused until this time after too many failures.").
			Annotations(entgql.Skip()),
		field.String("idempotency_key").
			Optional().
			Nillable().
			Unique().
			Sensitive().
			Comment("Hash of the submitter's idempotency key and request, so that a retried submission returns the same case.").
			Annotations(entgql.Skip()),
		field.Enum("channel").
			Values("WEB", "HOTLINE", "EMAIL", "LETTER", "VISIT", "CONSULTATION").
			Comment("How the case reached the organisation.").
			Annotations(entgql.OrderField("CHANNEL")),
		field.Enum("kind").
			Values("COMPLAINT", "SUGGESTION", "INQUIRY", "PRAISE", "REPORT").
			Comment("What the petitioner asks for. REPORT is whistle-blowing.").
			Annotations(entgql.OrderField("KIND")),
		field.Enum("priority").
			Values("LOW", "NORMAL", "HIGH", "URGENT").
			Default("NORMAL").
			Comment("Handling priority; policies may shorten time limits for higher priorities.").
			Annotations(entgql.OrderField("PRIORITY")),
		field.String("subject").
			NotEmpty().
			MaxLen(300).
			Comment("One-line summary given by the petitioner or the intake agent."),
		field.Text("body").
			NotEmpty().
			MaxLen(20000).
			Comment("Full text of the case."),
		field.String("locale").
			Default("zh-CN").
			Comment("Language the petitioner wrote in and wants replies in (zh-CN or en)."),
		field.Enum("status").
			GoType(schematype.CaseStatus("")).
			Annotations(entgql.Type("CaseStatus")).
			Default(string(schematype.StatusSubmitted)).
			Comment("Where the case is in its life.").
			Annotations(entgql.OrderField("STATUS")),
		field.Int("version").
			Default(1).
			Comment("Optimistic-concurrency version: every transition must name the version it read, and increments it."),
		field.String("last_event_hash").
			Comment("Hash of the newest CaseEvent, the head of the case's hash chain.").
			Annotations(entgql.Skip()),
		// Lifecycle timestamps.
		field.Time("received_at").
			Immutable().
			Comment("When the organisation received the case (may be earlier than recording for letters).").
			Annotations(entgql.OrderField("RECEIVED_AT")),
		field.Time("acknowledged_at").
			Optional().Nillable().
			Comment("When receipt was acknowledged to the petitioner."),
		field.Time("decided_at").
			Optional().Nillable().
			Comment("When the case was accepted or declined."),
		field.String("decline_reason").
			Default("").
			Comment("Why the case was not accepted."),
		field.Time("assigned_at").
			Optional().Nillable().
			Comment("When the current assignee was assigned."),
		field.Time("started_at").
			Optional().Nillable().
			Comment("When work on the case started in the current round."),
		field.Time("first_responded_at").
			Optional().Nillable().
			Comment("When the first written reply was given."),
		field.Time("responded_at").
			Optional().Nillable().
			Comment("When the latest written reply was given."),
		field.Time("closed_at").
			Optional().Nillable().
			Comment("When the case was last closed.").
			Annotations(entgql.OrderField("CLOSED_AT")),
		// Deadlines, computed by policy and shifted by pauses and extensions.
		field.Time("acknowledge_due").
			Optional().Nillable().
			Comment("Deadline for acknowledging receipt."),
		field.Time("decide_due").
			Optional().Nillable().
			Comment("Deadline for accepting or declining."),
		field.Time("respond_due").
			Optional().Nillable().
			Comment("Deadline for the written reply; the clock stops while awaiting the petitioner.").
			Annotations(entgql.OrderField("RESPOND_DUE")),
		field.Time("resolve_due").
			Optional().Nillable().
			Comment("Deadline for closing the case; moved like the response deadline."),
		field.Enum("sla_state").
			Values("ON_TRACK", "AT_RISK", "BREACHED", "ESCALATED").
			Default("ON_TRACK").
			Comment("Escalation level of the deadline that is running now, as the deadline watcher last recorded it: AT_RISK after the pre-breach warning, BREACHED past the deadline, ESCALATED once the breach went beyond the department. A new running deadline starts ON_TRACK.").
			Annotations(entgql.Type("SLAState"), entgql.OrderField("SLA_STATE")),
		field.Time("deadline_check_at").
			Optional().Nillable().
			Comment("When the deadline watcher must next look at the case; empty while no deadline runs (paused, closed). Indexed, so a watcher tick reads only the cases that are due.").
			Annotations(entgql.Skip()),
		field.Time("paused_at").
			Optional().Nillable().
			Comment("When the clock was paused to await the petitioner; empty while it runs."),
		field.Int64("paused_seconds").
			Default(0).
			Comment("Total seconds the clock has been paused awaiting the petitioner."),
		field.Int("extension_count").
			Default(0).
			Comment("How many extensions have been approved."),
		field.Int("extension_requested_hours").
			Optional().Nillable().
			Comment("Hours asked for by a pending extension request; empty when none is pending."),
		field.String("extension_reason").
			Default("").
			Comment("Reason given for the latest extension request."),
		// Outcome.
		field.Enum("outcome").
			Values("SUPPORTED", "EXPLAINED", "NOT_SUPPORTED").
			Optional().Nillable().
			Comment("Result of the handling, given with the reply."),
		field.Text("reply").
			Default("").
			Comment("Written reply to the petitioner."),
		field.Int("rating").
			Optional().Nillable().
			Min(1).Max(5).
			Comment("Petitioner's satisfaction, 1 (very unsatisfied) to 5 (very satisfied)."),
		field.Text("rating_comment").
			Default("").
			Comment("Petitioner's comment with the rating."),
		field.Time("rated_at").
			Optional().Nillable().
			Comment("When the petitioner rated the handling."),
		field.Int("review_round").
			Default(0).
			Comment("0 for the original handling, 1 for review (复查), 2 for re-review (复核)."),
		field.Time("review_requested_at").
			Optional().Nillable().
			Comment("When the petitioner last asked for a review."),
		// Foreign keys, exposed so that filters can use them.
		field.Int("department_id").
			Optional().Nillable().
			Comment("Department responsible for the case."),
		field.Int("assignee_id").
			Optional().Nillable().
			Comment("Staff member handling the case."),
		field.Int("petitioner_id").
			Optional().Nillable().
			Comment("Who submitted the case; empty for fully anonymous cases.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("category_id").
			Optional().Nillable().
			Comment("What the case is about."),
		field.Int("service_project_id").
			Optional().Nillable().
			Comment("Service project the case concerns."),
		field.Int("merged_into_id").
			Optional().Nillable().
			Comment("The case this duplicate was merged into."),
		field.Int("concerned_department_id").
			Optional().Nillable().
			Comment("For a REPORT (whistle-blowing) case, the department it reports on: the case is never routed there and its staff never see the reporter."),
		field.Int("recorded_by_id").
			Optional().Nillable().
			Comment("Staff member who recorded a case received by hotline, email, letter, visit or consultation."),
	}
}

// Edges of the CaseFile.
func (CaseFile) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("department", Department.Type).
			Ref("cases").
			Field("department_id").
			Unique().
			Comment("Department responsible for the case."),
		edge.From("assignee", Staff.Type).
			Ref("assigned_cases").
			Field("assignee_id").
			Unique().
			Comment("Staff member handling the case."),
		edge.From("petitioner", Petitioner.Type).
			Ref("cases").
			Field("petitioner_id").
			Unique().
			Comment("Who submitted the case. Personal data: visible only to those handling it.").
			// Resolved by hand (graph/case.resolvers.go) so that the authorizer
			// decides who may see personal data.
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput)),
		edge.From("category", Category.Type).
			Ref("cases").
			Field("category_id").
			Unique().
			Comment("What the case is about."),
		edge.From("service_project", ServiceProject.Type).
			Ref("cases").
			Field("service_project_id").
			Unique().
			Comment("Service project the case concerns."),
		edge.To("duplicates", CaseFile.Type).
			Comment("Cases merged into this one as duplicates.").
			From("merged_into").
			Field("merged_into_id").
			Unique().
			Comment("The case this duplicate was merged into."),
		edge.From("concerned_department", Department.Type).
			Ref("reported_cases").
			Field("concerned_department_id").
			Unique().
			Comment("For a REPORT case, the department it reports on."),
		edge.From("recorded_by", Staff.Type).
			Ref("recorded_cases").
			Field("recorded_by_id").
			Unique().
			Comment("Staff member who recorded the case."),
		edge.To("events", CaseEvent.Type).
			Comment("The case's timeline, oldest first.").
			Annotations(entgql.RelayConnection(), entgql.OrderField("EVENTS_COUNT")),
	}
}

// Indexes of the CaseFile, one for each list the SPA and the deadline
// checks ask for.
func (CaseFile) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("status", "respond_due"),
		index.Fields("department_id", "status"),
		index.Fields("assignee_id", "status"),
		index.Fields("received_at"),
		index.Fields("deadline_check_at"),
		index.Fields("sla_state", "department_id"),
	}
}

// Mixin of the CaseFile.
func (CaseFile) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the CaseFile.
func (CaseFile) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entsql.Table("cases"),
		entgql.Type("Case"),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
