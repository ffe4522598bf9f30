# Escalation: when a running deadline warrants a warning, counts as
# breached, and is escalated beyond the department; and whom to alert.
#
# Input (times are measured by the engine on the department's calendar):
#   department, kind, priority
#   deadline          "acknowledge", "decide", "respond" or "resolve"
#   level             the highest level already recorded: 0 none, 1 warned,
#                     2 breached, 3 escalated
#   elapsed_fraction  working time elapsed since the start / working time
#                     allowed (1 or more once due)
#   breached          the due time has passed
#   overdue_ns        working time since the due time (0 before)
#
# The settings of data.config.escalation apply in layers, each overriding
# the keys it sets: default, deadlines[deadline], priorities[priority], then
# the department's default, deadlines and priorities.
package xinfang.v1.escalation

cfg := data.config.escalation

department := object.get(cfg.departments, input.department, {})

settings := object.union_n([
	cfg.default,
	object.get(cfg.deadlines, input.deadline, {}),
	object.get(cfg.priorities, input.priority, {}),
	object.get(department, "default", {}),
	object.get(department, ["deadlines", input.deadline], {}),
	object.get(department, ["priorities", input.priority], {}),
])

escalate_after_ns := duration_ns(settings.escalate_after)

level := 3 if {
	input.breached
	input.overdue_ns >= escalate_after_ns
} else := 2 if {
	input.breached
} else := 1 if {
	input.elapsed_fraction >= settings.warn_at
} else := 0

level_names := ["none", "warn", "breach", "escalate"]

# notify lists, once each, whom to alert for the levels reached since the
# last recorded one; nobody when nothing new happened.
notify := [who |
	some i, who in reached
	not who in array.slice(reached, 0, i)
]

reached := [who |
	some l in numbers.range(input.level + 1, level)
	input.level < level
	some who in object.get(settings, ["notify", level_names[l]], [])
]

reasons contains sprintf("%s: %d%% of the time elapsed; warning at %d%%", [input.deadline, round(input.elapsed_fraction * 100), round(settings.warn_at * 100)]) if {
	level == 1
}

reasons contains sprintf("%s: the due time has passed", [input.deadline]) if {
	level >= 2
}

reasons contains sprintf("%s: overdue by more than %s; escalated beyond the department", [input.deadline, settings.escalate_after]) if {
	level == 3
}

reasons contains sprintf("already recorded at level %d (%s): nobody new to alert", [input.level, level_names[input.level]]) if {
	input.level >= level
	level > 0
}

decision := {
	"level": level,
	"notify": notify,
	"warn_at": settings.warn_at,
	"escalate_after": settings.escalate_after,
	"reasons": sort(reasons),
}

# duration_ns reads the durations of the data files: a Go duration or whole
# days ("30d").
duration_ns(s) := n if {
	endswith(s, "d")
	n := (to_number(trim_suffix(s, "d")) * ((24 * 60) * 60)) * 1000000000
} else := time.parse_duration_ns(s)
