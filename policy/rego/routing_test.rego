# Tests of the routing stages. They bring their own tables so that they keep
# passing when an installation overrides config/routing.json.
package xinfang.v1.routing_test

import data.xinfang.v1.routing

routing_cfg := {
	"kind_rules": [
		{"name": "whistleblowing", "kinds": ["REPORT"], "department": "ADMIN_DEPT", "override": true},
		{"name": "whistleblowing_backup", "kinds": ["REPORT"], "department": "EVAL_DEPT", "override": true},
		{"name": "urgent_privacy", "priorities": ["URGENT"], "categories": ["PRIVACY"], "department": "INFO_DEPT", "override": true},
		{"name": "consultation", "channels": ["CONSULTATION"], "department": "PR_DEPT", "override": false},
	],
	"keywords": [
		{"department": "COMMUNITY", "zh": ["食堂"], "en": ["canteen"]},
		{"department": "EDUCATION", "zh": ["助学金"], "en": ["scholarship"]},
	],
	"last_resort": ["ADMIN_DEPT", "EVAL_DEPT"],
}

base_input := {
	"kind": "COMPLAINT", "channel": "WEB", "priority": "NORMAL",
	"category": "", "category_department": "",
	"service_project": "", "service_project_department": "",
	"intake_department": "INTAKE", "concerned_department": "",
	"keyword_matches": [],
}

route(overrides) := r if {
	r := routing.route with data.config.routing as routing_cfg with input as object.union(base_input, overrides)
}

test_intake_fallback if {
	r := route({})
	r.department == "INTAKE"
	r.rule == "intake_fallback"
}

test_service_project_owner_first if {
	r := route({
		"service_project": "ELDER_CARE", "service_project_department": "COMMUNITY",
		"category": "FINANCE", "category_department": "INFO_DEPT",
		"keyword_matches": [{"entry": 1, "word": "助学金", "field": "subject"}],
	})
	r.department == "COMMUNITY"
	r.rule == "service_project_owner"
}

test_keyword_before_category if {
	r := route({
		"category": "FINANCE", "category_department": "INFO_DEPT",
		"keyword_matches": [{"entry": 0, "word": "食堂", "field": "subject"}],
	})
	r.department == "COMMUNITY"
	r.rule == "keyword"
	r.reasons == [`keyword "食堂" in subject → COMMUNITY`]
}

test_category_default if {
	r := route({"category": "FINANCE", "category_department": "INFO_DEPT"})
	r.department == "INFO_DEPT"
	r.rule == "category_default_department"
}

test_override_kind_rule_beats_everything if {
	r := route({"kind": "REPORT", "service_project_department": "COMMUNITY"})
	r.department == "ADMIN_DEPT"
	r.rule == "kind_rule"
}

test_report_never_goes_to_concerned_department if {
	r := route({"kind": "REPORT", "concerned_department": "ADMIN_DEPT"})
	r.department == "EVAL_DEPT"
	r.reasons[1] == "not routed to ADMIN_DEPT: the report concerns it"
}

test_concerned_project_owner_skipped if {
	r := route({
		"kind": "COMPLAINT", "concerned_department": "COMMUNITY",
		"service_project": "ELDER_CARE", "service_project_department": "COMMUNITY",
		"keyword_matches": [{"entry": 0, "word": "canteen", "field": "body"}],
	})
	r.department == "INTAKE"
}

test_priority_and_category_rule if {
	r := route({"priority": "URGENT", "category": "PRIVACY", "category_department": "OTHER"})
	r.department == "INFO_DEPT"
	not route({"priority": "HIGH", "category": "PRIVACY"}).department == "INFO_DEPT"
}

test_fallback_kind_rule_after_category if {
	route({"channel": "CONSULTATION"}).department == "PR_DEPT"
	route({"channel": "CONSULTATION", "category_department": "INFO_DEPT"}).department == "INFO_DEPT"
}

test_last_resort_when_intake_is_concerned if {
	r := route({"concerned_department": "INTAKE"})
	r.department == "ADMIN_DEPT"
	r.rule == "last_resort"
}

test_no_route_when_nothing_is_allowed if {
	not routing.route with data.config.routing as object.union(routing_cfg, {"last_resort": []})
		with input as object.union(base_input, {"concerned_department": "INTAKE"})
}
