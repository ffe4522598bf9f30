# Tests of the escalation levels. They bring their own settings so that
# they keep passing when an installation overrides config/escalation.json.
package xinfang.v1.escalation_test

import data.xinfang.v1.escalation

settings_cfg := {
	"default": {
		"warn_at": 0.75,
		"escalate_after": "24h",
		"notify": {"warn": ["assignee", "dept_head"], "breach": ["dept_head"], "escalate": ["admin"]},
	},
	"deadlines": {"acknowledge": {"warn_at": 0.5}},
	"priorities": {"URGENT": {"escalate_after": "4h"}},
	"departments": {"EDU": {"default": {"notify": {"breach": ["dept_head", "admin"]}}}},
}

decide(overrides) := d if {
	d := escalation.decision with data.config.escalation as settings_cfg
		with input as object.union(
			{
				"department": "OTHER", "kind": "COMPLAINT", "priority": "NORMAL", "deadline": "respond",
				"level": 0, "elapsed_fraction": 0, "breached": false, "overdue_ns": 0,
			},
			overrides,
		)
}

hour := (60 * 60) * 1000000000

test_fine_before_warning if {
	d := decide({"elapsed_fraction": 0.74})
	d.level == 0
	d.notify == []
	d.warn_at == 0.75
}

test_warning_at_threshold if {
	d := decide({"elapsed_fraction": 0.75})
	d.level == 1
	d.notify == ["assignee", "dept_head"]
}

test_breach if {
	d := decide({"elapsed_fraction": 1, "breached": true, "overdue_ns": hour, "level": 1})
	d.level == 2
	d.notify == ["dept_head"]
}

test_escalation_after_a_day if {
	d := decide({"elapsed_fraction": 2, "breached": true, "overdue_ns": 24 * hour, "level": 2})
	d.level == 3
	d.notify == ["admin"]
}

test_jump_notifies_everyone_once if {
	d := decide({"elapsed_fraction": 3, "breached": true, "overdue_ns": 30 * hour})
	d.level == 3
	d.notify == ["assignee", "dept_head", "admin"]
}

test_nothing_new_nobody_alerted if {
	d := decide({"elapsed_fraction": 0.9, "level": 1})
	d.level == 1
	d.notify == []
}

test_deadline_and_priority_layers if {
	decide({"deadline": "acknowledge", "elapsed_fraction": 0.5}).level == 1
	decide({"priority": "URGENT", "breached": true, "overdue_ns": 4 * hour, "elapsed_fraction": 1.1}).level == 3
}

test_department_layer_merges_notify if {
	d := decide({"department": "EDU", "breached": true, "elapsed_fraction": 1})
	d.notify == ["assignee", "dept_head", "admin"]
}

test_durations_in_days if {
	escalation.duration_ns("2d") == 48 * hour
	escalation.duration_ns("90m") == (90 * 60) * 1000000000
}
