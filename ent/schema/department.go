package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Department is an organisational unit that handles cases. Its calendar
// (time zone, business hours, holidays and make-up working days) is what
// deadlines are computed on.
type Department struct {
	ent.Schema
}

// Fields of the Department.
func (Department) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").
			Unique().
			NotEmpty().
			MaxLen(64).
			Comment("Stable machine code, e.g. CUSTOMER_SERVICE; used by policies.").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").
			NotEmpty().
			MaxLen(200).
			Comment("Display name in Chinese.").
			Annotations(entgql.OrderField("NAME")),
		field.String("name_en").
			Default("").
			MaxLen(200).
			Comment("Display name in English."),
		field.Text("description").
			Default("").
			Comment("What the department is responsible for."),
		field.Bool("intake").
			Default(false).
			Comment("True for the department that receives and triages new cases (the routing fallback)."),
		field.Bool("active").
			Default(true).
			Comment("Inactive departments receive no new cases."),
	}
}

// Edges of the Department.
func (Department) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("staff", Staff.Type).
			Comment("Staff members of the department.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// Not in GraphQL: cases are listed through Query.cases (filter
		// departmentID), which authorizes the caller.
		edge.To("reported_cases", CaseFile.Type).
			Comment("REPORT (whistle-blowing) cases about this department.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("cases", CaseFile.Type).
			Comment("Cases currently owned by the department.").
			Annotations(entgql.Skip()),
		edge.To("service_projects", ServiceProject.Type).
			Comment("Service projects the department runs.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("categories", Category.Type).
			Comment("Categories whose cases go to this department by default.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Mixin of the Department.
func (Department) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the Department.
func (Department) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField(),
		entgql.RelayConnection(),
	}
}
