package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Category classifies what a case is about (service quality, finances, ...).
type Category struct {
	ent.Schema
}

// Fields of the Category.
func (Category) Fields() []ent.Field {
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
		field.Bool("active").
			Default(true).
			Comment("Inactive categories cannot be chosen for new cases."),
		field.Int("default_department_id").
			Optional().
			Nillable().
			Comment("Department that handles this category unless a policy says otherwise."),
	}
}

// Edges of the Category.
func (Category) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("default_department", Department.Type).
			Ref("categories").
			Field("default_department_id").
			Unique().
			Comment("Department that handles this category by default."),
		edge.To("cases", CaseFile.Type).
			Comment("Cases in this category.").
			Annotations(entgql.Skip()),
	}
}

// Mixin of the Category.
func (Category) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the Category.
func (Category) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entsql.Table("categories"),
		entgql.QueryField(),
	}
}
