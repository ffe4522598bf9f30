package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ImprovementAction is a measure decided in a half-yearly evaluation (the
// seed strategy's "improvement actions"): what is to change, which
// department owns it and by when. It is changed only through
// internal/evaluation, which validates the due date, the period label and
// the KPI key.
type ImprovementAction struct {
	ent.Schema
}

// Fields of the ImprovementAction.
func (ImprovementAction) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			NotEmpty().
			MaxLen(200).
			Comment("What is to be done, in one line.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("description").
			Default("").
			MaxLen(10000).
			Comment("Why the action is needed and how it will be done."),
		field.Int("department_id").
			Comment("Department that owns the action."),
		// A calendar day, like department holidays: the action is due by
		// the end of that day in the organisation's time zone.
		field.String("due_date").
			NotEmpty().
			Comment("Day the action is due, YYYY-MM-DD.").
			Annotations(entgql.OrderField("DUE_DATE")),
		field.Enum("status").
			Values("OPEN", "IN_PROGRESS", "DONE", "CANCELLED").
			Default("OPEN").
			Comment("Where the action stands.").
			Annotations(entgql.OrderField("STATUS"), entgql.Skip(entgql.SkipMutationCreateInput)),
		field.String("period_label").
			NotEmpty().
			MaxLen(16).
			Immutable().
			Comment("Evaluation period the action came from, e.g. 2026H1.").
			Annotations(entgql.OrderField("PERIOD_LABEL")),
		field.String("kpi_key").
			Optional().
			Nillable().
			MaxLen(64).
			Comment("Key of the scorecard KPI the action addresses, e.g. SATISFACTION; empty when none."),
		field.Int("created_by_id").
			Immutable().
			Comment("Staff member who recorded the action.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the ImprovementAction. Both are one-way so that Department and
// Staff need not know about evaluations; lists filter on departmentID.
func (ImprovementAction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("department", Department.Type).
			Field("department_id").
			Unique().
			Required().
			Comment("Department that owns the action."),
		edge.To("created_by", Staff.Type).
			Field("created_by_id").
			Unique().
			Required().
			Immutable().
			Comment("Staff member who recorded the action.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the ImprovementAction.
func (ImprovementAction) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("period_label"),
	}
}

// Mixin of the ImprovementAction.
func (ImprovementAction) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the ImprovementAction.
func (ImprovementAction) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField("improvementActions"),
		entgql.RelayConnection(),
	}
}
