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
		field.String("time_zone").
			Default("Asia/Shanghai").
			Comment("IANA time zone of the department's calendar."),
		field.JSON("business_hours", []schematype.BusinessHours{}).
			Optional().
			Comment("Working hours per weekday; empty means the clock runs around the calendar.").
			Annotations(entgql.Type("[BusinessHours!]")),
		field.Strings("holidays").
			Optional().
			Comment("Public holidays as YYYY-MM-DD dates in the department's time zone."),
		field.Strings("makeup_workdays").
			Optional().
			Comment("Make-up working days (调休) as YYYY-MM-DD dates: weekend days that are worked."),
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
			Annotations(entgql.RelayConnection()),
		// Not in GraphQL: cases are listed through Query.cases (filter
		// departmentID), which authorizes the caller.
		edge.To("cases", CaseFile.Type).
			Comment("Cases currently owned by the department.").
			Annotations(entgql.Skip()),
		edge.To("service_projects", ServiceProject.Type).
			Comment("Service projects the department runs."),
		edge.To("categories", Category.Type).
			Comment("Categories whose cases go to this department by default."),
	}
}

// Mixin of the Department.
func (Department) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Annotations of the Department.
func (Department) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
	}
}
