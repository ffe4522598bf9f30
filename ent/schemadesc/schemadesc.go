// Package schemadesc fills in the descriptions that entgql leaves out of the
// generated GraphQL schema (graph/schema/ent.graphql): type descriptions,
// edges, connection plumbing, filter predicates and enum values. The SDL is
// the SPA team's contract, so nothing in it may be undocumented; a test
// (TestSchemaIsDescribed) holds the whole schema to that.
package schemadesc

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// typeDescriptions describe the ent types as GraphQL objects.
var typeDescriptions = map[string]string{
	"Case":              "A complaint, suggestion, inquiry, praise or report (信访件), and where it is in its life.",
	"CaseEvent":         "One immutable step of a case's timeline. Events form a hash chain per case.",
	"Category":          "What a case is about; may name a default department.",
	"Department":        "An organisational unit that handles cases, with the calendar its deadlines run on.",
	"ImprovementAction": "A measure decided in a half-yearly evaluation: what is to change, which department owns it and by when.",
	"Petitioner":        "The member of the public behind a case. Personal data: shown only to those handling the case.",
	"ServiceProject":    "One of the organisation's public services.",
	"Staff":             "A staff member or oversight-committee member who signs in.",
}

// enumValueDescriptions describe enum values by enum and value.
var enumValueDescriptions = map[string]map[string]string{
	"CaseChannel": {
		"WEB": "The public web form.", "HOTLINE": "The telephone hotline.", "EMAIL": "Email.",
		"LETTER": "A letter by post.", "VISIT": "A walk-in visit.", "CONSULTATION": "A public consultation meeting.",
	},
	"CaseKind": {
		"COMPLAINT": "A complaint about the organisation's work.", "SUGGESTION": "A suggestion for improvement.",
		"INQUIRY": "A question.", "PRAISE": "Praise.", "REPORT": "Whistle-blowing: the reporter is never revealed to the department concerned.",
	},
	"CasePriority": {
		"LOW": "Low priority.", "NORMAL": "Normal priority (the default).", "HIGH": "High priority.", "URGENT": "Urgent: handle first.",
	},
	"CaseStatus": {
		"SUBMITTED":           "Received and acknowledged; awaiting the accept/decline decision.",
		"ACCEPTED":            "Accepted; awaiting assignment to a handler.",
		"NOT_ACCEPTED":        "Declined, with a reason (final).",
		"ASSIGNED":            "Assigned to a handler who has not started yet.",
		"IN_PROGRESS":         "Being handled.",
		"AWAITING_PETITIONER": "Waiting for information from the petitioner; the deadline clock is paused.",
		"RESPONDED":           "The written reply was given.",
		"CLOSED":              "Closed; may be rated and, within the review window, reopened for review.",
		"MERGED":              "Merged into another case as a duplicate (final).",
	},
	"CaseOutcome": {
		"SUPPORTED": "The petitioner's request is supported.", "EXPLAINED": "The matter was explained.",
		"NOT_SUPPORTED": "The request is not supported, with reasons.",
	},
	"CaseEventActorKind": {
		"STAFF": "A staff member.", "PETITIONER": "The petitioner, with tracking code and PIN.", "SYSTEM": "The system itself (deadline checks).",
	},
	"CaseEventType": {
		"SUBMITTED": "Submitted through the public form.", "RECORDED": "Recorded by staff from another channel.",
		"ACCEPTED": "Accepted for handling.", "DECLINED": "Not accepted, with a reason.", "ASSIGNED": "Assigned to a handler.",
		"WORK_STARTED": "Work started.", "NOTE_ADDED": "A note was added.", "INFORMATION_REQUESTED": "The petitioner was asked for information.",
		"INFORMATION_PROVIDED": "The petitioner answered.", "TRANSFERRED": "Transferred to another department.",
		"EXTENSION_REQUESTED": "More time was asked for.", "EXTENSION_APPROVED": "An extension was approved.",
		"EXTENSION_REJECTED": "An extension was rejected.", "RESPONDED": "The written reply was given.", "CLOSED": "Closed.",
		"RATED": "The petitioner rated the handling.", "REVIEW_REQUESTED": "The petitioner asked for a review.",
		"MERGED": "Merged into another case.", "DUPLICATE_MERGED": "A duplicate was merged into this case.",
		"DEADLINE_WARNING": "A deadline is near.", "DEADLINE_BREACHED": "A deadline passed.",
		"DEADLINE_ESCALATED": "A breached deadline was escalated beyond the department (督办).",
	},
	"SLAState": {
		"ON_TRACK":  "The running deadline is not near.",
		"AT_RISK":   "The running deadline is near: the pre-breach warning was given.",
		"BREACHED":  "The running deadline has passed.",
		"ESCALATED": "The breach was escalated beyond the department.",
	},
	"StaffRole": {
		"ADMIN": "Administers the system; may do everything.", "INTAKE_AGENT": "Records and triages incoming cases.",
		"HANDLER": "Handles the cases assigned to them.", "DEPT_HEAD": "Heads a department: assigns, decides extensions, handles.",
		"EVALUATOR": "Produces the half-yearly evaluations.", "INFO_OFFICER": "Publishes the quarterly transparency reports.",
		"HR_OFFICER": "Records staff trainings.", "PR_OFFICER": "Runs public consultations.",
		"OVERSIGHT_MEMBER": "A public representative on the oversight committee; reads anonymised figures.",
	},
	"OrderDirection": {"ASC": "Ascending order.", "DESC": "Descending order."},
	"ImprovementActionStatus": {
		"OPEN": "Decided, not started.", "IN_PROGRESS": "Being carried out.",
		"DONE": "Carried out.", "CANCELLED": "Dropped; the description should say why.",
	},
}

