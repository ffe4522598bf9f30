package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Petitioner is the member of the public behind a case. Identity and contact
// data are personal data: only those handling the case may read them.
type Petitioner struct {
	ent.Schema
}

// Fields of the Petitioner.
func (Petitioner) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Default("").
			MaxLen(200).
			Comment("Full name; empty when anonymous."),
		field.String("phone").
			Default("").
			MaxLen(64).
			Comment("Telephone number for call-backs."),
		field.String("email").
			Default("").
			MaxLen(320).
			Comment("Email address for replies."),
		field.String("address").
			Default("").
			MaxLen(500).
			Comment("Postal address for letters."),
		field.Bool("anonymous").
			Default(false).
			Comment("True when the petitioner chose not to give an identity."),
	}
}

// Edges of the Petitioner.
func (Petitioner) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("cases", CaseFile.Type).
			Comment("Cases the petitioner submitted."),
	}
}

// Indexes of the Petitioner: repeat petitioners are found by contact.
func (Petitioner) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("phone"),
		index.Fields("email"),
	}
}

// Mixin of the Petitioner.
func (Petitioner) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the Petitioner.
func (Petitioner) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
	}
}
