# Tests of the authorization rules. They bring their own tables (cfg) so
# that they test the rules, not config/authz.json, and keep passing when an
# installation overrides the data.
package xinfang.v1.authz_test

import data.xinfang.v1.authz

cfg := {
	"public_actions": ["case.submit"],
	"petitioner_actions": ["case.read", "case.read_personal_data", "case.rate"],
	"permissions": {
		"case.read": ["ADMIN", "HANDLER", "DEPT_HEAD", "OVERSIGHT_MEMBER", "EVALUATOR"],
		"case.read_personal_data": ["ADMIN", "HANDLER", "DEPT_HEAD"],
		"case.respond": ["ADMIN", "HANDLER", "DEPT_HEAD"],
		"case.list": ["ADMIN", "HANDLER", "DEPT_HEAD", "OVERSIGHT_MEMBER", "EVALUATOR"],
	},
	"department_scoped": {
		"roles": ["HANDLER", "DEPT_HEAD"],
		"actions": ["case.read", "case.read_personal_data", "case.respond"],
	},
	"assignee_only": {"roles": ["HANDLER"], "actions": ["case.respond"]},
	"reporter_protection": {"kinds": ["REPORT"]},
	"anonymised_text_roles": ["OVERSIGHT_MEMBER"],
}

handler := {"kind": "staff", "staff_id": 42, "role": "HANDLER", "department_id": 3, "case_id": 0}

head := {"kind": "staff", "staff_id": 7, "role": "DEPT_HEAD", "department_id": 3, "case_id": 0}

oversight := {"kind": "staff", "staff_id": 9, "role": "OVERSIGHT_MEMBER", "department_id": 0, "case_id": 0}

case_in_3 := {"case_id": 100, "department_id": 3, "assignee_id": 42, "kind": "COMPLAINT", "status": "IN_PROGRESS", "concerned_department_id": 0}

case_in_4 := object.union(case_in_3, {"department_id": 4})

decide(subject, action, resource) := d if {
	d := authz.decision with data.config.authz as cfg
		with input as {"subject": subject, "action": action, "resource": resource}
}

test_public_submits_without_account if {
	decide({"kind": "anonymous"}, "case.submit", {}).allow
}

test_anonymous_must_sign_in if {
	decide({"kind": "anonymous"}, "case.read", case_in_3) == {"allow": false, "reason": "sign_in"}
}

test_assigned_handler_responds if {
	decide(handler, "case.respond", case_in_3).allow
}

test_other_handler_is_not_assignee if {
	other := object.union(handler, {"staff_id": 43})
	decide(other, "case.respond", case_in_3) == {"allow": false, "reason": "not_assignee"}
}

test_head_responds_without_assignment if {
	decide(head, "case.respond", object.union(case_in_3, {"assignee_id": 0})).allow
}

test_department_comes_before_assignment if {
	decide(handler, "case.respond", case_in_4) == {"allow": false, "reason": "other_department"}
}

test_staff_without_department_is_out_of_scope if {
	decide(object.union(head, {"department_id": 0}), "case.read", object.union(case_in_3, {"department_id": 0})).reason == "other_department"
}

test_role_table_first if {
	decide(oversight, "case.respond", case_in_3) == {"allow": false, "reason": "forbidden"}
}

test_unknown_action_is_forbidden if {
	decide(head, "case.teleport", case_in_3) == {"allow": false, "reason": "forbidden"}
}

test_petitioner_own_case_only if {
	me := {"kind": "petitioner", "case_id": 100}
	decide(me, "case.rate", case_in_3).allow
	decide(object.union(me, {"case_id": 101}), "case.rate", case_in_3) == {"allow": false, "reason": "not_own_case"}
	decide(me, "case.respond", case_in_3) == {"allow": false, "reason": "forbidden"}
}

test_petitioner_without_case_gets_nothing if {
	not decide({"kind": "petitioner", "case_id": 0}, "case.read", object.union(case_in_3, {"case_id": 0})).allow
}

test_unknown_subject_kind_denied if {
	not decide({"kind": "robot"}, "case.read", case_in_3).allow
}

report := object.union(case_in_3, {"kind": "REPORT", "concerned_department_id": 3})

test_reporter_hidden_from_concerned_department if {
	decide(head, "case.read_personal_data", report) == {"allow": false, "reason": "reporter_protected"}
	decide(head, "case.read", report).allow
}

test_reporter_visible_to_other_departments if {
	decide(head, "case.read_personal_data", object.union(report, {"concerned_department_id": 5})).allow
}

visibility(subject, resource) := v if {
	v := authz.visibility with data.config.authz as cfg
		with input as {"subject": subject, "action": "", "resource": resource}
}

test_visibility_handler if {
	visibility(handler, case_in_3) == {"identity": true, "full_text": true}
}

test_visibility_oversight_anonymised if {
	visibility(oversight, case_in_3) == {"identity": false, "full_text": false}
}

test_visibility_evaluator_text_without_identity if {
	evaluator := object.union(oversight, {"role": "EVALUATOR"})
	visibility(evaluator, case_in_3) == {"identity": false, "full_text": true}
}

test_visibility_nothing_without_read if {
	visibility(handler, case_in_4) == {"identity": false, "full_text": false}
}

test_visibility_report_concerned_department if {
	visibility(head, report) == {"identity": false, "full_text": true}
}

scope(subject) := s if {
	s := authz.scope with data.config.authz as cfg
		with input as {"subject": subject, "action": "case.read", "resource": {}}
}

test_scope_by_role if {
	scope({"kind": "anonymous"}) == {"none": true}
	scope(handler) == {"department_ids": [3]}
	scope(oversight) == {"all": true}
	scope(object.union(handler, {"department_id": 0})) == {"none": true}
	scope(object.union(handler, {"role": "HR_OFFICER"})) == {"none": true}
	scope({"kind": "petitioner", "case_id": 100}) == {"case_id": 100}
	scope({"kind": "petitioner", "case_id": 0}) == {"none": true}
}

test_scope_public_read_is_all if {
	authz.scope == {"all": true} with data.config.authz as object.union(cfg, {"public_actions": ["case.submit", "case.read"]})
		with input as {"subject": {"kind": "anonymous"}, "action": "case.read", "resource": {}}
}
