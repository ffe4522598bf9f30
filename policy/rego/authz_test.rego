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

# Subjects and cases are given as the engine gives them: the caller's kind
# and role, the case's kind and status, and how the two relate.
handler := {"kind": "staff", "role": "HANDLER"}

head := {"kind": "staff", "role": "DEPT_HEAD"}

oversight := {"kind": "staff", "role": "OVERSIGHT_MEMBER"}

petitioner := {"kind": "petitioner", "role": ""}

anonymous := {"kind": "anonymous", "role": ""}

complaint := {"given": true, "kind": "COMPLAINT", "status": "IN_PROGRESS"}

report := object.union(complaint, {"kind": "REPORT"})

no_case := {"given": false, "kind": "", "status": ""}

unrelated := {"own_case": false, "in_department": false, "assignee": false, "concerned_department": false}

in_department := object.union(unrelated, {"in_department": true})

assigned := object.union(in_department, {"assignee": true})

own_case := object.union(unrelated, {"own_case": true})

decide(subject, action, resource, relation) := d if {
	d := authz.decision with data.config.authz as cfg
		with input as {"subject": subject, "action": action, "resource": resource, "relation": relation}
}

test_public_submits_without_account if {
	decide(anonymous, "case.submit", no_case, unrelated).allow
}

test_anonymous_must_sign_in if {
	decide(anonymous, "case.read", complaint, unrelated) == {"allow": false, "reason": "sign_in"}
}

test_assigned_handler_responds if {
	decide(handler, "case.respond", complaint, assigned).allow
}

test_other_handler_is_not_assignee if {
	decide(handler, "case.respond", complaint, in_department) == {"allow": false, "reason": "not_assignee"}
}

test_head_responds_without_assignment if {
	decide(head, "case.respond", complaint, in_department).allow
}

test_department_comes_before_assignment if {
	decide(handler, "case.respond", complaint, object.union(unrelated, {"assignee": true})) == {"allow": false, "reason": "other_department"}
}

test_case_without_department_is_out_of_scope if {
	decide(head, "case.read", complaint, unrelated).reason == "other_department"
	decide(head, "case.read", no_case, unrelated).reason == "other_department"
}

test_role_table_first if {
	decide(oversight, "case.respond", complaint, unrelated) == {"allow": false, "reason": "forbidden"}
}

test_unknown_action_is_forbidden if {
	decide(head, "case.teleport", complaint, in_department) == {"allow": false, "reason": "forbidden"}
}

test_petitioner_own_case_only if {
	decide(petitioner, "case.rate", complaint, own_case).allow
	decide(petitioner, "case.rate", complaint, unrelated) == {"allow": false, "reason": "not_own_case"}
	decide(petitioner, "case.respond", complaint, own_case) == {"allow": false, "reason": "forbidden"}
}

test_petitioner_without_case_gets_nothing if {
	not decide(petitioner, "case.read", no_case, unrelated).allow
}

test_unknown_subject_kind_denied if {
	not decide({"kind": "robot", "role": ""}, "case.read", complaint, own_case).allow
}

test_reporter_hidden_from_concerned_department if {
	concerned := object.union(in_department, {"concerned_department": true})
	decide(head, "case.read_personal_data", report, concerned) == {"allow": false, "reason": "reporter_protected"}
	decide(head, "case.read", report, concerned).allow
}

test_reporter_visible_to_other_departments if {
	decide(head, "case.read_personal_data", report, in_department).allow
}

test_only_reports_protect_reporters if {
	decide(head, "case.read_personal_data", complaint, object.union(in_department, {"concerned_department": true})).allow
}

visibility(subject, resource, relation) := v if {
	v := authz.visibility with data.config.authz as cfg
		with input as {"subject": subject, "action": "", "resource": resource, "relation": relation}
}

test_visibility_handler if {
	visibility(handler, complaint, in_department) == {"identity": true, "full_text": true}
}

test_visibility_oversight_anonymised if {
	visibility(oversight, complaint, unrelated) == {"identity": false, "full_text": false}
}

test_visibility_evaluator_text_without_identity if {
	evaluator := object.union(oversight, {"role": "EVALUATOR"})
	visibility(evaluator, complaint, unrelated) == {"identity": false, "full_text": true}
}

test_visibility_nothing_without_read if {
	visibility(handler, complaint, unrelated) == {"identity": false, "full_text": false}
}

test_visibility_report_concerned_department if {
	visibility(head, report, object.union(in_department, {"concerned_department": true})) == {"identity": false, "full_text": true}
}

# The scope is asked about the subject alone, with its IDs.
scope(subject) := s if {
	s := authz.scope with data.config.authz as cfg
		with input as {"subject": object.union({"staff_id": 0, "department_id": 0, "case_id": 0}, subject)}
}

test_scope_by_role if {
	scope(anonymous) == {"none": true}
	scope(object.union(handler, {"staff_id": 42, "department_id": 3})) == {"department_ids": [3]}
	scope(oversight) == {"all": true}
	scope(handler) == {"none": true}
	scope(object.union(handler, {"role": "HR_OFFICER", "department_id": 3})) == {"none": true}
	scope(object.union(petitioner, {"case_id": 100})) == {"case_id": 100}
	scope(petitioner) == {"none": true}
}

test_scope_public_read_is_all if {
	authz.scope == {"all": true} with data.config.authz as object.union(cfg, {"public_actions": ["case.submit", "case.read"]})
		with input as {"subject": {"kind": "anonymous", "role": "", "staff_id": 0, "department_id": 0, "case_id": 0}}
}
