# Authorization: who may do what to which case, what personal data and text
# they may see, and which cases a list shows them.
#
# Input of decision and visibility (built by policy.Engine from the subject
# and the case; petitioners hold a tracking code and PIN). It holds facts,
# not IDs: the engine works out in Go how the caller relates to the case,
# and remembers each decision per revision on these few facts.
#   action:   "case.read", "case.respond", ... (policy.Action; "" for
#             visibility)
#   subject:  {kind: "anonymous" | "staff" | "petitioner",
#              role: "HANDLER", ... ("" unless staff)}
#   resource: {given: false when the question is about no particular case
#              (listing, submitting), kind: "COMPLAINT", ..., status:
#              "IN_PROGRESS", ...}   ("" when unknown)
#   relation: {own_case:             the petitioner's own case (the one
#                                    their tracking code opened),
#              in_department:        the case is in the staff member's
#                                    department (its current one; never
#                                    for staff without a department),
#              assignee:             the staff member is the case's
#                                    assignee,
#              concerned_department: the staff member's department is the
#                                    one the case (a REPORT) is about}
#             every relation is false for the other kinds of subject.
# A fact that no module reads (the embedded policy ignores the status and
# "given") is passed as false or "", so that the engine remembers one
# decision for all its values; reading it is enough to have it passed.
#
# Input of scope (the subject alone, with its IDs, for the list filter):
#   subject:  {kind, role, staff_id, department_id, case_id}   (0 and ""
#             when they do not apply)
#
# The tables (which roles may do what, which actions are scoped to the
# department, ...) are data: data.config.authz (config/authz.json). The rules
# read the data directly rather than through a variable, and keep to one
# chain of cheap tests, because a first decision is on a request's hot path.
package xinfang.v1.authz

# decision is {allow, reason}. The first test that applies decides; the
# engine turns a refusal's reason into the caller's message: sign_in,
# forbidden, not_own_case, other_department, reporter_protected,
# not_assignee. No decision at all would mean deny.
default decision := {"allow": false, "reason": "forbidden"}

decision := {"allow": true, "reason": "public_action"} if {
	input.action in data.config.authz.public_actions
} else := {"allow": false, "reason": "sign_in"} if {
	input.subject.kind == "anonymous"
} else := {"allow": true, "reason": "own_case"} if {
	# A petitioner acts only on the one case their tracking code and PIN
	# opened.
	input.subject.kind == "petitioner"
	input.action in data.config.authz.petitioner_actions
	input.relation.own_case
} else := {"allow": false, "reason": "not_own_case"} if {
	input.subject.kind == "petitioner"
	input.action in data.config.authz.petitioner_actions
} else := {"allow": false, "reason": "forbidden"} if {
	input.subject.kind != "staff"
} else := {"allow": false, "reason": "forbidden"} if {
	# Staff: the role table first,
	not role_permitted
} else := {"allow": false, "reason": "other_department"} if {
	# then the department: handlers and department heads act on the cases
	# of their department, the case's current one, so a transfer hands the
	# case over,
	department_scoped
	not input.relation.in_department
} else := {"allow": false, "reason": "reporter_protected"} if {
	# then the reporter: the staff of the department a report is about never
	# learn who reported,
	input.action == "case.read_personal_data"
	reporter_protected
} else := {"allow": false, "reason": "not_assignee"} if {
	# then assignment.
	not input.relation.assignee
	input.subject.role in data.config.authz.assignee_only.roles
	input.action in data.config.authz.assignee_only.actions
} else := {"allow": true, "reason": "role"}

# A rule, not an inline "not ... in ...": an action missing from the table
# must count as not permitted, and an undefined operand inside "not" would
# make the whole test undefined instead.
role_permitted if input.subject.role in data.config.authz.permissions[input.action]

department_scoped if {
	input.subject.role in data.config.authz.department_scoped.roles
	input.action in data.config.authz.department_scoped.actions
}

reporter_protected if {
	input.relation.concerned_department
	input.resource.kind in data.config.authz.reporter_protection.kinds
}

# visibility says what a caller who may read the case may see of it:
# identity = the petitioner's name and contact data, full_text = subject,
# body, notes and replies unredacted. Both are false for a caller who may not
# read the case at all.
visibility := {"identity": allowed("case.read_personal_data"), "full_text": full_text}

default full_text := false

full_text if {
	allowed("case.read")
	not anonymised_text
}

anonymised_text if {
	input.subject.kind == "staff"
	input.subject.role in data.config.authz.anonymised_text_roles
}

allowed(action) := d.allow if {
	d := decision with input.action as action
}

# scope is the set of cases the subject may read, for list queries:
# {"all": true}, {"none": true}, or any of department_ids, assignee_id and
# case_id (a case matches when any of them matches). It must agree with
# decision for "case.read"; the engine checks that on every load.
default scope := {"none": true}

scope := {"all": true} if {
	"case.read" in data.config.authz.public_actions
} else := {"none": true} if {
	input.subject.kind == "anonymous"
} else := {"case_id": input.subject.case_id} if {
	input.subject.kind == "petitioner"
	"case.read" in data.config.authz.petitioner_actions
	input.subject.case_id != 0
} else := {"all": true} if {
	input.subject.kind == "staff"
	input.subject.role in data.config.authz.permissions["case.read"]
	not read_department_scoped
} else := {"department_ids": [input.subject.department_id]} if {
	input.subject.kind == "staff"
	input.subject.role in data.config.authz.permissions["case.read"]
	read_department_scoped
	input.subject.department_id != 0
}

read_department_scoped if {
	input.subject.role in data.config.authz.department_scoped.roles
	"case.read" in data.config.authz.department_scoped.actions
}
