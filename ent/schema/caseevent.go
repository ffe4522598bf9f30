package schema

import (
	"context"
	"errors"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/xinfang/xinfang/ent/schema/schematype"
)

// CaseEvent is one immutable entry of a case's timeline. Events of a case
// form a hash chain: each event stores the hash of the one before it, so a
// changed or removed event is detectable.
type CaseEvent struct {
	ent.Schema
}

// Fields of the CaseEvent.
func (CaseEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("case_id").
			Immutable().
			Comment("The case this event belongs to."),
		field.Int("seq").
			Immutable().
			Positive().
			Comment("Position in the case's timeline, starting at 1; equals the case version the event produced.").
			Annotations(entgql.OrderField("SEQ")),
		field.Enum("type").
			Values(
				"SUBMITTED", "RECORDED", "ACCEPTED", "DECLINED", "ASSIGNED", "WORK_STARTED",
				"NOTE_ADDED", "INFORMATION_REQUESTED", "INFORMATION_PROVIDED", "TRANSFERRED",
				"EXTENSION_REQUESTED", "EXTENSION_APPROVED", "EXTENSION_REJECTED",
				"RESPONDED", "CLOSED", "RATED", "REVIEW_REQUESTED", "MERGED", "DUPLICATE_MERGED",
				"DEADLINE_WARNING", "DEADLINE_BREACHED", "DEADLINE_ESCALATED",
			).
			Immutable().
			Comment("What happened."),
		field.Enum("actor_kind").
			Values("STAFF", "PETITIONER", "SYSTEM").
			Immutable().
			Comment("Who caused the event."),
		field.Int("actor_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The staff member who caused the event, when actor kind is STAFF."),
		field.Time("occurred_at").
			Immutable().
			Comment("When it happened.").
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Enum("from_status").
			GoType(schematype.CaseStatus("")).
			Annotations(entgql.Type("CaseStatus")).
			Optional().
			Nillable().
			Immutable().
			Comment("Case status before the event; empty for the first event."),
		field.Enum("to_status").
			GoType(schematype.CaseStatus("")).
			Annotations(entgql.Type("CaseStatus")).
			Immutable().
			Comment("Case status after the event."),
		field.Bool("public").
			Default(false).
			Immutable().
			Comment("True when the petitioner may see the event on the public tracking page."),
		field.JSON("payload", map[string]any{}).
			Optional().
			Immutable().
			Comment("Details of the event: reasons, notes, old and new values."),
		field.String("prev_hash").
			Immutable().
			Comment("Hash of the previous event of the case; empty for the first."),
		field.String("hash").
			Immutable().
			Comment("SHA-256 over the previous hash and this event's content."),
	}
}

// Edges of the CaseEvent.
func (CaseEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("case", CaseFile.Type).
			Ref("events").
			Field("case_id").
			Unique().
			Required().
			Immutable().
			Comment("The case this event belongs to."),
		edge.From("actor", Staff.Type).
			Ref("case_events").
			Field("actor_id").
			Unique().
			Immutable().
			Comment("The staff member who caused the event."),
	}
}

// Indexes of the CaseEvent: one event per position of a case's chain; by
// type and time for the deadline alerts staff read.
func (CaseEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("case_id", "seq").Unique(),
		// A timeline page is "events of a case ORDER BY id LIMIT n": with
		// only (case_id, seq) PostgreSQL's generic plan may walk the primary
		// key through every newer event instead (50 ms at 1.5 M events).
		index.Fields("case_id", "id"),
		index.Fields("occurred_at"),
		index.Fields("type", "occurred_at"),
	}
}

// Hooks of the CaseEvent make the timeline append-only.
func (CaseEvent) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if !m.Op().Is(ent.OpCreate) {
					return nil, errors.New("case events are immutable: they can be appended, never updated or deleted")
				}
				return next.Mutate(ctx, m)
			})
		},
	}
}

// Annotations of the CaseEvent.
func (CaseEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entsql.Table("case_events"),
		entgql.RelayConnection(),
	}
}