// predicateSuffixes explain the where-input predicates, longest first.
var predicateSuffixes = []struct{ suffix, text string }{
	{"ContainsFold", "contains the value, ignoring case"},
	{"EqualFold", "equals the value, ignoring case"},
	{"HasPrefix", "starts with the value"},
	{"HasSuffix", "ends with the value"},
	{"Contains", "contains the value"},
	{"NotNil", "is set"},
	{"IsNil", "is not set"},
	{"NotIn", "is none of the values"},
	{"NEQ", "is not equal to the value"},
	{"GTE", "is greater than or equal to the value"},
	{"LTE", "is less than or equal to the value"},
	{"GT", "is greater than the value"},
	{"LT", "is less than the value"},
	{"In", "is one of the values"},
}

// Hook is an entgql schema hook that describes every undescribed element.
func Hook(g *gen.Graph, s *ast.Schema) error {
	edgeComments := map[string]string{}
	for _, n := range g.Nodes {
		for _, e := range n.Edges {
			if c := e.Comment(); c != "" {
				edgeComments[n.Name+"."+e.Name] = c
			}
		}
	}
	names := make([]string, 0, len(s.Types))
	for name := range s.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		def := s.Types[name]
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if def.Description == "" {
			def.Description = describeType(name)
		}
		subject := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "WhereInput"), "Order"), "OrderField")
		for _, f := range def.Fields {
			if f.Description == "" {
				f.Description = describeField(def, f.Name, edgeComments, goName(g, name))
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					a.Description = describeArgument(a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description != "" {
				continue
			}
			if d, ok := enumValueDescriptions[name][v.Name]; ok {
				v.Description = d
			} else if strings.HasSuffix(name, "OrderField") {
				v.Description = fmt.Sprintf("Order %s by %s.", plural(subject), humanize(v.Name))
			}
		}
	}
	return nil
}

// goName maps a GraphQL type name to its ent node name (Case → CaseFile).
func goName(g *gen.Graph, gqlName string) string {
	for _, n := range g.Nodes {
		if n.Name == gqlName {
			return n.Name
		}
	}
	if gqlName == "Case" {
		return "CaseFile"
	}
	return gqlName
}

func describeType(name string) string {
	if d, ok := typeDescriptions[name]; ok {
		return d
	}
	for suffix, format := range map[string]string{
		"Connection": "A page of %s with pagination information (Relay connection).",
		"Edge":       "One of %s in a connection, with its cursor.",
		"WhereInput": "Filters on %s: every given condition must hold; use and, or and not to combine.",
		"OrderField": "What %s can be ordered by.",
		"Order":      "How to order %s.",
	} {
		if base, ok := strings.CutSuffix(name, suffix); ok && base != "" {
			return fmt.Sprintf(format, plural(base))
		}
	}
	switch name {
	case "PageInfo":
		return "Where a page lies in its list (Relay page info)."
	case "Node":
		return "An object with a globally unique ID, fetchable with the node query."
	}
	return name + "."
}

func describeField(def *ast.Definition, field string, edgeComments map[string]string, node string) string {
	name := def.Name
	switch {
	case field == "id":
		return "Globally unique ID."
	case strings.HasSuffix(name, "Connection"):
		switch field {
		case "edges":
			return "The items of this page with their cursors."
		case "pageInfo":
			return "Where this page lies in the list."
		case "totalCount":
			return "How many items the whole list has."
		}
	case strings.HasSuffix(name, "Edge"):
		switch field {
		case "node":
			return "The item."
		case "cursor":
			return "Cursor of the item, for the after and before arguments."
		}
	case strings.HasSuffix(name, "Order"):
		switch field {
		case "direction":
			return "Ascending or descending."
		case "field":
			return "What to order by."
		}
	case strings.HasSuffix(name, "WhereInput"):
		return describePredicate(field)
	}
	if c, ok := edgeComments[node+"."+snake(field)]; ok {
		return c
	}
	return humanize(field) + "."
}

func describePredicate(field string) string {
	switch field {
	case "not":
		return "The condition that must not hold."
	case "and":
		return "Conditions that must all hold."
	case "or":
		return "Conditions of which at least one must hold."
	}
	if rest, ok := strings.CutPrefix(field, "has"); ok && rest != "" && unicode.IsUpper(rune(rest[0])) {
		if edge, ok := strings.CutSuffix(rest, "With"); ok {
			return fmt.Sprintf("Has a %s matching any of these filters.", humanize(edge))
		}
		return fmt.Sprintf("True: has a %s; false: has none.", humanize(rest))
	}
	for _, p := range predicateSuffixes {
		if base, ok := strings.CutSuffix(field, p.suffix); ok && base != "" {
			return fmt.Sprintf("%s %s.", capitalize(humanize(base)), p.text)
		}
	}
	return fmt.Sprintf("%s equals the value.", capitalize(humanize(field)))
}

func describeArgument(name string) string {
	switch name {
	case "after":
		return "Returns the elements in the list that come after the specified cursor."
	case "before":
		return "Returns the elements in the list that come before the specified cursor."
	case "first":
		return "Returns the first _n_ elements from the list."
	case "last":
		return "Returns the last _n_ elements from the list."
	}
	return humanize(name) + "."
}

// humanize turns a camelCase or SNAKE_CASE name into lower-case words.
func humanize(name string) string {
	if strings.ToUpper(name) == name {
		return strings.ToLower(strings.ReplaceAll(name, "_", " "))
	}
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.ReplaceAll(b.String(), " i d", " ID")
}

func snake(name string) string {
	return strings.ReplaceAll(humanize(name), " ", "_")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(name string) string {
	switch {
	case name == "Staff":
		return "staff members"
	case strings.HasSuffix(name, "y"):
		return humanize(name[:len(name)-1]) + "ies"
	}
	return humanize(name) + "s"
}
