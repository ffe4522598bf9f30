# Tests of the time-limit layering. They bring their own tables so that
# they keep passing when an installation overrides config/deadlines.json.
package xinfang.v1.deadlines_test

import data.xinfang.v1.deadlines

limits_cfg := {
	"default": {
		"acknowledge": "24h", "decide": "24h", "respond": "48h", "resolve": "7d",
		"review_window": "30d", "review_decide": "48h", "extension_max": "48h", "extension_count": 2,
	},
	"kinds": {"REPORT": {"resolve": "30d"}},
	"priorities": {"URGENT": {"respond": "24h", "resolve": "72h"}},
	"channels": {"LETTER": {"acknowledge": "72h"}},
	"review_rounds": {"2": {"review_window": "0"}},
	"departments": {
		"HOTLINE_DEPT": {
			"default": {"acknowledge": "4h"},
			"kinds": {"REPORT": {"resolve": "14d"}},
			"priorities": {"URGENT": {"respond": "12h"}},
			"review_rounds": {"1": {"resolve": "5d"}},
		},
	},
}

calendar_cfg := {"default": "calendar_hours", "departments": {"HOTLINE_DEPT": "business_hours"}, "definitions": {}}

decide(overrides) := d if {
	d := deadlines.decision with data.config.deadlines as limits_cfg
		with data.config.calendars as calendar_cfg
		with input as object.union({"department": "OTHER", "kind": "COMPLAINT", "priority": "NORMAL", "channel": "WEB", "review_round": 0}, overrides)
}

test_defaults if {
	d := decide({})
	d.limits == limits_cfg.default
	d.calendar == "calendar_hours"
}

test_kind_and_priority_layers if {
	l := decide({"kind": "REPORT", "priority": "URGENT"}).limits
	l.resolve == "72h" # priority comes after kind
	l.respond == "24h"
	l.acknowledge == "24h"
}

test_channel_layer if {
	decide({"channel": "LETTER"}).limits.acknowledge == "72h"
}

test_department_layers_override_global if {
	d := decide({"department": "HOTLINE_DEPT", "kind": "REPORT", "priority": "URGENT"})
	d.limits.acknowledge == "4h"
	d.limits.resolve == "14d"
	d.limits.respond == "12h"
	d.calendar == "business_hours"
}

test_review_round_answers_within_review_decide if {
	l := decide({"review_round": 1}).limits
	l.respond == "48h"
	l.resolve == "48h"
	l.review_window == "30d"
}

test_department_review_round if {
	decide({"department": "HOTLINE_DEPT", "review_round": 1}).limits.resolve == "5d"
}

test_re_review_is_final if {
	decide({"review_round": 2}).limits.review_window == "0"
}
