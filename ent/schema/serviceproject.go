package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// ServiceProject is one of the organisation's public services; quarterly
// reports must cover at least 90% of them.
type ServiceProject struct {
	ent.Schema
}

// Fields of the ServiceProject.
func (ServiceProject) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").
			Unique().
			NotEmpty().
			MaxLen(64).
			Comment("Stable machine code used by policies.").
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
			Comment("What the project provides to the public."),
		field.Bool("active").
			Default(true).
			Comment("Inactive projects cannot be chosen for new cases."),
		field.Int("department_id").
			Optional().
			Nillable().
			Comment("Department that runs the project."),
	}
}

// Edges of the ServiceProject.
func (ServiceProject) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("department", Department.Type).
			Ref("service_projects").
			Field("department_id").
			Unique().
			Comment("Department that runs the project."),
		edge.To("cases", CaseFile.Type).
			Comment("Cases about this project.").
			Annotations(entgql.Skip()),
	}
}

// Mixin of the ServiceProject.
func (ServiceProject) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the ServiceProject.
func (ServiceProject) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField(),
	}
}
