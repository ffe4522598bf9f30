package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/xinfang/xinfang/ent/schema/schematype"
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
		// The calendar fields are set together, validated, through the
		// setDepartmentCalendar mutation.
		field.String("time_zone").
			Default("Asia/Shanghai").
			Comment("IANA time zone of the department's calendar.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.JSON("business_hours", []schematype.BusinessHours{}).
			Optional().
			Comment("Working hours per weekday; empty means the clock runs around the calendar.").
			Annotations(entgql.Type("[BusinessHours!]"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Strings("holidays").
			Optional().
			Comment("Public holidays as YYYY-MM-DD dates in the department's time zone.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Strings("makeup_workdays").
			Optional().
			Comment("Make-up working days (调休) as YYYY-MM-DD dates: weekend days that are worked.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
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
