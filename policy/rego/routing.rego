# Routing: which department handles a new case.
#
# Input (department, category and service project are codes):
#   kind, channel, priority, category, service_project
#   category_department         the category's default department ("" if none)
#   service_project_department  the service project's owner ("" if none)
#   intake_department           the fallback
#   concerned_department        for a REPORT, the department reported on ("" otherwise)
#   keyword_matches             [{entry, word, field}]: the entries of
#                               data.config.routing.keywords found in the
#                               subject, then in the body, in table order
#                               (the engine searches the text; see the
#                               package documentation for how)
#
# The first stage that names a department other than the concerned one wins:
# override kind rules, service project owner, keyword, category default,
# other kind rules, intake department, last resort. The tests are written
# inline rather than as functions because every submission waits for them.
package xinfang.v1.routing

# route is {department, rule, reasons}. No route means the policy is broken;
# the engine reports an error rather than guessing.
route := {"department": r.department, "rule": r.rule, "reasons": array.concat(r.reasons, skipped)} if {
	r := chosen
}

chosen := kind_route(override_rules[0]) if {
	count(override_rules) > 0
} else := {
	"department": input.service_project_department,
	"rule": "service_project_owner",
	"reasons": [sprintf("service project %s is run by %s", [input.service_project, input.service_project_department])],
} if {
	input.service_project_department != ""
	input.service_project_department != input.concerned_department
} else := r if {
	r := keyword_route
} else := {
	"department": input.category_department,
	"rule": "category_default_department",
	"reasons": [sprintf("category %s belongs to %s", [input.category, input.category_department])],
} if {
	input.category_department != ""
	input.category_department != input.concerned_department
} else := kind_route(fallback_rules[0]) if {
	count(fallback_rules) > 0
} else := {
	"department": input.intake_department,
	"rule": "intake_fallback",
	"reasons": [sprintf("no rule matched; the intake department %s receives the case", [input.intake_department])],
} if {
	input.intake_department != ""
	input.intake_department != input.concerned_department
} else := r if {
	r := last_resort_route
}

# Kind rules match when every condition they give holds (an absent
# condition holds for every value) and their department may receive the
# case. Override rules come before every other stage, the others after the
# category's department.
override_rules := [rule |
	some rule in data.config.routing.kind_rules
	rule.override == true
	rule.department != input.concerned_department
	input.kind in object.get(rule, "kinds", [input.kind])
	input.priority in object.get(rule, "priorities", [input.priority])
	input.channel in object.get(rule, "channels", [input.channel])
	input.category in object.get(rule, "categories", [input.category])
]

fallback_rules := [rule |
	some rule in data.config.routing.kind_rules
	not rule.override
	rule.department != input.concerned_department
	input.kind in object.get(rule, "kinds", [input.kind])
	input.priority in object.get(rule, "priorities", [input.priority])
	input.channel in object.get(rule, "channels", [input.channel])
	input.category in object.get(rule, "categories", [input.category])
]

kind_route(rule) := {
	"department": rule.department,
	"rule": "kind_rule",
	"reasons": [sprintf("kind rule %q (%s) → %s", [rule.name, conditions(rule), rule.department])],
}

conditions(rule) := concat(", ", [sprintf("%s %s", [key, concat("|", rule[key])]) |
	some key in ["kinds", "priorities", "channels", "categories"]
	rule[key]
])

keyword_route := {
	"department": department,
	"rule": "keyword",
	"reasons": [sprintf("keyword %q in %s → %s", [m.word, m.field, department])],
} if {
	usable := [[m, d] |
		some m in input.keyword_matches
		d := data.config.routing.keywords[m.entry].department
		d != input.concerned_department
	]
	count(usable) > 0
	[m, department] := usable[0]
}

last_resort_route := {
	"department": usable[0],
	"rule": "last_resort",
	"reasons": [sprintf("the intake department is the one reported on; %s receives the case", [usable[0]])],
} if {
	usable := [d | some d in data.config.routing.last_resort; d != input.concerned_department]
	count(usable) > 0
}

# skipped explains candidates passed over because the report concerns them.
skipped := [sprintf("not routed to %s: the report concerns it", [input.concerned_department]) |
	input.concerned_department != ""
	input.concerned_department in candidates
]

candidates contains input.service_project_department

candidates contains input.category_department

candidates contains input.intake_department

candidates contains data.config.routing.keywords[m.entry].department if some m in input.keyword_matches

candidates contains rule.department if {
	some rule in data.config.routing.kind_rules
	input.kind in object.get(rule, "kinds", [input.kind])
	input.priority in object.get(rule, "priorities", [input.priority])
	input.channel in object.get(rule, "channels", [input.channel])
	input.category in object.get(rule, "categories", [input.category])
}
