package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Staff is an employee or a member of the oversight committee who signs in
// with a password. Each member has exactly one role; a department head also
// has the rights of a handler in their department.
type Staff struct {
	ent.Schema
}

// Fields of the Staff.
func (Staff) Fields() []ent.Field {
	return []ent.Field{
		field.String("username").
			Unique().
			NotEmpty().
			MaxLen(64).
			Immutable().
			Comment("Login name, unique, case-sensitive; cannot be changed.").
			Annotations(entgql.OrderField("USERNAME")),
		field.String("display_name").
			NotEmpty().
			MaxLen(200).
			Comment("Name shown to colleagues.").
			Annotations(entgql.OrderField("DISPLAY_NAME")),
		field.String("email").
			Default("").
			MaxLen(320).
			Comment("Work email address."),
		field.String("password_hash").
			Sensitive().
			Annotations(entgql.Skip()),
		field.Enum("role").
			Values("ADMIN", "INTAKE_AGENT", "HANDLER", "DEPT_HEAD", "EVALUATOR",
				"INFO_OFFICER", "HR_OFFICER", "PR_OFFICER", "OVERSIGHT_MEMBER").
			Comment("What the member may do."),
		field.String("locale").
			Default("zh-CN").
			Comment("Preferred language (zh-CN or en)."),
		field.Bool("active").
			Default(true).
			Comment("Inactive members cannot sign in and cannot be assigned cases."),
		field.Time("last_login_at").
			Optional().
			Nillable().
			Comment("When the member last signed in.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("department_id").
			Optional().
			Nillable().
			Comment("The member's department; empty for administrators and the oversight committee."),
	}
}

// Edges of the Staff.
func (Staff) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("department", Department.Type).
			Ref("staff").
			Field("department_id").
			Unique().
			Comment("The member's department."),
		// Not in GraphQL: cases are listed through Query.cases (filter
		// assigneeID), which authorizes the caller.
		edge.To("assigned_cases", CaseFile.Type).
			Comment("Cases currently assigned to the member.").
			Annotations(entgql.Skip()),
		edge.To("recorded_cases", CaseFile.Type).
			Comment("Cases the member recorded from a hotline call, email, letter, visit or consultation.").
			Annotations(entgql.Skip()),
		edge.To("case_events", CaseEvent.Type).
			Comment("Timeline events the member caused.").
			Annotations(entgql.Skip()),
	}
}

// Indexes of the Staff.
func (Staff) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("role"),
	}
}

// Mixin of the Staff.
func (Staff) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the Staff.
func (Staff) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entsql.Table("staff"),
		entgql.RelayConnection(),
		entgql.QueryField("staff"),
	}
}
