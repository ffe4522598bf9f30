package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// Outbox is the transactional outbox of the analytics pipeline: one row per
// case event not yet delivered to the warehouse. The workflow writes the row
// in the transaction that appends the event, so an event is in the outbox
// exactly when it is committed; the relay (package analytics) ships the
// event and deletes the row.
//
// It names the event by ID without a foreign key: a queue row is written on
// the hottest path and deleted moments later, and case events are never
// deleted, so the key would only cost a lookup per insert.
type Outbox struct {
	ent.Schema
}

// Fields of the Outbox.
func (Outbox) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").
			Comment("Position in the outbox; the relay ships rows in this order."),
		field.Int("event_id").
			Immutable().
			Comment("The case event to deliver (case_events.id)."),
		field.Time("created_at").
			Immutable().
			Comment("When the event was committed (its time on the workflow clock); the relay measures its lag from it."),
	}
}

// Annotations of the Outbox: internal plumbing, invisible to GraphQL.
func (Outbox) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entsql.Table("analytics_outbox"),
		entgql.Skip(entgql.SkipAll),
	}
}
